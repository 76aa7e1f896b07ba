//! Remediation, as `REMEDIATION` (or `--remediate`) asks: the plan drawn from the report and
//! the state before this run, then, in `delete` mode, each due key checked at a fresh read of
//! its bucket and deleted, one at a time, at most `REMEDIATE_MAX_KEYS` per run and never past
//! the deadline. `DeleteBucketAccessKey` cannot be undone, so every doubt skips.

use std::time::Duration;

use tracing::{info, warn};

use super::run::{not_the_schedules, Credentials, Run};
use crate::aws::{AssumedRole, Lightsail};
use crate::report::{Action, ActionStatus, History, Report};
use crate::request::{BucketName, RemediationMode};
use crate::rules::refusal;
use crate::text::loggable;

/// Plans remediation for `report` against `history` (the state before this run) and, in
/// `delete` mode, deletes the due keys that pass every check; records every action in the
/// report.
pub(super) async fn remediate(
    report: &mut Report,
    history: &History,
    lightsail: &Lightsail,
    credentials: &Credentials,
    run: &Run<'_>,
) {
    let settings = &run.config.remediation;
    let barred = not_the_schedules(report, run.config);
    let mut actions = report.plan_remediation(history, settings, barred);
    if settings.mode == RemediationMode::Delete {
        if confirmed(&actions, run) {
            let deleter = Deleter {
                lightsail,
                credentials,
                run,
                report,
            };
            deleter.delete_due(&mut actions).await;
        } else {
            let now = run.invocation.now;
            for action in actions.iter_mut().filter(|a| a.is_due(now)) {
                action.conclude(
                    ActionStatus::Planned,
                    "eligible, but the deletion was not confirmed: nothing was deleted",
                );
            }
        }
    }
    report.set_remediation(settings, actions);
}

/// Whether the due keys may be deleted: always, unless someone is asked (the command line)
/// and says no.
fn confirmed(actions: &[Action], run: &Run<'_>) -> bool {
    let now = run.invocation.now;
    let due: Vec<&Action> = actions.iter().filter(|a| a.is_due(now)).collect();
    match (&run.invocation.confirm, due.is_empty()) {
        (Some(confirm), false) => confirm.confirm(&due),
        _ => true,
    }
}

/// What deleting reads: the clients, each account's credentials, the run and the report.
struct Deleter<'a> {
    lightsail: &'a Lightsail,
    credentials: &'a Credentials,
    run: &'a Run<'a>,
    report: &'a Report,
}

impl Deleter<'_> {
    /// Each due action in order: deferred past `REMEDIATE_MAX_KEYS` calls or when the time
    /// left cannot cover a re-read and a deletion; else checked and deleted.
    async fn delete_due(&self, actions: &mut [Action]) {
        let now = self.run.invocation.now;
        let max_keys = self.run.config.remediation.max_keys;
        // A fresh read and a deletion, each at most one operation timeout.
        let needed = self.run.config.operation_timeout.saturating_mul(2);
        let mut calls = 0;
        for action in actions.iter_mut().filter(|a| a.is_due(now)) {
            if calls >= max_keys {
                action.conclude(
                    ActionStatus::Deferred,
                    format!("REMEDIATE_MAX_KEYS ({max_keys}) deletions were tried this run: it waits for the next"),
                );
            } else if !self.run.deadline.covers(needed) {
                action.conclude(ActionStatus::Deferred, deadline_reason(needed));
            } else {
                let (status, reason) = self.delete_one(action).await;
                calls += usize::from(matches!(status, ActionStatus::Deleted | ActionStatus::Failed));
                log_outcome(action, status, &reason);
                action.conclude(status, reason);
            }
        }
    }

    /// One due key: read its bucket's keys again, check, delete.
    async fn delete_one(&self, action: &Action) -> (ActionStatus, String) {
        let (Some(region), Some(bucket)) = (
            action.location.region.as_deref(),
            BucketName::parse(&action.bucket_name),
        ) else {
            return (ActionStatus::Skipped, "its bucket's Region is not known".into());
        };
        let Ok(role) = self.role(action) else {
            return (
                ActionStatus::Skipped,
                "this run holds no credentials for its account".into(),
            );
        };
        let client = self.lightsail.region_client(role, region);
        let fresh = match self.run.deadline.run(client.bucket_access_keys(&bucket)).await {
            None => return (ActionStatus::Deferred, deadline_reason(Duration::ZERO)),
            Some(Err(failure)) => {
                let why = format!(
                    "its bucket's keys could not be read again ({}: {}): nothing is deleted without a fresh read",
                    failure.code,
                    loggable(&failure.message)
                );
                return (ActionStatus::Skipped, why);
            }
            Some(Ok(keys)) => keys,
        };
        let policy = self.report.policy();
        if let Some(why) = refusal(&fresh, &action.seen(), policy, self.run.invocation.now) {
            return (ActionStatus::Skipped, why);
        }
        let deleted = client.delete_bucket_access_key(&bucket, &action.access_key_id);
        match self.run.deadline.run(deleted).await {
            Some(Ok(())) => (ActionStatus::Deleted, format!("deleted: {} and unchanged at a fresh read", action.code.as_str())),
            Some(Err(failure)) => (
                ActionStatus::Failed,
                format!("{}: {}", failure.code, loggable(&failure.message)),
            ),
            None => (
                ActionStatus::Failed,
                "DeadlineExceeded: Lightsail did not answer before the invocation's deadline; the next run's audit shows whether the key is gone".into(),
            ),
        }
    }

    /// The credentials for the action's account: the function's own (`None`) for its own
    /// account or an unknown one; an error for an account this run did not reach.
    fn role(&self, action: &Action) -> Result<Option<&AssumedRole>, ()> {
        match &action.location.account_id {
            None => Ok(None),
            Some(id) => self.credentials.get(id).map(Option::as_ref).ok_or(()),
        }
    }
}

fn deadline_reason(needed: Duration) -> String {
    format!(
        "not started: less than {} ms of the invocation was left before DEADLINE_MARGIN_MS, too little for a fresh read and a deletion; it waits for the next run",
        needed.as_millis()
    )
}

fn log_outcome(action: &Action, status: ActionStatus, reason: &str) {
    let (bucket, key, code) = (&action.bucket_name, &action.access_key_id, action.code.as_str());
    let account = action.location.account_id.as_deref().unwrap_or("unknown");
    match status {
        ActionStatus::Deleted => {
            warn!(
                account,
                bucket,
                access_key_id = key,
                code,
                "deleted a bucket access key (remediation)"
            );
        }
        ActionStatus::Failed => {
            warn!(
                account,
                bucket,
                access_key_id = key,
                code,
                reason,
                "a remediation deletion failed"
            );
        }
        _ => info!(
            account,
            bucket,
            access_key_id = key,
            code,
            status = status.as_str(),
            reason,
            "remediation did not delete a key"
        ),
    }
}
