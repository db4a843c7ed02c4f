//! Turning a report's raw filters (query string or API) into a checked scope.

use chrono::NaiveDate;
use prospector_core::Invalid;
use prospector_core::ids::{TeamId, UserId};
use prospector_core::metrics::{DateRange, Grain};
use prospector_store::dashboards::Filter;
use prospector_store::users::{self, Team, User};
use serde::{Deserialize, Serialize};

use crate::{App, AppResult};

/// The filters as given: every field optional text, checked by [`App::report_scope`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today, UTC).
    pub to: Option<String>,
    /// Team id.
    pub team: Option<String>,
    /// Rep (user) id.
    pub rep: Option<String>,
    /// Lead source code.
    pub source: Option<String>,
    /// Account segment code.
    pub segment: Option<String>,
    /// `day`, `week` or `month` (default: by the range's length).
    pub grain: Option<String>,
}

impl ReportQuery {
    /// The query string that reproduces this view (for shareable links and CSV downloads).
    pub fn to_query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("team", &self.team),
            ("rep", &self.rep),
            ("source", &self.source),
            ("segment", &self.segment),
            ("grain", &self.grain),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| {
                v.as_deref()
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| format!("{k}={}", urlencode(v.trim())))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A checked scope.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The days.
    pub range: DateRange,
    /// How days are grouped.
    pub grain: Grain,
    /// Only this team.
    pub team: Option<Team>,
    /// Only this rep.
    pub rep: Option<User>,
    /// Only this source.
    pub source: Option<String>,
    /// Only this segment.
    pub segment: Option<String>,
}

impl Scope {
    /// The rollup filter.
    pub fn filter(&self) -> Filter {
        Filter {
            from: Some(self.range.from),
            to: Some(self.range.to),
            team: self.team.as_ref().map(|t| t.id),
            rep: self.rep.as_ref().map(|r| r.id),
            source: self.source.clone(),
            segment: self.segment.clone(),
        }
    }
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl App {
    /// Checks `q`: dates (a range that ends before it starts or spans more than five years is
    /// refused with the limit), a known team and rep, a known segment; unknown ids → 422.
    pub async fn report_scope(&self, q: &ReportQuery) -> AppResult<Scope> {
        let today = self.now().date_naive();
        let day = |field: &str, raw: &str| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                Invalid::new(
                    field,
                    "invalid_date",
                    format!("'{raw}' is not a date like 2026-01-31"),
                )
            })
        };
        let to = blank(&q.to).map(|v| day("to", v)).transpose()?.unwrap_or(today);
        let from = match blank(&q.from) {
            Some(v) => day("from", v)?,
            None => DateRange::last_days(to, 30).from,
        };
        let range = DateRange::new(from, to)?;
        let grain = match blank(&q.grain) {
            Some(g) => Grain::parse(g)?,
            None => Grain::for_range(&range),
        };
        let mut reader = self.store().reader();
        let team = match blank(&q.team) {
            Some(raw) => {
                let id: TeamId = raw
                    .parse()
                    .map_err(|_| Invalid::new("team", "invalid_id", format!("'{raw}' is not a team id")))?;
                Some(users::team_by_id(&mut reader, id).await?.ok_or_else(|| {
                    Invalid::new("team", "unknown_team", format!("no team has the id {raw}"))
                })?)
            }
            None => None,
        };
        let rep =
            match blank(&q.rep) {
                Some(raw) => {
                    let id: UserId = raw
                        .parse()
                        .map_err(|_| Invalid::new("rep", "invalid_id", format!("'{raw}' is not a rep id")))?;
                    Some(users::user_by_id(&mut reader, id).await?.ok_or_else(|| {
                        Invalid::new("rep", "unknown_rep", format!("no rep has the id {raw}"))
                    })?)
                }
                None => None,
            };
        let segment = match blank(&q.segment) {
            Some(raw) => Some(
                prospector_core::records::Segment::parse("segment", raw)?
                    .code()
                    .to_owned(),
            ),
            None => None,
        };
        let source = blank(&q.source).map(str::to_owned);
        if source.as_ref().is_some_and(|s| s.len() > 100) {
            return Err(Invalid::too_long("source", 100).into());
        }
        Ok(Scope {
            range,
            grain,
            team,
            rep,
            source,
            segment,
        })
    }
}
