//! One invocation, from event to report: the Lambda adapter (`lambda`: the runtime's event
//! in, one whole invocation out), the audit pipeline (`audit`: request to report) and the
//! delivery of its results (`delivery`: archive, notification, change-tracking state). What
//! every step of an invocation reads travels in one value, [`Run`](run::Run).

mod audit;
mod delivery;
mod hub;
mod lambda;
mod remediate;
mod run;

pub use audit::{run_audit, run_audit_and_remediate, run_audit_to_security_hub};
pub use lambda::{handle, invoke};
pub(crate) use run::ConfirmDeletion;
pub use run::{Invocation, Outputs, ProgressSink};
