//! The report an invocation returns, and what is made of it for people and machines: the
//! suppressions applied, the summary counts, the EMF metrics record, the SNS summary text.

mod archive;
mod bucket;
mod changes;
mod contract;
mod digest;
mod exported;
mod metrics;
mod notification;
mod ocsf;
mod suppress;

pub(crate) use archive::{report_key, state_key, ArchiveStatus};
pub(crate) use bucket::{BucketReport, BucketStatus};
pub(crate) use changes::{History, State};
pub use contract::{FindingCounts, Report, ScopeCounts, Summary};
pub(crate) use digest::{BucketDigest, Digest, Item};
pub(crate) use metrics::{metrics_level, write_metrics, NotificationFailed};
pub(crate) use notification::{compose_notification, worth_notifying};
pub use ocsf::ocsf_lines;
