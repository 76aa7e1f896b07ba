//! The Lambda handler: one invocation, from event to report.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::{error, info, warn};

use crate::aws::{Archive, Lightsail, Notifier};
use crate::error::AuditError;
use crate::failure::{codes, Failure};
use crate::plan::{
    plan_scopes, plan_targets, runtime_deadline, Deadline, Limiter, Listed, Location, Scope, ScopePlan,
    Target,
};
use crate::report::{
    compose_notification, metrics_level, report_key, state_key, worth_notifying, write_metrics,
    ArchiveStatus, BucketReport, History, NotificationFailed, Report, State,
};
use crate::request::{is_account_id, AuditRequest, BucketName, Config, INVALID_BUCKET_NAME_MESSAGE};
use crate::rules::{self, Policy};
use crate::text::loggable;

/// Facts about one invocation that do not come from the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The instant every age is measured from; the report's `generatedAt`.
    pub now: DateTime<Utc>,
    /// The function's own account, as the report names it; `None` if unknown.
    pub home_account_id: Option<String>,
    /// When Lambda ends the invocation; `None`: no deadline.
    pub deadline: Option<SystemTime>,
    /// Where the count of buckets done goes, for a progress line; `None`: nowhere.
    pub progress: Option<Arc<Progress>>,
}

/// Buckets done out of the total, counted as the audit goes (the command line's progress).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// (buckets done, buckets to do); the total is 0 until the buckets are known.
    pub fn get(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// Two invocations are the same whatever their progress counters say.
impl PartialEq for Progress {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Progress {}

impl Invocation {
    /// An invocation at `now` in an unknown account.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now,
            home_account_id: None,
            deadline: None,
            progress: None,
        }
    }

    /// Sets when Lambda ends the invocation.
    pub fn ending_at(mut self, deadline: SystemTime) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Names the function's own account.
    pub fn in_account(mut self, account_id: impl Into<String>) -> Self {
        self.home_account_id = Some(account_id.into());
        self
    }
}

/// Where a run's results go beside its caller: people (SNS) and the archive (S3). Each is
/// optional; built once in `main`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outputs<'a> {
    /// The topic for the summary people read.
    pub notifier: Option<&'a Notifier>,
    /// The report archive and its change-tracking state.
    pub archive: Option<&'a Archive>,
}

/// Handles one invocation: the entry point `main` registers with the runtime.
pub async fn handle(
    lightsail: &Lightsail,
    outputs: Outputs<'_>,
    config: &Config,
    event: LambdaEvent<Value>,
) -> Result<Report, AuditError> {
    let mut invocation = Invocation::at(Utc::now());
    // arn:aws:lambda:<region>:<account>:function:<name>: the account is free to read here.
    invocation.home_account_id = event
        .context
        .invoked_function_arn
        .split(':')
        .nth(4)
        .filter(|a| is_account_id(a))
        .map(str::to_owned);
    invocation.deadline = runtime_deadline(event.context.deadline, SystemTime::now());
    if invocation.deadline.is_none() && event.context.deadline > 0 {
        warn!(
            deadline_ms = event.context.deadline,
            "the runtime's deadline is not a time in the invocation's future; running without one"
        );
    }
    invoke(lightsail, outputs, config, &event.payload, &invocation).await
}

/// One whole invocation at `invocation`: the audit, compared with the archive's state, then
/// delivered. Every report, even one that fails the invocation, is delivered first: to the
/// archive, metrics to the log, and the summary to people when there is something to say.
pub async fn invoke(
    lightsail: &Lightsail,
    outputs: Outputs<'_>,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
) -> Result<Report, AuditError> {
    let deadline = Deadline::from_invocation(invocation.deadline, config.deadline_margin);
    // The last run's state is read while the audit runs (one call less on the path); it is
    // read before anything is written, so this run's state is never mistaken for the last's.
    // Boxed: the audit's future is large, and on the stack it would be copied into this one.
    let (history, audited) = tokio::join!(
        read_history(outputs.archive, &deadline),
        Box::pin(audit(lightsail, config, event, invocation, &deadline))
    );
    let (mut report, listed) = audited?;
    let history = comparable(history, &report, config);
    let state_error = match &history {
        History::Unknown(failure) => Some(failure.clone()),
        _ => None,
    };
    let state = report.track(history, &listed);
    let notification = match outputs.archive {
        Some(archive) => {
            let outcome = Outcome { state, state_error };
            // Boxed, as the audit: off the stack of the invocation's future.
            Box::pin(deliver(
                &mut report,
                outputs.notifier,
                archive,
                outcome,
                config,
                invocation,
                &deadline,
            ))
            .await
        }
        None => notify(&report, outputs.notifier, config, invocation, &deadline).await,
    };
    if let Err(e) = write_metrics(
        &mut std::io::stdout().lock(),
        &report,
        config.function_name.as_deref(),
        metrics_level(config.lambda_log_level.as_deref()),
        notification,
    ) {
        error!(error = %e, "could not write the metrics record");
    }
    conclude(report)
}

/// The history to compare with: none for a run whose thresholds differ from the configured
/// ones (an on-demand run with overrides), whose findings are not the schedule's: comparing
/// would report false resolutions and rewrite `firstSeen`.
fn comparable(history: History, report: &Report, config: &Config) -> History {
    match history {
        History::Disabled | History::Unknown(_) => history,
        _ if *report.policy() != config.policy => History::Unknown(Failure::new(
            codes::THRESHOLDS_OVERRIDDEN,
            "this run's thresholds differ from the configured ones: changes are not tracked and the state is left as it is",
        )),
        _ => history,
    }
}

/// The archive's state of open findings, as far as it can be read.
async fn read_history(archive: Option<&Archive>, deadline: &Deadline) -> History {
    let Some(archive) = archive else {
        return History::Disabled;
    };
    match deadline.run(archive.read(&state_key(archive.prefix()))).await {
        Some(Ok(bytes)) => History::from_state(bytes.as_deref()),
        Some(Err(failure)) => History::Unknown(failure),
        None => History::Unknown(Failure::new(
            codes::DEADLINE_EXCEEDED,
            "the state was not read before the invocation's deadline",
        )),
    }
}

/// What change tracking leaves to store: the new state (none over a state that could not be
/// read), and why the state is not advanced, if it is not.
struct Outcome {
    state: Option<State>,
    state_error: Option<Failure>,
}

/// Delivers a run with an archive: the report is written while the summary is published and
/// the state written after it, so a run pays one S3 round trip after the audit rather than
/// two in a row. The copy written first cannot know how the state fared: when that adds a
/// `stateError`, the report is written again, so the archive tells what the caller is told.
/// A failure costs neither the report nor its delivery: it is logged, reported and counted
/// in `ArchiveFailures`.
async fn deliver(
    report: &mut Report,
    notifier: Option<&Notifier>,
    archive: &Archive,
    outcome: Outcome,
    config: &Config,
    invocation: &Invocation,
    deadline: &Deadline,
) -> NotificationFailed {
    let key = report_key(archive.prefix(), report.generated_at());
    let known_error = outcome.state_error.clone();
    report.set_archive(ArchiveStatus::Written {
        key: key.clone(),
        state_error: known_error.clone(),
    });
    let (written, (notification, state_error)) = {
        let report: &Report = report;
        tokio::join!(
            write_json(archive, &key, report, "report", deadline),
            notify_then_store(report, notifier, archive, outcome, config, invocation, deadline)
        )
    };
    if let Some(failure) = &state_error {
        error!(code = %failure.code, error_message = %loggable(&failure.message), "the change-tracking state could not be read or written");
    }
    let status = match written {
        Err(error) => {
            error!(code = %error.code, error_message = %loggable(&error.message), "the report could not be archived");
            ArchiveStatus::Failed { error, state_error }
        }
        Ok(()) => ArchiveStatus::Written { key, state_error },
    };
    let rewrite =
        matches!(&status, ArchiveStatus::Written { state_error, .. } if *state_error != known_error);
    report.set_archive(status);
    if rewrite {
        let key = report_key(archive.prefix(), report.generated_at());
        if let Err(error) = write_json(archive, &key, &*report, "report", deadline).await {
            error!(code = %error.code, error_message = %loggable(&error.message), "the archived report does not show the state's error: it could not be written again");
        }
    }
    notification
}

/// Publishes the summary, then writes the state unless the publish failed: a state that
/// records changes nobody was told of would hide them for good. Returns why the state is not
/// advanced, if it is not.
async fn notify_then_store(
    report: &Report,
    notifier: Option<&Notifier>,
    archive: &Archive,
    outcome: Outcome,
    config: &Config,
    invocation: &Invocation,
    deadline: &Deadline,
) -> (NotificationFailed, Option<Failure>) {
    let notification = notify(report, notifier, config, invocation, deadline).await;
    if let Some(failure) = outcome.state_error {
        return (notification, Some(failure));
    }
    if notification.0 {
        let failure = Failure::new(
            codes::STATE_NOT_ADVANCED,
            "the summary of these changes was not sent, so the state keeps them: the next run reports them again",
        );
        return (notification, Some(failure));
    }
    let Some(state) = outcome.state else {
        return (notification, None);
    };
    let key = state_key(archive.prefix());
    let written = write_json(archive, &key, &state, "state", deadline).await;
    (notification, written.err())
}

/// Serializes `value` and writes it to `key`, within the deadline's end.
async fn write_json<T: serde::Serialize>(
    archive: &Archive,
    key: &str,
    value: &T,
    what: &str,
    deadline: &Deadline,
) -> Result<(), Failure> {
    let body = serde_json::to_vec(value)
        .map_err(|e| Failure::new(codes::INTERNAL_ERROR, format!("{what} not serialized: {e}")))?;
    delivered(deadline.deliver(archive.write(key, body)).await)
}

/// A delivery's outcome; `None` (the deadline came first) as a failure.
fn delivered(outcome: Option<Result<(), Failure>>) -> Result<(), Failure> {
    outcome.unwrap_or_else(|| {
        Err(Failure::new(
            codes::DEADLINE_EXCEEDED,
            "not written: the invocation's deadline came first",
        ))
    })
}

/// Sends the summary to people when there is something to say. A failure is logged and
/// counted in the metrics, never costs the report: the destination still receives it.
async fn notify(
    report: &Report,
    notifier: Option<&Notifier>,
    config: &Config,
    invocation: &Invocation,
    deadline: &Deadline,
) -> NotificationFailed {
    let Some(notifier) = notifier.filter(|_| worth_notifying(report, config.notify_when())) else {
        return NotificationFailed(false);
    };
    // One chat thread per function and account.
    let thread_id = format!(
        "lightsail-key-audit/{}/{}",
        invocation.home_account_id.as_deref().unwrap_or("unknown-account"),
        config.function_name.as_deref().unwrap_or("local")
    );
    let notification = compose_notification(report, &thread_id);
    match deadline
        .deliver(notifier.publish(&notification.subject, &notification.message()))
        .await
    {
        Some(Ok(())) => {
            info!("notification sent");
            NotificationFailed(false)
        }
        Some(Err(e)) => {
            error!(code = %e.code, error_message = %loggable(&e.message), "notification failed");
            NotificationFailed(true)
        }
        None => {
            error!("notification not sent: the invocation's deadline came first");
            NotificationFailed(true)
        }
    }
}

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
    let deadline = Deadline::from_invocation(invocation.deadline, config.deadline_margin);
    conclude(audit(lightsail, config, event, invocation, &deadline).await?.0)
}

/// The report for `event`, and the scopes listed completely; fails only for a malformed
/// request. Buckets not reached before the deadline's cutoff are `SKIPPED`, and the report is
/// returned all the same.
async fn audit(
    lightsail: &Lightsail,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
    deadline: &Deadline,
) -> Result<(Report, Vec<Listed>), AuditError> {
    let request = AuditRequest::from_event(event, config).inspect_err(|error| {
        warn!(error = %error, "invalid request");
    })?;
    let limiter = Limiter::new(config.max_concurrency);
    let home_account_id = home_account(lightsail, invocation, deadline).await;
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

    let policy = request.policy;
    let now = invocation.now;
    // Unordered, so one slow bucket never holds back the calls behind it, and only
    // MAX_CONCURRENCY calls (each a sizeable future) exist at once, whatever the bucket count;
    // report order is restored by index afterwards.
    let progress = invocation.progress.as_deref();
    if let Some(progress) = progress {
        progress.total.store(targets.len(), Ordering::Relaxed);
    }
    let (scopes, limiter, policy) = (&scopes, &limiter, &policy);
    let mut buckets: Vec<(usize, BucketReport)> = stream::iter(targets.into_iter().enumerate())
        .map(|(index, target)| async move {
            let margin = config.deadline_margin;
            let report = audit_target(scopes, target, policy, now, limiter, deadline, margin).await;
            if let Some(progress) = progress {
                progress.done.fetch_add(1, Ordering::Relaxed);
            }
            (index, report)
        })
        .buffer_unordered(limiter.width())
        .collect()
        .await;
    buckets.sort_unstable_by_key(|(index, _)| *index);
    let buckets: Vec<BucketReport> = buckets.into_iter().map(|(_, report)| report).collect();
    let report = Report::new(now, *policy, buckets, scope_errors, &request.suppressions)
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
fn conclude(report: Report) -> Result<Report, AuditError> {
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

async fn audit_target(
    scopes: &[Scope],
    target: Target,
    policy: &Policy,
    now: DateTime<Utc>,
    limiter: &Limiter,
    deadline: &Deadline,
    margin: Duration,
) -> BucketReport {
    let (scope, name) = match target {
        Target::Missing { name, error } => return BucketReport::failed(name, Location::default(), error),
        Target::Fetch { scope, name } => (scope, name),
    };
    let Some(scope) = scopes.get(scope) else {
        // Targets only index scopes that exist; keep the bucket visible even so.
        let error = Failure::new(codes::INTERNAL_ERROR, "no client for this bucket's scope");
        return BucketReport::failed(name, Location::default(), error);
    };
    let location = scope.location.clone();
    let Some(bucket) = BucketName::parse(&name) else {
        let error = Failure::new(codes::INVALID_BUCKET_NAME, INVALID_BUCKET_NAME_MESSAGE);
        return BucketReport::failed(name, location, error);
    };
    match deadline
        .run(limiter.run(scope.client.bucket_access_keys(&bucket)))
        .await
    {
        None => {
            let message = format!(
                "not audited: less than {} ms of the invocation was left (DEADLINE_MARGIN_MS)",
                margin.as_millis()
            );
            let error = Failure::new(codes::DEADLINE_EXCEEDED, message);
            BucketReport::skipped(name, location, error)
        }
        Some(Ok(keys)) => {
            let (findings, keys) = rules::audit_bucket(keys, policy, now);
            BucketReport::audited(name, location, findings, keys)
        }
        Some(Err(error)) => BucketReport::failed(name, location, error),
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
    let findings = &summary.findings;
    info!(
        buckets_requested = summary.buckets_requested,
        buckets_audited = summary.buckets_audited,
        buckets_failed = summary.buckets_failed,
        scope_errors = summary.scope_errors,
        keys = summary.keys,
        active_keys = summary.active_keys,
        keys_with_findings = summary.keys_with_findings,
        stale = findings.stale,
        never_used = findings.never_used,
        rotation_due = findings.rotation_due,
        inactive = findings.inactive,
        multiple_active_keys = findings.multiple_active_keys,
        "audit complete"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(failed: bool) -> Report {
        let location = Location::default();
        let bucket = if failed {
            let error = Failure::new("AccessDeniedException", "no");
            BucketReport::failed("a-b-c".into(), location, error)
        } else {
            BucketReport::audited("a-b-c".into(), location, vec![], vec![])
        };
        Report::new(Utc::now(), Policy::default(), vec![bucket], vec![], &[])
    }

    #[tokio::test]
    async fn a_summary_that_cannot_be_sent_is_counted_for_the_metrics() {
        let (config, deadline) = (Config::default(), Deadline::none());
        let invocation = Invocation::at(Utc::now());
        let (failing, _) = Notifier::answering(403);
        assert_eq!(
            notify(&report(true), Some(&failing), &config, &invocation, &deadline).await,
            NotificationFailed(true)
        );
        let (working, sent) = Notifier::answering(200);
        assert_eq!(
            notify(&report(true), Some(&working), &config, &invocation, &deadline).await,
            NotificationFailed(false)
        );
        // Nothing to say: nothing sent, nothing failed.
        assert_eq!(
            notify(&report(false), Some(&failing), &config, &invocation, &deadline).await,
            NotificationFailed(false)
        );
        assert_eq!(
            notify(&report(true), None, &config, &invocation, &deadline).await,
            NotificationFailed(false)
        );
        assert_eq!(sent(), 1);
    }
}
