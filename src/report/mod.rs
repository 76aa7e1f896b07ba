//! The report an invocation returns, and what is made of it for people and machines: the
//! suppressions applied, the summary counts, the EMF metrics record, the SNS summary text.

mod archive;
mod asff;
mod bucket;
mod changes;
mod contract;
mod digest;
mod exported;
mod hub;
mod hub_summary;
mod metrics;
mod notification;
mod ocsf;
mod remediation;
mod suppress;

pub(crate) use archive::{ocsf_key, report_key, state_key, ArchiveStatus, OcsfStatus};
pub(crate) use asff::{
    archived as archived_finding, asff_document, findings as asff_findings, generator_prefix, product_arn,
};
pub(crate) use bucket::{BucketReport, BucketStatus};
pub(crate) use changes::{History, State};
pub use contract::{FindingCounts, Report, ScopeCounts, Summary};
pub(crate) use digest::{BucketDigest, Digest, Item};
pub(crate) use hub::to_archive;
pub(crate) use hub_summary::{HubError, HubStatus, HubSummary};
pub(crate) use metrics::{metrics_level, write_metrics, NotificationFailed};
pub(crate) use notification::{compose_notification, worth_notifying};
pub use ocsf::ocsf_lines;
pub(crate) use remediation::{Action, ActionStatus, Standing};
