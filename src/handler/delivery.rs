//! Delivery of a finished report: compared with the archive's change-tracking state, written
//! to the archive, its summary published to people, and the state advanced, in the order
//! that never loses a change: nothing that cannot be read is overwritten, and the state does
//! not advance past a summary nobody received.

use tracing::{error, info};

use super::hub::export;
use super::remediate::remediate;
use super::run::{judged_otherwise, judgement, Reached, Run};
use crate::aws::Archive;
use crate::failure::{codes, Failure};
use crate::report::{
    compose_notification, ocsf_key, ocsf_lines, report_key, state_key, worth_notifying, ArchiveStatus,
    History, NotificationFailed, OcsfStatus, Report, State,
};
use crate::request::{Config, RemediationMode};
use crate::text::loggable;

/// The archive's state of open findings, as far as it can be read.
pub(super) async fn read_history(run: &Run<'_>) -> History {
    let Some(archive) = run.outputs.archive else {
        return History::Disabled;
    };
    match run.deadline.run(archive.read(&state_key(archive.prefix()))).await {
        Some(Ok(bytes)) => History::from_state(bytes.as_deref()),
        Some(Err(failure)) => History::Unknown(failure),
        None => History::Unknown(Failure::new(
            codes::DEADLINE_EXCEEDED,
            "the state was not read before the invocation's deadline",
        )),
    }
}

/// Remediates as configured (its plan drawn from the state before this run), tracks
/// `report`'s changes against `history`, exports it to Security Hub when configured, then
/// delivers it: to the archive when there is one, and its summary to people when there is
/// something to say. Says whether the summary failed, for the metrics.
pub(super) async fn deliver(
    report: &mut Report,
    history: History,
    reached: Reached<'_>,
    run: &Run<'_>,
) -> NotificationFailed {
    let history = comparable(history, report, run.config);
    let announces = run.outputs.archive.is_some();
    remediate(report, &history, reached, announces, run).await;
    let Reached {
        lightsail: _,
        listed,
        credentials,
    } = reached;
    let state_error = match &history {
        History::Unknown(failure) => Some(failure.clone()),
        _ => None,
    };
    let state = report.track(history, listed);
    // With remediation on, the state records how this run judged, for the command line.
    let state = match run.config.remediation.mode {
        RemediationMode::Off => state,
        _ => state.map(|state| state.judged_as(judgement(report, run.config))),
    };
    if let Some(hub) = run.outputs.security_hub {
        let summary = export(report, listed, hub, credentials, run).await;
        report.set_security_hub(summary);
    }
    match run.outputs.archive {
        Some(archive) => archive_and_notify(report, archive, Outcome { state, state_error }, run).await,
        None => notify(report, run).await,
    }
}

/// The history to compare with: none for a run whose thresholds, access switches or trusted
/// accounts differ from the configured ones (an on-demand run with overrides), whose findings
/// are not the schedule's: comparing would report false resolutions and rewrite `firstSeen`.
pub(super) fn comparable(history: History, report: &Report, config: &Config) -> History {
    match history {
        History::Disabled | History::Unknown(_) => history,
        _ => match judged_otherwise(report, config) {
            Some(why) => History::Unknown(Failure::new(
                codes::THRESHOLDS_OVERRIDDEN,
                format!("{why}: changes are not tracked and the state is left as it is"),
            )),
            None => history,
        },
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
/// `stateError` (or the OCSF lines, written beside it, fail), the report is written again, so
/// the archive tells what the caller is told.
/// A failure costs neither the report nor its delivery: it is logged, reported and counted
/// in `ArchiveFailures`.
async fn archive_and_notify(
    report: &mut Report,
    archive: &Archive,
    outcome: Outcome,
    run: &Run<'_>,
) -> NotificationFailed {
    let key = report_key(archive.prefix(), report.generated_at());
    let known_error = outcome.state_error.clone();
    let ocsf_key = run
        .config
        .archive_ocsf
        .then(|| ocsf_key(archive.prefix(), report.generated_at()));
    let planned_ocsf = ocsf_key.clone().map(|key| OcsfStatus { key, error: None });
    report.set_archive(ArchiveStatus::Written {
        key: key.clone(),
        state_error: known_error.clone(),
        ocsf: planned_ocsf.clone(),
    });
    let (written, (notification, state_error), ocsf) = {
        let report: &Report = report;
        tokio::join!(
            write_json(archive, &key, report, "report", run),
            notify_then_store(report, archive, outcome, run),
            write_ocsf(report, archive, ocsf_key, run)
        )
    };
    if let Some(failure) = &state_error {
        error!(code = %failure.code, error_message = %loggable(&failure.message), "the change-tracking state could not be read or written");
    }
    let status = match written {
        Err(error) => {
            error!(code = %error.code, error_message = %loggable(&error.message), "the report could not be archived");
            ArchiveStatus::Failed {
                error,
                state_error,
                ocsf,
            }
        }
        Ok(()) => ArchiveStatus::Written {
            key,
            state_error,
            ocsf,
        },
    };
    let rewrite = matches!(&status, ArchiveStatus::Written { state_error, ocsf, .. }
        if *state_error != known_error || *ocsf != planned_ocsf);
    report.set_archive(status);
    if rewrite {
        let key = report_key(archive.prefix(), report.generated_at());
        if let Err(error) = write_json(archive, &key, &*report, "report", run).await {
            error!(code = %error.code, error_message = %loggable(&error.message), "the archived report does not show the state's or the OCSF lines' error: it could not be written again");
        }
    }
    notification
}

/// Publishes the summary, then writes the state unless the publish failed: a state that
/// records changes nobody was told of would hide them for good. Returns why the state is not
/// advanced, if it is not.
async fn notify_then_store(
    report: &Report,
    archive: &Archive,
    outcome: Outcome,
    run: &Run<'_>,
) -> (NotificationFailed, Option<Failure>) {
    let notification = notify(report, run).await;
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
    let written = write_json(archive, &key, &state, "state", run).await;
    (notification, written.err())
}

/// Writes the report's findings as OCSF JSON Lines to `key` (none: `ARCHIVE_OCSF` is off);
/// what `summary.archive.ocsf` says of it.
async fn write_ocsf(
    report: &Report,
    archive: &Archive,
    key: Option<String>,
    run: &Run<'_>,
) -> Option<OcsfStatus> {
    let key = key?;
    let body = ocsf_lines(report).into_bytes();
    let written = run
        .deadline
        .deliver(archive.write(&key, body))
        .await
        .unwrap_or_else(|| {
            Err(Failure::new(
                codes::DEADLINE_EXCEEDED,
                "not written: the invocation's deadline came first",
            ))
        });
    let error = written.err();
    if let Some(failure) = &error {
        error!(code = %failure.code, error_message = %loggable(&failure.message), "the OCSF lines could not be archived");
    }
    Some(OcsfStatus { key, error })
}

/// Serializes `value` and writes it to `key`, within the deadline's end.
async fn write_json<T: serde::Serialize>(
    archive: &Archive,
    key: &str,
    value: &T,
    what: &str,
    run: &Run<'_>,
) -> Result<(), Failure> {
    let body = serde_json::to_vec(value)
        .map_err(|e| Failure::new(codes::INTERNAL_ERROR, format!("{what} not serialized: {e}")))?;
    run.deadline
        .deliver(archive.write(key, body))
        .await
        .unwrap_or_else(|| {
            Err(Failure::new(
                codes::DEADLINE_EXCEEDED,
                "not written: the invocation's deadline came first",
            ))
        })
}

/// Sends the summary to people when there is something to say. A failure is logged and
/// counted in the metrics, never costs the report: the destination still receives it.
async fn notify(report: &Report, run: &Run<'_>) -> NotificationFailed {
    let Some(notifier) = run
        .outputs
        .notifier
        .filter(|_| worth_notifying(report, run.config.notify_when()))
    else {
        return NotificationFailed(false);
    };
    // One chat thread per function and account.
    let thread_id = format!(
        "lightsail-key-audit/{}/{}",
        run.invocation
            .home_account_id
            .as_deref()
            .unwrap_or("unknown-account"),
        run.config.function_name.as_deref().unwrap_or("local")
    );
    let notification = compose_notification(report, &thread_id);
    match run
        .deadline
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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::aws::Notifier;
    use crate::coverage::Location;
    use crate::handler::run::{Invocation, Outputs};
    use crate::report::BucketReport;
    use crate::rules::Policy;

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

    /// Whether `report`'s summary failed, published through `notifier`.
    async fn notified(report: &Report, notifier: Option<&Notifier>) -> NotificationFailed {
        let (config, invocation) = (Config::default(), Invocation::at(Utc::now()));
        let outputs = Outputs {
            notifier,
            archive: None,
            security_hub: None,
        };
        notify(report, &Run::new(&config, &invocation, outputs)).await
    }

    #[tokio::test]
    async fn a_summary_that_cannot_be_sent_is_counted_for_the_metrics() {
        let (failing, _) = Notifier::answering(403);
        assert_eq!(
            notified(&report(true), Some(&failing)).await,
            NotificationFailed(true)
        );
        let (working, sent) = Notifier::answering(200);
        assert_eq!(
            notified(&report(true), Some(&working)).await,
            NotificationFailed(false)
        );
        // Nothing to say: nothing sent, nothing failed.
        assert_eq!(
            notified(&report(false), Some(&failing)).await,
            NotificationFailed(false)
        );
        assert_eq!(notified(&report(true), None).await, NotificationFailed(false));
        assert_eq!(sent(), 1);
    }
}
