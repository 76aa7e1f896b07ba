//! Whether a key may be deleted now: the checks a fresh read of its bucket's keys must pass
//! before `DeleteBucketAccessKey`, which cannot be undone. Pure, like every rule: the keys
//! as read again, what the audit saw, the policy and `now`.

use chrono::{DateTime, Utc};

use super::audit::{audit_key, whole_days};
use super::finding::FindingCode;
use super::key::{AccessKeyRecord, KeyStatus};
use super::policy::Policy;

/// What the audit saw of a key it found a remediable finding on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) code: FindingCode,
    /// When the audit's read said the key was last used.
    pub(crate) last_used: Option<DateTime<Utc>>,
}

/// Why the key `seen` describes must not be deleted, judged on `fresh` (the bucket's keys
/// read again just now); `None`: every check holds and it may be deleted.
pub(crate) fn refusal(
    fresh: &[AccessKeyRecord],
    seen: &Seen<'_>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<String> {
    let Some(key) = fresh
        .iter()
        .find(|k| k.access_key_id.as_deref() == Some(seen.access_key_id))
    else {
        return Some("the key no longer exists".into());
    };
    let last_used = key.last_used.as_ref().map(|u| u.date);
    if last_used != seen.last_used {
        return Some(format!(
            "used since the audit read it: lastUsed was {}, is now {}",
            describe(seen.last_used),
            describe(last_used)
        ));
    }
    if let Some(days) = last_used.map(|date| whole_days(date, now)) {
        if days <= i64::from(policy.stale_after_days) {
            return Some(format!(
                "used {days} days ago, within staleAfterDays ({}): a key in use is never deleted",
                policy.stale_after_days
            ));
        }
    }
    let judged = audit_key(key.clone(), policy, now);
    if !judged.findings.iter().any(|f| f.code == seen.code) {
        return Some(format!(
            "no longer {} under the current thresholds",
            seen.code.as_str()
        ));
    }
    let active = fresh
        .iter()
        .filter(|k| k.status == Some(KeyStatus::Active))
        .count();
    if key.status == Some(KeyStatus::Active) && active == 1 && seen.code != FindingCode::NeverUsed {
        return Some(
            "the bucket's only Active key: deleting it could cut off the clients that hold it; only a NEVER_USED key is deleted when it is the only one"
                .into(),
        );
    }
    None
}

fn describe(time: Option<DateTime<Utc>>) -> String {
    time.map_or_else(|| "never".to_owned(), |t| t.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::LastUse;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap()
    }

    fn days_ago(days: i64) -> DateTime<Utc> {
        now() - Duration::days(days)
    }

    fn key(id: &str, status: KeyStatus, used_days_ago: Option<i64>) -> AccessKeyRecord {
        AccessKeyRecord {
            access_key_id: Some(id.into()),
            status: Some(status),
            created_at: Some(days_ago(400)),
            last_used: used_days_ago.map(|d| LastUse {
                date: days_ago(d),
                region: None,
                service: None,
            }),
        }
    }

    fn seen(id: &str, code: FindingCode, used_days_ago: Option<i64>) -> Seen<'_> {
        Seen {
            access_key_id: id,
            code,
            last_used: used_days_ago.map(days_ago),
        }
    }

    fn check(fresh: &[AccessKeyRecord], seen: &Seen<'_>) -> Option<String> {
        refusal(fresh, seen, &Policy::default(), now())
    }

    #[test]
    fn a_key_that_still_qualifies_may_be_deleted() {
        let fresh = [
            key("AKIA1", KeyStatus::Active, Some(100)),
            key("AKIA2", KeyStatus::Active, Some(1)),
            key("AKIA3", KeyStatus::Inactive, None),
        ];
        assert_eq!(check(&fresh, &seen("AKIA1", FindingCode::Stale, Some(100))), None);
        assert_eq!(check(&fresh, &seen("AKIA3", FindingCode::Inactive, None)), None);
    }

    #[test]
    fn a_key_gone_since_the_audit_is_not_deleted() {
        let fresh = [key("AKIA2", KeyStatus::Active, Some(1))];
        let why = check(&fresh, &seen("AKIA1", FindingCode::Inactive, None)).unwrap();
        assert!(why.contains("no longer exists"), "{why}");
    }

    #[test]
    fn a_key_used_between_the_audit_and_the_re_read_is_not_deleted() {
        // Still stale by the thresholds (used 60 days ago, not 100): the change alone refuses.
        let fresh = [
            key("AKIA1", KeyStatus::Active, Some(60)),
            key("AKIA2", KeyStatus::Active, Some(1)),
        ];
        let why = check(&fresh, &seen("AKIA1", FindingCode::Stale, Some(100))).unwrap();
        assert!(why.starts_with("used since the audit read it"), "{why}");
        let first_use = [
            key("AKIA3", KeyStatus::Active, Some(400)),
            key("AKIA1", KeyStatus::Active, Some(300)),
        ];
        let why = check(&first_use, &seen("AKIA1", FindingCode::NeverUsed, None)).unwrap();
        assert!(why.contains("lastUsed was never"), "{why}");
    }

    #[test]
    fn a_key_used_within_stale_after_days_is_never_deleted() {
        // An Inactive key used 10 days ago, as the audit saw it: INACTIVE, but in use.
        let fresh = [key("AKIA1", KeyStatus::Inactive, Some(10))];
        let why = check(&fresh, &seen("AKIA1", FindingCode::Inactive, Some(10))).unwrap();
        assert!(why.contains("within staleAfterDays (45)"), "{why}");
        let at_the_threshold = [key("AKIA1", KeyStatus::Inactive, Some(45))];
        assert!(check(&at_the_threshold, &seen("AKIA1", FindingCode::Inactive, Some(45))).is_some());
        let past_it = [key("AKIA1", KeyStatus::Inactive, Some(46))];
        assert_eq!(
            check(&past_it, &seen("AKIA1", FindingCode::Inactive, Some(46))),
            None
        );
    }

    #[test]
    fn a_key_whose_code_changed_is_not_deleted() {
        // Activated since the audit: no longer INACTIVE.
        let fresh = [
            key("AKIA1", KeyStatus::Active, None),
            key("AKIA2", KeyStatus::Active, Some(1)),
        ];
        let why = check(&fresh, &seen("AKIA1", FindingCode::Inactive, None)).unwrap();
        assert_eq!(why, "no longer INACTIVE under the current thresholds");
    }

    #[test]
    fn the_only_active_key_is_deleted_only_when_never_used() {
        let stale = [
            key("AKIA1", KeyStatus::Active, Some(100)),
            key("AKIA2", KeyStatus::Inactive, None),
        ];
        let why = check(&stale, &seen("AKIA1", FindingCode::Stale, Some(100))).unwrap();
        assert!(why.starts_with("the bucket's only Active key"), "{why}");
        let never_used = [key("AKIA1", KeyStatus::Active, None)];
        assert_eq!(
            check(&never_used, &seen("AKIA1", FindingCode::NeverUsed, None)),
            None
        );
    }
}
