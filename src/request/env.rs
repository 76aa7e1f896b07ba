//! The function's configuration, read once from the environment at start-up.
//!
//! A bad value stops the function at init with an error naming the variable, rather than
//! surfacing later as a confusing audit result.

use std::time::Duration;

use super::accounts::{
    parse_audit_accounts, parse_excluded, parse_external_id, parse_role_name, unique_members,
    AccountSelection, Member, DEFAULT_MEMBER_ROLE_NAME,
};
use super::bucket_name::unique_names;
use super::selection::RegionSelection;
use super::suppression::{self, Suppression};
use crate::error::AuditError;
use crate::rules::{Policy, MAX_THRESHOLD_DAYS, THRESHOLDS};

/// Defaults for the limits on time and attempts.
const DEFAULT_DEADLINE_MARGIN_MS: usize = 2_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS: usize = 5_000;
const DEFAULT_OPERATION_TIMEOUT_MS: usize = 20_000;
const DEFAULT_MAX_ATTEMPTS: usize = 3;

/// Default bound on concurrent Lightsail calls.
const DEFAULT_MAX_CONCURRENCY: usize = 8;
/// Largest `MAX_CONCURRENCY` accepted: beyond it Lightsail throttles rather than goes faster.
const MAX_MAX_CONCURRENCY: usize = 64;

/// Defaults and limits that apply to every invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Thresholds used where the request sets none.
    pub(crate) policy: Policy,
    /// `BUCKET_NAMES`, deduplicated; `None` when unset or empty.
    pub(crate) bucket_names: Option<Vec<String>>,
    /// How many Lightsail calls may be in flight at once, across every account and region.
    pub(crate) max_concurrency: usize,
    /// `AUDIT_REGIONS`; the function's own region when unset.
    pub(crate) regions: RegionSelection,
    /// `AUDIT_ACCOUNTS` (or the older `AUDIT_ROLE_ARNS`): the function's own account when
    /// neither is set.
    pub(crate) accounts: AccountSelection,
    /// `MEMBER_ROLE_NAME`: the role assumed in accounts given by id or listed by Organizations.
    pub(crate) member_role_name: String,
    /// `MEMBER_EXTERNAL_ID`: the external id for accounts that carry none.
    pub(crate) external_id: Option<String>,
    /// `EXCLUDE_ACCOUNT_IDS`: accounts never audited.
    pub(crate) exclude_account_ids: Vec<String>,
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
    /// `AWS_LAMBDA_FUNCTION_NAME` (set by Lambda): the metrics' `FunctionName` dimension.
    pub(crate) function_name: Option<String>,
    /// `AWS_LAMBDA_LOG_LEVEL` (Lambda's `ApplicationLogLevel`): the metrics record carries it,
    /// so that Lambda's log-level filter keeps the record.
    pub(crate) lambda_log_level: Option<String>,
    /// `SUPPRESSIONS_JSON`: standing exceptions, used when the request gives none.
    pub(crate) suppressions: Vec<Suppression>,
    /// `DEADLINE_MARGIN_MS`: no call starts when less than this is left of the invocation.
    pub(crate) deadline_margin: Duration,
    /// `ATTEMPT_TIMEOUT_MS`: one HTTP attempt, connection included.
    pub(crate) attempt_timeout: Duration,
    /// `OPERATION_TIMEOUT_MS`: one call, all its attempts and backoff included.
    pub(crate) operation_timeout: Duration,
    /// `MAX_ATTEMPTS`: attempts per call (standard retry mode), the first included.
    pub(crate) max_attempts: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            bucket_names: None,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            regions: RegionSelection::Home,
            accounts: AccountSelection::Home,
            member_role_name: DEFAULT_MEMBER_ROLE_NAME.to_owned(),
            external_id: None,
            exclude_account_ids: Vec::new(),
            notify_topic_arn: None,
            notify_always: false,
            notify_when: None,
            report_bucket: None,
            report_prefix: String::new(),
            function_name: None,
            lambda_log_level: None,
            suppressions: Vec::new(),
            deadline_margin: ms(DEFAULT_DEADLINE_MARGIN_MS),
            attempt_timeout: ms(DEFAULT_ATTEMPT_TIMEOUT_MS),
            operation_timeout: ms(DEFAULT_OPERATION_TIMEOUT_MS),
            max_attempts: DEFAULT_MAX_ATTEMPTS as u32,
        }
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, AuditError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Some(value),
            Err(std::env::VarError::NotPresent) => None,
            // Not UTF-8: keep it visible so validation names the variable.
            Err(std::env::VarError::NotUnicode(raw)) => Some(raw.to_string_lossy().into_owned()),
        })
    }

    /// Reads the configuration through `lookup`; a blank value counts as unset, since
    /// templates commonly pass empty parameters through.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuditError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut config = Self::default();
        let invalid = |variable, message| AuditError::InvalidConfiguration { variable, message };
        for threshold in THRESHOLDS {
            if let Some(raw) = get(threshold.env) {
                let days = bounded(&raw, 0, MAX_THRESHOLD_DAYS as usize)
                    .map_err(|message| invalid(threshold.env, message))?;
                // In range 0..=3650, so it fits.
                (threshold.set)(&mut config.policy, days as u32);
            }
        }
        for variable in VARIABLES {
            if let Some(raw) = get(variable.name) {
                (variable.set)(&mut config, &raw).map_err(|message| invalid(variable.name, message))?;
            }
        }
        Ok(config)
    }

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

fn ms(millis: usize) -> Duration {
    Duration::from_millis(millis as u64)
}

/// `arn:<partition>:sns:<region>:<12 digits>:<name>`.
fn is_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "sns", region, account, name]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !name.is_empty())
}

/// The non-empty, trimmed items of a comma-separated value.
fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|item| !item.is_empty())
}

/// `raw` as a whole number from `min` to `max`.
fn bounded(raw: &str, min: usize, max: usize) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number from {min} to {max}; got {raw:?}"))
}

/// `raw` as milliseconds from `min` to `max`.
fn millis(raw: &str, min: usize, max: usize) -> Result<Duration, String> {
    bounded(raw, min, max).map(ms)
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

/// An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at
/// each end.
fn is_bucket_name(name: &str) -> bool {
    let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && ends(name.chars().next())
        && ends(name.chars().last())
}

/// A variable the function reads (besides the thresholds), and how its value is stored: an
/// error is the message of `InvalidConfiguration` for that variable.
struct Variable {
    name: &'static str,
    set: fn(&mut Config, &str) -> Result<(), String>,
}

/// Every variable but the thresholds, which come from [`THRESHOLDS`].
const VARIABLES: [Variable; 20] = [
    Variable {
        name: "MAX_CONCURRENCY",
        set: |c, raw| {
            c.max_concurrency = bounded(raw, 1, MAX_MAX_CONCURRENCY)?;
            Ok(())
        },
    },
    Variable {
        name: "BUCKET_NAMES",
        set: |c, raw| {
            let names = unique_names(list(raw))?;
            c.bucket_names = (!names.is_empty()).then_some(names);
            Ok(())
        },
    },
    Variable {
        name: "AUDIT_REGIONS",
        set: |c, raw| {
            c.regions = RegionSelection::parse(list(raw))?;
            Ok(())
        },
    },
    Variable {
        name: "AUDIT_ROLE_ARNS",
        set: |c, raw| {
            let roles = list(raw).map(Member::parse_entry);
            let members = unique_members(roles.collect::<Result<Vec<_>, _>>()?)?;
            if members
                .iter()
                .any(|m| m.role_arn.is_none() || m.external_id.is_some())
            {
                return Err(
                    "must list role ARNs only; account ids and external ids go in AUDIT_ACCOUNTS".into(),
                );
            }
            c.accounts = AccountSelection::Listed(members);
            Ok(())
        },
    },
    // After AUDIT_ROLE_ARNS, which it extends.
    Variable {
        name: "AUDIT_ACCOUNTS",
        set: |c, raw| {
            c.accounts = match (std::mem::take(&mut c.accounts), parse_audit_accounts(raw)?) {
                (AccountSelection::Listed(_), AccountSelection::Organization) => {
                    return Err("is \"organization\": leave AUDIT_ROLE_ARNS empty, every member is reached through MEMBER_ROLE_NAME".into())
                }
                (AccountSelection::Listed(mut roles), AccountSelection::Listed(more)) => {
                    roles.extend(more);
                    AccountSelection::Listed(unique_members(roles)?)
                }
                (_, selection) => selection,
            };
            Ok(())
        },
    },
    Variable {
        name: "MEMBER_ROLE_NAME",
        set: |c, raw| {
            c.member_role_name = parse_role_name(raw.trim())?;
            Ok(())
        },
    },
    Variable {
        name: "MEMBER_EXTERNAL_ID",
        set: |c, raw| {
            c.external_id = Some(parse_external_id(raw.trim())?);
            Ok(())
        },
    },
    Variable {
        name: "EXCLUDE_ACCOUNT_IDS",
        set: |c, raw| {
            c.exclude_account_ids = parse_excluded(list(raw))?;
            Ok(())
        },
    },
    Variable {
        name: "NOTIFY_TOPIC_ARN",
        set: |c, raw| {
            let arn = raw.trim();
            if !is_topic_arn(arn) {
                return Err(format!(
                    "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:audit; got {raw:?}"
                ));
            }
            c.notify_topic_arn = Some(arn.to_owned());
            Ok(())
        },
    },
    Variable {
        name: "NOTIFY_ALWAYS",
        set: |c, raw| {
            c.notify_always = match raw.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(format!("must be true or false; got {raw:?}")),
            };
            Ok(())
        },
    },
    Variable {
        name: "NOTIFY_WHEN",
        set: |c, raw| {
            c.notify_when = Some(match raw.trim().to_ascii_lowercase().as_str() {
                "changes" => NotifyWhen::Changes,
                "findings" => NotifyWhen::Findings,
                "always" => NotifyWhen::Always,
                _ => return Err(format!("must be changes, findings or always; got {raw:?}")),
            });
            Ok(())
        },
    },
    Variable {
        name: "REPORT_BUCKET",
        set: |c, raw| {
            let name = raw.trim();
            if !is_bucket_name(name) {
                return Err(format!(
                    "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens; got {raw:?}"
                ));
            }
            c.report_bucket = Some(name.to_owned());
            Ok(())
        },
    },
    Variable {
        name: "REPORT_PREFIX",
        set: |c, raw| {
            let prefix = raw.trim();
            if prefix.starts_with('/') || prefix.len() > 512 {
                return Err(format!("must be a key prefix such as audits/, not starting with / and at most 512 bytes; got {raw:?}"));
            }
            c.report_prefix = prefix.to_owned();
            Ok(())
        },
    },
    Variable {
        name: "AWS_LAMBDA_FUNCTION_NAME",
        set: |c, raw| {
            c.function_name = Some(raw.trim().to_owned());
            Ok(())
        },
    },
    Variable {
        name: "AWS_LAMBDA_LOG_LEVEL",
        set: |c, raw| {
            c.lambda_log_level = Some(raw.trim().to_owned());
            Ok(())
        },
    },
    Variable {
        name: "DEADLINE_MARGIN_MS",
        set: |c, raw| {
            c.deadline_margin = millis(raw, 0, 600_000)?;
            Ok(())
        },
    },
    Variable {
        name: "ATTEMPT_TIMEOUT_MS",
        set: |c, raw| {
            c.attempt_timeout = millis(raw, 100, 600_000)?;
            Ok(())
        },
    },
    Variable {
        name: "OPERATION_TIMEOUT_MS",
        set: |c, raw| {
            c.operation_timeout = millis(raw, 100, 900_000)?;
            Ok(())
        },
    },
    Variable {
        // At most 10: within 10 the bound is already set by OPERATION_TIMEOUT_MS.
        name: "MAX_ATTEMPTS",
        set: |c, raw| {
            c.max_attempts = bounded(raw, 1, 10)? as u32;
            Ok(())
        },
    },
    Variable {
        name: "SUPPRESSIONS_JSON",
        set: |c, raw| {
            let value: serde_json::Value = serde_json::from_str(raw)
                .map_err(|e| format!("is not JSON ({e}); it must be a JSON list of suppressions"))?;
            c.suppressions = suppression::parse_suppressions(&value, "SUPPRESSIONS_JSON")?;
            Ok(())
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, AuditError> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_gives_the_documented_defaults() {
        assert_eq!(config(&[]).unwrap(), Config::default());
        assert_eq!(Config::default().max_concurrency, 8);
        assert_eq!(Config::default().policy, Policy::default());
    }

    #[test]
    fn every_variable_is_read() {
        let c = config(&[
            ("STALE_AFTER_DAYS", "30"),
            ("NEVER_USED_GRACE_DAYS", " 0 "),
            ("MAX_KEY_AGE_DAYS", "3650"),
            ("MAX_CONCURRENCY", "64"),
            ("BUCKET_NAMES", " media-prod, backups,,media-prod , "),
        ])
        .unwrap();
        assert_eq!(
            c.policy,
            Policy {
                stale_after_days: 30,
                never_used_grace_days: 0,
                max_key_age_days: 3650
            }
        );
        assert_eq!(c.max_concurrency, 64);
        assert_eq!(
            c.bucket_names,
            Some(vec!["media-prod".to_owned(), "backups".to_owned()])
        );
    }

    #[test]
    fn regions_and_roles_are_read() {
        let c = config(&[
            ("AUDIT_REGIONS", "us-east-1, eu-west-2"),
            (
                "AUDIT_ROLE_ARNS",
                "arn:aws:iam::210987654321:role/Audit,arn:aws:iam::123456789012:role/Audit",
            ),
        ])
        .unwrap();
        assert_eq!(
            c.regions,
            RegionSelection::Named(vec!["us-east-1".into(), "eu-west-2".into()])
        );
        assert_eq!(listed(&c), ["210987654321", "123456789012"]);
        assert_eq!(
            config(&[("AUDIT_REGIONS", "all")]).unwrap().regions,
            RegionSelection::All
        );
    }

    fn listed(c: &Config) -> Vec<&str> {
        match &c.accounts {
            AccountSelection::Listed(members) => members.iter().map(|m| m.account_id.as_str()).collect(),
            other => panic!("not a list: {other:?}"),
        }
    }

    #[test]
    fn accounts_and_member_settings_are_read() {
        let c = config(&[
            ("AUDIT_ROLE_ARNS", "arn:aws:iam::210987654321:role/Audit"),
            (
                "AUDIT_ACCOUNTS",
                "111111111111, arn:aws:iam::222222222222:role/Other|ext-2 ,333333333333|ext-3,210987654321",
            ),
            ("MEMBER_ROLE_NAME", "Audit.Role"),
            ("MEMBER_EXTERNAL_ID", "ext-default"),
            ("EXCLUDE_ACCOUNT_IDS", "444444444444,444444444444, 555555555555"),
        ])
        .unwrap();
        assert_eq!(
            listed(&c),
            ["210987654321", "111111111111", "222222222222", "333333333333"],
            "AUDIT_ROLE_ARNS kept, then AUDIT_ACCOUNTS; the first entry of an account wins"
        );
        let AccountSelection::Listed(members) = &c.accounts else {
            unreachable!()
        };
        assert_eq!(members[1].role_arn, None, "by id: the member role name applies");
        assert_eq!(members[2].external_id.as_deref(), Some("ext-2"));
        assert_eq!(members[3].external_id.as_deref(), Some("ext-3"));
        assert_eq!(c.member_role_name, "Audit.Role");
        assert_eq!(c.external_id.as_deref(), Some("ext-default"));
        assert_eq!(c.exclude_account_ids, ["444444444444", "555555555555"]);
        let org = config(&[("AUDIT_ACCOUNTS", " organization ")]).unwrap();
        assert_eq!(org.accounts, AccountSelection::Organization);
        assert_eq!(org.member_role_name, "LightsailKeyAuditMember");
        assert_eq!(Config::default().accounts, AccountSelection::Home);
    }

    #[test]
    fn notification_and_metrics_settings_are_read() {
        let c = config(&[
            (
                "NOTIFY_TOPIC_ARN",
                "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit",
            ),
            ("NOTIFY_ALWAYS", "TRUE"),
            ("AWS_LAMBDA_FUNCTION_NAME", "audit-prod"),
            ("AWS_LAMBDA_LOG_LEVEL", "WARN"),
        ])
        .unwrap();
        assert_eq!(c.lambda_log_level.as_deref(), Some("WARN"));
        assert_eq!(Config::default().lambda_log_level, None);
        assert_eq!(
            c.notify_topic_arn(),
            Some("arn:aws:sns:us-east-1:123456789012:lightsail-key-audit")
        );
        assert!(c.notify_always);
        assert_eq!(c.function_name.as_deref(), Some("audit-prod"));
        assert!(!config(&[("NOTIFY_ALWAYS", "false")]).unwrap().notify_always);
    }

    #[test]
    fn time_limits_and_attempts_are_read() {
        let defaults = Config::default();
        assert_eq!(defaults.deadline_margin, Duration::from_secs(2));
        assert_eq!(
            (defaults.attempt_timeout, defaults.operation_timeout),
            (ms(5_000), ms(20_000))
        );
        assert_eq!(defaults.max_attempts, 3);
        let c = config(&[
            ("DEADLINE_MARGIN_MS", "500"),
            ("ATTEMPT_TIMEOUT_MS", "1500"),
            ("OPERATION_TIMEOUT_MS", "4000"),
            ("MAX_ATTEMPTS", "5"),
        ])
        .unwrap();
        assert_eq!(c.deadline_margin, ms(500));
        assert_eq!((c.attempt_timeout, c.operation_timeout), (ms(1500), ms(4000)));
        assert_eq!(c.max_attempts, 5);
    }

    #[test]
    fn the_archive_and_when_to_notify_are_read_and_checked() {
        let c = config(&[("REPORT_BUCKET", "audit-archive"), ("REPORT_PREFIX", "audits/")]).unwrap();
        assert_eq!(c.report_archive(), Some(("audit-archive", "audits/")));
        assert_eq!(
            c.notify_when(),
            NotifyWhen::Changes,
            "an archive knows what changed"
        );
        assert_eq!(Config::default().notify_when(), NotifyWhen::Findings);
        let always = config(&[("NOTIFY_ALWAYS", "true"), ("REPORT_BUCKET", "audit-archive")]).unwrap();
        assert_eq!(always.notify_when(), NotifyWhen::Always);
        let both = config(&[("NOTIFY_ALWAYS", "true"), ("NOTIFY_WHEN", "findings")]).unwrap();
        assert_eq!(both.notify_when(), NotifyWhen::Findings, "NOTIFY_WHEN wins");
        for (variable, value, expected) in [
            ("REPORT_BUCKET", "Audit_Archive", "must be an S3 bucket name"),
            ("REPORT_BUCKET", "ab", "must be an S3 bucket name"),
            ("REPORT_BUCKET", "-archive", "must be an S3 bucket name"),
            (
                "REPORT_PREFIX",
                "/audits/",
                "must be a key prefix such as audits/, not starting with /",
            ),
            ("NOTIFY_WHEN", "sometimes", "must be changes, findings or always"),
        ] {
            let error = config(&[(variable, value)]).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("environment variable {variable}: {expected}")),
                "{error}"
            );
        }
    }

    #[test]
    fn blank_values_count_as_unset() {
        let c = config(&[
            ("BUCKET_NAMES", " , ,"),
            ("MAX_CONCURRENCY", ""),
            ("STALE_AFTER_DAYS", "  "),
        ])
        .unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn bad_values_name_the_variable_and_the_range() {
        let cases = [
            ("STALE_AFTER_DAYS", "3651", "from 0 to 3650"),
            ("NEVER_USED_GRACE_DAYS", "-1", "from 0 to 3650"),
            ("MAX_KEY_AGE_DAYS", "ninety", "from 0 to 3650"),
            ("MAX_CONCURRENCY", "0", "from 1 to 64"),
            ("MAX_CONCURRENCY", "65", "from 1 to 64"),
            ("MAX_CONCURRENCY", "4.5", "from 1 to 64"),
            ("AUDIT_REGIONS", "us-east-1,Mars", "is not a region name"),
            (
                "AUDIT_ROLE_ARNS",
                "arn:aws:iam::21098765432:role/a",
                "is not an IAM role ARN",
            ),
            ("AUDIT_ROLE_ARNS", "210987654321", "role ARNs only"),
            (
                "AUDIT_ACCOUNTS",
                "21098765432",
                "is not an account id (12 digits)",
            ),
            ("AUDIT_ACCOUNTS", "210987654321|x", "externalId must be 2 to 1224"),
            ("AUDIT_ACCOUNTS", "organisation", "is not an account id"),
            ("MEMBER_ROLE_NAME", "a/b", "must be an IAM role name"),
            ("MEMBER_EXTERNAL_ID", "x", "must be 2 to 1224"),
            ("EXCLUDE_ACCOUNT_IDS", "12345", "is not an account id"),
        ];
        for (variable, value, range) in cases {
            let err = config(&[(variable, value)]).unwrap_err();
            let text = err.to_string();
            assert_eq!(err.error_type(), "InvalidConfiguration");
            assert!(
                text.starts_with(&format!("environment variable {variable}: ")),
                "{text}"
            );
            assert!(text.contains(range), "{text}");
        }
    }

    #[test]
    fn an_organization_does_not_mix_with_role_arns() {
        let err = config(&[
            ("AUDIT_ROLE_ARNS", "arn:aws:iam::210987654321:role/Audit"),
            ("AUDIT_ACCOUNTS", "organization"),
        ])
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "environment variable AUDIT_ACCOUNTS: is \"organization\": leave AUDIT_ROLE_ARNS empty"
            ),
            "{err}"
        );
    }

    #[test]
    fn too_many_bucket_names_is_refused_at_start_up() {
        let names: Vec<String> = (0..1001).map(|i| format!("bucket-{i}")).collect();
        let err = config(&[("BUCKET_NAMES", &names.join(","))]).unwrap_err();
        assert!(err.to_string().contains("BUCKET_NAMES"), "{err}");
        assert!(err.to_string().contains("at most 1000"), "{err}");
    }
}
