//! Hiring: job pages, the public careers site and apply form, the board, interviews and blind
//! scorecards, offers through signed links, reports, privacy and roles — on both backends.

mod apply;
mod erase_everywhere;
mod interviews;
mod jobs;
mod offers;
mod pages;
mod pipeline;
mod privacy;
mod reports;
mod roles;
mod zones_links_expiry;

use std::path::PathBuf;

use prospector_app::Actor;
use prospector_app::outbox::Worker;
use prospector_store::hiring::jobs::Job;
use prospector_store::{Exec, query};
use prospector_testkit::{ApiClient, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The team's published job page, from `shared/data/jobs` beside the repository (found by
/// walking up from this crate, so it works from the main checkout, a worktree and CI).
pub fn shared_job_file(name: &str) -> PathBuf {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/data/jobs").join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("shared/data/jobs/{name} not found above {}", start.display()))
}

/// Imports the account-executive page exactly as the CLI does.
pub async fn import_ae(app: &TestApp) -> (Job, String) {
    let path = shared_job_file("account-executive.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let job = app
        .app
        .import_job(&Actor::cli(), &path.display().to_string(), &text)
        .await
        .unwrap();
    (job, text)
}

/// A small job page with the default stages and no qualifications.
pub async fn import_simple(app: &TestApp, title: &str) -> Job {
    let text = format!("---\nlayout: job_page\ntitle: \"{title}\"\n---\n\nWe are hiring.\n");
    app.app
        .import_job(&Actor::cli(), "simple.md", &text)
        .await
        .unwrap()
}

/// A recruiter API client.
pub async fn recruiter(app: &TestApp) -> ApiClient {
    app.api_client("rita.recruiter@example.com", "recruiter").await.1
}

/// Bytes of a small real PDF.
pub fn small_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The application form with every default question answered.
pub fn form(name: &str, email: &str, resume: Vec<u8>, file_name: &str) -> reqwest::multipart::Form {
    form_with_phone(name, email, "+1 415 555 0100", resume, file_name)
}

/// [`form`] with a given phone number.
pub fn form_with_phone(
    name: &str,
    email: &str,
    phone: &str,
    resume: Vec<u8>,
    file_name: &str,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("name", name.to_owned())
        .text("email", email.to_owned())
        .text("phone", phone.to_owned())
        .text("links", "https://www.linkedin.com/in/example")
        .text("consent", "yes")
        .text("nickname", "");
    for (code, answer) in [
        ("why_this_role", "I love talking to developers."),
        ("phone_prospecting", "Two years of cold calling."),
        ("email_prospecting", "Sequences of eight steps."),
        ("crm_experience", "Salesforce and HubSpot."),
        ("time_zone", "Europe/Berlin"),
        ("notice_period", "One month"),
        ("pay_expectation", "60k EUR"),
    ] {
        form = form.text(format!("q_{code}"), answer.to_owned());
    }
    form.part(
        "resume",
        reqwest::multipart::Part::bytes(resume).file_name(file_name.to_owned()),
    )
}

/// Posts an application as JSON-accepting client.
pub async fn apply_with(app: &TestApp, slug: &str, form: reqwest::multipart::Form) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/jobs/{slug}/apply")))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Applies with a small PDF and returns the outcome.
pub async fn apply(app: &TestApp, slug: &str, name: &str, email: &str) -> Value {
    let r = apply_with(app, slug, form(name, email, small_pdf(), "cv.pdf")).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// Emails in the outbox, oldest first: (payload, available_at).
pub async fn emails(app: &TestApp) -> Vec<(Value, chrono::DateTime<chrono::Utc>)> {
    let rows = app
        .store
        .reader()
        .fetch_all(query(
            "SELECT payload, available_at FROM outbox WHERE kind = 'email.send' ORDER BY created_at, id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.get("payload").unwrap(), r.get("available_at").unwrap()))
        .collect()
}

/// Emails to `address`.
pub async fn emails_to(app: &TestApp, address: &str) -> Vec<Value> {
    emails(app)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p["to"].as_array().unwrap().iter().any(|t| t["email"] == address))
        .collect()
}

/// The worker with the hiring handlers.
pub fn worker(app: &TestApp) -> Worker {
    prospector_app::hiring::register_handlers(Worker::new(app.app.clone(), "test-worker"))
}

/// Moves an application through the API.
pub async fn move_to(client: &ApiClient, application_id: &str, stage: &str) -> reqwest::Response {
    client
        .post(
            &format!("/api/v1/applications/{application_id}/move"),
            &json!({"stage": stage}),
        )
        .send()
        .await
        .unwrap()
}
