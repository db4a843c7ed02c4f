//! The handbook as a git repository: `prospector handbook export DIR` writes one commit per merged
//! revision (author = who merged it, date = when, message = the proposal's title) with
//! `git fast-import`; `prospector handbook import DIR` reads a folder of markdown files back, as
//! proposals or, with `--merge`, as merged revisions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use prospector_core::markdown::split_front_matter;
use prospector_core::role::Role;
use prospector_store::handbook::{self as store, Revision};
use uuid::Uuid;

use super::{NewProposal, parse_slug, title_of};
use crate::{Actor, App, AppError, AppResult};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    /// Commits written (one per merged revision).
    pub commits: usize,
    /// Pages in the final tree.
    pub pages: usize,
}

/// What happened to one imported file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedPage {
    /// The file, relative to the folder.
    pub file: String,
    /// The page.
    pub slug: String,
    /// `merged`, `proposed` or `unchanged`.
    pub outcome: &'static str,
    /// The proposal made, without `--merge`.
    pub proposal_id: Option<Uuid>,
}

/// A file that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportFailure {
    /// The file, relative to the folder.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// What an import did: the rest is imported even when some files fail.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Files read.
    pub imported: Vec<ImportedPage>,
    /// Files refused, by name.
    pub failed: Vec<ImportFailure>,
}

/// The file a revision is written to: its text, with the page title added as front matter when
/// the text has none (so an import of the export keeps the titles).
fn file_text(revision: &Revision) -> String {
    if split_front_matter(&revision.body).yaml.is_some() {
        revision.body.clone()
    } else {
        let title = serde_json::to_string(&revision.title).unwrap_or_else(|_| "\"\"".into());
        format!("---\ntitle: {title}\n---\n\n{}", revision.body)
    }
}

/// One-line, angle-bracket-free identity for a fast-import `author`/`committer` line.
fn ident(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The `git fast-import` stream for `revisions` (slug, revision), in merge order.
pub fn fast_import_stream(revisions: &[(String, Revision)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, (slug, rev)) in revisions.iter().enumerate() {
        let mark = index + 1;
        let when = format!("{} +0000", rev.merged_at.timestamp());
        let name = ident(&rev.merger_name);
        let email = ident(&rev.merger_email);
        let message = format!(
            "{}\n\n{} revision {} by {} <{}>\n",
            rev.message.trim(),
            slug,
            rev.number,
            ident(&rev.author_name),
            ident(&rev.author_email)
        );
        let content = file_text(rev);
        let _ = write!(
            out,
            "commit refs/heads/main\nmark :{mark}\nauthor {name} <{email}> {when}\ncommitter {name} <{email}> {when}\n\
             data {}\n{message}\n",
            message.len()
        );
        if mark > 1 {
            let _ = writeln!(out, "from :{}", mark - 1);
        }
        let _ = write!(
            out,
            "M 100644 inline {slug}.md\ndata {}\n{content}\n\n",
            content.len()
        );
    }
    out
}

fn run_git(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> AppResult<()> {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| AppError::Unavailable(format!("cannot run git (is it installed?): {e}")))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(&input)
            .map_err(|e| AppError::Internal(format!("writing to git {}: {e}", args.join(" "))))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| AppError::Internal(format!("git {}: {e}", args.join(" "))))?;
    if !output.status.success() {
        return Err(AppError::Internal(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

fn write_repository(dir: PathBuf, stream: Vec<u8>, has_commits: bool) -> AppResult<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(&dir).map_err(|e| AppError::BadRequest {
            code: "unreadable_dir",
            message: format!("cannot read {}: {e}", dir.display()),
        })?;
        if entries.next().is_some() {
            return Err(AppError::BadRequest {
                code: "dir_not_empty",
                message: format!("{} is not empty: export writes a fresh repository", dir.display()),
            });
        }
    } else {
        std::fs::create_dir_all(&dir).map_err(|e| AppError::BadRequest {
            code: "cannot_create_dir",
            message: format!("cannot create {}: {e}", dir.display()),
        })?;
    }
    run_git(&dir, &["-c", "init.defaultBranch=main", "init", "-q"], None)?;
    run_git(&dir, &["symbolic-ref", "HEAD", "refs/heads/main"], None)?;
    run_git(&dir, &["fast-import", "--quiet"], Some(stream))?;
    if has_commits {
        run_git(&dir, &["reset", "-q", "--hard"], None)?;
    }
    Ok(())
}

impl App {
    /// Writes the handbook's whole history to a fresh git repository in `dir` (admins and the
    /// command line).
    pub async fn export_handbook_git(&self, actor: &Actor, dir: &Path) -> AppResult<ExportSummary> {
        if actor.role() != Role::Admin {
            return Err(AppError::Forbidden("only admins export the handbook".into()));
        }
        let revisions = store::all_revisions_in_merge_order(&mut self.store().reader()).await?;
        let pages = revisions
            .iter()
            .map(|(slug, _)| slug.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let stream = fast_import_stream(&revisions);
        let dir = dir.to_path_buf();
        let has_commits = !revisions.is_empty();
        tokio::task::spawn_blocking(move || write_repository(dir, stream, has_commits))
            .await
            .map_err(|e| AppError::Internal(format!("export task: {e}")))??;
        Ok(ExportSummary {
            commits: revisions.len(),
            pages,
        })
    }

    /// Reads every `*.md` file in `dir` (front matter kept): as proposals in review, or with
    /// `merge` (admins and the command line) as merged revisions. A file that is not UTF-8 text or
    /// has no usable page name is reported by name; the rest are imported.
    pub async fn import_handbook_dir(
        &self,
        actor: &Actor,
        dir: &Path,
        merge: bool,
    ) -> AppResult<ImportReport> {
        if merge && actor.role() != Role::Admin {
            return Err(AppError::Forbidden(
                "only admins import straight into the handbook".into(),
            ));
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| AppError::BadRequest {
                code: "unreadable_dir",
                message: format!("cannot read {}: {e}", dir.display()),
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md")))
            .collect();
        files.sort();
        let mut report = ImportReport::default();
        for path in files {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let fail = |reason: String| ImportFailure {
                file: file.clone(),
                reason,
            };
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    report.failed.push(fail(format!("cannot read: {e}")));
                    continue;
                }
            };
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    report.failed.push(fail(format!(
                        "not UTF-8 markdown (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    )));
                    continue;
                }
            };
            if text.contains('\0') {
                report
                    .failed
                    .push(fail("not markdown: the file contains NUL bytes".into()));
                continue;
            }
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let slug = match parse_slug(&stem) {
                Ok(s) => s,
                Err(e) => {
                    report.failed.push(fail(e.message));
                    continue;
                }
            };
            let title = title_of(&text).unwrap_or_else(|| slug.clone());
            let outcome = if merge {
                self.import_merged(actor, &slug, &title, &text, &file).await
            } else {
                self.import_proposed(actor, &slug, &title, &text, &file).await
            };
            match outcome {
                Ok((outcome, proposal_id)) => report.imported.push(ImportedPage {
                    file,
                    slug,
                    outcome,
                    proposal_id,
                }),
                Err(AppError::Invalid(e)) => report.failed.push(fail(e.message)),
                Err(other) => return Err(other),
            }
        }
        Ok(report)
    }

    async fn import_merged(
        &self,
        actor: &Actor,
        slug: &str,
        title: &str,
        text: &str,
        file: &str,
    ) -> AppResult<(&'static str, Option<Uuid>)> {
        if text.trim().is_empty() {
            return Err(prospector_core::Invalid::required("body").into());
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let written = self
            .write_revision_directly(
                &mut tx,
                actor,
                super::PageText {
                    slug,
                    title,
                    body: text,
                    message: &format!("Import {file}"),
                },
                now,
            )
            .await?;
        tx.commit().await?;
        Ok((if written.is_some() { "merged" } else { "unchanged" }, None))
    }

    async fn import_proposed(
        &self,
        actor: &Actor,
        slug: &str,
        title: &str,
        text: &str,
        file: &str,
    ) -> AppResult<(&'static str, Option<Uuid>)> {
        if let Ok(current) = self.handbook_page(actor, slug).await
            && current.revision.body == text
        {
            return Ok(("unchanged", None));
        }
        let proposal = self
            .propose_handbook_change(
                actor,
                NewProposal {
                    slug: slug.to_owned(),
                    title: Some(title.to_owned()),
                    body: text.to_owned(),
                    message: format!("Import {file}"),
                    base_revision_id: None,
                    submit: true,
                },
            )
            .await?;
        Ok(("proposed", Some(proposal.id)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_stream_has_one_commit_per_revision_chained_in_order() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .unwrap_or_default();
        let rev = |n: i64, body: &str| Revision {
            id: Uuid::nil(),
            page_id: Uuid::nil(),
            number: n,
            title: "Calls".into(),
            body: body.into(),
            message: format!("Change {n}"),
            proposal_id: None,
            author_id: None,
            author_name: "Sam <x>".into(),
            author_email: "sam@example.com".into(),
            merged_by_id: None,
            merger_name: "Dana".into(),
            merger_email: "dana@example.com".into(),
            merged_at: at,
        };
        let stream = fast_import_stream(&[
            ("calls".into(), rev(1, "# A\n")),
            ("calls".into(), rev(2, "# B\n")),
        ]);
        let text = String::from_utf8(stream).unwrap_or_default();
        assert_eq!(text.matches("commit refs/heads/main").count(), 2);
        assert!(
            text.contains("author Dana <dana@example.com> 1772442000 +0000"),
            "{text}"
        );
        assert!(text.contains("from :1"));
        assert!(text.contains("---\ntitle: \"Calls\"\n---\n\n# B\n"));
        assert!(text.contains("by Sam x <sam@example.com>"), "{text}");
    }
}
