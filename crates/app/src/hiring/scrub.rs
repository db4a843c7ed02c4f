//! When a candidate is erased or anonymised, the copies of their data other features hold go too:
//! mail to or about them in the outbox (queued mail is dropped, sent mail blanked) and its send
//! log, the audit trail, inbound messages from them, and offer letters. Pipeline facts (stages,
//! dates, reasons, ratings) stay, as they identify nobody.

use chrono::{DateTime, Utc};
use prospector_store::WriteTx;
use prospector_store::hiring::applications::{self as store_apps, Candidate};
use prospector_store::hiring::interviews as store_iv;
use prospector_store::hiring::offers as store_offers;
use prospector_store::hiring::redact::{self, ERASED, MailCopy, Needles};
use serde_json::Value;
use uuid::Uuid;

use crate::AppResult;

/// Removes every copy of `c`'s personal data outside the hiring tables (which the caller clears).
pub async fn scrub_copies(tx: &mut WriteTx, c: &Candidate, now: DateTime<Utc>) -> AppResult<()> {
    let person = Needles::new(
        [Some(c.name.as_str()), c.email.as_deref(), c.phone.as_deref()]
            .into_iter()
            .flatten(),
    );
    // Mail about their records (invitations to interviewers, approval requests) carries their
    // name in places a search may miss (a folded calendar line), so the record ids find it too.
    let mut records: Vec<String> = vec![c.id.to_string()];
    for a in store_apps::applications_of_candidate(tx, c.id).await? {
        records.push(a.id.to_string());
        for o in store_offers::offers_of(tx, a.id).await? {
            records.push(o.id.to_string());
        }
        for i in store_iv::interviews_of(tx, a.id).await? {
            records.push(i.id.to_string());
        }
    }
    let mail = Needles::new(
        [Some(c.name.as_str()), c.email.as_deref(), c.phone.as_deref()]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .chain(records.iter().cloned()),
    );
    for copy in redact::mail_copies(tx, &mail).await? {
        if copy.pending && redact::drop_pending_mail(tx, copy.id, now).await? {
            continue;
        }
        let payload = blanked(&copy, &person, c.email.as_deref());
        redact::blank_mail(tx, copy.id, payload).await?;
    }
    redact::redact_text_column::<String>(tx, "sent_messages", "message_id", "recipients", &person).await?;
    redact::redact_text_column::<String>(tx, "sent_messages", "message_id", "subject", &person).await?;
    redact::redact_json_column::<Uuid>(tx, "audit_log", "id", "before_json", &person).await?;
    redact::redact_json_column::<Uuid>(tx, "audit_log", "id", "after_json", &person).await?;
    redact::clear_audit_ips(tx, &records).await?;
    for column in ["from_email", "subject", "bounce_recipient", "error"] {
        redact::redact_text_column::<Uuid>(tx, "inbound_messages", "id", column, &person).await?;
    }
    redact::redact_json_column::<Uuid>(tx, "inbound_messages", "id", "signal_json", &person).await?;
    redact::redact_text_column::<Uuid>(tx, "offers", "id", "letter", &person).await?;
    redact::redact_json_column::<Uuid>(tx, "offers", "id", "last_rejection", &person).await?;
    Ok(())
}

/// A sent email's payload with the person taken out: mail to them keeps only that it was sent;
/// mail about them to colleagues keeps its other recipients, loses its calendar part (a folded
/// line can split a name) and has their details erased from its text.
fn blanked(copy: &MailCopy, person: &Needles, email: Option<&str>) -> Value {
    let mut p = copy.payload.clone();
    let is_them = |a: &Value| {
        a.get("email")
            .and_then(Value::as_str)
            .is_some_and(|e| email.is_some_and(|mine| e.eq_ignore_ascii_case(mine)) || person.found_in(e))
    };
    let to_them = ["to", "cc"].iter().any(|k| {
        p.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(is_them))
    });
    for k in ["to", "cc"] {
        if let Some(list) = p.get_mut(k).and_then(Value::as_array_mut) {
            list.retain(|a| !is_them(a));
        }
    }
    if let Some(obj) = p.as_object_mut() {
        obj.insert("calendar".into(), Value::Null);
        obj.insert("html".into(), Value::Null);
        if to_them {
            obj.insert("subject".into(), Value::from(ERASED));
            obj.insert("text".into(), Value::from(ERASED));
        }
    }
    person.redact_json(&mut p);
    p
}
