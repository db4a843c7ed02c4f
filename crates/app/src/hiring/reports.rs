//! The hiring report of a job: how many reach each stage and pass through it, how long they stay,
//! time to hire, where hires come from, why candidates are declined.

use std::collections::BTreeMap;

use prospector_core::hiring::ApplicationStatus;
use prospector_store::hiring::applications as store_apps;
use serde::Serialize;
use uuid::Uuid;

use super::require_job;
use crate::{Actor, App, AppResult};

/// One stage's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageFigures {
    /// Stage code.
    pub stage: String,
    /// Stage name.
    pub name: String,
    /// Applications that reached the stage (moves are forward-only, so an application reached
    /// every stage up to its current one).
    pub reached: i64,
    /// Of those, the share that reached a later stage; `None` for the last stage or when none reached it.
    pub pass_through_rate: Option<f64>,
    /// Mean hours spent in the stage by applications that have left it.
    pub avg_hours_in_stage: Option<f64>,
}

/// A job's report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HiringReport {
    /// The job.
    pub job_id: Uuid,
    /// Applications in total.
    pub applications: i64,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageFigures>,
    /// Mean days from application to hire.
    pub avg_days_to_hire: Option<f64>,
    /// Hires by source.
    pub source_of_hire: BTreeMap<String, i64>,
    /// Declines by reason code.
    pub decline_reasons: BTreeMap<String, i64>,
}

fn mean(values: &[f64]) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

impl App {
    /// The report of a job (recruiters and its hiring manager).
    pub async fn job_report(&self, actor: &Actor, job_id: Uuid) -> AppResult<HiringReport> {
        let job = self.job(job_id).await?;
        require_job(actor, &job)?;
        let mut reader = self.store().reader();
        let apps = store_apps::applications_of_job(&mut reader, Some(job.id)).await?;
        let stays = store_apps::stage_stays(&mut reader, Some(job.id)).await?;
        let position = |code: &str| job.stages.iter().position(|s| s.code == code);
        let reached_index: Vec<usize> = apps.iter().filter_map(|a| position(&a.stage)).collect();
        let reached =
            |i: usize| i64::try_from(reached_index.iter().filter(|p| **p >= i).count()).unwrap_or(0);
        let stages = job
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let here = reached(i);
                #[allow(clippy::cast_precision_loss)]
                let rate =
                    (i + 1 < job.stages.len() && here > 0).then(|| reached(i + 1) as f64 / here as f64);
                #[allow(clippy::cast_precision_loss)]
                let hours: Vec<f64> = stays
                    .iter()
                    .filter(|st| st.stage == s.code)
                    .filter_map(|st| {
                        st.left_at
                            .map(|l| (l - st.entered_at).num_seconds() as f64 / 3600.0)
                    })
                    .collect();
                StageFigures {
                    stage: s.code.clone(),
                    name: s.name.clone(),
                    reached: here,
                    pass_through_rate: rate,
                    avg_hours_in_stage: mean(&hours),
                }
            })
            .collect();
        let hired: Vec<_> = apps
            .iter()
            .filter(|a| a.status == ApplicationStatus::Hired)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let days: Vec<f64> = hired
            .iter()
            .filter_map(|a| {
                a.closed_at
                    .map(|c| (c - a.created_at).num_seconds() as f64 / 86_400.0)
            })
            .collect();
        let mut source_of_hire = BTreeMap::new();
        for a in &hired {
            *source_of_hire.entry(a.source.clone()).or_insert(0) += 1;
        }
        let mut decline_reasons = BTreeMap::new();
        for a in apps.iter().filter(|a| a.status == ApplicationStatus::Declined) {
            if let Some(r) = a.decline_reason {
                *decline_reasons.entry(r.code().to_owned()).or_insert(0) += 1;
            }
        }
        Ok(HiringReport {
            job_id: job.id,
            applications: i64::try_from(apps.len()).unwrap_or(0),
            stages,
            avg_days_to_hire: mean(&days),
            source_of_hire,
            decline_reasons,
        })
    }
}
