//! The audit rules: pure, synchronous functions of a bucket's keys, the policy and `now`.
//!
//! Days are whole days, the floor of elapsed seconds / 86,400, and "more than N" is strictly
//! greater, so a key exactly N days old is still within an N-day threshold.

use chrono::{DateTime, Utc};

use super::finding::{Finding, FindingCode};
use super::key::{AccessKeyRecord, KeyReport, KeyStatus};
use super::policy::Policy;

const SECONDS_PER_DAY: i64 = 86_400;

/// Whole days from `then` to `now`. A time in the future (clock skew) counts as 0 days.
pub(crate) fn whole_days(then: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - then).num_seconds().div_euclid(SECONDS_PER_DAY).max(0)
}

/// Audits one bucket: bucket-level findings and one entry per key, in the order given.
pub(crate) fn audit_bucket(
    keys: Vec<AccessKeyRecord>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> (Vec<Finding>, Vec<KeyReport>) {
    let active: Vec<&str> = keys
        .iter()
        .filter(|k| k.status == Some(KeyStatus::Active))
        .map(|k| k.access_key_id.as_deref().unwrap_or("(no id)"))
        .collect();
    let bucket_findings = multiple_active_keys(&active).into_iter().collect();
    let keys = keys.into_iter().map(|k| audit_key(k, policy, now)).collect();
    (bucket_findings, keys)
}

/// `MULTIPLE_ACTIVE_KEYS` for a bucket whose Active keys are `active`, if it has two or more.
pub(crate) fn multiple_active_keys(active: &[&str]) -> Option<Finding> {
    (active.len() >= 2).then(|| {
        Finding::new(
            FindingCode::MultipleActiveKeys,
            format!(
                "{} active keys ({}); expected at most 1 outside a rotation",
                active.len(),
                active.join(", ")
            ),
        )
    })
}

/// Audits one key against every key-level rule.
pub(crate) fn audit_key(key: AccessKeyRecord, policy: &Policy, now: DateTime<Utc>) -> KeyReport {
    let age_days = key.created_at.map(|t| whole_days(t, now));
    let days_since_last_use = key.last_used.as_ref().map(|u| whole_days(u.date, now));
    let mut findings = Vec::new();

    match key.status {
        Some(KeyStatus::Active) => {
            match (days_since_last_use, age_days) {
                (Some(days), _) if days > i64::from(policy.stale_after_days) => {
                    findings.push(Finding::new(
                        FindingCode::Stale,
                        format!("last used {days} days ago; threshold {}", policy.stale_after_days),
                    ));
                }
                (None, Some(age)) if age > i64::from(policy.never_used_grace_days) => {
                    findings.push(Finding::new(
                        FindingCode::NeverUsed,
                        format!(
                            "never used; created {age} days ago; grace period {} days",
                            policy.never_used_grace_days
                        ),
                    ));
                }
                _ => {}
            }
            if let Some(age) = age_days.filter(|age| *age > i64::from(policy.max_key_age_days)) {
                findings.push(Finding::new(
                    FindingCode::RotationDue,
                    format!(
                        "created {age} days ago; rotation due after {} days",
                        policy.max_key_age_days
                    ),
                ));
            }
        }
        Some(KeyStatus::Inactive) => {
            let message = match age_days {
                Some(age) => format!("status Inactive; created {age} days ago"),
                None => "status Inactive".to_owned(),
            };
            findings.push(Finding::new(FindingCode::Inactive, message));
        }
        Some(KeyStatus::Other(_)) | None => {}
    }

    let (last_used_date, last_used_region, last_used_service) = match key.last_used {
        Some(u) => (Some(u.date), u.region, u.service),
        None => (None, None, None),
    };
    KeyReport {
        access_key_id: key.access_key_id,
        status: key.status,
        created_at: key.created_at,
        age_days,
        last_used_date,
        days_since_last_use,
        last_used_region,
        last_used_service,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::LastUse;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap()
    }

    /// An instant exactly `days` days (plus `secs` seconds) before `now`.
    fn ago(days: i64, secs: i64) -> DateTime<Utc> {
        now() - Duration::days(days) - Duration::seconds(secs)
    }

    fn key(status: KeyStatus, created: DateTime<Utc>, used: Option<DateTime<Utc>>) -> AccessKeyRecord {
        AccessKeyRecord {
            access_key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            status: Some(status),
            created_at: Some(created),
            last_used: used.map(|date| LastUse {
                date,
                region: Some("us-east-1".into()),
                service: Some("s3".into()),
            }),
        }
    }

    fn codes(report: &KeyReport) -> Vec<FindingCode> {
        report.findings.iter().map(|f| f.code).collect()
    }

    fn audit(k: AccessKeyRecord) -> KeyReport {
        audit_key(k, &Policy::default(), now())
    }

    #[test]
    fn whole_days_floors_and_never_goes_negative() {
        assert_eq!(whole_days(ago(0, 0), now()), 0);
        assert_eq!(whole_days(ago(0, 86_399), now()), 0);
        assert_eq!(whole_days(ago(1, 0), now()), 1);
        assert_eq!(whole_days(ago(45, 86_399), now()), 45);
        assert_eq!(whole_days(now() + Duration::days(3), now()), 0);
        assert_eq!(whole_days(now() - Duration::milliseconds(1), now()), 0);
    }

    #[test]
    fn stale_fires_only_past_the_threshold() {
        // 45 days and 23:59:59 is still 45 whole days: not more than 45.
        let at_threshold = audit(key(KeyStatus::Active, ago(10, 0), Some(ago(45, 86_399))));
        assert_eq!(codes(&at_threshold), vec![]);
        assert_eq!(at_threshold.days_since_last_use, Some(45));

        let past = audit(key(KeyStatus::Active, ago(50, 0), Some(ago(46, 0))));
        assert_eq!(codes(&past), vec![FindingCode::Stale]);
        assert_eq!(past.findings[0].message, "last used 46 days ago; threshold 45");
    }

    #[test]
    fn never_used_fires_only_past_the_grace_period() {
        let within = audit(key(KeyStatus::Active, ago(7, 86_399), None));
        assert_eq!(codes(&within), vec![]);
        let past = audit(key(KeyStatus::Active, ago(8, 0), None));
        assert_eq!(codes(&past), vec![FindingCode::NeverUsed]);
        assert_eq!(
            past.findings[0].message,
            "never used; created 8 days ago; grace period 7 days"
        );
        assert_eq!(past.last_used_date, None);
        assert_eq!(past.days_since_last_use, None);
    }

    #[test]
    fn rotation_due_fires_only_past_the_maximum_age() {
        let at_max = audit(key(KeyStatus::Active, ago(90, 86_399), Some(ago(1, 0))));
        assert_eq!(codes(&at_max), vec![]);
        assert_eq!(at_max.age_days, Some(90));
        let past = audit(key(KeyStatus::Active, ago(91, 0), Some(ago(1, 0))));
        assert_eq!(codes(&past), vec![FindingCode::RotationDue]);
        assert_eq!(
            past.findings[0].message,
            "created 91 days ago; rotation due after 90 days"
        );
    }

    #[test]
    fn a_key_can_carry_several_codes() {
        let stale_and_old = audit(key(KeyStatus::Active, ago(200, 0), Some(ago(100, 0))));
        assert_eq!(
            codes(&stale_and_old),
            vec![FindingCode::Stale, FindingCode::RotationDue]
        );
        assert_eq!(
            stale_and_old.findings[0].message,
            "last used 100 days ago; threshold 45"
        );
        let never_used_and_old = audit(key(KeyStatus::Active, ago(120, 0), None));
        assert_eq!(
            codes(&never_used_and_old),
            vec![FindingCode::NeverUsed, FindingCode::RotationDue]
        );
    }

    #[test]
    fn an_inactive_key_gets_inactive_and_nothing_else() {
        let report = audit(key(KeyStatus::Inactive, ago(400, 0), Some(ago(300, 0))));
        assert_eq!(codes(&report), vec![FindingCode::Inactive]);
        assert_eq!(
            report.findings[0].message,
            "status Inactive; created 400 days ago"
        );
        let never_used = audit(key(KeyStatus::Inactive, ago(400, 0), None));
        assert_eq!(codes(&never_used), vec![FindingCode::Inactive]);
    }

    #[test]
    fn zero_thresholds_flag_anything_a_day_old() {
        let policy = Policy {
            stale_after_days: 0,
            never_used_grace_days: 0,
            max_key_age_days: 0,
            ..Policy::default()
        };
        let fresh = audit_key(key(KeyStatus::Active, ago(0, 86_399), None), &policy, now());
        assert_eq!(codes(&fresh), vec![]);
        let day_old = audit_key(key(KeyStatus::Active, ago(1, 0), Some(ago(1, 0))), &policy, now());
        assert_eq!(
            codes(&day_old),
            vec![FindingCode::Stale, FindingCode::RotationDue]
        );
    }

    #[test]
    fn unknown_status_and_missing_dates_never_fire_a_rule_they_cannot_decide() {
        let mut odd = key(KeyStatus::Other("Suspended".into()), ago(500, 0), None);
        assert_eq!(codes(&audit(odd.clone())), vec![]);
        odd.status = None;
        assert_eq!(codes(&audit(odd)), vec![]);

        let mut undated = key(KeyStatus::Active, ago(0, 0), None);
        undated.created_at = None;
        let report = audit(undated);
        assert_eq!(codes(&report), vec![]);
        assert_eq!(report.age_days, None);
    }

    #[test]
    fn multiple_active_keys_is_a_bucket_finding_naming_the_keys() {
        let mut second = key(KeyStatus::Active, ago(2, 0), Some(ago(1, 0)));
        second.access_key_id = Some("AKIASECONDKEY0000000".into());
        let first = key(KeyStatus::Active, ago(2, 0), Some(ago(1, 0)));
        let inactive = key(KeyStatus::Inactive, ago(2, 0), None);

        let (findings, keys) = audit_bucket(vec![first.clone(), inactive.clone()], &Policy::default(), now());
        assert!(findings.is_empty(), "one active key is fine");
        assert_eq!(keys.len(), 2);

        let (findings, keys) = audit_bucket(vec![first, second], &Policy::default(), now());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, FindingCode::MultipleActiveKeys);
        assert_eq!(
            findings[0].message,
            "2 active keys (AKIAIOSFODNN7EXAMPLE, AKIASECONDKEY0000000); expected at most 1 outside a rotation"
        );
        assert!(keys.iter().all(|k| k.findings.is_empty()));
        assert_eq!(keys[1].access_key_id.as_deref(), Some("AKIASECONDKEY0000000"));
    }

    #[test]
    fn a_bucket_with_no_keys_has_no_findings() {
        let (findings, keys) = audit_bucket(vec![], &Policy::default(), now());
        assert!(findings.is_empty() && keys.is_empty());
    }
}
