//! The report an invocation returns, and what is made of it for people and machines: the
//! suppressions applied, the summary counts, the EMF metrics record, the SNS summary text.

mod bucket;
mod contract;
mod metrics;
mod notification;
mod suppress;

pub(crate) use bucket::BucketReport;
pub use contract::{FindingCounts, Report, ScopeCounts, Summary};
pub(crate) use metrics::{metrics_level, write_metrics, NotificationFailed};
pub(crate) use notification::{compose_notification, worth_notifying};
