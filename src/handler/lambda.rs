//! The Lambda adapter: the runtime's event made into an [`Invocation`], and one whole
//! invocation run: the audit, compared with the archive's state, delivered, counted.

use std::time::SystemTime;

use chrono::Utc;
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::{error, warn};

use super::audit::{audit_beside_history, conclude, Audited};
use super::delivery::deliver;
use super::run::{Invocation, Outputs, Reached, Run};
use crate::aws::Lightsail;
use crate::error::AuditError;
use crate::plan::runtime_deadline;
use crate::report::{metrics_level, write_metrics, Report};
use crate::request::{is_account_id, Config};

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
    let run = Run::new(config, invocation, outputs);
    let (
        history,
        Audited {
            mut report,
            listed,
            credentials,
        },
    ) = audit_beside_history(lightsail, &run, event).await?;
    // Boxed, as the audit: off the stack of the invocation's future.
    let reached = Reached {
        lightsail,
        listed: &listed,
        credentials: &credentials,
    };
    let notification = Box::pin(deliver(&mut report, history, reached, &run)).await;
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
