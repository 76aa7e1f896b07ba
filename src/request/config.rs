//! The typed settings: [`Config`], read once from the environment, and [`AuditRequest`], one
//! invocation's request. A request starts from the configuration's defaults, and each field
//! it gives replaces one of them; `settings.rs` says which field and variable set which.

use std::time::Duration;

use super::accounts::{AccountSelection, DEFAULT_MEMBER_ROLE_NAME};
use super::remediation::Remediation;
use super::selection::RegionSelection;
use super::suppression::Suppression;
use crate::rules::Policy;

/// Defaults for the limits on time and attempts.
pub(super) const DEFAULT_DEADLINE_MARGIN: Duration = Duration::from_millis(2_000);
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(5_000);
const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_millis(20_000);
const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default bound on concurrent Lightsail calls.
const DEFAULT_MAX_CONCURRENCY: usize = 8;

/// A valid request: what to audit and with which thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditRequest {
    /// Unique names in request order, or `None` to discover every bucket. Not yet checked
    /// against the bucket-name pattern: a bad name fails its own bucket, not the request.
    pub(crate) bucket_names: Option<Vec<String>>,
    pub(crate) regions: RegionSelection,
    /// The accounts to audit.
    pub(crate) accounts: AccountSelection,
    /// The role assumed in accounts given by id or listed by Organizations.
    pub(crate) member_role_name: String,
    /// The external id for accounts that carry none.
    pub(crate) external_id: Option<String>,
    /// Accounts never audited, whatever selects them.
    pub(crate) exclude_account_ids: Vec<String>,
    /// Known exceptions, from the request or else `SUPPRESSIONS_JSON`.
    pub(crate) suppressions: Vec<Suppression>,
    /// Accounts a bucket may be shared with, outside organization mode (where the
    /// organization's accounts are the trusted ones).
    pub(crate) trusted_account_ids: Vec<String>,
    pub(crate) policy: Policy,
}

impl Default for AuditRequest {
    fn default() -> Self {
        Self {
            bucket_names: None,
            regions: RegionSelection::Home,
            accounts: AccountSelection::Home,
            member_role_name: DEFAULT_MEMBER_ROLE_NAME.to_owned(),
            external_id: None,
            exclude_account_ids: Vec::new(),
            suppressions: Vec::new(),
            trusted_account_ids: Vec::new(),
            policy: Policy::default(),
        }
    }
}

/// What a request's sharing is judged against: the organization's accounts, or the listed
/// ones (sorted, none: no trusted accounts known).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum TrustBasis {
    Organization,
    #[default]
    Unnamed,
    Accounts(Vec<String>),
}

impl AuditRequest {
    /// What this request's sharing is judged against; two runs with the same basis judge the
    /// same bucket alike.
    pub(crate) fn trust_basis(&self) -> TrustBasis {
        if self.accounts == AccountSelection::Organization {
            return TrustBasis::Organization;
        }
        let mut accounts = self.trusted_account_ids.clone();
        accounts.sort_unstable();
        if accounts.is_empty() {
            TrustBasis::Unnamed
        } else {
            TrustBasis::Accounts(accounts)
        }
    }
}

/// Defaults and limits that apply to every invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// What a request leaves out: every setting a request may give, as the environment sets
    /// it (`BUCKET_NAMES`, `AUDIT_REGIONS`, `AUDIT_ACCOUNTS`, the thresholds, ...).
    pub(crate) defaults: AuditRequest,
    /// How many Lightsail calls may be in flight at once, across every account and region.
    pub(crate) max_concurrency: usize,
    /// `NOTIFY_TOPIC_ARN`: where the summary for people goes; `None` sends nothing.
    pub(crate) notify_topic_arn: Option<String>,
    /// `NOTIFY_ALWAYS`: also send when there is nothing to report (before `NOTIFY_WHEN`).
    pub(crate) notify_always: bool,
    /// `NOTIFY_WHEN`, if set; see [`Config::notify_when`].
    pub(crate) notify_when: Option<NotifyWhen>,
    /// `REPORT_BUCKET`: where reports are archived and changes tracked; `None`: nowhere.
    pub(crate) report_bucket: Option<String>,
    /// `REPORT_PREFIX`: what goes before every archive key.
    pub(crate) report_prefix: String,
    /// `ARCHIVE_OCSF`: each run also archives its findings as OCSF JSON Lines.
    pub(crate) archive_ocsf: bool,
    /// `SECURITY_HUB=on`: findings are imported into Security Hub, and archived there when
    /// resolved.
    pub(crate) security_hub: bool,
    /// `SECURITY_HUB_REGION`: the one Region every finding is imported into; `None`: each
    /// finding in its bucket's Region.
    pub(crate) security_hub_region: Option<String>,
    /// `AWS_LAMBDA_FUNCTION_NAME` (set by Lambda): the metrics' `FunctionName` dimension.
    pub(crate) function_name: Option<String>,
    /// `AWS_LAMBDA_LOG_LEVEL` (Lambda's `ApplicationLogLevel`): the metrics record carries it,
    /// so that Lambda's log-level filter keeps the record.
    pub(crate) lambda_log_level: Option<String>,
    /// `DEADLINE_MARGIN_MS`: no call starts when less than this is left of the invocation.
    pub(crate) deadline_margin: Duration,
    /// `ATTEMPT_TIMEOUT_MS`: one HTTP attempt, connection included.
    pub(crate) attempt_timeout: Duration,
    /// `OPERATION_TIMEOUT_MS`: one call, all its attempts and backoff included.
    pub(crate) operation_timeout: Duration,
    /// `MAX_ATTEMPTS`: attempts per call (standard retry mode), the first included.
    pub(crate) max_attempts: u32,
    /// `REMEDIATION` and the `REMEDIATE_*` settings: what is done about unused keys.
    pub(crate) remediation: Remediation,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            defaults: AuditRequest::default(),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            notify_topic_arn: None,
            notify_always: false,
            notify_when: None,
            report_bucket: None,
            report_prefix: String::new(),
            archive_ocsf: false,
            security_hub: false,
            security_hub_region: None,
            function_name: None,
            lambda_log_level: None,
            deadline_margin: DEFAULT_DEADLINE_MARGIN,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            remediation: Remediation::default(),
        }
    }
}

impl Config {
    /// The SNS topic for notifications, if one is configured.
    pub fn notify_topic_arn(&self) -> Option<&str> {
        self.notify_topic_arn.as_deref()
    }

    /// The archive's bucket and key prefix, if one is configured.
    pub fn report_archive(&self) -> Option<(&str, &str)> {
        self.report_bucket
            .as_deref()
            .map(|b| (b, self.report_prefix.as_str()))
    }

    /// Whether findings go to Security Hub (`SECURITY_HUB=on`).
    pub fn security_hub(&self) -> bool {
        self.security_hub
    }

    /// When to tell people: `NOTIFY_WHEN`; else `always` for `NOTIFY_ALWAYS=true`; else
    /// `changes` with an archive (it knows what changed) and `findings` without.
    pub(crate) fn notify_when(&self) -> NotifyWhen {
        match (self.notify_when, self.notify_always, &self.report_bucket) {
            (Some(when), _, _) => when,
            (None, true, _) => NotifyWhen::Always,
            (None, false, Some(_)) => NotifyWhen::Changes,
            (None, false, None) => NotifyWhen::Findings,
        }
    }
}

/// `NOTIFY_WHEN`: when a run publishes its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotifyWhen {
    /// New unsuppressed findings, resolved findings, failed or skipped buckets, scope errors,
    /// expired suppressions.
    Changes,
    /// Anything open or failed.
    Findings,
    /// Every run.
    Always,
}
