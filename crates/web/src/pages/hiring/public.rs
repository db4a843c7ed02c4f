//! The public careers pages: `/jobs`, `/jobs/{slug}` with its apply form, and the candidate's
//! offer page behind a signed link. No login. The apply form protects itself with a honeypot and a
//! per-address rate limit; résumé types are decided by content and never served inline here.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prospector_app::AppError;
use prospector_app::hiring::apply::{ApplyInput, resume_too_large};
use prospector_core::hiring::questionnaire::Question;
use prospector_core::markdown::{RenderOptions, render};
use prospector_store::hiring::jobs::Job;

use crate::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

/// The apply route's body limit: a 10 MB résumé plus the form around it.
pub const APPLY_BODY_LIMIT: usize = 11 * 1024 * 1024;

struct JobLink {
    slug: String,
    title: String,
    location: Option<String>,
    team: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs_list.html")]
struct JobsList {
    asset_version: &'static str,
    jobs: Vec<JobLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs_show.html")]
struct JobShow {
    asset_version: &'static str,
    slug: String,
    title: String,
    meta: String,
    body_html: String,
    questions: Vec<Question>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs_thanks.html")]
struct Thanks {
    asset_version: &'static str,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs_offer.html")]
struct OfferPage {
    asset_version: &'static str,
    token: String,
    job_title: String,
    letter: String,
    pay: String,
    start_date: String,
    status: String,
    expires: Option<String>,
    open: bool,
    outcome: Option<String>,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn show_page(job: &Job, error: Option<String>) -> JobShow {
    let meta = [job.location.clone(), job.team.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    JobShow {
        asset_version: crate::assets::version(),
        slug: job.slug.clone(),
        title: job.title.clone(),
        meta,
        body_html: render(&job.body, &RenderOptions::new("/jobs")).html,
        questions: job.questionnaire.questions.clone(),
        error,
    }
}

/// `GET /jobs`.
pub async fn list(State(state): State<AppState>) -> Result<Response, Response> {
    let jobs = state
        .app
        .public_jobs()
        .await
        .map_err(|e| crate::pages::error_page(&e))?;
    Ok(JobsList {
        asset_version: crate::assets::version(),
        jobs: jobs
            .into_iter()
            .map(|j| JobLink {
                slug: j.slug,
                title: j.title,
                location: j.location,
                team: j.team,
            })
            .collect(),
    }
    .into_response())
}

/// `GET /jobs/{slug}`.
pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, Response> {
    let job = state
        .app
        .public_job(&slug)
        .await
        .map_err(|e| crate::pages::error_page(&e))?;
    Ok(show_page(&job, None).into_response())
}

fn refuse(headers: &HeaderMap, job: Option<&Job>, err: AppError) -> Response {
    if wants_json(headers) {
        return ApiError(err).into_response();
    }
    match (job, &err) {
        (Some(job), AppError::Invalid(_) | AppError::Conflict { .. } | AppError::TooManyRequests { .. }) => {
            let status = crate::error::classify(&err).0;
            (status, show_page(job, Some(err.to_string()))).into_response()
        }
        _ => crate::pages::error_page(&err),
    }
}

fn too_large(headers: &HeaderMap, job: Option<&Job>) -> Response {
    let err = AppError::Invalid(resume_too_large());
    let mut response = refuse(headers, job, err);
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
}

/// Reads the multipart form into an [`ApplyInput`]; `Err(true)` when the body was over the limit.
async fn read_form(mut form: Multipart) -> Result<ApplyInput, Result<AppError, ()>> {
    let mut input = ApplyInput::default();
    let mut answers = BTreeMap::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(Err(())),
            Err(e) => {
                return Err(Ok(AppError::BadRequest {
                    code: "bad_form",
                    message: format!("the form could not be read: {}", e.body_text()),
                }));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "resume" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) if !bytes.is_empty() => input.resume = Some((file_name, bytes.to_vec())),
                Ok(_) => {}
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(Err(())),
                Err(e) => {
                    return Err(Ok(AppError::BadRequest {
                        code: "bad_form",
                        message: format!("the résumé could not be read: {}", e.body_text()),
                    }));
                }
            }
            continue;
        }
        let text = match field.text().await {
            Ok(t) => t,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(Err(())),
            Err(e) => {
                return Err(Ok(AppError::BadRequest {
                    code: "bad_form",
                    message: format!("the form could not be read: {}", e.body_text()),
                }));
            }
        };
        match name.as_str() {
            "name" => input.name = text,
            "email" => input.email = text,
            "phone" => input.phone = text,
            "links" => input.links = text.lines().map(str::to_owned).collect(),
            "source" => input.source = Some(text),
            "nickname" => input.honeypot = text,
            "consent" => input.consent = matches!(text.trim(), "yes" | "on" | "true" | "1"),
            other => {
                if let Some(code) = other.strip_prefix("q_") {
                    answers.insert(code.to_owned(), text);
                }
            }
        }
    }
    input.answers = answers;
    Ok(input)
}

/// `POST /jobs/{slug}/apply` (multipart). JSON answers for `Accept: application/json`, pages otherwise.
pub async fn apply(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Extension(ctx): Extension<RequestContext>,
    headers: HeaderMap,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let job = match state.app.public_job(&slug).await {
        Ok(j) => j,
        Err(e) => return refuse(&headers, None, e),
    };
    let form = match form {
        Ok(f) => f,
        Err(e) => {
            return refuse(
                &headers,
                Some(&job),
                AppError::BadRequest {
                    code: "bad_form",
                    message: format!("send the application as multipart/form-data: {}", e.body_text()),
                },
            );
        }
    };
    let mut input = match read_form(form).await {
        Ok(i) => i,
        Err(Err(())) => return too_large(&headers, Some(&job)),
        Err(Ok(e)) => return refuse(&headers, Some(&job), e),
    };
    input.ip = ctx.ip.clone();
    match state.app.apply(&slug, input).await {
        Ok(outcome) if wants_json(&headers) => (StatusCode::CREATED, Json(outcome)).into_response(),
        Ok(outcome) => Thanks {
            asset_version: crate::assets::version(),
            message: if outcome.already_applied {
                format!(
                    "We already had your application for {}; we added the résumé you sent.",
                    job.title
                )
            } else {
                format!(
                    "We received your application for {}. We have emailed you a confirmation.",
                    job.title
                )
            },
        }
        .into_response(),
        Err(e) => refuse(&headers, Some(&job), e),
    }
}

async fn offer_page(state: &AppState, token: &str, outcome: Option<String>) -> Result<Response, Response> {
    let o = state
        .app
        .offer_by_link(token)
        .await
        .map_err(|e| crate::pages::error_page(&e))?;
    Ok(OfferPage {
        asset_version: crate::assets::version(),
        token: token.to_owned(),
        job_title: o.job_title,
        letter: o.offer.letter.clone(),
        pay: o.offer.pay.clone(),
        start_date: o.offer.start_date.to_string(),
        status: o.offer.offer.status.label().to_owned(),
        expires: o.offer.offer.expires_at.map(|e| e.format("%e %B %Y").to_string()),
        open: o.offer.offer.status == prospector_core::hiring::OfferStatus::Sent,
        outcome,
    }
    .into_response())
}

/// `GET /jobs/offers/{token}`: the offer behind a signed link (403 when altered or expired).
pub async fn offer(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, Response> {
    offer_page(&state, &token, None).await
}

async fn answer(
    state: &AppState,
    token: &str,
    accept: bool,
    ip: Option<String>,
) -> Result<Response, Response> {
    state
        .app
        .answer_offer(token, accept, ip)
        .await
        .map_err(|e| crate::pages::error_page(&e))?;
    let message = if accept {
        "Welcome aboard! We have recorded that you accepted, and your recruiter will be in touch."
    } else {
        "We have recorded that you declined. Thank you for considering us."
    };
    offer_page(state, token, Some(message.to_owned())).await
}

/// `POST /jobs/offers/{token}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Response, Response> {
    answer(&state, &token, true, ctx.ip).await
}

/// `POST /jobs/offers/{token}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Extension(ctx): Extension<RequestContext>,
) -> Result<Response, Response> {
    answer(&state, &token, false, ctx.ip).await
}
