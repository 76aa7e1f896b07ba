//! Remediation, as `REMEDIATION` (or `--remediate`) asks: the plan drawn from the report and
//! the state before this run, then, in `delete` mode, each due key checked at a fresh read of
//! its bucket and deleted, one at a time, at most `REMEDIATE_MAX_KEYS` per run and never past
//! the deadline. `DeleteBucketAccessKey` cannot be undone, so every doubt skips.

use std::time::Duration;

use tracing::{info, warn};

use super::run::{judgement, not_the_schedules, Credentials, Reached, Run};
use crate::aws::{AssumedRole, Lightsail};
use crate::report::{Action, ActionStatus, History, Report, Standing};
use crate::request::{BucketName, RemediationMode};
use crate::rules::refusal;
use crate::text::loggable;

/// Plans remediation for `report` against `history` (the state before this run) and, in
/// `delete` mode, deletes the due keys that pass every check; records every action in the
/// report.
/// `announces`: this run writes the change-tracking state, which keeps the deletion dates
/// it announces (the function with its archive; never the command line).
pub(super) async fn remediate(
    report: &mut Report,
    history: &History,
    reached: Reached<'_>,
    announces: bool,
    run: &Run<'_>,
) {
    let Reached {
        lightsail,
        credentials,
        ..
    } = reached;
    let settings = &run.config.remediation;
    // The command line judges by its own environment: it acts only when that judges as the
    // schedule's last run did.
    let unlike_the_schedule = || {
        let read_only = !announces && matches!(history, History::Known(_));
        (read_only && history.judged_as() != Some(judgement(report, run.config).as_str())).then_some(
            "this run's thresholds, trusted accounts, suppressions or REMEDIATE_CODES differ from the function's last scheduled run (as the archive's state records it): run it with the function's environment",
        )
    };
    let standing = Standing {
        barred: not_the_schedules(report, run.config).or_else(unlike_the_schedule),
        announces,
    };
    let mut actions = report.plan_remediation(history, settings, standing);
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
        let Some(region) = action.location.region.as_deref() else {
            return (ActionStatus::Skipped, "its bucket's Region is not known".into());
        };
        let Some(bucket) = BucketName::parse(&action.bucket_name) else {
            return (
                ActionStatus::Skipped,
                "its bucket's name is not a Lightsail bucket name".into(),
            );
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::coverage::Location;
    use crate::handler::run::{ConfirmDeletion, Invocation, Outputs};
    use crate::report::{BucketReport, Standing};
    use crate::request::{Config, Remediation};
    use crate::rules::{FindingCode, KeyReport, Policy};

    const KEY: &str = "AKIAIDLEKEY000000001";

    fn at(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap() + Duration::days(day)
    }

    /// An audit on `day` of one bucket whose one key is INACTIVE.
    fn report(day: i64) -> Report {
        let key = KeyReport {
            status: Some(crate::rules::KeyStatus::Inactive),
            ..KeyReport::sample(KEY, &[FindingCode::Inactive])
        };
        let bucket = BucketReport::audited("media-prod".into(), Location::home(), vec![], vec![key]);
        Report::new(at(day), Policy::default(), vec![bucket], vec![], &[])
    }

    fn config() -> Config {
        Config {
            remediation: Remediation {
                mode: RemediationMode::Delete,
                ..Remediation::default()
            },
            ..Config::default()
        }
    }

    /// The state a scheduled run on day 0 leaves: the key's deletion announced for day 14.
    fn announced() -> History {
        let config = config();
        let mut first = report(0);
        let standing = Standing {
            barred: None,
            announces: true,
        };
        let actions = first.plan_remediation(&History::FirstRun, &config.remediation, standing);
        first.set_remediation(&config.remediation, actions);
        History::Known(first.track(History::FirstRun, &[]).unwrap())
    }

    #[derive(Debug)]
    struct Answer(bool);

    impl ConfirmDeletion for Answer {
        fn confirm(&self, due: &[&Action]) -> bool {
            assert_eq!(due.len(), 1);
            self.0
        }
    }

    /// Day 15's run with the answer `yes`: the statuses, and the (reads, deletions) made.
    async fn day_15(yes: bool) -> (Vec<ActionStatus>, (usize, usize)) {
        let (lightsail, calls) = Lightsail::holding_keys(json!([
            {"accessKeyId": KEY, "status": "Inactive", "createdAt": at(-200).timestamp()}
        ]));
        let config = config();
        let invocation = Invocation::at(at(15)).confirming_with(Arc::new(Answer(yes)));
        let run = Run::new(&config, &invocation, Outputs::default());
        let credentials: Credentials = [("123456789012".to_owned(), None)].into_iter().collect();
        let reached = Reached {
            lightsail: &lightsail,
            listed: &[],
            credentials: &credentials,
        };
        let mut report = report(15);
        remediate(&mut report, &announced(), reached, true, &run).await;
        let statuses = report.remediation().actions.iter().map(|a| a.status).collect();
        (statuses, calls())
    }

    #[tokio::test]
    async fn a_deletion_not_confirmed_reads_and_deletes_nothing() {
        assert_eq!(day_15(false).await, (vec![ActionStatus::Planned], (0, 0)));
        assert_eq!(day_15(true).await, (vec![ActionStatus::Deleted], (1, 1)));
    }
}
