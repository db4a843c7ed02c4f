//! A job is a markdown page with front matter, like the files in `data/jobs/`: `title` required, `layout`
//! usual, `location`, `team` and `status` optional. The body is kept exactly as written.

use serde::Serialize;

use crate::Invalid;
use crate::markdown::front_matter::FrontMatter;
use crate::markdown::section::{ListItem, bullets_under_heading};

/// Whether a job takes applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Published and taking applications.
    Open,
    /// Filled or cancelled; no candidate moves forward.
    Closed,
    /// Being written; not published.
    Draft,
}

impl JobStatus {
    /// Every status, in display order.
    pub const ALL: [JobStatus; 3] = [JobStatus::Open, JobStatus::Closed, JobStatus::Draft];

    /// The snake_case code stored and sent over the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Draft => "draft",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Closed => "Closed",
            Self::Draft => "Draft",
        }
    }

    /// Parses a code (case and surrounding blanks ignored, as people write front matter by hand).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let wanted = raw.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == wanted)
            .ok_or_else(|| Invalid::unknown_value("status", raw.trim(), &Self::ALL.map(JobStatus::code)))
    }
}

/// A parsed job page.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPage {
    /// The job title from the front matter.
    pub title: String,
    /// The page layout (`job_page` in the shared files); kept for export back to git.
    pub layout: Option<String>,
    /// Where the job is based, if stated.
    pub location: Option<String>,
    /// The team it belongs to, if stated.
    pub team: Option<String>,
    /// Open unless the front matter says otherwise.
    pub status: JobStatus,
    /// URL slug derived from the title (the app de-duplicates it with [`unique_slug`]).
    pub slug: String,
    /// The front matter as read, so the file round-trips.
    pub front_matter: FrontMatter,
    /// The markdown body, byte for byte as in the file.
    pub body: String,
}

impl JobPage {
    /// Parses a job page file. Refuses a file without front matter, or whose front matter has no `title`,
    /// with an `Invalid` naming the problem (the caller adds the file name).
    pub fn parse(text: &str) -> Result<JobPage, Invalid> {
        let (front_matter, body) = FrontMatter::parse_document(text)?;
        let front_matter = front_matter.ok_or_else(|| {
            Invalid::new(
                "front_matter",
                "missing_front_matter",
                "job page has no front matter: it must start with a `---` line, then `title: …`, then `---`",
            )
        })?;
        let title = front_matter
            .get_text("title")
            .ok_or_else(|| Invalid::new("title", "required", "job page front matter has no `title`"))?;
        let status = match front_matter.get_text("status") {
            Some(raw) => JobStatus::parse(&raw)?,
            None => JobStatus::Open,
        };
        Ok(JobPage {
            slug: slugify_title(&title),
            layout: front_matter.get_text("layout"),
            location: front_matter.get_text("location"),
            team: front_matter.get_text("team"),
            title,
            status,
            body: body.to_owned(),
            front_matter,
        })
    }

    /// The file as it should be written back: front matter (verbatim unless edited) and the body.
    pub fn to_file(&self) -> String {
        self.front_matter.to_document(&self.body)
    }

    /// The bullets under the page's "Qualifications" (or "Requirements") heading; scorecards use them as
    /// attributes. Empty when the page has no such heading.
    pub fn qualifications(&self) -> Vec<ListItem> {
        bullets_under_heading(&self.body, |heading| {
            let heading = heading.trim().to_lowercase();
            heading == "qualifications" || heading == "requirements"
        })
        .unwrap_or_default()
    }
}

/// A URL slug from a title: lower case, letters and digits of any script kept, every other run of characters
/// one `-`. `Account Executive` → `account-executive`, `Vertriebsmitarbeiter (m/w/d)` →
/// `vertriebsmitarbeiter-m-w-d`. A title with no letters or digits gives `job`.
pub fn slugify_title(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    let mut pending_dash = false;
    for c in title.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() { "job".to_owned() } else { slug }
}

/// `base` if it is free, else `base-2`, `base-3`, … — the first one `is_taken` says is free.
pub fn unique_slug(base: &str, is_taken: impl Fn(&str) -> bool) -> String {
    if !is_taken(base) {
        return base.to_owned();
    }
    (2usize..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !is_taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// Finds `shared/data/jobs/account-executive.md` by walking up from this crate, so the test works from any
    /// worktree that sits under the directory holding `shared`.
    pub(crate) fn shared_job_file() -> PathBuf {
        let start = Path::new(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|dir| dir.join("shared/data/jobs/account-executive.md"))
            .find(|candidate| candidate.is_file())
            .expect("shared/data/jobs/account-executive.md above the crate directory")
    }

    pub(crate) fn account_executive() -> String {
        std::fs::read_to_string(shared_job_file()).expect("readable job file")
    }

    #[test]
    fn the_shared_account_executive_page_parses_with_its_body_unchanged() {
        let text = account_executive();
        let job = JobPage::parse(&text).unwrap();
        assert_eq!(job.title, "Account Executive");
        assert_eq!(job.layout.as_deref(), Some("job_page"));
        assert_eq!(job.slug, "account-executive");
        assert_eq!(job.status, JobStatus::Open);
        assert!(text.ends_with(&job.body));
        assert!(
            job.body
                .contains("[sales development team](/handbook/sales-development/)")
        );
        assert!(job.body.contains("managers  \n"), "trailing spaces kept");
        assert_eq!(job.to_file(), text);
    }

    #[test]
    fn the_body_keeps_curly_quotes_relative_links_and_trailing_spaces() {
        let body = "\nYou’ll “own” the [process](./hiring.md#screening).  \nLast line without newline  ";
        let text = format!(
            "---\nlayout: job_page\ntitle: Account Executive\nlocation: Remote, EMEA\nteam: Sales\nstatus: Closed\n---\n{body}"
        );
        let job = JobPage::parse(&text).unwrap();
        assert_eq!(job.body, body);
        assert_eq!(job.location.as_deref(), Some("Remote, EMEA"));
        assert_eq!(job.team.as_deref(), Some("Sales"));
        assert_eq!(job.status, JobStatus::Closed);
        assert_eq!(job.to_file(), text);
    }

    #[test]
    fn a_page_without_front_matter_is_refused_naming_the_problem() {
        let err = JobPage::parse("# Account Executive\n\nBody").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code),
            ("front_matter", "missing_front_matter")
        );
        assert!(err.message.contains("front matter"));
    }

    #[test]
    fn a_page_without_a_title_is_refused_on_title() {
        let err = JobPage::parse("---\nlayout: job_page\ntitle: \"  \"\n---\nBody").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("title", "required"));
        assert!(err.message.contains("title"));
    }

    #[test]
    fn an_unknown_status_lists_the_allowed_ones() {
        let err = JobPage::parse("---\ntitle: AE\nstatus: paused\n---\n").unwrap_err();
        assert_eq!(err.code, "unknown_value");
        assert!(err.message.contains("open, closed, draft"), "{}", err.message);
    }

    #[test]
    fn qualifications_come_from_the_page() {
        let job = JobPage::parse(&account_executive()).unwrap();
        let texts: Vec<_> = job.qualifications().into_iter().map(|q| q.text).collect();
        assert_eq!(texts.len(), 4);
        assert_eq!(texts[0], "2 years minimum experience selling B2B software");
    }

    #[test]
    fn slugs_are_unicode_aware_and_collapse_punctuation() {
        assert_eq!(slugify_title("Account Executive"), "account-executive");
        assert_eq!(
            slugify_title("  Sales Development Rep (EMEA) "),
            "sales-development-rep-emea"
        );
        assert_eq!(
            slugify_title("Vertriebsmitarbeiter (m/w/d)"),
            "vertriebsmitarbeiter-m-w-d"
        );
        assert_eq!(
            slugify_title("Développeur·se Back-end"),
            "développeur-se-back-end"
        );
        assert_eq!(slugify_title("営業 マネージャー"), "営業-マネージャー");
        assert_eq!(slugify_title("!!!"), "job");
    }

    #[test]
    fn unique_slug_appends_the_first_free_number() {
        let taken = ["account-executive", "account-executive-2"];
        assert_eq!(
            unique_slug("account-executive", |s| taken.contains(&s)),
            "account-executive-3"
        );
        assert_eq!(unique_slug("sdr", |s| taken.contains(&s)), "sdr");
    }
}
