//! A job's stages: read from the page's "Hiring Process" bullets when it has them, else the default template.
//! "Application review" always opens the pipeline and "Hired" always closes it.

use serde::Serialize;

use crate::markdown::section::bullets_under_heading;

/// What kind of step a stage is; drives which forms and emails apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// A recruiter reads the application.
    Review,
    /// The candidate answers the questionnaire.
    Questionnaire,
    /// A screening call with a recruiter.
    Screening,
    /// An interview (with scorecards).
    Interview,
    /// An offer is prepared, approved and sent.
    Offer,
    /// The candidate accepted; the pipeline ends.
    Hired,
}

impl StageKind {
    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Questionnaire => "questionnaire",
            Self::Screening => "screening",
            Self::Interview => "interview",
            Self::Offer => "offer",
            Self::Hired => "hired",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Review => "Review",
            Self::Questionnaire => "Questionnaire",
            Self::Screening => "Screening",
            Self::Interview => "Interview",
            Self::Offer => "Offer",
            Self::Hired => "Hired",
        }
    }
}

/// One stage of a job's pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Stable snake_case code, unique within the job (`screening_call`, `interview_ceo`).
    pub code: String,
    /// Short name shown on the board (`Interview: sales director`).
    pub name: String,
    /// What kind of step it is.
    pub kind: StageKind,
    /// The page's bullet, as written, when the stage came from the page.
    pub description: Option<String>,
}

impl Stage {
    fn new(name: &str, kind: StageKind, description: Option<String>) -> Self {
        Self {
            code: code_for(name),
            name: name.to_owned(),
            kind,
            description,
        }
    }
}

/// The stages GitLab's handbook gives a sales job, used when the page has no "Hiring Process" list.
pub fn default_stages() -> Vec<Stage> {
    [
        ("Application review", StageKind::Review),
        ("Questionnaire", StageKind::Questionnaire),
        ("Screening call", StageKind::Screening),
        ("Interview: team lead", StageKind::Interview),
        ("Interview: sales director", StageKind::Interview),
        ("Interview: CEO", StageKind::Interview),
        ("Offer", StageKind::Offer),
        ("Hired", StageKind::Hired),
    ]
    .into_iter()
    .map(|(name, kind)| Stage::new(name, kind, None))
    .collect()
}

/// The stages for a job page body: one per bullet under a "Hiring Process" heading (any level, any case),
/// between "Application review" and "Hired"; the default template when there is no such list.
pub fn stages_for(body: &str) -> Vec<Stage> {
    let bullets = bullets_under_heading(body, |heading| {
        heading.trim().eq_ignore_ascii_case("hiring process")
    })
    .filter(|items| !items.is_empty());
    let Some(bullets) = bullets else {
        return default_stages();
    };
    let mut stages = vec![Stage::new("Application review", StageKind::Review, None)];
    for bullet in bullets {
        let (name, kind) = name_for(&bullet.text);
        if kind == StageKind::Review && stages.len() == 1 {
            // The page describes the review itself; keep its words on the one review stage.
            stages[0].description = Some(bullet.markdown);
            continue;
        }
        stages.push(Stage::new(&name, kind, Some(bullet.markdown)));
    }
    if stages.last().is_none_or(|s| s.kind != StageKind::Hired) {
        stages.push(Stage::new("Hired", StageKind::Hired, None));
    }
    make_codes_unique(&mut stages);
    stages
}

/// A short name and kind for a bullet, from its keywords. Order matters: "offer" is checked after interviews
/// so "interview before an offer" is an interview, and a bullet with no keyword keeps its own first words.
fn name_for(bullet: &str) -> (String, StageKind) {
    let lower = bullet.to_lowercase();
    let has = |word: &str| lower.contains(word);
    if has("questionnaire") || has("questions") {
        return ("Questionnaire".to_owned(), StageKind::Questionnaire);
    }
    if has("screen") {
        return ("Screening call".to_owned(), StageKind::Screening);
    }
    if has("interview") || has("mock") || has("meet") || has("call with") || has("conversation") {
        let label = if has("mock") { "Mock call" } else { "Interview" };
        return match interviewer(&lower) {
            Some(who) => (format!("{label}: {who}"), StageKind::Interview),
            None => (label.to_owned(), StageKind::Interview),
        };
    }
    if has("offer") {
        return ("Offer".to_owned(), StageKind::Offer);
    }
    if has("hired") || has("start date") || has("onboard") {
        return ("Hired".to_owned(), StageKind::Hired);
    }
    if has("review") && has("application") {
        return ("Application review".to_owned(), StageKind::Review);
    }
    (first_words(bullet, 5), StageKind::Interview)
}

/// Who the candidate meets, most specific title first so "Regional Sales Director" is not just "director".
fn interviewer(lower: &str) -> Option<&'static str> {
    const WHO: [(&str, &str); 16] = [
        ("chief executive", "CEO"),
        ("ceo", "CEO"),
        ("chief revenue officer", "CRO"),
        ("cro", "CRO"),
        ("vp of sales", "VP of sales"),
        ("vice president", "VP of sales"),
        ("sales director", "sales director"),
        ("director", "director"),
        ("hiring manager", "hiring manager"),
        ("team lead", "team lead"),
        ("manager", "manager"),
        ("account executive", "account executives"),
        ("sales development", "sales development team"),
        ("peer", "peers"),
        ("recruiter", "recruiter"),
        ("team", "the team"),
    ];
    WHO.iter()
        .find(|(needle, _)| contains_word(lower, needle))
        .map(|(_, who)| *who)
}

/// Whole-word containment, so "cro" does not match "across" and "ceo" not "tceo".
fn contains_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric() || c == 's')
    })
}

fn first_words(text: &str, count: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().take(count).collect();
    let joined = words.join(" ");
    joined.trim_end_matches(|c: char| !c.is_alphanumeric()).to_owned()
}

/// `Interview: sales director` → `interview_sales_director`.
fn code_for(name: &str) -> String {
    let mut code = String::new();
    let mut pending = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending && !code.is_empty() {
                code.push('_');
            }
            pending = false;
            code.extend(c.to_lowercase());
        } else {
            pending = true;
        }
    }
    if code.is_empty() { "stage".to_owned() } else { code }
}

/// Two bullets with the same name ("Interview: account executives" twice) get `_2`, `_3`.
fn make_codes_unique(stages: &mut [Stage]) {
    for index in 1..stages.len() {
        let base = stages[index].code.clone();
        let mut n = 1;
        while stages[..index].iter().any(|s| s.code == stages[index].code) {
            n += 1;
            stages[index].code = format!("{base}_{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hiring::job_page::JobPage;
    use crate::hiring::job_page::tests::account_executive;

    fn names(stages: &[Stage]) -> Vec<&str> {
        stages.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn the_account_executive_page_gives_its_own_stages() {
        let job = JobPage::parse(&account_executive()).unwrap();
        let stages = stages_for(&job.body);
        assert_eq!(
            names(&stages),
            [
                "Application review",
                "Questionnaire",
                "Screening call",
                "Interview: sales director",
                "Mock call: account executives",
                "Interview: CRO",
                "Offer",
                "Hired",
            ]
        );
        assert_eq!(stages[2].code, "screening_call");
        assert_eq!(stages[2].kind, StageKind::Screening);
        assert!(
            stages[2]
                .description
                .as_deref()
                .unwrap_or("")
                .contains("[screening call](/handbook/hiring/#screening-call)")
        );
        assert_eq!(stages[4].kind, StageKind::Interview);
        assert_eq!(stages[6].kind, StageKind::Offer);
        assert_eq!(stages[7].kind, StageKind::Hired);
    }

    #[test]
    fn a_page_without_a_hiring_process_gets_the_default_template() {
        let stages = stages_for("## Responsibilities\n\n* Sell\n");
        assert_eq!(names(&stages), names(&default_stages()));
        let codes: Vec<_> = stages.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "application_review",
                "questionnaire",
                "screening_call",
                "interview_team_lead",
                "interview_sales_director",
                "interview_ceo",
                "offer",
                "hired"
            ]
        );
    }

    #[test]
    fn the_heading_matches_at_any_level_and_case() {
        let body = "#### HIRING PROCESS\n\n* Interview with the CEO\n* Offer by email\n";
        assert_eq!(
            names(&stages_for(body)),
            ["Application review", "Interview: CEO", "Offer", "Hired"]
        );
    }

    #[test]
    fn review_and_hired_are_not_doubled_when_the_page_lists_them() {
        let body = "## Hiring process\n\n* We review your application\n* Screening call\n* You are hired and onboarded\n";
        let stages = stages_for(body);
        assert_eq!(names(&stages), ["Application review", "Screening call", "Hired"]);
        assert!(stages[0].description.is_some());
    }

    #[test]
    fn repeated_names_get_distinct_codes() {
        let body = "## Hiring Process\n\n* Interview with a team lead\n* Second interview with a team lead\n";
        let codes: Vec<_> = stages_for(body).into_iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                "application_review",
                "interview_team_lead",
                "interview_team_lead_2",
                "hired"
            ]
        );
    }

    #[test]
    fn unknown_bullets_keep_their_first_words() {
        let body = "## Hiring Process\n\n* Reference checks with two former managers, by phone.\n";
        let stages = stages_for(body);
        assert_eq!(stages[1].name, "Reference checks with two former");
    }

    #[test]
    fn interviewer_titles_match_whole_words() {
        assert_eq!(interviewer("a chat across the team"), Some("the team"));
        assert_eq!(interviewer("interview with our ceo"), Some("CEO"));
    }

    #[test]
    fn kinds_serialize_as_codes() {
        assert_eq!(
            serde_json::to_string(&StageKind::Screening).unwrap(),
            "\"screening\""
        );
        assert_eq!(StageKind::Interview.label(), "Interview");
    }
}
