//! Timelines as people read them: newest first, an icon and label per kind, corrections and
//! entries deleted as logged by mistake marked; and the "Delete (logged by mistake)" action.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use prospector_app::Actor;
use prospector_app::records::people::TimelinePage;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_core::records::{ActivityId, ActivityKind};
use prospector_core::records::{DispositionList, LeadStatus, OpportunityStage};

use super::{Directory, done, field, form_pairs, parse_id, when};
use crate::auth::PageActor;
use crate::pages::PageError;
use crate::state::AppState;

/// One timeline entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: String,
    /// CSS modifier: call, email, linkedin, meeting, note, status_change, retraction.
    pub kind: &'static str,
    pub icon: &'static str,
    pub label: String,
    pub summary: String,
    pub body: String,
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub correction: bool,
    /// Deleted as logged by mistake (it, or the version it corrects).
    pub retracted: bool,
    /// Offers "Delete (logged by mistake)": a rep's own kind of entry, not yet deleted.
    pub retractable: bool,
    /// The page to come back to after deleting.
    pub back: String,
}

fn status_label(code: &str) -> String {
    LeadStatus::parse("status", code)
        .map(|s| s.label().to_owned())
        .or_else(|_| OpportunityStage::parse("stage", code).map(|s| s.label().to_owned()))
        .unwrap_or_else(|_| code.to_owned())
}

fn reason_label(to: &str, code: &str, reasons: &LeadReasons) -> String {
    if let Ok(s) = LeadStatus::parse("status", to)
        && let Some(l) = reasons.label(s, code)
    {
        return l.to_owned();
    }
    if let Ok(s) = OpportunityStage::parse("stage", to)
        && let Some(l) = default_opportunity_reasons().label(s, code)
    {
        return l.to_owned();
    }
    code.to_owned()
}

/// The entries of a timeline page, in their order; `back` is the record page showing them. The
/// page is shown only to those who may change the record, so they may delete its entries.
pub(crate) fn entries(
    actor: &Actor,
    tl: &TimelinePage,
    back: &str,
    dir: &Directory,
    reasons: &LeadReasons,
    dispositions: &DispositionList,
) -> Vec<Entry> {
    tl.items
        .iter()
        .map(|a| {
            let (kind, icon, label, summary, body) = match &a.detail {
                ActivityDetail::Call {
                    disposition,
                    duration_seconds,
                    notes,
                } => {
                    let disp = dispositions
                        .all()
                        .iter()
                        .find(|d| &d.code == disposition)
                        .map_or_else(|| disposition.clone(), |d| d.label.clone());
                    let minutes = duration_seconds
                        .map(|s| format!(" · {} min", s.div_ceil(60)))
                        .unwrap_or_default();
                    (
                        "call",
                        "☎",
                        "Call".to_owned(),
                        format!("{disp}{minutes}"),
                        notes.clone(),
                    )
                }
                ActivityDetail::Email {
                    direction, subject, ..
                } => (
                    "email",
                    "✉",
                    format!("Email {}", direction.label().to_lowercase()),
                    subject.clone().unwrap_or_default(),
                    None,
                ),
                ActivityDetail::Linkedin { notes } => (
                    "linkedin",
                    "in",
                    "LinkedIn".to_owned(),
                    String::new(),
                    notes.clone(),
                ),
                ActivityDetail::Meeting { starts_at, notes } => (
                    "meeting",
                    "◷",
                    "Meeting".to_owned(),
                    format!("for {}", when(actor, *starts_at)),
                    notes.clone(),
                ),
                ActivityDetail::Note { text } => {
                    ("note", "✎", "Note".to_owned(), String::new(), Some(text.clone()))
                }
                ActivityDetail::StatusChange { from, to, reason } => {
                    let mut summary = format!("{} → {}", status_label(from), status_label(to));
                    if let Some(r) = reason {
                        summary.push_str(&format!(" ({})", reason_label(to, r, reasons)));
                    }
                    ("status_change", "⇄", "Status changed".to_owned(), summary, None)
                }
                ActivityDetail::Retraction { reason } => (
                    "retraction",
                    "⌫",
                    a.kind.label().to_owned(),
                    "An earlier entry was deleted".to_owned(),
                    reason.clone(),
                ),
            };
            let retracted = tl.retracted.contains(&a.id);
            Entry {
                id: a.id.to_string(),
                kind,
                icon,
                label,
                summary,
                body: body.unwrap_or_default(),
                when: when(actor, a.occurred_at),
                when_iso: a.occurred_at.to_rfc3339(),
                who: a
                    .actor_id
                    .map_or_else(|| "Prospector".to_owned(), |id| dir.name(Some(id))),
                correction: a.corrects_id.is_some() && a.kind != ActivityKind::Retraction,
                retracted,
                retractable: !retracted
                    && !matches!(a.kind, ActivityKind::Retraction | ActivityKind::StatusChange),
                back: back.to_owned(),
            }
        })
        .collect()
}

/// Where a form may send people back to: a path on this site, never another site.
fn local_path(raw: Option<&str>) -> &str {
    raw.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or("/today")
}

/// `POST /activities/{id}/retract` (`back`, optional `reason`): deletes an entry logged by
/// mistake through the same use case as the API, then returns to the record with a notice.
pub async fn retract(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id: ActivityId = parse_id(&id, "activity")?;
    let pairs = form_pairs(&body);
    let back = format!("{}#timeline", local_path(field(&pairs, "back")));
    let reason = field(&pairs, "reason").map(str::to_owned);
    state.app.get_activity(&actor, id).await?;
    let notice = match state.app.retract_activity(&actor, id, reason).await {
        Ok(_) => "Deleted the entry as logged by mistake; reports no longer count it.".to_owned(),
        Err(e @ (prospector_app::AppError::Conflict { .. } | prospector_app::AppError::Invalid(_))) => {
            format!("Not deleted: {e}")
        }
        Err(e) => return Err(e.into()),
    };
    Ok(done(&state, jar, &back, notice))
}
