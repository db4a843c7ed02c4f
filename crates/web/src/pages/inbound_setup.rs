//! Inbound setup pages with real form controls: capture forms (list, create, edit, archive),
//! the routing-rule editor (rows of code, segment, region and a pool of reps, each added,
//! reordered or removed) and the scoring-rule editor (points per behaviour, demographic rows,
//! the MQL threshold). Refusals re-render the page with the message next to the field and the
//! admin's input kept; successes redirect with a flash (post/redirect/get).

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use prospector_app::inbound::forms::FormInput;
use prospector_app::{Actor, AppError};
use prospector_core::Invalid;
use prospector_core::ids::UserId;
use prospector_core::inbound::{
    Behaviour, BehaviourRule, DemographicCondition, DemographicRule, Region, RoutingRule, ScoringRules,
    Segment,
};
use prospector_store::inbound::FormField;

use super::flash::{self, Flash};
use super::{Layout, PageError};
use crate::auth::PageActor;
use crate::csrf::CsrfToken;
use crate::state::AppState;

/// A refusal to show next to its field.
#[derive(Debug, Clone, Default)]
pub struct FieldError {
    pub(super) field: String,
    pub(super) message: String,
}

impl FieldError {
    pub(super) fn of(err: &AppError) -> Option<FieldError> {
        match err {
            AppError::Invalid(i) => Some(FieldError {
                field: i.field.clone(),
                message: i.message.clone(),
            }),
            AppError::Conflict { field, message, .. } => Some(FieldError {
                field: field.clone().unwrap_or_default(),
                message: message.clone(),
            }),
            _ => None,
        }
    }
}

/// `err("name")`-style lookups for templates.
pub(super) trait Errors {
    fn error(&self) -> Option<&FieldError>;

    /// The message for `field`, or "".
    fn err(&self, field: &str) -> String {
        self.error()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    /// The message for `list[i].part` (or `list[i]` and its sub-fields when `part` is empty).
    fn row_err(&self, list: &str, i: &usize, part: &str) -> String {
        let base = format!("{list}[{i}]");
        self.error()
            .filter(|e| {
                if part.is_empty() {
                    e.field == base
                } else {
                    e.field == format!("{base}.{part}") || e.field.starts_with(&format!("{base}.{part}["))
                }
            })
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    /// A message not tied to a field shown on the page (shown at the top).
    fn general_error(&self) -> String;
}

pub(super) fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.role() == prospector_core::role::Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only admins edit inbound forms and rules".into(),
        ))
    }
}

pub(super) fn redirect_with(state: &AppState, jar: CookieJar, to: &str, notice: String) -> Response {
    let flash = Flash {
        notice: Some(notice),
        secret: None,
    };
    (
        flash::set(jar, &flash, state.settings.secure_cookies),
        Redirect::to(to),
    )
        .into_response()
}

pub(super) fn refused<T: IntoResponse>(err: &AppError, page: T) -> Response {
    (crate::error::classify(err).0, page).into_response()
}

/// The submitted pairs, by name (repeated names keep every value).
fn by_name(pairs: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        out.entry(k).or_default().push(v);
    }
    out
}

fn one(map: &BTreeMap<String, Vec<String>>, key: &str) -> String {
    map.get(key)
        .and_then(|v| v.first())
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// The row numbers present in names like `code_3`.
fn row_numbers(map: &BTreeMap<String, Vec<String>>, prefixes: &[&str]) -> BTreeSet<usize> {
    map.keys()
        .filter_map(|k| {
            prefixes
                .iter()
                .find_map(|p| k.strip_prefix(p).and_then(|n| n.parse().ok()))
        })
        .collect()
}

// ---------------------------------------------------------------- capture forms

struct FormRow {
    slug: String,
    name: String,
    behaviour: String,
    source: String,
    fields: String,
    active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_forms.html")]
struct FormsPage {
    layout: Layout,
    forms: Vec<FormRow>,
    notice: Option<String>,
}

/// `GET /admin/inbound/forms`.
pub async fn forms(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let (jar, flash) = flash::take(jar);
    let forms = state.app.inbound_forms(&actor).await?;
    let page = FormsPage {
        layout: Layout::new(&actor, &csrf, "admin", "Capture forms"),
        forms: forms
            .into_iter()
            .map(|f| FormRow {
                fields: f
                    .fields
                    .iter()
                    .map(|x| format!("{}{}", x.label, if x.required { " *" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(", "),
                slug: f.slug,
                name: f.name,
                behaviour: Behaviour::parse("behaviour", &f.behaviour)
                    .map(|b| b.label().to_owned())
                    .unwrap_or(f.behaviour),
                source: f.source,
                active: f.active,
            })
            .collect(),
        notice: flash.notice,
    };
    Ok((jar, page))
}

struct FieldRow {
    name: String,
    label: String,
    required: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_form_edit.html")]
struct FormEditPage {
    layout: Layout,
    /// `None` when creating.
    editing: Option<String>,
    slug: String,
    name: String,
    behaviour: String,
    source: String,
    honeypot: String,
    fields: Vec<FieldRow>,
    hidden: Vec<(String, String)>,
    behaviours: Vec<(&'static str, &'static str)>,
    error: Option<FieldError>,
}

impl Errors for FormEditPage {
    fn error(&self) -> Option<&FieldError> {
        self.error.as_ref()
    }
    fn general_error(&self) -> String {
        match &self.error {
            Some(e)
                if !["slug", "name", "behaviour", "source", "honeypot_field", "fields"]
                    .contains(&e.field.as_str())
                    && !e.field.starts_with("fields[")
                    && !e.field.starts_with("hidden_fields") =>
            {
                e.message.clone()
            }
            _ => String::new(),
        }
    }
}

impl FormEditPage {
    fn hidden_err(&self, name: &str) -> String {
        self.err(&format!("hidden_fields.{name}"))
    }

    fn new(
        actor: &Actor,
        csrf: &CsrfToken,
        editing: Option<String>,
        input: &FormInput,
        error: Option<FieldError>,
    ) -> Self {
        let mut fields: Vec<FieldRow> = input
            .fields
            .iter()
            .map(|f| FieldRow {
                name: f.name.clone(),
                label: f.label.clone(),
                required: f.required,
            })
            .collect();
        // Two blank rows to add fields without scripts.
        for _ in 0..2 {
            fields.push(FieldRow {
                name: String::new(),
                label: String::new(),
                required: false,
            });
        }
        let mut hidden: Vec<(String, String)> = input.hidden_fields.clone().into_iter().collect();
        hidden.push((String::new(), String::new()));
        let title = match &editing {
            Some(_) => format!("Edit form: {}", input.name),
            None => "New capture form".to_owned(),
        };
        FormEditPage {
            layout: Layout::new(actor, csrf, "admin", &title),
            editing,
            slug: input.slug.clone(),
            name: input.name.clone(),
            behaviour: input.behaviour.clone(),
            source: input.source.clone(),
            honeypot: input.honeypot_field.clone().unwrap_or_else(|| "_honeypot".into()),
            fields,
            hidden,
            behaviours: Behaviour::ALL
                .iter()
                .filter(|b| **b != Behaviour::Unsubscribe)
                .map(|b| (b.code(), b.label()))
                .collect(),
            error,
        }
    }
}

/// The submitted editor, as the app's input. Rows with a blank name and label are ignored (the
/// spare rows); rows ticked "remove" are dropped. Field errors name the row as submitted, and the
/// page is re-rendered from this input, so the row numbers match.
fn form_input(pairs: Vec<(String, String)>) -> FormInput {
    let map = by_name(pairs);
    let mut fields = Vec::new();
    for i in row_numbers(&map, &["field_name_", "field_label_"]) {
        let (name, label) = (
            one(&map, &format!("field_name_{i}")),
            one(&map, &format!("field_label_{i}")),
        );
        if map.contains_key(&format!("field_remove_{i}")) || (name.is_empty() && label.is_empty()) {
            continue;
        }
        fields.push(FormField {
            name,
            label,
            required: map.contains_key(&format!("field_required_{i}")),
        });
    }
    let mut hidden = BTreeMap::new();
    for i in row_numbers(&map, &["hidden_name_"]) {
        let name = one(&map, &format!("hidden_name_{i}"));
        if !name.is_empty() {
            hidden.insert(name, one(&map, &format!("hidden_value_{i}")));
        }
    }
    FormInput {
        slug: one(&map, "slug"),
        name: one(&map, "name"),
        behaviour: one(&map, "behaviour"),
        source: one(&map, "source"),
        fields,
        hidden_fields: hidden,
        honeypot_field: Some(one(&map, "honeypot_field")).filter(|h| !h.is_empty()),
    }
}

/// `GET /admin/inbound/forms/new`.
pub async fn new_form(
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let input = FormInput {
        behaviour: "form".into(),
        source: "web_form".into(),
        fields: vec![
            FormField {
                name: "email".into(),
                label: "Work email".into(),
                required: true,
            },
            FormField {
                name: "first_name".into(),
                label: "First name".into(),
                required: false,
            },
            FormField {
                name: "last_name".into(),
                label: "Last name".into(),
                required: false,
            },
            FormField {
                name: "company".into(),
                label: "Company".into(),
                required: false,
            },
        ],
        ..FormInput::default()
    };
    Ok(FormEditPage::new(&actor, &csrf, None, &input, None))
}

/// `POST /admin/inbound/forms`.
pub async fn create_form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = form_input(pairs);
    match state.app.create_inbound_form(&actor, input.clone()).await {
        Ok(form) => Ok(redirect_with(
            &state,
            jar,
            "/admin/inbound/forms",
            format!(
                "Created the form \"{}\"; it takes posts at /inbound/forms/{}.",
                form.name, form.slug
            ),
        )),
        Err(err) => match FieldError::of(&err) {
            Some(fe) => Ok(refused(
                &err,
                FormEditPage::new(&actor, &csrf, None, &input, Some(fe)),
            )),
            None => Err(err.into()),
        },
    }
}

/// `GET /admin/inbound/forms/{slug}`.
pub async fn edit_form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let form = state.app.inbound_form(&actor, &slug).await?;
    let input = FormInput {
        slug: form.slug.clone(),
        name: form.name,
        behaviour: form.behaviour,
        source: form.source,
        fields: form.fields,
        hidden_fields: form.hidden_fields,
        honeypot_field: Some(form.honeypot_field),
    };
    Ok(FormEditPage::new(&actor, &csrf, Some(form.slug), &input, None))
}

/// `POST /admin/inbound/forms/{slug}`.
pub async fn update_form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    Path(slug): Path<String>,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut input = form_input(pairs);
    input.slug = slug.clone();
    match state.app.update_inbound_form(&actor, &slug, input.clone()).await {
        Ok(form) => Ok(redirect_with(
            &state,
            jar,
            "/admin/inbound/forms",
            format!("Saved the form \"{}\".", form.name),
        )),
        Err(err) => match FieldError::of(&err) {
            Some(fe) => Ok(refused(
                &err,
                FormEditPage::new(&actor, &csrf, Some(slug), &input, Some(fe)),
            )),
            None => Err(err.into()),
        },
    }
}

/// `POST /admin/inbound/forms/{slug}/archive` and `…/restore`.
pub async fn archive_form(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Path((slug, action)): Path<(String, String)>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let archive = match action.as_str() {
        "archive" => true,
        "restore" => false,
        _ => return Err(AppError::NotFound("page".into()).into()),
    };
    let form = state.app.archive_inbound_form(&actor, &slug, archive).await?;
    let notice = if archive {
        format!(
            "Archived \"{}\": posts to it are refused (and kept) from now on.",
            form.name
        )
    } else {
        format!("Restored \"{}\".", form.name)
    };
    Ok(redirect_with(&state, jar, "/admin/inbound/forms", notice))
}

// ---------------------------------------------------------------- routing rules

struct RuleRow {
    code: String,
    segment: String,
    region: String,
    pool: Vec<String>,
}

struct RepOption {
    id: String,
    name: String,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_routing.html")]
struct RoutingPage {
    layout: Layout,
    rows: Vec<RuleRow>,
    reps: Vec<RepOption>,
    segments: Vec<(&'static str, &'static str)>,
    regions: Vec<(&'static str, &'static str)>,
    default: bool,
    warnings: Vec<String>,
    notice: Option<String>,
    error: Option<FieldError>,
}

impl Errors for RoutingPage {
    fn error(&self) -> Option<&FieldError> {
        self.error.as_ref()
    }
    fn general_error(&self) -> String {
        match &self.error {
            Some(e) if !e.field.starts_with("rules[") => e.message.clone(),
            _ => String::new(),
        }
    }
}

impl RoutingPage {
    fn in_pool(&self, row: &RuleRow, rep: &str) -> bool {
        row.pool.iter().any(|p| p == rep)
    }
}

async fn routing_page(
    state: &AppState,
    actor: &Actor,
    csrf: &CsrfToken,
    rules: Option<Vec<RuleRow>>,
    extra_rows: usize,
    notice: Option<String>,
    error: Option<FieldError>,
) -> Result<RoutingPage, AppError> {
    require_admin(actor)?;
    let saved = state.app.routing_rules(actor).await?;
    let reps = state.app.inbound_reps(actor).await?;
    let mut rows = rules.unwrap_or_else(|| {
        saved
            .rules
            .iter()
            .map(|r| RuleRow {
                code: r.code.clone(),
                segment: r.segment.map(|s| s.code().to_owned()).unwrap_or_default(),
                region: r.region.map(|s| s.code().to_owned()).unwrap_or_default(),
                pool: r.pool.iter().map(ToString::to_string).collect(),
            })
            .collect()
    });
    for _ in 0..extra_rows.max(1) {
        rows.push(RuleRow {
            code: String::new(),
            segment: String::new(),
            region: String::new(),
            pool: Vec::new(),
        });
    }
    let named: BTreeSet<String> = rows.iter().flat_map(|r| r.pool.iter().cloned()).collect();
    Ok(RoutingPage {
        layout: Layout::new(actor, csrf, "admin", "Routing rules"),
        reps: reps
            .into_iter()
            .filter(|r| {
                matches!(r.role.as_str(), "sdr" | "team_lead" | "ae")
                    || named.contains(&r.user_id.to_string())
            })
            .map(|r| RepOption {
                id: r.user_id.to_string(),
                note: match (r.active, r.out_of_office, r.share_percent) {
                    (false, _, _) => "deactivated".into(),
                    (true, true, _) => "out of office".into(),
                    (true, false, s) if s < 100 => format!("{s} % share"),
                    _ => String::new(),
                },
                name: r.name,
            })
            .collect(),
        rows,
        segments: Segment::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        regions: Region::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        default: saved.default,
        warnings: saved.warnings.iter().map(|w| w.message.clone()).collect(),
        notice,
        error,
    })
}

/// `GET /admin/inbound/routing`.
pub async fn routing(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    let (jar, flash) = flash::take(jar);
    Ok((
        jar,
        routing_page(&state, &actor, &csrf, None, 1, flash.notice, None).await?,
    ))
}

/// The submitted rows in order (by their position box, then as listed), without removed or
/// blank ones.
fn rule_rows(pairs: Vec<(String, String)>) -> Vec<RuleRow> {
    let map = by_name(pairs);
    let mut rows: Vec<(i64, usize, RuleRow)> = Vec::new();
    for i in row_numbers(&map, &["code_", "segment_", "region_", "pool_"]) {
        if map.contains_key(&format!("remove_{i}")) {
            continue;
        }
        let row = RuleRow {
            code: one(&map, &format!("code_{i}")),
            segment: one(&map, &format!("segment_{i}")),
            region: one(&map, &format!("region_{i}")),
            pool: map.get(&format!("pool_{i}")).cloned().unwrap_or_default(),
        };
        if row.code.is_empty() && row.segment.is_empty() && row.region.is_empty() && row.pool.is_empty() {
            continue;
        }
        let position = one(&map, &format!("position_{i}"))
            .parse()
            .unwrap_or(i as i64 + 1);
        rows.push((position, i, row));
    }
    rows.sort_by_key(|(p, i, _)| (*p, *i));
    rows.into_iter().map(|(_, _, r)| r).collect()
}

fn to_rules(rows: &[RuleRow]) -> Result<Vec<RoutingRule>, Invalid> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let pool = r
                .pool
                .iter()
                .map(|p| {
                    p.parse::<UserId>().map_err(|_| {
                        Invalid::new(
                            format!("rules[{i}].pool"),
                            "invalid_id",
                            "choose reps from the list",
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(RoutingRule {
                code: r.code.clone(),
                segment: match r.segment.as_str() {
                    "" => None,
                    s => Some(Segment::parse(&format!("rules[{i}].segment"), s)?),
                },
                region: match r.region.as_str() {
                    "" => None,
                    s => Some(Region::parse(&format!("rules[{i}].region"), s)?),
                },
                pool,
            })
        })
        .collect()
}

/// `POST /admin/inbound/routing`: saves the rules, or (with `action=add`) shows another blank
/// row without saving.
pub async fn save_routing(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let adding = pairs.iter().any(|(k, v)| k == "action" && v == "add");
    let rows = rule_rows(pairs);
    if adding {
        let page = routing_page(&state, &actor, &csrf, Some(rows), 2, None, None).await?;
        return Ok(page.into_response());
    }
    let outcome = match to_rules(&rows) {
        Ok(rules) => state.app.save_routing_rules(&actor, rules).await,
        Err(e) => Err(e.into()),
    };
    match outcome {
        Ok(saved) => {
            let notice = if saved.warnings.is_empty() {
                "Routing rules saved.".to_owned()
            } else {
                let w: Vec<String> = saved.warnings.iter().map(|w| w.message.clone()).collect();
                format!("Routing rules saved, with warnings: {}", w.join("; "))
            };
            Ok(redirect_with(&state, jar, "/admin/inbound/routing", notice))
        }
        Err(err) => match FieldError::of(&err) {
            Some(fe) => {
                let page = routing_page(&state, &actor, &csrf, Some(rows), 1, None, Some(fe)).await?;
                Ok(refused(&err, page))
            }
            None => Err(err.into()),
        },
    }
}

// ---------------------------------------------------------------- scoring rules

struct BehaviourRow {
    code: &'static str,
    label: &'static str,
    points: String,
}

/// The scoring editor's rows: one per behaviour, then the demographic rules.
type ScoringRows = (Vec<BehaviourRow>, Vec<DemographicRow>);

struct DemographicRow {
    code: String,
    label: String,
    condition: String,
    value: String,
    points: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbound_scoring.html")]
struct ScoringPage {
    layout: Layout,
    threshold: String,
    behaviours: Vec<BehaviourRow>,
    demographic: Vec<DemographicRow>,
    notice: Option<String>,
    error: Option<FieldError>,
}

impl Errors for ScoringPage {
    fn error(&self) -> Option<&FieldError> {
        self.error.as_ref()
    }
    fn general_error(&self) -> String {
        match &self.error {
            Some(e)
                if e.field != "mql_threshold"
                    && !e.field.starts_with("points_")
                    && !e.field.starts_with("demographic[") =>
            {
                e.message.clone()
            }
            _ => String::new(),
        }
    }
}

fn scoring_rows(rules: &ScoringRules) -> ScoringRows {
    let behaviours = Behaviour::ALL
        .iter()
        .filter(|b| **b != Behaviour::Unsubscribe)
        .map(|b| BehaviourRow {
            code: b.code(),
            label: b.label(),
            points: rules
                .behaviour
                .iter()
                .find(|r| r.behaviour == *b)
                .map(|r| r.points.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let demographic = rules
        .demographic
        .iter()
        .map(|d| {
            let (condition, value) = match &d.condition {
                DemographicCondition::BusinessEmail => ("business_email", String::new()),
                DemographicCondition::TitleContainsAny { words } => ("title_contains_any", words.join(", ")),
                DemographicCondition::EmployeesAtLeast { employees } => {
                    ("employees_at_least", employees.to_string())
                }
            };
            DemographicRow {
                code: d.code.clone(),
                label: d.label.clone(),
                condition: condition.to_owned(),
                value,
                points: d.points.to_string(),
            }
        })
        .collect();
    (behaviours, demographic)
}

fn scoring_page(
    actor: &Actor,
    csrf: &CsrfToken,
    threshold: String,
    (behaviours, mut demographic): ScoringRows,
    notice: Option<String>,
    error: Option<FieldError>,
) -> ScoringPage {
    demographic.push(DemographicRow {
        code: String::new(),
        label: String::new(),
        condition: "title_contains_any".into(),
        value: String::new(),
        points: String::new(),
    });
    ScoringPage {
        layout: Layout::new(actor, csrf, "admin", "Scoring rules"),
        threshold,
        behaviours,
        demographic,
        notice,
        error,
    }
}

/// `GET /admin/inbound/scoring`.
pub async fn scoring(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
) -> Result<impl IntoResponse, PageError> {
    require_admin(&actor)?;
    let (jar, flash) = flash::take(jar);
    let rules = state.app.scoring_rules(&actor).await?;
    let page = scoring_page(
        &actor,
        &csrf,
        rules.mql_threshold.to_string(),
        scoring_rows(&rules),
        flash.notice,
        None,
    );
    Ok((jar, page))
}

fn points(field: &str, raw: &str) -> Result<i32, Invalid> {
    raw.parse().map_err(|_| {
        Invalid::new(
            field,
            "invalid_number",
            "points are a whole number, like 20 or -10",
        )
    })
}

/// The submitted editor as rules, and as rows to show again on a refusal.
fn scoring_input(pairs: Vec<(String, String)>) -> (String, ScoringRows, Result<ScoringRules, Invalid>) {
    let map = by_name(pairs);
    let threshold = one(&map, "mql_threshold");
    let mut behaviours = Vec::new();
    let mut rules = ScoringRules {
        behaviour: Vec::new(),
        demographic: Vec::new(),
        mql_threshold: 0,
    };
    let mut problem: Option<Invalid> = None;
    for b in Behaviour::ALL.iter().filter(|b| **b != Behaviour::Unsubscribe) {
        let field = format!("points_{}", b.code());
        let raw = one(&map, &field);
        if !raw.is_empty() {
            match points(&field, &raw) {
                Ok(p) => rules.behaviour.push(BehaviourRule {
                    behaviour: *b,
                    points: p,
                }),
                Err(e) => {
                    problem.get_or_insert(e);
                }
            }
        }
        behaviours.push(BehaviourRow {
            code: b.code(),
            label: b.label(),
            points: raw,
        });
    }
    let mut demographic = Vec::new();
    for i in row_numbers(&map, &["demo_code_", "demo_label_"]) {
        let row = DemographicRow {
            code: one(&map, &format!("demo_code_{i}")),
            label: one(&map, &format!("demo_label_{i}")),
            condition: one(&map, &format!("demo_condition_{i}")),
            value: one(&map, &format!("demo_value_{i}")),
            points: one(&map, &format!("demo_points_{i}")),
        };
        if map.contains_key(&format!("demo_remove_{i}"))
            || (row.code.is_empty() && row.label.is_empty() && row.value.is_empty() && row.points.is_empty())
        {
            continue;
        }
        // Errors name the row as it will be shown again: its position among the kept rows.
        let n = demographic.len();
        let condition = match row.condition.as_str() {
            "business_email" => Ok(DemographicCondition::BusinessEmail),
            "title_contains_any" => Ok(DemographicCondition::TitleContainsAny {
                words: row
                    .value
                    .split(',')
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty())
                    .collect(),
            }),
            "employees_at_least" => row
                .value
                .replace([',', ' ', '_'], "")
                .parse()
                .map(|employees| DemographicCondition::EmployeesAtLeast { employees })
                .map_err(|_| {
                    Invalid::new(
                        format!("demographic[{n}].value"),
                        "invalid_number",
                        "give the minimum number of employees, like 500",
                    )
                }),
            other => Err(Invalid::unknown_value(
                format!("demographic[{n}].condition"),
                other,
                &["business_email", "title_contains_any", "employees_at_least"],
            )),
        };
        let pts = points(&format!("demographic[{n}].points"), &row.points);
        match (condition, pts) {
            (Ok(condition), Ok(points)) => rules.demographic.push(DemographicRule {
                code: row.code.clone(),
                label: if row.label.is_empty() {
                    row.code.clone()
                } else {
                    row.label.clone()
                },
                condition,
                points,
            }),
            (Err(e), _) | (_, Err(e)) => {
                problem.get_or_insert(e);
            }
        }
        demographic.push(row);
    }
    match threshold.parse() {
        Ok(t) => rules.mql_threshold = t,
        Err(_) => {
            problem.get_or_insert(Invalid::new(
                "mql_threshold",
                "invalid_number",
                "the MQL threshold is a whole number of points, like 100",
            ));
        }
    }
    let result = match problem {
        Some(p) => Err(p),
        None => Ok(rules),
    };
    (threshold, (behaviours, demographic), result)
}

/// Core names behaviour rules by their index in the list it got; the page names them by code.
fn page_field(err: FieldError, rules: &ScoringRules) -> FieldError {
    let Some(rest) = err.field.strip_prefix("behaviour[") else {
        return err;
    };
    let index: Option<usize> = rest.split(']').next().and_then(|n| n.parse().ok());
    match index.and_then(|i| rules.behaviour.get(i)) {
        Some(rule) => FieldError {
            field: format!("points_{}", rule.behaviour.code()),
            message: err.message,
        },
        None => err,
    }
}

/// `POST /admin/inbound/scoring`.
pub async fn save_scoring(
    State(state): State<AppState>,
    PageActor(actor): PageActor,
    Extension(csrf): Extension<CsrfToken>,
    jar: CookieJar,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_admin(&actor)?;
    let (threshold, rows, parsed) = scoring_input(pairs);
    let outcome = match parsed {
        Ok(rules) => state
            .app
            .save_scoring_rules(&actor, rules.clone())
            .await
            .map_err(|e| (e, Some(rules))),
        Err(e) => Err((e.into(), None)),
    };
    match outcome {
        Ok(_) => Ok(redirect_with(
            &state,
            jar,
            "/admin/inbound/scoring",
            "Scoring rules saved.".into(),
        )),
        Err((err, rules)) => match FieldError::of(&err) {
            Some(fe) => {
                let fe = match &rules {
                    Some(r) => page_field(fe, r),
                    None => fe,
                };
                Ok(refused(
                    &err,
                    scoring_page(&actor, &csrf, threshold, rows, None, Some(fe)),
                ))
            }
            None => Err(err.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn routing_rows_follow_their_positions_and_drop_removed_and_blank_ones() {
        let rows = rule_rows(pairs(&[
            ("code_0", "emea"),
            ("position_0", "2"),
            ("pool_0", "a"),
            ("pool_0", "b"),
            ("code_1", "us"),
            ("position_1", "1"),
            ("code_2", "old"),
            ("remove_2", "on"),
            ("code_3", ""),
            ("position_3", "4"),
        ]));
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, vec!["us", "emea"]);
        assert_eq!(rows[1].pool, vec!["a", "b"]);
    }

    #[test]
    fn a_bad_points_value_names_its_box() {
        let (_, _, parsed) = scoring_input(pairs(&[("mql_threshold", "100"), ("points_trial", "lots")]));
        assert_eq!(parsed.unwrap_err().field, "points_trial");
    }
}
