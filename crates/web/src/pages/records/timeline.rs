//! Timelines as people read them: newest first, an icon and label per kind, corrections marked.

use prospector_app::Actor;
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::opportunity::default_opportunity_reasons;
use prospector_core::records::{DispositionList, LeadStatus, OpportunityStage};
use prospector_store::records::activities::Activity;

use super::{Directory, when};

/// One timeline entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: String,
    /// CSS modifier: call, email, linkedin, meeting, note, status_change.
    pub kind: &'static str,
    pub icon: &'static str,
    pub label: String,
    pub summary: String,
    pub body: String,
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub correction: bool,
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

/// The entries of `items`, in their order.
pub(crate) fn entries(
    actor: &Actor,
    items: &[Activity],
    dir: &Directory,
    reasons: &LeadReasons,
    dispositions: &DispositionList,
) -> Vec<Entry> {
    items
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
            };
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
                correction: a.corrects_id.is_some(),
            }
        })
        .collect()
}
