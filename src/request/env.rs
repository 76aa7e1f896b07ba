//! The function's configuration, read once from the environment at start-up, through the
//! settings table.
//!
//! A bad value stops the function at init with an error naming the variable, rather than
//! surfacing later as a confusing audit result.

use super::config::Config;
use super::remediation::RemediationMode;
use super::settings::SETTINGS;
use crate::error::AuditError;

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
        let mut config = Self::default();
        for setting in SETTINGS {
            let Some(raw) = lookup(setting.variable).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            (setting.from_env)(&mut config, &raw).map_err(|message| AuditError::InvalidConfiguration {
                variable: setting.variable,
                message,
            })?;
        }
        config.needs_the_archive()?;
        Ok(config)
    }

    /// Refuses settings that need the archive without one: the OCSF lines are archived
    /// beside the report, and remediation's deletion dates are kept in the archive's
    /// change-tracking state. Remediation needs the topic too: a date is announced to people.
    fn needs_the_archive(&self) -> Result<(), AuditError> {
        let remediates = self.remediation.mode != RemediationMode::Off;
        if remediates && self.report_bucket.is_some() && self.notify_topic_arn.is_none() {
            return Err(AuditError::InvalidConfiguration {
                variable: "REMEDIATION",
                message: format!(
                    "is {}, but NOTIFY_TOPIC_ARN is not set: a key is deleted only on a date announced to people in the summary, which goes to the topic. Set NOTIFY_TOPIC_ARN, or REMEDIATION=off",
                    self.remediation.mode.as_str()
                ),
            });
        }
        if self.report_bucket.is_some() {
            return Ok(());
        }
        if self.archive_ocsf {
            return Err(AuditError::InvalidConfiguration {
                variable: "ARCHIVE_OCSF",
                message: "is true, but REPORT_BUCKET is not set: the OCSF lines are archived beside the report. Set REPORT_BUCKET, or ARCHIVE_OCSF=false".into(),
            });
        }
        if self.remediation.mode != RemediationMode::Off {
            return Err(AuditError::InvalidConfiguration {
                variable: "REMEDIATION",
                message: format!(
                    "is {}, but REPORT_BUCKET is not set: a key is deleted only REMEDIATE_AFTER_DAYS after its finding was first seen, which the archive's change-tracking state records. Set REPORT_BUCKET, or REMEDIATION=off",
                    self.remediation.mode.as_str()
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::request::config::NotifyWhen;
    use crate::request::{AccountSelection, RegionSelection};
    use crate::rules::{AccessSwitches, FindingCode, Policy};

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn config(vars: &[(&str, &str)]) -> Result<Config, AuditError> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_gives_the_documented_defaults() {
        assert_eq!(config(&[]).unwrap(), Config::default());
        assert_eq!(Config::default().max_concurrency, 8);
        assert_eq!(Config::default().defaults.policy, Policy::default());
    }

    #[test]
    fn every_variable_is_read() {
        let c = config(&[
            ("STALE_AFTER_DAYS", "30"),
            ("NEVER_USED_GRACE_DAYS", " 0 "),
            ("MAX_KEY_AGE_DAYS", "3650"),
            ("MAX_CONCURRENCY", "64"),
            ("BUCKET_NAMES", " media-prod, backups,,media-prod , "),
            ("ACCESS_CHECKS", "FALSE"),
            ("CHECK_PUBLIC_READ", " false "),
            ("CHECK_ACCESS_LOGGING_OFF", "true"),
            ("TRUSTED_ACCOUNT_IDS", "444455556666, 210987654321"),
        ])
        .unwrap();
        let mut access_checks = AccessSwitches::default();
        access_checks.set(FindingCode::PublicRead, false);
        assert_eq!(
            c.defaults.policy,
            Policy {
                stale_after_days: 30,
                never_used_grace_days: 0,
                max_key_age_days: 3650,
                include_access_checks: false,
                access_checks,
            }
        );
        assert_eq!(c.defaults.trusted_account_ids, ["444455556666", "210987654321"]);
        assert_eq!(c.max_concurrency, 64);
        assert_eq!(
            c.defaults.bucket_names,
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
            c.defaults.regions,
            RegionSelection::Named(vec!["us-east-1".into(), "eu-west-2".into()])
        );
        assert_eq!(listed(&c), ["210987654321", "123456789012"]);
        assert_eq!(
            config(&[("AUDIT_REGIONS", "all")]).unwrap().defaults.regions,
            RegionSelection::All
        );
    }

    fn listed(c: &Config) -> Vec<&str> {
        match &c.defaults.accounts {
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
        let AccountSelection::Listed(members) = &c.defaults.accounts else {
            unreachable!()
        };
        assert_eq!(members[1].role_arn, None, "by id: the member role name applies");
        assert_eq!(members[2].external_id.as_deref(), Some("ext-2"));
        assert_eq!(members[3].external_id.as_deref(), Some("ext-3"));
        assert_eq!(c.defaults.member_role_name, "Audit.Role");
        assert_eq!(c.defaults.external_id.as_deref(), Some("ext-default"));
        assert_eq!(c.defaults.exclude_account_ids, ["444444444444", "555555555555"]);
        let org = config(&[("AUDIT_ACCOUNTS", " organization ")]).unwrap();
        assert_eq!(org.defaults.accounts, AccountSelection::Organization);
        assert_eq!(org.defaults.member_role_name, "LightsailKeyAuditMember");
        assert_eq!(Config::default().defaults.accounts, AccountSelection::Home);
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
    fn security_hub_and_ocsf_are_off_unless_switched_on() {
        let off = config(&[]).unwrap();
        assert!(!off.security_hub && off.security_hub_region.is_none() && !off.archive_ocsf);
        let on = config(&[
            ("SECURITY_HUB", "ON"),
            ("SECURITY_HUB_REGION", " eu-west-1 "),
            ("ARCHIVE_OCSF", "true"),
            ("REPORT_BUCKET", "audit-archive"),
        ])
        .unwrap();
        assert!(on.security_hub && on.archive_ocsf);
        assert_eq!(on.security_hub_region.as_deref(), Some("eu-west-1"));
        let per_bucket = config(&[("SECURITY_HUB", "on"), ("SECURITY_HUB_REGION", "")]).unwrap();
        assert!(
            per_bucket.security_hub_region.is_none(),
            "empty: each bucket's Region"
        );
    }

    #[test]
    fn bad_values_name_the_variable_and_the_range() {
        let cases = [
            ("REPORT_BUCKET", "Audit_Archive", "must be an S3 bucket name"),
            ("REPORT_BUCKET", "ab", "must be an S3 bucket name"),
            ("REPORT_BUCKET", "-archive", "must be an S3 bucket name"),
            ("REPORT_PREFIX", "/audits/", "not starting with /"),
            ("NOTIFY_WHEN", "sometimes", "must be changes, findings or always"),
            ("STALE_AFTER_DAYS", "3651", "from 0 to 3650"),
            ("NEVER_USED_GRACE_DAYS", "-1", "from 0 to 3650"),
            ("MAX_KEY_AGE_DAYS", "ninety", "from 0 to 3650"),
            ("MAX_CONCURRENCY", "0", "from 1 to 64"),
            ("MAX_CONCURRENCY", "65", "from 1 to 64"),
            ("MAX_CONCURRENCY", "4.5", "from 1 to 64"),
            ("AUDIT_REGIONS", "us-east-1,Mars", "is not a region name"),
            ("AUDIT_ROLE_ARNS", "arn:aws:iam::2:role/a", "not an IAM role ARN"),
            ("AUDIT_ROLE_ARNS", "210987654321", "role ARNs only"),
            ("AUDIT_ACCOUNTS", "21098765432", "not an account id (12 digits)"),
            ("AUDIT_ACCOUNTS", "210987654321|x", "externalId must be 2 to 1224"),
            ("AUDIT_ACCOUNTS", "organisation", "is not an account id"),
            ("MEMBER_ROLE_NAME", "a/b", "must be an IAM role name"),
            ("MEMBER_EXTERNAL_ID", "x", "must be 2 to 1224"),
            ("EXCLUDE_ACCOUNT_IDS", "12345", "is not an account id"),
            ("SECURITY_HUB", "yes", "must be on or off"),
            ("SECURITY_HUB_REGION", "Europe", "or one Region such as eu-west-1"),
            ("ARCHIVE_OCSF", "1", "must be true or false"),
            ("ARCHIVE_OCSF", "true", "but REPORT_BUCKET is not set"),
            ("REMEDIATION", "on", "must be off, plan or delete"),
            ("REMEDIATION", "plan", "is plan, but REPORT_BUCKET is not set"),
            ("REMEDIATION", "delete", "Set REPORT_BUCKET, or REMEDIATION=off"),
            (
                "REMEDIATE_CODES",
                "ROTATION_DUE",
                "names ROTATION_DUE, which is never acted on",
            ),
            ("REMEDIATE_AFTER_DAYS", "0", "from 1 to 365"),
            ("REMEDIATE_MAX_KEYS", "0", "from 1 to 100"),
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
    fn remediation_is_off_by_default_and_read_with_the_archive() {
        use crate::request::{Remediation, RemediationMode};
        assert_eq!(config(&[]).unwrap().remediation, Remediation::default());
        let c = config(&[
            ("REMEDIATION", "delete"),
            ("REMEDIATE_CODES", "STALE"),
            ("REMEDIATE_AFTER_DAYS", "30"),
            ("REMEDIATE_MAX_KEYS", "2"),
            ("REPORT_BUCKET", "audit-archive"),
            ("NOTIFY_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:audit"),
        ])
        .unwrap();
        let expected = Remediation {
            mode: RemediationMode::Delete,
            codes: vec![FindingCode::Stale],
            after_days: 30,
            max_keys: 2,
        };
        assert_eq!(c.remediation, expected);
        let silent = config(&[("REMEDIATION", "plan"), ("REPORT_BUCKET", "audit-archive")]).unwrap_err();
        assert!(
            silent
                .to_string()
                .contains("is plan, but NOTIFY_TOPIC_ARN is not set"),
            "{silent}"
        );
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
