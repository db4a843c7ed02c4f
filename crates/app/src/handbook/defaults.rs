//! The starting handbook we ship: written by us, seeded into an empty handbook as merged revisions,
//! and changed from then on by proposals like any other page.

use prospector_store::handbook as store;

use crate::{Actor, App, AppResult};

/// The default pages: (slug, markdown with a `title` in its front matter).
pub const DEFAULT_PAGES: [(&str, &str); 8] = [
    ("lead-lifecycle", include_str!("../../handbook/lead-lifecycle.md")),
    ("qualification", include_str!("../../handbook/qualification.md")),
    (
        "outbound-cadence",
        include_str!("../../handbook/outbound-cadence.md"),
    ),
    ("inbound-sla", include_str!("../../handbook/inbound-sla.md")),
    ("ae-handoff", include_str!("../../handbook/ae-handoff.md")),
    (
        "account-research",
        include_str!("../../handbook/account-research.md"),
    ),
    (
        "customer-stories",
        include_str!("../../handbook/customer-stories.md"),
    ),
    ("hiring-process", include_str!("../../handbook/hiring-process.md")),
];

impl App {
    /// Seeds the default pages into an empty handbook; returns how many pages were written
    /// (0 when the handbook already has pages, so running it at every start is harmless).
    pub async fn seed_default_handbook(&self, actor: &Actor) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        if store::count_pages(&mut tx).await? > 0 {
            return Ok(0);
        }
        let mut written = 0;
        for (slug, body) in DEFAULT_PAGES {
            let title = super::title_of(body).unwrap_or_else(|| slug.to_owned());
            if self
                .write_revision_directly(
                    &mut tx,
                    actor,
                    super::PageText {
                        slug,
                        title: &title,
                        body,
                        message: "Starting handbook",
                    },
                    now,
                )
                .await?
                .is_some()
            {
                written += 1;
            }
        }
        tx.commit().await?;
        Ok(written)
    }
}

impl App {
    /// The demo's handbook and stories: the default pages owned by the team lead, and a few
    /// nominations from the reps on the board.
    pub(crate) async fn seed_demo_handbook_and_stories(&self) -> AppResult<()> {
        use prospector_core::email::Email;

        use crate::stories::{NewStory, StoryMove};

        let cli = Actor::cli();
        self.seed_default_handbook(&cli).await?;
        let user = |email: &str| {
            let email = Email::parse(email);
            async move {
                match email {
                    Ok(e) => self.user_by_email(&e).await,
                    Err(_) => Ok(None),
                }
            }
        };
        let (Some(lead), Some(sam), Some(priya), Some(nora)) = (
            user("dana.lead@demo.example").await?,
            user("sam.sdr@demo.example").await?,
            user("priya.sdr@demo.example").await?,
            user("nora.marketing@demo.example").await?,
        ) else {
            return Ok(());
        };
        for page in self.list_handbook_pages(&cli).await? {
            self.set_handbook_owners(&cli, &page.slug, &[lead.id]).await?;
        }
        let as_user = |u: &prospector_store::users::User| Actor::user(u.clone(), crate::Via::Session);
        let nominations = [
            (
                &sam,
                "switched_from",
                Some("Jenkins"),
                "Northwind Traders",
                "We cut our pipeline maintenance from two people to none after moving off Jenkins.",
                "Platform lead on a discovery call; 400 developers, migrated CI in one quarter.",
            ),
            (
                &sam,
                "why_chose_us",
                None,
                "Contoso Pharma",
                "One tool for planning, code and security scans was what got procurement to yes.",
                "Director of engineering explained the buying decision; good for a regulated-industry story.",
            ),
            (
                &priya,
                "innersourcing",
                None,
                "Fabrikam Bank",
                "Teams now reuse each other's libraries instead of rewriting them.",
                "Innersourcing programme across 12 teams; champion willing to be interviewed.",
            ),
        ];
        let mut first = None;
        for (who, kind, switched, account, quote, summary) in nominations {
            let story = self
                .nominate_story(
                    &as_user(who),
                    NewStory {
                        story_type: kind.into(),
                        switched_from: switched.map(str::to_owned),
                        source_type: "account".into(),
                        source_id: account.to_lowercase().replace(' ', "-"),
                        account_id: None,
                        account_name: Some(account.into()),
                        quote: quote.into(),
                        summary: summary.into(),
                    },
                )
                .await?;
            first.get_or_insert(story.id);
        }
        if let Some(id) = first {
            let stage = |s: &str| StoryMove {
                stage: s.into(),
                ..StoryMove::default()
            };
            self.move_story(&as_user(&nora), id, stage("accepted")).await?;
            self.move_story(&as_user(&nora), id, stage("interviewed")).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use prospector_core::markdown::headings;

    use super::*;

    /// Other features link to these sections; renaming a heading breaks them.
    #[test]
    fn the_anchors_other_features_link_to_exist() {
        let expected = [
            ("lead-lifecycle", "disqualified"),
            ("lead-lifecycle", "recycle"),
            ("lead-lifecycle", "bad-data"),
            ("lead-lifecycle", "ineligible"),
            ("qualification", "soft-bant"),
            ("qualification", "aift"),
            ("outbound-cadence", "the-8-step-cadence"),
            ("outbound-cadence", "call-dispositions"),
            ("inbound-sla", "speed-to-lead-sla"),
            ("inbound-sla", "routing"),
            ("ae-handoff", "accept-or-reject"),
            ("account-research", "checklist"),
            ("customer-stories", "story-types"),
            ("hiring-process", "stages"),
            ("hiring-process", "screening-call"),
            ("hiring-process", "team-lead-interview"),
        ];
        for (slug, anchor) in expected {
            let (_, body) = DEFAULT_PAGES
                .iter()
                .find(|(s, _)| *s == slug)
                .unwrap_or_else(|| panic!("no page {slug}"));
            assert!(
                headings(body).iter().any(|h| h.anchor == anchor),
                "{slug}#{anchor} is missing"
            );
        }
    }
}
