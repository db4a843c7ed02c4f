//! The editable lists: `/api/v1/reasons`, `/api/v1/dispositions`, `/api/v1/qualification-frameworks`.

use axum::Json;
use axum::extract::{Path, State};
use prospector_app::records::catalogues::{FrameworkInput, ReasonEdit};
use prospector_core::records::LeadStatus;
use prospector_core::records::activity::CallDisposition;
use prospector_core::records::lifecycle::LeadReasons;
use prospector_core::records::qualification::Criterion;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiActor;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// One reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonDto {
    /// The exit status it belongs to.
    pub status: String,
    /// Stable code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Whether it may be chosen.
    pub active: bool,
    /// Written by the product; cannot be retired.
    pub system: bool,
}

/// Every reason, by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonList {
    /// In list order.
    pub items: Vec<ReasonDto>,
}

fn reasons_of(catalogue: &LeadReasons) -> ReasonList {
    let value = serde_json::to_value(catalogue).unwrap_or_default();
    let mut items = Vec::new();
    for status in LeadStatus::ALL.iter().filter(|s| s.is_exit()) {
        if let Some(list) = value["lists"][status.code()].as_array() {
            for r in list {
                items.push(ReasonDto {
                    status: status.code().into(),
                    code: r["code"].as_str().unwrap_or_default().into(),
                    label: r["label"].as_str().unwrap_or_default().into(),
                    active: r["active"].as_bool().unwrap_or(false),
                    system: r["system"].as_bool().unwrap_or(false),
                });
            }
        }
    }
    ReasonList { items }
}

/// The lead and contact exit reasons.
#[utoipa::path(get, path = "/api/v1/reasons", tag = "lists", responses((status = 200, body = ReasonList)))]
pub async fn reasons(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ReasonList>, ApiError> {
    Ok(Json(reasons_of(&state.app.lead_reasons(&actor).await?)))
}

/// A change to one reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonEditBody {
    /// New label (required when the code is new, which adds it).
    label: Option<String>,
    /// false retires, true restores.
    active: Option<bool>,
}

/// Adds, relabels, retires or restores a reason (admins).
#[utoipa::path(patch, path = "/api/v1/reasons/{status}/{code}", tag = "lists",
    params(("status" = String, Path), ("code" = String, Path)), request_body = ReasonEditBody,
    responses((status = 200, body = ReasonList), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn edit_reason(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((status, code)): Path<(String, String)>,
    ApiJson(b): ApiJson<ReasonEditBody>,
) -> Result<Json<ReasonList>, ApiError> {
    let edit = ReasonEdit {
        label: b.label,
        active: b.active,
    };
    Ok(Json(reasons_of(
        &state.app.edit_lead_reason(&actor, &status, &code, edit).await?,
    )))
}

/// One call disposition.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionDto {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Counts towards the connect rate.
    pub counts_as_connect: bool,
}

/// The call dispositions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionListDto {
    /// In list order.
    pub items: Vec<DispositionDto>,
}

/// The call dispositions reps choose from.
#[utoipa::path(get, path = "/api/v1/dispositions", tag = "lists", responses((status = 200, body = DispositionListDto)))]
pub async fn dispositions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<DispositionListDto>, ApiError> {
    let list = state.app.call_dispositions(&actor).await?;
    Ok(Json(DispositionListDto {
        items: list
            .all()
            .iter()
            .map(|d| DispositionDto {
                code: d.code.clone(),
                label: d.label.clone(),
                counts_as_connect: d.counts_as_connect,
            })
            .collect(),
    }))
}

/// The qualification frameworks (criteria and how many must be met).
#[derive(Debug, Serialize, ToSchema)]
pub struct FrameworkList {
    /// `[{code, name, criteria: [{code, label, help}], required}]`.
    #[schema(value_type = Vec<Object>)]
    pub items: serde_json::Value,
}

/// The qualification frameworks.
#[utoipa::path(get, path = "/api/v1/qualification-frameworks", tag = "lists",
    responses((status = 200, body = FrameworkList)))]
pub async fn frameworks(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<FrameworkList>, ApiError> {
    let list = state.app.qualification_frameworks(&actor).await?;
    Ok(Json(FrameworkList {
        items: serde_json::to_value(list).unwrap_or_default(),
    }))
}

/// One call disposition as an admin sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionInput {
    /// Stable snake_case code.
    code: String,
    /// Label reps see.
    label: String,
    /// Counts towards the connect rate.
    #[serde(default)]
    counts_as_connect: bool,
}

/// The whole list of call dispositions, in the order reps see them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionsBody {
    /// At least one.
    items: Vec<DispositionInput>,
}

/// Replaces the call dispositions (admins; audited). Activities keep the code they were logged
/// with.
#[utoipa::path(put, path = "/api/v1/dispositions", tag = "lists", request_body = DispositionsBody,
    responses((status = 200, body = DispositionListDto), (status = 403, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn replace_dispositions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<DispositionsBody>,
) -> Result<Json<DispositionListDto>, ApiError> {
    let list = b
        .items
        .into_iter()
        .map(|d| CallDisposition {
            code: d.code,
            label: d.label,
            counts_as_connect: d.counts_as_connect,
        })
        .collect();
    let saved = state.app.replace_dispositions(&actor, list).await?;
    Ok(Json(DispositionListDto {
        items: saved
            .all()
            .iter()
            .map(|d| DispositionDto {
                code: d.code.clone(),
                label: d.label.clone(),
                counts_as_connect: d.counts_as_connect,
            })
            .collect(),
    }))
}

/// One criterion of a framework.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// Stable snake_case code answers are keyed by.
    code: String,
    /// Label.
    label: String,
    /// What counts as met.
    #[serde(default)]
    help: String,
}

/// One framework as an admin sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkInputDto {
    /// Stable snake_case code.
    code: String,
    /// Name.
    name: String,
    /// The criteria, in the order asked.
    criteria: Vec<CriterionInput>,
    /// How many must be met (1 to the number of criteria).
    required: usize,
}

/// The whole list of qualification frameworks.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworksBody {
    /// At least one.
    items: Vec<FrameworkInputDto>,
}

/// Replaces the qualification frameworks (admins; audited). A framework leads are being
/// qualified with cannot be removed (409).
#[utoipa::path(put, path = "/api/v1/qualification-frameworks", tag = "lists", request_body = FrameworksBody,
    responses((status = 200, body = FrameworkList), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn replace_frameworks(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<FrameworksBody>,
) -> Result<Json<FrameworkList>, ApiError> {
    let list = b
        .items
        .into_iter()
        .map(|f| FrameworkInput {
            code: f.code,
            name: f.name,
            criteria: f
                .criteria
                .into_iter()
                .map(|c| Criterion {
                    code: c.code,
                    label: c.label,
                    help: c.help,
                })
                .collect(),
            required: f.required,
        })
        .collect();
    let saved = state.app.replace_frameworks(&actor, list).await?;
    Ok(Json(FrameworkList {
        items: serde_json::to_value(saved).unwrap_or_default(),
    }))
}
