//! Leads and contacts: create (with duplicate detection), read, list, update, lifecycle moves,
//! qualification, conversion and the timeline.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use prospector_core::Invalid;
use prospector_core::email::Email;
use prospector_core::ids::UserId;
use prospector_core::matching::{Matcher, MatcherConfig, Record};
use prospector_core::records::activity::ActivityDetail;
use prospector_core::records::person::parse_custom_fields;
use prospector_core::records::qualification::Answers;
use prospector_core::records::{
    ActivityId, Domain, Framework, LeadStatus, MqlHistory, NewPerson, OpportunityStage, RawPerson, qualify,
    transition,
};
use prospector_core::role::Role;
use prospector_store::records::accounts::{self, Account};
use prospector_store::records::activities::{self, Activity, Subject};
use prospector_store::records::opportunities::{self, Opportunity};
use prospector_store::records::people::{self, Person, PersonFilter, PersonKind, PersonSort};
use prospector_store::records::search::{self, DocKind};
use prospector_store::records::{AccountId, Count, Direction, OpportunityId, PersonId, catalogues};
use prospector_store::{WriteTx, users};
use serde::Serialize;

use super::{
    COUNT_CAP, check_owner, cursor_error, page_size, refuse_invisible, require_records, scope_for, stale,
    stale_on_write, transition_error,
};
use crate::audit::{self, Change};
use crate::{Actor, App, AppError, AppResult};

/// What to do when a new person matches someone already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Refuse with the matches (409).
    #[default]
    Refuse,
    /// Fill the best match's blank fields from the input and return it.
    Merge,
    /// Create anyway.
    Create,
}

impl OnDuplicate {
    /// Parses `refuse`, `merge` or `create`.
    pub fn parse(raw: &str) -> Result<OnDuplicate, Invalid> {
        match raw.trim() {
            "refuse" => Ok(OnDuplicate::Refuse),
            "merge" => Ok(OnDuplicate::Merge),
            "create" => Ok(OnDuplicate::Create),
            other => Err(Invalid::unknown_value(
                "on_duplicate",
                other,
                &["refuse", "merge", "create"],
            )),
        }
    }
}

/// A new lead or contact, as submitted.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    /// Name, email, phone, title, company, country, time zone, source, custom fields.
    pub raw: RawPerson,
    /// Owner; `None` means the actor when they are an SDR, else the unowned pool.
    pub owner_id: Option<UserId>,
    /// Put it in the pool even when the actor is an SDR.
    pub unowned: bool,
    /// Initial status: raw (default), inquiry or mql.
    pub status: Option<String>,
    /// Lead score.
    pub score: Option<i64>,
    /// The account, for contacts.
    pub account_id: Option<AccountId>,
    /// Never call.
    pub do_not_call: bool,
    /// What to do with a duplicate.
    pub on_duplicate: OnDuplicate,
}

/// Someone already stored whom a new person probably is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateMatch {
    /// The stored person's id.
    pub id: PersonId,
    /// Lead or contact.
    pub kind: PersonKind,
    /// How likely the two are one, 0–1.
    pub score: f64,
    /// What matched: `email`, `phone` or `name`.
    pub field: &'static str,
    /// Their owner.
    pub owner_id: Option<UserId>,
    /// Name, when the actor may see the person.
    pub name: Option<String>,
    /// Email, when the actor may see the person.
    pub email: Option<String>,
}

/// What creating a person did.
#[derive(Debug, Clone)]
pub enum Created {
    /// A new person.
    New(Person),
    /// The input was merged into this existing person.
    MergedInto(Person),
    /// Refused: these people already exist (best first).
    Duplicate(Vec<DuplicateMatch>),
}

/// Changes to a person; absent fields stay. Empty strings clear optional text.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Owner: `Some(None)` returns the person to the pool.
    pub owner_id: Option<Option<UserId>>,
    /// Account: `Some(None)` detaches.
    pub account_id: Option<Option<AccountId>>,
    /// Score.
    pub score: Option<i64>,
    /// Do not call.
    pub do_not_call: Option<bool>,
    /// Unsubscribed.
    pub unsubscribed: Option<bool>,
    /// Custom fields (replaces the object).
    pub custom_fields: Option<serde_json::Value>,
    /// Qualification framework code.
    pub framework: Option<String>,
    /// Qualification answers to set (merged into the stored ones).
    pub qualification: Option<BTreeMap<String, bool>>,
}

/// A lifecycle move.
#[derive(Debug, Clone, Default)]
pub struct StatusInput {
    /// Target status code.
    pub status: String,
    /// Reason code (exits only).
    pub reason: Option<String>,
    /// A note for the timeline.
    pub note: Option<String>,
    /// For qualified: the framework (default: the person's, else soft_bant).
    pub framework: Option<String>,
    /// For qualified: answers to record before checking.
    pub answers: Option<BTreeMap<String, bool>>,
}

/// Converting a qualified lead.
#[derive(Debug, Clone, Default)]
pub struct ConvertInput {
    /// The AE who gets the opportunity.
    pub ae_id: Option<UserId>,
    /// Put the contact on this account instead of matching one.
    pub account_id: Option<AccountId>,
    /// Opportunity name (default: "<account> – new business").
    pub opportunity_name: Option<String>,
    /// Amount in cents.
    pub amount_cents: Option<i64>,
    /// Expected close date.
    pub close_date: Option<NaiveDate>,
}

/// What a conversion made.
#[derive(Debug, Clone, Serialize)]
pub struct Converted {
    /// The person, now a contact.
    pub contact: Person,
    /// The matched or new account.
    pub account: Account,
    /// Whether the account was created by the conversion.
    pub account_created: bool,
    /// The new opportunity at stage 0.
    pub opportunity: Opportunity,
}

/// A page of people.
#[derive(Debug, Clone)]
pub struct PersonPage {
    /// The people.
    pub items: Vec<Person>,
    /// Cursor for the next page.
    pub next_after: Option<String>,
    /// How many match (capped at [`COUNT_CAP`]), when asked for.
    pub count: Option<Count>,
}

/// A page of a timeline.
#[derive(Debug, Clone)]
pub struct TimelinePage {
    /// Newest first.
    pub items: Vec<Activity>,
    /// Cursor for older entries.
    pub next_before: Option<String>,
    /// Which of `items` were deleted as logged by mistake.
    pub retracted: HashSet<ActivityId>,
}

fn matcher() -> Matcher {
    Matcher::new(MatcherConfig {
        fold_gmail: true,
        ..MatcherConfig::default()
    })
}

fn record_of_person(p: &Person) -> Record {
    Record {
        id: p.id.to_string(),
        given_name: p.first_name.clone(),
        surname: p.last_name.clone(),
        email: p.email.as_ref().map(|e| e.as_str().to_owned()),
        phone: p.phone.clone(),
        company: p.company.clone(),
        ..Record::default()
    }
}

fn kind_label(kind: PersonKind) -> &'static str {
    match kind {
        PersonKind::Contact => "contact",
        PersonKind::Lead | PersonKind::Merged => "lead",
    }
}

/// A person as stored from validated input: a fresh, unowned, unscored Raw record.
pub(crate) fn person_from(new: NewPerson, id: PersonId, kind: PersonKind, now: DateTime<Utc>) -> Person {
    Person {
        id,
        kind,
        first_name: new.first_name,
        last_name: new.last_name,
        email: new.email,
        phone: new.phone.map(|p| p.as_str().to_owned()),
        title: new.title,
        company: new.company,
        account_id: None,
        country: new.country.map(|c| c.alpha2().to_owned()),
        region: new.region.map(|r| r.code().to_owned()),
        time_zone: new.time_zone.map(|t| t.name().to_owned()),
        owner_id: None,
        status: LeadStatus::Raw,
        status_reason: None,
        source: new.source,
        score: 0,
        mql_count: 0,
        first_mql_at: None,
        last_mql_at: None,
        do_not_call: false,
        unsubscribed: false,
        framework: None,
        qualification: serde_json::json!({}),
        custom_fields: serde_json::to_value(new.custom_fields).unwrap_or_else(|_| serde_json::json!({})),
        merged_into: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

impl App {
    /// Loads a person of `kind` the actor may see (404 otherwise, or 403 when `for_edit`).
    pub(crate) async fn person_for(
        &self,
        ex: &mut impl prospector_store::Exec,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
        for_edit: bool,
    ) -> AppResult<Person> {
        let what = kind.map_or("person", kind_label);
        let person = people::get(ex, id)
            .await?
            .filter(|p| p.kind != PersonKind::Merged && kind.is_none_or(|k| k == p.kind))
            .ok_or_else(|| AppError::NotFound(what.into()))?;
        if !people::visible(ex, scope_for(actor), id).await? {
            return Err(refuse_invisible(what, for_edit));
        }
        Ok(person)
    }

    /// Creates a lead or contact, checking for duplicates first (exact email or phone through
    /// their indexes, then the matcher over candidates sharing a blocking key).
    pub async fn create_person(
        &self,
        actor: &Actor,
        kind: PersonKind,
        input: PersonInput,
    ) -> AppResult<Created> {
        require_records(actor)?;
        if kind == PersonKind::Merged {
            return Err(Invalid::new("kind", "invalid_kind", "create a lead or a contact").into());
        }
        let new = NewPerson::parse(&input.raw)?;
        let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => LeadStatus::Raw,
            Some(raw) => {
                let status = LeadStatus::parse("status", raw)?;
                if !matches!(status, LeadStatus::Raw | LeadStatus::Inquiry | LeadStatus::Mql) {
                    let message = format!(
                        "a new {} starts as raw, inquiry or mql, not {status}",
                        kind_label(kind)
                    );
                    return Err(Invalid::new("status", "invalid_initial_status", message).into());
                }
                status
            }
        };
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let owner = if input.unowned {
            None
        } else {
            match (input.owner_id, actor.as_user()) {
                (Some(owner), _) => Some(owner),
                (None, Some(user)) if user.role == Role::Sdr => Some(user.id),
                _ => None,
            }
        };
        check_owner(&mut tx, actor, owner).await?;
        if let Some(account) = input.account_id {
            self.account_for(&mut tx, actor, account, true).await?;
        }
        let mut person = person_from(new, PersonId::new_at(now), kind, now);
        person.owner_id = owner;
        person.status = status;
        person.score = input.score.unwrap_or(0);
        person.account_id = input.account_id;
        person.do_not_call = input.do_not_call;
        if status == LeadStatus::Mql {
            let h = MqlHistory::default().record(now);
            person.mql_count = 1;
            person.first_mql_at = h.first_at;
            person.last_mql_at = h.last_at;
        }

        if input.on_duplicate != OnDuplicate::Create {
            let matches = self.duplicates_of(&mut tx, actor, &person).await?;
            if let Some(best) = matches.first() {
                if input.on_duplicate == OnDuplicate::Refuse {
                    return Ok(Created::Duplicate(matches));
                }
                let merged = self
                    .merge_input_into(&mut tx, actor, best.id, &person, now)
                    .await?;
                tx.commit().await?;
                return Ok(Created::MergedInto(merged));
            }
        }

        people::insert(&mut tx, &person).await?;
        search::put(&mut tx, DocKind::Person, person.id.0, &person.search_body()).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: &format!("{}.create", kind_label(kind)),
                entity_type: kind_label(kind),
                entity_id: Some(person.id.to_string()),
                before: None,
                after: Some(&person),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Created::New(person))
    }

    /// The stored people `candidate` probably is, best first.
    async fn duplicates_of(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        candidate: &Person,
    ) -> AppResult<Vec<DuplicateMatch>> {
        let found = people::duplicate_candidates(
            tx,
            candidate.email.as_ref(),
            candidate.phone.as_deref(),
            candidate.first_name.as_deref(),
            candidate.last_name.as_deref(),
            50,
        )
        .await?;
        let matcher = matcher();
        let mine = record_of_person(candidate);
        let scope = scope_for(actor);
        let mut matches = Vec::new();
        for p in found {
            let same_email = match (&candidate.email, &p.email) {
                (Some(a), Some(b)) => a.fold_gmail() == b.fold_gmail(),
                _ => false,
            };
            let same_phone = candidate.phone.is_some() && candidate.phone == p.phone;
            let score = matcher.score(&mine, &record_of_person(&p));
            let field = if same_email {
                "email"
            } else if same_phone {
                "phone"
            } else if score >= matcher.config().threshold {
                "name"
            } else {
                continue;
            };
            let score = if same_email || same_phone {
                score.max(0.99)
            } else {
                score
            };
            let visible = people::visible(tx, scope, p.id).await?;
            matches.push(DuplicateMatch {
                id: p.id,
                kind: p.kind,
                score: (score * 1000.0).round() / 1000.0,
                field,
                owner_id: p.owner_id,
                name: visible.then(|| p.full_name()),
                email: if visible {
                    p.email.as_ref().map(|e| e.to_string())
                } else {
                    None
                },
            });
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
        matches.truncate(5);
        Ok(matches)
    }

    /// Fills the blank fields of `target` from `input` (a duplicate submitted with merge).
    async fn merge_input_into(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        target: PersonId,
        input: &Person,
        now: DateTime<Utc>,
    ) -> AppResult<Person> {
        let before = self.person_for(tx, actor, None, target, true).await?;
        let mut after = before.clone();
        macro_rules! fill {
            ($($f:ident),*) => {$( if after.$f.is_none() { after.$f = input.$f.clone(); } )*};
        }
        fill!(
            first_name, last_name, email, phone, title, company, country, region, time_zone, source,
            account_id
        );
        after.score = after.score.max(input.score);
        if let (Some(into), Some(from)) = (
            after.custom_fields.as_object_mut(),
            input.custom_fields.as_object(),
        ) {
            for (k, v) in from {
                into.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        people::update(tx, &after)
            .await
            .map_err(stale_on_write("person"))?;
        search::put(tx, DocKind::Person, after.id.0, &after.search_body()).await?;
        audit::record(
            tx,
            actor,
            now,
            Change {
                action: &format!("{}.merge_input", kind_label(after.kind)),
                entity_type: kind_label(after.kind),
                entity_id: Some(after.id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        Ok(after)
    }

    /// One lead or contact (`kind`), or either (`None`).
    pub async fn get_person(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
    ) -> AppResult<Person> {
        self.person_for(&mut self.store().reader(), actor, kind, id, false)
            .await
    }

    /// A page of people the actor may see, filtered and sorted, after `after`; with `count`,
    /// also how many match (up to [`COUNT_CAP`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn list_people(
        &self,
        actor: &Actor,
        filter: &PersonFilter,
        sort: PersonSort,
        direction: Direction,
        after: Option<&str>,
        limit: i64,
        with_count: bool,
    ) -> AppResult<PersonPage> {
        let limit = page_size(limit);
        let scope = scope_for(actor);
        let mut reader = self.store().reader();
        let items = people::list(&mut reader, filter, scope, sort, direction, after, limit)
            .await
            .map_err(cursor_error)?;
        let next_after = (items.len() as i64 == limit)
            .then(|| items.last().map(|p| sort.cursor(p)))
            .flatten();
        let count = if with_count {
            Some(people::count(&mut reader, filter, scope, Some(COUNT_CAP)).await?)
        } else {
            None
        };
        Ok(PersonPage {
            items,
            next_after,
            count,
        })
    }

    /// Changes a person's fields (not the status: see [`App::change_status`]).
    pub async fn update_person(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
        patch: PersonPatch,
        expected_version: Option<i64>,
    ) -> AppResult<Person> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.person_for(&mut tx, actor, kind, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale(kind_label(before.kind), before.version));
        }
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
        let country_changed = patch.country.is_some();
        let raw = RawPerson {
            first_name: pick(&patch.first_name, &before.first_name),
            last_name: pick(&patch.last_name, &before.last_name),
            email: pick(&patch.email, &before.email.as_ref().map(ToString::to_string)),
            phone: pick(&patch.phone, &before.phone),
            title: pick(&patch.title, &before.title),
            company: pick(&patch.company, &before.company),
            country: pick(&patch.country, &before.country),
            // A new country brings its own time zone unless one is given.
            time_zone: match (&patch.time_zone, country_changed) {
                (Some(tz), _) => Some(tz.clone()),
                (None, true) => None,
                (None, false) => before.time_zone.clone(),
            },
            source: pick(&patch.source, &before.source),
            custom_fields: Some(
                patch
                    .custom_fields
                    .clone()
                    .unwrap_or_else(|| before.custom_fields.clone()),
            ),
        };
        let new = NewPerson::parse(&raw)?;
        let mut after = person_from(new, before.id, before.kind, before.created_at);
        after.account_id = before.account_id;
        after.owner_id = before.owner_id;
        after.status = before.status;
        after.status_reason = before.status_reason.clone();
        after.score = patch.score.unwrap_or(before.score);
        after.mql_count = before.mql_count;
        after.first_mql_at = before.first_mql_at;
        after.last_mql_at = before.last_mql_at;
        after.do_not_call = patch.do_not_call.unwrap_or(before.do_not_call);
        after.unsubscribed = patch.unsubscribed.unwrap_or(before.unsubscribed);
        after.framework = before.framework.clone();
        after.qualification = before.qualification.clone();
        if let Some(owner) = patch.owner_id {
            check_owner(&mut tx, actor, owner).await?;
            after.owner_id = owner;
        }
        if let Some(account) = patch.account_id {
            if let Some(account) = account {
                self.account_for(&mut tx, actor, account, true).await?;
            }
            after.account_id = account;
        }
        if let Some(code) = &patch.framework {
            let frameworks = catalogues::frameworks(&mut tx).await?;
            after.framework = Some(find_framework(&frameworks, code)?.code.clone());
        }
        if let Some(answers) = &patch.qualification {
            after.qualification = merge_answers(&before.qualification, answers);
        }
        if after == before {
            return Ok(before);
        }
        after.updated_at = now;
        after.version = before.version + 1;
        people::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("person"))?;
        search::put(&mut tx, DocKind::Person, after.id.0, &after.search_body()).await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: &format!("{}.update", kind_label(after.kind)),
                entity_type: kind_label(after.kind),
                entity_id: Some(after.id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a person through the lifecycle. Exits need a reason from the catalogue (422 listing
    /// the allowed ones); illegal moves are 409 naming what is allowed; Qualified needs the
    /// framework satisfied (422 naming what is missing). Writes the status-change activity (and
    /// the note) and the audit entry with the change.
    pub async fn change_status(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
        input: StatusInput,
        expected_version: Option<i64>,
    ) -> AppResult<Person> {
        let to = LeadStatus::parse("status", &input.status)?;
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self.person_for(&mut tx, actor, kind, id, true).await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale(kind_label(before.kind), before.version));
        }
        let mut after = before.clone();
        let moved = if to == LeadStatus::Qualified {
            let frameworks = catalogues::frameworks(&mut tx).await?;
            let code = input
                .framework
                .clone()
                .or_else(|| before.framework.clone())
                .unwrap_or_else(|| "soft_bant".into());
            let framework = find_framework(&frameworks, &code)?;
            if let Some(answers) = &input.answers {
                after.qualification = merge_answers(&before.qualification, answers);
            }
            after.framework = Some(framework.code.clone());
            let answers: Answers = serde_json::from_value(after.qualification.clone()).unwrap_or_default();
            qualify(before.status, &framework.evaluate(&answers)).map_err(transition_error)?
        } else {
            let catalogue = catalogues::lead_reasons(&mut tx).await?;
            transition(before.status, to, input.reason.as_deref(), &catalogue).map_err(transition_error)?
        };
        after.status = moved.to;
        after.status_reason = moved.reason.clone();
        if moved.counts_as_mql() {
            let h = MqlHistory {
                count: u32::try_from(before.mql_count).unwrap_or(0),
                first_at: before.first_mql_at,
                last_at: before.last_mql_at,
            }
            .record(now);
            after.mql_count = i64::from(h.count);
            after.first_mql_at = h.first_at;
            after.last_mql_at = h.last_at;
        }
        after.updated_at = now;
        after.version = before.version + 1;
        people::update(&mut tx, &after)
            .await
            .map_err(stale_on_write("person"))?;
        if moved.to.is_exit() {
            // An exit status ends the person's sequence: nobody emails a disqualified lead.
            let event = prospector_core::sequence::Event::ExitStatus {
                at: now,
                status: moved.to.code().to_owned(),
            };
            self.sequence_event_for_person(&mut tx, actor, id, &event, now)
                .await?;
        }
        let detail = ActivityDetail::StatusChange {
            from: moved.from.code().into(),
            to: moved.to.code().into(),
            reason: moved.reason.clone(),
        };
        self.append_activity(&mut tx, actor, Subject::Person(id), None, detail, now)
            .await?;
        if let Some(note) = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            let detail = ActivityDetail::Note {
                text: note.to_owned(),
            };
            self.append_activity(&mut tx, actor, Subject::Person(id), None, detail, now)
                .await?;
        }
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: &format!("{}.status", kind_label(after.kind)),
                entity_type: kind_label(after.kind),
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Appends an activity the product writes itself (status changes, notes given with a move).
    pub(crate) async fn append_activity(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        subject: Subject,
        account_id: Option<AccountId>,
        detail: ActivityDetail,
        now: DateTime<Utc>,
    ) -> AppResult<Activity> {
        let (person_id, account, opportunity_id) = match subject {
            Subject::Person(p) => (Some(p), account_id, None),
            Subject::Account(a) => (None, Some(a), None),
            Subject::Opportunity(o) => (None, account_id, Some(o)),
        };
        let activity = Activity {
            id: ActivityId::new_at(now),
            kind: detail.kind(),
            person_id,
            account_id: account,
            opportunity_id,
            occurred_at: now,
            detail,
            corrects_id: None,
            is_connect: false,
            actor_id: actor.user_id(),
            created_at: now,
        };
        activities::insert(tx, &activity).await?;
        if let Some(body) = activity.search_body() {
            search::put(tx, DocKind::Activity, activity.id.0, &body).await?;
        }
        super::activities::stop_clocks_on_touch(tx, &activity).await?;
        Ok(activity)
    }

    /// Converts a qualified lead: it becomes a contact on a matched (or new) account, with an
    /// opportunity at stage 0 for the chosen AE — all in one transaction, so a failure at any
    /// step leaves nothing behind.
    pub async fn convert_lead(
        &self,
        actor: &Actor,
        id: PersonId,
        input: ConvertInput,
        expected_version: Option<i64>,
    ) -> AppResult<Converted> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = self
            .person_for(&mut tx, actor, Some(PersonKind::Lead), id, true)
            .await?;
        if let Some(v) = expected_version
            && v != before.version
        {
            return Err(stale("lead", before.version));
        }
        if before.status != LeadStatus::Qualified {
            return Err(AppError::Conflict {
                code: "not_qualified",
                message: format!(
                    "only a qualified lead can be converted; this lead is {}: qualify it first",
                    before.status
                ),
                field: Some("status".into()),
            });
        }
        let ae_id = input.ae_id.ok_or_else(|| Invalid::required("ae_id"))?;

        // 1. The account: as asked, else by the email's business domain, else by company name, else new.
        let (account, account_created) = match input.account_id.or(before.account_id) {
            Some(account) => (self.account_for(&mut tx, actor, account, true).await?, false),
            None => {
                let domain = before
                    .email
                    .as_ref()
                    .filter(|e| !e.is_free_mail())
                    .and_then(|e| Domain::parse("email", e.domain()).ok());
                let by_domain = match &domain {
                    Some(d) => accounts::by_domain(&mut tx, d.as_str()).await?,
                    None => None,
                };
                let by_name = match (&by_domain, &before.company) {
                    (None, Some(company)) => accounts::by_name(&mut tx, company, 1).await?.pop(),
                    _ => None,
                };
                match by_domain.or(by_name) {
                    Some(found) => (found, false),
                    None => {
                        let name = before
                            .company
                            .clone()
                            .or_else(|| domain.as_ref().map(ToString::to_string))
                            .ok_or_else(|| {
                                Invalid::new(
                                    "company",
                                    "required",
                                    "the lead has no company or business email to make an account from; give account_id",
                                )
                            })?;
                        let account = Account {
                            id: AccountId::new_at(now),
                            name,
                            domains: domain.iter().map(ToString::to_string).collect(),
                            parent_id: None,
                            employees: None,
                            segment: None,
                            country: before.country.clone(),
                            region: before.region.clone(),
                            owner_id: before.owner_id,
                            sdr_id: before.owner_id,
                            prospecting_status: "actively_working".into(),
                            developer_count: None,
                            it_headcount: None,
                            tech_stack: serde_json::json!([]),
                            teams: serde_json::json!([]),
                            triggers: serde_json::json!([]),
                            strategy: None,
                            next_step_on: None,
                            custom_fields: serde_json::json!({}),
                            merged_into: None,
                            created_at: now,
                            updated_at: now,
                            version: 1,
                        };
                        accounts::insert(&mut tx, &account).await?;
                        search::put(&mut tx, DocKind::Account, account.id.0, &account.search_body()).await?;
                        audit::record::<(), _>(
                            &mut tx,
                            actor,
                            now,
                            Change {
                                action: "account.create",
                                entity_type: "account",
                                entity_id: Some(account.id.to_string()),
                                before: None,
                                after: Some(&account),
                            },
                        )
                        .await?;
                        (account, true)
                    }
                }
            }
        };

        // 2. The person becomes a contact on it.
        let mut contact = before.clone();
        contact.kind = PersonKind::Contact;
        contact.account_id = Some(account.id);
        contact.updated_at = now;
        contact.version = before.version + 1;
        people::update(&mut tx, &contact)
            .await
            .map_err(stale_on_write("lead"))?;

        // 3. The opportunity at stage 0 for the AE; the SDR who qualified keeps the credit.
        let ae = users::user_by_id(&mut tx, ae_id)
            .await?
            .filter(|u| u.active && u.role == Role::Ae)
            .ok_or_else(|| Invalid::new("ae_id", "not_an_ae", "ae_id must be an active account executive"))?;
        let opportunity = Opportunity {
            id: OpportunityId::new_at(now),
            name: input
                .opportunity_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| format!("{} – new business", account.name), str::to_owned),
            account_id: Some(account.id),
            person_id: Some(id),
            stage: OpportunityStage::PendingAcceptance,
            stage_reason: None,
            ae_id: Some(ae.id),
            sdr_id: before.owner_id.or(actor.user_id()),
            amount_cents: input.amount_cents,
            currency: "USD".into(),
            close_date: input.close_date,
            next_step: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        opportunities::insert(&mut tx, &opportunity).await?;
        let note = format!(
            "Converted to a contact on {}; opportunity \"{}\" for {}",
            account.name, opportunity.name, ae.name
        );
        self.append_activity(
            &mut tx,
            actor,
            Subject::Person(id),
            Some(account.id),
            ActivityDetail::Note { text: note },
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "lead.convert",
                entity_type: "lead",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&contact),
            },
        )
        .await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "opportunity.create",
                entity_type: "opportunity",
                entity_id: Some(opportunity.id.to_string()),
                before: None,
                after: Some(&opportunity),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Converted {
            contact,
            account,
            account_created,
            opportunity,
        })
    }

    /// A person's timeline, newest first, before the cursor `before`.
    pub async fn person_timeline(
        &self,
        actor: &Actor,
        kind: Option<PersonKind>,
        id: PersonId,
        before: Option<&str>,
        limit: i64,
    ) -> AppResult<TimelinePage> {
        let mut reader = self.store().reader();
        self.person_for(&mut reader, actor, kind, id, false).await?;
        self.timeline_of(Subject::Person(id), before, limit).await
    }

    pub(crate) async fn timeline_of(
        &self,
        subject: Subject,
        before: Option<&str>,
        limit: i64,
    ) -> AppResult<TimelinePage> {
        let before = before
            .map(|b| {
                activities::parse_cursor(b).ok_or_else(|| {
                    Invalid::new("before", "invalid_cursor", "not a cursor from this timeline")
                })
            })
            .transpose()?;
        let limit = page_size(limit);
        let mut reader = self.store().reader();
        let items = activities::timeline(&mut reader, subject, before, limit).await?;
        let next_before = (items.len() as i64 == limit)
            .then(|| items.last().map(activities::cursor))
            .flatten();
        let retracted = activities::retracted_among(&mut reader, &items).await?;
        Ok(TimelinePage {
            items,
            next_before,
            retracted,
        })
    }

    /// The qualification frameworks.
    pub async fn qualification_frameworks(&self, actor: &Actor) -> AppResult<Vec<Framework>> {
        require_records(actor)?;
        Ok(catalogues::frameworks(&mut self.store().reader()).await?)
    }

    /// Whether `email` (of an existing person) belongs to someone the actor can see; for pages
    /// that want to link a known address.
    pub async fn people_by_email(&self, actor: &Actor, email: &Email) -> AppResult<Vec<Person>> {
        Ok(people::by_email(&mut self.store().reader(), email.as_str(), scope_for(actor), 20).await?)
    }
}

fn find_framework<'a>(frameworks: &'a [Framework], code: &str) -> AppResult<&'a Framework> {
    frameworks.iter().find(|f| f.code == code.trim()).ok_or_else(|| {
        let allowed: Vec<&str> = frameworks.iter().map(|f| f.code.as_str()).collect();
        Invalid::unknown_value("framework", code, &allowed).into()
    })
}

fn merge_answers(stored: &serde_json::Value, new: &BTreeMap<String, bool>) -> serde_json::Value {
    let mut answers: BTreeMap<String, bool> = serde_json::from_value(stored.clone()).unwrap_or_default();
    answers.extend(new.iter().map(|(k, v)| (k.clone(), *v)));
    serde_json::to_value(answers).unwrap_or_else(|_| serde_json::json!({}))
}

/// Validates custom fields given on their own (for pages editing only them).
pub fn check_custom_fields(value: &serde_json::Value) -> Result<(), Invalid> {
    parse_custom_fields(Some(value)).map(|_| ())
}
