//! What one invocation carries: the facts that do not come from the event ([`Invocation`]),
//! where its results go ([`Outputs`]), and the one value every step reads ([`Run`]).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, Utc};

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::{Archive, AssumedRole, Lightsail, Notifier, SecurityHub};
use crate::coverage::Listed;
use crate::plan::Deadline;
use crate::report::{Action, Report};
use crate::request::Config;
use crate::request::Suppression;
use crate::rules::FindingCode;

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
    /// Asked before keys are deleted (the command line, at a terminal); `None`: not asked.
    pub(crate) confirm: Option<Arc<dyn ConfirmDeletion>>,
}

/// Asked before remediation deletes keys: the command line's question at a terminal.
pub(crate) trait ConfirmDeletion: fmt::Debug + Send + Sync {
    /// Whether the `due` keys may be deleted; each is still checked at a fresh read first.
    fn confirm(&self, due: &[&Action]) -> bool;
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
            confirm: None,
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

    /// Asks `confirm` before any key is deleted.
    pub(crate) fn confirming_with(mut self, confirm: Arc<dyn ConfirmDeletion>) -> Self {
        self.confirm = Some(confirm);
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

/// What one audit leaves for delivery: the scopes listed completely, and each account's
/// credentials as the audit reached it (for remediation and Security Hub).
#[derive(Clone, Copy)]
pub(super) struct Reached<'a> {
    pub(super) lightsail: &'a Lightsail,
    pub(super) listed: &'a [Listed],
    pub(super) credentials: &'a Credentials,
}

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
    let today = report.generated_at().date_naive();
    judged_otherwise(report, config).or_else(|| {
        (in_force(report.suppressions(), today) != in_force(&config.defaults.suppressions, today))
            .then_some("this run's suppressions differ from the configured ones (SUPPRESSIONS_JSON)")
    })
}

/// How `report` was judged, as a digest: its thresholds and access switches, trusted
/// accounts, suppressions in force, and remediation's codes. The schedule records it in the
/// state; the command line, which reads that state, deletes keys only when its own is alike.
pub(super) fn judgement(report: &Report, config: &Config) -> String {
    let today = report.generated_at().date_naive();
    let judged = format!(
        "{:?}",
        (
            report.policy(),
            report.trust_basis(),
            in_force(report.suppressions(), today),
            &config.remediation.codes,
        )
    );
    // FNV-1a, 64 bits: stable across processes and versions, unlike std's hasher.
    let hash = judged.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// One suppression as far as Security Hub sees it: what it covers, and why.
type InForce<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<BTreeSet<FindingCode>>,
    &'a str,
);

/// What `suppressions` suppress on `today`, and why: in no particular order, expired ones
/// left out, as a set that two lists saying the same compare equal by.
fn in_force(suppressions: &[Suppression], today: NaiveDate) -> BTreeSet<InForce<'_>> {
    suppressions
        .iter()
        .filter(|s| s.active(today))
        .map(|s| {
            let codes = s.codes.as_ref().map(|codes| codes.iter().copied().collect());
            (
                s.access_key_id.as_deref(),
                s.bucket_name.as_deref(),
                codes,
                s.reason.as_str(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn suppression(key: &str, codes: &[FindingCode], expires: (i32, u32, u32)) -> Suppression {
        Suppression {
            access_key_id: Some(key.into()),
            bucket_name: None,
            codes: Some(codes.to_vec()),
            reason: "reviewed".into(),
            expires: NaiveDate::from_ymd_opt(expires.0, expires.1, expires.2).unwrap(),
        }
    }

    fn report(suppressions: &[Suppression]) -> Report {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        Report::new(now, crate::rules::Policy::default(), vec![], vec![], suppressions)
    }

    #[test]
    fn the_same_suppressions_in_another_order_or_with_expired_ones_are_the_schedules() {
        let (a, b) = (FindingCode::Stale, FindingCode::NeverUsed);
        let mut config = Config::default();
        config.defaults.suppressions = vec![
            suppression("AKIA1", &[a, b], (2099, 1, 1)),
            suppression("AKIA2", &[a], (2099, 1, 1)),
        ];
        let reordered = [
            suppression("AKIA2", &[a], (2099, 1, 1)),
            suppression("AKIA1", &[b, a], (2099, 1, 1)),
            suppression("AKIA3", &[a], (2020, 1, 1)),
        ];
        assert_eq!(not_the_schedules(&report(&reordered), &config), None);
        let fewer = [suppression("AKIA1", &[a, b], (2099, 1, 1))];
        assert!(not_the_schedules(&report(&fewer), &config).is_some_and(|why| why.contains("suppressions")));
        let mut other_reason = reordered.clone();
        other_reason[0].reason = "another reason".into();
        assert!(not_the_schedules(&report(&other_reason), &config).is_some());
    }
}
