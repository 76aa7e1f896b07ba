//! Every setting, defined once: its environment variable, the request field that overrides it
//! per invocation (if any), and how each raw value is read. The environment parser
//! (`env.rs`) and the event parser (`event.rs`) both read this table, so a new setting is one
//! entry here, its field in [`Config`] or [`AuditRequest`] with its default, and its use.

use serde_json::Value;

use super::accounts::{
    parse_account_ids, parse_accounts, parse_audit_accounts, parse_external_id, parse_role_name,
    unique_members, AccountSelection, Member,
};
use super::bucket_name::unique_names;
use super::config::{AuditRequest, Config, NotifyWhen};
use super::remediation::{parse_after_days, parse_codes, parse_max_keys, RemediationMode};
use super::selection::{is_region_name, RegionSelection};
use super::suppression::parse_suppressions;
use super::values::{
    account_ids, boolean, bounded, bucket_names, checked_text, days, invalid, is_bucket_name, is_topic_arn,
    list, millis, region_selection, switch, threshold,
};
use crate::error::AuditError;
use crate::rules::FindingCode;

/// Largest `MAX_CONCURRENCY` accepted: beyond it Lightsail throttles rather than goes faster.
const MAX_MAX_CONCURRENCY: usize = 64;

/// One setting. An error from a reader is the message of `InvalidConfiguration` (for the
/// variable) or `InvalidRequest` (for the field).
pub(super) struct Setting {
    pub(super) variable: &'static str,
    /// Stores the variable's value (never blank: blank counts as unset).
    pub(super) from_env: fn(&mut Config, &str) -> Result<(), String>,
    /// The request field that overrides the variable; `None`: the environment only.
    pub(super) field: Option<Field>,
}

/// A request field: its name, and how its value (never null: null counts as not given) is
/// stored; `path` names it in messages (`detail.regions`).
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) read: fn(&mut AuditRequest, &Value, &str) -> Result<(), AuditError>,
}

/// The request's fields, in the order messages list them.
pub(super) fn field_names() -> Vec<&'static str> {
    fields().map(|f| f.name).collect()
}

/// The setting a request field sets.
pub(super) fn field(name: &str) -> Option<&'static Field> {
    fields().find(|f| f.name == name)
}

/// Every request field, in table order.
fn fields() -> impl Iterator<Item = &'static Field> {
    SETTINGS.iter().filter_map(|s| s.field.as_ref())
}

/// The switch of one access rule: `CHECK_<CODE>` and `check<Code>`, on by default.
macro_rules! access_switch {
    ($code:ident, $variable:literal, $field:literal) => {
        Setting {
            variable: $variable,
            from_env: |c, raw| {
                c.defaults
                    .policy
                    .access_checks
                    .set(FindingCode::$code, switch(raw)?);
                Ok(())
            },
            field: Some(Field {
                name: $field,
                read: |r, value, path| {
                    r.policy
                        .access_checks
                        .set(FindingCode::$code, boolean(value, path)?);
                    Ok(())
                },
            }),
        }
    };
}

/// Every setting, in the order the environment is read (`AUDIT_ROLE_ARNS` before the
/// `AUDIT_ACCOUNTS` that extends it) and the request's fields are listed.
pub(super) const SETTINGS: &[Setting] = &[
    Setting {
        variable: "BUCKET_NAMES",
        from_env: |c, raw| {
            let names = unique_names(list(raw))?;
            c.defaults.bucket_names = (!names.is_empty()).then_some(names);
            Ok(())
        },
        field: Some(Field {
            name: "bucketNames",
            read: |r, value, path| {
                r.bucket_names = Some(bucket_names(value, path)?);
                Ok(())
            },
        }),
    },
    Setting {
        variable: "AUDIT_REGIONS",
        from_env: |c, raw| {
            c.defaults.regions = RegionSelection::parse(list(raw))?;
            Ok(())
        },
        field: Some(Field {
            name: "regions",
            read: |r, value, path| {
                r.regions = region_selection(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "AUDIT_ROLE_ARNS",
        from_env: |c, raw| {
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
            c.defaults.accounts = AccountSelection::Listed(members);
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "AUDIT_ACCOUNTS",
        from_env: |c, raw| {
            let accounts = &mut c.defaults.accounts;
            *accounts = match (std::mem::take(accounts), parse_audit_accounts(raw)?) {
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
        field: Some(Field {
            name: "accounts",
            read: |r, value, path| {
                r.accounts = parse_accounts(value, path).map_err(invalid)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "MEMBER_ROLE_NAME",
        from_env: |c, raw| {
            c.defaults.member_role_name = parse_role_name(raw.trim())?;
            Ok(())
        },
        field: Some(Field {
            name: "memberRoleName",
            read: |r, value, path| {
                r.member_role_name = checked_text(value, path, parse_role_name)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "MEMBER_EXTERNAL_ID",
        from_env: |c, raw| {
            c.defaults.external_id = Some(parse_external_id(raw.trim())?);
            Ok(())
        },
        field: Some(Field {
            name: "externalId",
            read: |r, value, path| {
                r.external_id = Some(checked_text(value, path, parse_external_id)?);
                Ok(())
            },
        }),
    },
    Setting {
        variable: "EXCLUDE_ACCOUNT_IDS",
        from_env: |c, raw| {
            c.defaults.exclude_account_ids = parse_account_ids(list(raw))?;
            Ok(())
        },
        field: Some(Field {
            name: "excludeAccountIds",
            read: |r, value, path| {
                r.exclude_account_ids = account_ids(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "SUPPRESSIONS_JSON",
        from_env: |c, raw| {
            let value: Value = serde_json::from_str(raw)
                .map_err(|e| format!("is not JSON ({e}); it must be a JSON list of suppressions"))?;
            c.defaults.suppressions = parse_suppressions(&value, "SUPPRESSIONS_JSON")?;
            Ok(())
        },
        field: Some(Field {
            name: "suppressions",
            read: |r, value, path| {
                r.suppressions = parse_suppressions(value, path).map_err(invalid)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "STALE_AFTER_DAYS",
        from_env: |c, raw| {
            c.defaults.policy.stale_after_days = threshold(raw)?;
            Ok(())
        },
        field: Some(Field {
            name: "staleAfterDays",
            read: |r, value, path| {
                r.policy.stale_after_days = days(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "NEVER_USED_GRACE_DAYS",
        from_env: |c, raw| {
            c.defaults.policy.never_used_grace_days = threshold(raw)?;
            Ok(())
        },
        field: Some(Field {
            name: "neverUsedGraceDays",
            read: |r, value, path| {
                r.policy.never_used_grace_days = days(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "MAX_KEY_AGE_DAYS",
        from_env: |c, raw| {
            c.defaults.policy.max_key_age_days = threshold(raw)?;
            Ok(())
        },
        field: Some(Field {
            name: "maxKeyAgeDays",
            read: |r, value, path| {
                r.policy.max_key_age_days = days(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "ACCESS_CHECKS",
        from_env: |c, raw| {
            c.defaults.policy.include_access_checks = switch(raw)?;
            Ok(())
        },
        field: Some(Field {
            name: "includeAccessChecks",
            read: |r, value, path| {
                r.policy.include_access_checks = boolean(value, path)?;
                Ok(())
            },
        }),
    },
    access_switch!(PublicRead, "CHECK_PUBLIC_READ", "checkPublicRead"),
    access_switch!(
        PublicObjectsAllowed,
        "CHECK_PUBLIC_OBJECTS_ALLOWED",
        "checkPublicObjectsAllowed"
    ),
    access_switch!(
        SharedOutsideOrganization,
        "CHECK_SHARED_OUTSIDE_ORGANIZATION",
        "checkSharedOutsideOrganization"
    ),
    access_switch!(
        SharedWithAccounts,
        "CHECK_SHARED_WITH_ACCOUNTS",
        "checkSharedWithAccounts"
    ),
    access_switch!(InstanceAccess, "CHECK_INSTANCE_ACCESS", "checkInstanceAccess"),
    access_switch!(
        AccessLoggingOff,
        "CHECK_ACCESS_LOGGING_OFF",
        "checkAccessLoggingOff"
    ),
    Setting {
        variable: "TRUSTED_ACCOUNT_IDS",
        from_env: |c, raw| {
            c.defaults.trusted_account_ids = parse_account_ids(list(raw))?;
            Ok(())
        },
        field: Some(Field {
            name: "trustedAccountIds",
            read: |r, value, path| {
                r.trusted_account_ids = account_ids(value, path)?;
                Ok(())
            },
        }),
    },
    Setting {
        variable: "MAX_CONCURRENCY",
        from_env: |c, raw| {
            c.max_concurrency = bounded(raw, 1, MAX_MAX_CONCURRENCY)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "NOTIFY_TOPIC_ARN",
        from_env: |c, raw| {
            let arn = raw.trim();
            if !is_topic_arn(arn) {
                return Err(format!(
                    "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:audit; got {raw:?}"
                ));
            }
            c.notify_topic_arn = Some(arn.to_owned());
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "NOTIFY_ALWAYS",
        from_env: |c, raw| {
            c.notify_always = match raw.trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(format!("must be true or false; got {raw:?}")),
            };
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "NOTIFY_WHEN",
        from_env: |c, raw| {
            c.notify_when = Some(match raw.trim().to_ascii_lowercase().as_str() {
                "changes" => NotifyWhen::Changes,
                "findings" => NotifyWhen::Findings,
                "always" => NotifyWhen::Always,
                _ => return Err(format!("must be changes, findings or always; got {raw:?}")),
            });
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REPORT_BUCKET",
        from_env: |c, raw| {
            let name = raw.trim();
            if !is_bucket_name(name) {
                return Err(format!(
                    "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens; got {raw:?}"
                ));
            }
            c.report_bucket = Some(name.to_owned());
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "ARCHIVE_OCSF",
        from_env: |c, raw| {
            c.archive_ocsf = switch(raw)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "SECURITY_HUB",
        from_env: |c, raw| {
            c.security_hub = match raw.trim().to_ascii_lowercase().as_str() {
                "on" => true,
                "off" => false,
                _ => return Err(format!("must be on or off; got {raw:?}")),
            };
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "SECURITY_HUB_REGION",
        from_env: |c, raw| {
            let region = raw.trim();
            if !is_region_name(region) {
                return Err(format!(
                    "must be empty (each finding in its bucket's Region) or one Region such as eu-west-1; got {raw:?}"
                ));
            }
            c.security_hub_region = Some(region.to_owned());
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REPORT_PREFIX",
        from_env: |c, raw| {
            let prefix = raw.trim();
            if prefix.starts_with('/') || prefix.len() > 512 {
                return Err(format!("must be a key prefix such as audits/, not starting with / and at most 512 bytes; got {raw:?}"));
            }
            c.report_prefix = prefix.to_owned();
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REMEDIATION",
        from_env: |c, raw| {
            c.remediation.mode = RemediationMode::parse(raw)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REMEDIATE_CODES",
        from_env: |c, raw| {
            c.remediation.codes = parse_codes(raw)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REMEDIATE_AFTER_DAYS",
        from_env: |c, raw| {
            c.remediation.after_days = parse_after_days(raw)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "REMEDIATE_MAX_KEYS",
        from_env: |c, raw| {
            c.remediation.max_keys = parse_max_keys(raw)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "AWS_LAMBDA_FUNCTION_NAME",
        from_env: |c, raw| {
            c.function_name = Some(raw.trim().to_owned());
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "AWS_LAMBDA_LOG_LEVEL",
        from_env: |c, raw| {
            c.lambda_log_level = Some(raw.trim().to_owned());
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "DEADLINE_MARGIN_MS",
        from_env: |c, raw| {
            c.deadline_margin = millis(raw, 0, 600_000)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "ATTEMPT_TIMEOUT_MS",
        from_env: |c, raw| {
            c.attempt_timeout = millis(raw, 100, 600_000)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        variable: "OPERATION_TIMEOUT_MS",
        from_env: |c, raw| {
            c.operation_timeout = millis(raw, 100, 900_000)?;
            Ok(())
        },
        field: None,
    },
    Setting {
        // At most 10: within 10 the bound is already set by OPERATION_TIMEOUT_MS.
        variable: "MAX_ATTEMPTS",
        from_env: |c, raw| {
            c.max_attempts = bounded(raw, 1, 10)? as u32;
            Ok(())
        },
        field: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row of `page`'s tables: the names in backticks in its first cell, and the row.
    fn rows(page: &str) -> Vec<(Vec<&str>, &str)> {
        page.lines()
            .filter_map(|line| Some((line.strip_prefix('|')?.split('|').next()?, line)))
            .map(|(first, line)| (first.split('`').skip(1).step_by(2).collect(), line))
            .collect()
    }

    #[test]
    fn the_docs_name_every_variable_and_every_request_field_with_its_variable() {
        let configuration = rows(include_str!("../../docs/configuration.md"));
        for setting in SETTINGS {
            assert!(
                configuration
                    .iter()
                    .any(|(names, _)| names.contains(&setting.variable)),
                "docs/configuration.md does not list {}",
                setting.variable
            );
        }
        let request = rows(include_str!("../../docs/request.md"));
        let documented: Vec<&str> = request.iter().flat_map(|(names, _)| names.clone()).collect();
        let fields = field_names();
        for field in &fields {
            assert!(
                documented.contains(field),
                "docs/request.md does not list `{field}`"
            );
        }
        for setting in SETTINGS {
            let Some(field) = &setting.field else { continue };
            let row = request.iter().find(|(names, _)| names.contains(&field.name));
            let env = format!("env `{}`", setting.variable);
            assert!(
                row.is_some_and(|(_, row)| row.contains(&env)),
                "docs/request.md's row for `{}` does not say {env}",
                field.name
            );
        }
    }

    #[test]
    fn every_access_rule_has_its_switch_named_after_its_code() {
        for code in FindingCode::ALL {
            let variable = format!("CHECK_{}", code.as_str());
            let setting = SETTINGS.iter().find(|s| s.variable == variable);
            assert_eq!(setting.is_some(), code.is_access(), "{variable}");
            let Some(field) = setting.and_then(|s| s.field.as_ref()) else {
                continue;
            };
            let camel: String = code
                .as_str()
                .split('_')
                .map(|word| {
                    let lower = word.to_ascii_lowercase();
                    let (first, rest) = lower.split_at(1);
                    format!("{}{rest}", first.to_ascii_uppercase())
                })
                .collect();
            assert_eq!(field.name, format!("check{camel}"));
        }
    }

    #[test]
    fn every_variable_and_field_is_named_once() {
        let mut variables: Vec<&str> = SETTINGS.iter().map(|s| s.variable).collect();
        variables.sort_unstable();
        variables.dedup();
        assert_eq!(variables.len(), SETTINGS.len());
        let mut fields = field_names();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), field_names().len());
    }
}
