//! What one invocation carries: the facts that do not come from the event ([`Invocation`]),
//! where its results go ([`Outputs`]), and the one value every step reads ([`Run`]).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;

use crate::aws::{Archive, AssumedRole, Notifier, SecurityHub};
use crate::plan::Deadline;
use crate::report::Report;
use crate::request::Config;

/// Facts about one invocation that do not come from the event.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The instant every age is measured from; the report's `generatedAt`.
    pub now: DateTime<Utc>,
    /// The function's own account, as the report names it; `None` if unknown.
    pub home_account_id: Option<String>,
    /// When Lambda ends the invocation; `None`: no deadline.
    pub deadline: Option<SystemTime>,
    /// Told how many buckets there are and as each is done (the command line's progress line).
    pub(crate) progress: Option<Arc<dyn ProgressSink>>,
}

/// Told of an audit's progress, as it goes ([`Progress`](crate::Progress) counts it for the
/// command line's progress line).
pub trait ProgressSink: fmt::Debug + Send + Sync {
    /// The buckets to audit are known: `total` of them.
    fn planned(&self, total: usize);
    /// One more bucket is done, audited or not.
    fn done(&self);
}

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

    /// Reports the audit's progress to `sink`.
    pub fn reporting_to(mut self, sink: Arc<dyn ProgressSink>) -> Self {
        self.progress = Some(sink);
        self
    }
}

/// Where a run's results go beside its caller: people (SNS), the archive (S3) and Security
/// Hub. Each is optional; built once in `main`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outputs<'a> {
    /// The topic for the summary people read.
    pub notifier: Option<&'a Notifier>,
    /// The report archive and its change-tracking state.
    pub archive: Option<&'a Archive>,
    /// Security Hub, for the findings and their lifecycle (`SECURITY_HUB=on`).
    pub security_hub: Option<&'a SecurityHub>,
}

/// What every step of one invocation reads: its configuration, its facts, where its results
/// go and the deadline they all run under. Built once per invocation, passed by reference.
pub(super) struct Run<'a> {
    pub(super) config: &'a Config,
    pub(super) invocation: &'a Invocation,
    pub(super) outputs: Outputs<'a>,
    pub(super) deadline: Deadline,
}

impl<'a> Run<'a> {
    pub(super) fn new(config: &'a Config, invocation: &'a Invocation, outputs: Outputs<'a>) -> Self {
        Self {
            config,
            invocation,
            outputs,
            deadline: Deadline::from_invocation(invocation.deadline, config.deadline_margin),
        }
    }
}

/// Each account's credentials, as the audit reached it: `None` for the function's own.
pub(super) type Credentials = BTreeMap<String, Option<AssumedRole>>;

/// Why `report` did not judge as the configured run does, if it did not: thresholds or
/// access switches, or trusted accounts (organization mode) other than the configured ones.
/// Such a run's findings are not the schedule's: they are not compared with its history.
pub(super) fn judged_otherwise(report: &Report, config: &Config) -> Option<&'static str> {
    if *report.policy() != config.defaults.policy {
        Some("this run's thresholds or access checks differ from the configured ones")
    } else if *report.trust_basis() != config.defaults.trust_basis() {
        Some("this run judges sharing against other accounts than the configured ones (trustedAccountIds, or organization mode)")
    } else {
        None
    }
}

/// Why `report` may not speak for the schedule in Security Hub, if it may not: judged
/// otherwise, or with other suppressions (which decide what is active there and what is
/// archived).
pub(super) fn not_the_schedules(report: &Report, config: &Config) -> Option<&'static str> {
    judged_otherwise(report, config).or_else(|| {
        (report.suppressions() != config.defaults.suppressions.as_slice())
            .then_some("this run's suppressions differ from the configured ones")
    })
}
