//! The audit pipeline, from request to report: the event validated into a request, the scopes
//! and buckets planned, every bucket's keys read (at most `MAX_CONCURRENCY` at once, within
//! the deadline) and judged by the rules, and the outcome logged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use tracing::{info, warn};

use super::run::{Invocation, Outputs, Run};
use crate::aws::Lightsail;
use crate::coverage::{Listed, Location};
use crate::error::AuditError;
use crate::failure::{codes, Failure};
use crate::plan::{plan_scopes, plan_targets, Deadline, Limiter, Scope, ScopePlan, Target};
use crate::report::{BucketReport, FindingCounts, Report};
use crate::request::{AuditRequest, BucketName, Config, INVALID_BUCKET_NAME_MESSAGE};
use crate::rules::{self, Policy};
use crate::text::loggable;

/// Audits what `event` asks for.
///
/// Fails only for a malformed request, or when not one bucket could be audited; any other
/// failure is reported in its bucket's entry or in `scopeErrors`.
pub async fn run_audit(
    lightsail: &Lightsail,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
) -> Result<Report, AuditError> {
    let run = Run::new(config, invocation, Outputs::default());
    conclude(audit(lightsail, &run, event).await?.0)
}

/// The report for `event`, and the scopes listed completely; fails only for a malformed
/// request. Buckets not reached before the deadline's cutoff are `SKIPPED`, and the report is
/// returned all the same.
pub(super) async fn audit(
    lightsail: &Lightsail,
    run: &Run<'_>,
    event: &Value,
) -> Result<(Report, Vec<Listed>), AuditError> {
    let request = AuditRequest::from_event(event, run.config).inspect_err(|error| {
        warn!(error = %error, "invalid request");
    })?;
    let limiter = Limiter::new(run.config.max_concurrency);
    let deadline = &run.deadline;
    let home_account_id = home_account(lightsail, run.invocation, deadline).await;
    let ScopePlan {
        scopes,
        errors: mut scope_errors,
        organization,
    } = Box::pin(plan_scopes(
        lightsail,
        &request,
        home_account_id.as_deref(),
        &limiter,
        deadline,
    ))
    .await;
    let (targets, listed) = plan_targets(
        &scopes,
        request.bucket_names,
        &limiter,
        deadline,
        &mut scope_errors,
    )
    .await;
    let auditor = Auditor {
        scopes: &scopes,
        policy: request.policy,
        now: run.invocation.now,
        limiter: &limiter,
        deadline,
        margin: run.config.deadline_margin,
    };
    let buckets = auditor.audit_all(targets, run.invocation).await;
    let report = Report::new(
        auditor.now,
        auditor.policy,
        buckets,
        scope_errors,
        &request.suppressions,
    )
    .with_organization(organization);
    log_outcome(&report);
    Ok((report, listed))
}

/// The function's own account: from its ARN, else asked of STS (once per process: under
/// cargo lambda or from a terminal, where there is no ARN). Unknown only if STS cannot say.
async fn home_account(lightsail: &Lightsail, invocation: &Invocation, deadline: &Deadline) -> Option<String> {
    if let Some(id) = &invocation.home_account_id {
        return Some(id.clone());
    }
    match deadline.run(lightsail.caller_account()).await {
        Some(Ok(id)) => id,
        Some(Err(failure)) => {
            warn!(code = %failure.code, error_message = %loggable(&failure.message), "the function's own account is unknown: its buckets carry a null accountId");
            None
        }
        None => None,
    }
}

/// The invocation's result: the report, unless not one bucket could be audited.
pub(super) fn conclude(report: Report) -> Result<Report, AuditError> {
    let summary = report.summary();
    if summary.buckets_audited == 0 {
        if let Some((subject, code, message)) = report.first_failure() {
            return Err(AuditError::AuditFailed {
                requested: summary.buckets_requested,
                failed: summary.buckets_failed,
                scopes_failed: summary.scope_errors,
                subject,
                code: code.to_owned(),
                message: message.to_owned(),
            });
        }
    }
    Ok(report)
}

/// What reading and judging one bucket needs, the same for every bucket of a run.
struct Auditor<'a> {
    scopes: &'a [Scope],
    policy: Policy,
    now: DateTime<Utc>,
    limiter: &'a Limiter,
    deadline: &'a Deadline,
    margin: Duration,
}

impl Auditor<'_> {
    /// Every target's entry, in target order. Unordered while running, so one slow bucket
    /// never holds back the calls behind it, and only MAX_CONCURRENCY calls (each a sizeable
    /// future) exist at once, whatever the bucket count; order is restored by index after.
    async fn audit_all(&self, targets: Vec<Target>, invocation: &Invocation) -> Vec<BucketReport> {
        let progress = invocation.progress.as_deref();
        if let Some(progress) = progress {
            progress.planned(targets.len());
        }
        let mut buckets: Vec<(usize, BucketReport)> = stream::iter(targets.into_iter().enumerate())
            .map(|(index, target)| async move {
                let report = self.audit_target(target).await;
                if let Some(progress) = progress {
                    progress.done();
                }
                (index, report)
            })
            .buffer_unordered(self.limiter.width())
            .collect()
            .await;
        buckets.sort_unstable_by_key(|(index, _)| *index);
        buckets.into_iter().map(|(_, report)| report).collect()
    }

    /// One target's entry: its keys judged, or why it could not be audited.
    async fn audit_target(&self, target: Target) -> BucketReport {
        let (scope, name) = match target {
            Target::Missing { name, error } => return BucketReport::failed(name, Location::default(), error),
            Target::Fetch { scope, name } => (scope, name),
        };
        let Some(scope) = self.scopes.get(scope) else {
            // Targets only index scopes that exist; keep the bucket visible even so.
            let error = Failure::new(codes::INTERNAL_ERROR, "no client for this bucket's scope");
            return BucketReport::failed(name, Location::default(), error);
        };
        let location = scope.location.clone();
        let Some(bucket) = BucketName::parse(&name) else {
            let error = Failure::new(codes::INVALID_BUCKET_NAME, INVALID_BUCKET_NAME_MESSAGE);
            return BucketReport::failed(name, location, error);
        };
        match self
            .deadline
            .run(self.limiter.run(scope.client.bucket_access_keys(&bucket)))
            .await
        {
            None => {
                let message = format!(
                    "not audited: less than {} ms of the invocation was left (DEADLINE_MARGIN_MS)",
                    self.margin.as_millis()
                );
                let error = Failure::new(codes::DEADLINE_EXCEEDED, message);
                BucketReport::skipped(name, location, error)
            }
            Some(Ok(keys)) => {
                let (findings, keys) = rules::audit_bucket(keys, &self.policy, self.now);
                BucketReport::audited(name, location, findings, keys)
            }
            Some(Err(error)) => BucketReport::failed(name, location, error),
        }
    }
}

/// One WARN per failed scope and bucket, then one INFO with the summary counts.
fn log_outcome(report: &Report) {
    for error in report.scope_errors() {
        warn!(
            account = ?error.location.account_id,
            region = ?error.location.region,
            code = %error.failure.code,
            error_message = %loggable(&error.failure.message),
            "scope audit failed"
        );
    }
    for bucket in report.buckets() {
        if let Some(error) = &bucket.error {
            warn!(
                bucket = %loggable(&bucket.bucket_name),
                account = ?bucket.location.account_id,
                region = ?bucket.location.region,
                code = %error.code,
                error_message = %loggable(&error.message),
                "bucket audit failed"
            );
        }
    }
    let summary = report.summary();
    let FindingCounts {
        stale,
        never_used,
        rotation_due,
        inactive,
        multiple_active_keys,
    } = &summary.findings;
    info!(
        buckets_requested = summary.buckets_requested,
        buckets_audited = summary.buckets_audited,
        buckets_failed = summary.buckets_failed,
        scope_errors = summary.scope_errors,
        keys = summary.keys,
        active_keys = summary.active_keys,
        keys_with_findings = summary.keys_with_findings,
        stale,
        never_used,
        rotation_due,
        inactive,
        multiple_active_keys,
        "audit complete"
    );
}
