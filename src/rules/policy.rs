//! The audit thresholds, in whole days, and where each one is set.

use serde::Serialize;

/// The largest threshold accepted, in days (ten years).
pub(crate) const MAX_THRESHOLD_DAYS: u64 = 3650;

/// The thresholds one audit applies; echoed in the report so a verdict can be read
/// against the numbers that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// An Active key last used more than this many days ago is `STALE` (CIS: 45).
    pub stale_after_days: u32,
    /// An Active key never used and created more than this many days ago is `NEVER_USED`.
    pub never_used_grace_days: u32,
    /// An Active key created more than this many days ago is `ROTATION_DUE` (CIS: 90).
    pub max_key_age_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            stale_after_days: 45,
            never_used_grace_days: 7,
            max_key_age_days: 90,
        }
    }
}

/// One threshold: its request field, its environment variable and how to set it on a policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Threshold {
    pub(crate) field: &'static str,
    pub(crate) env: &'static str,
    pub(crate) set: fn(&mut Policy, u32),
}

/// Every threshold, in the order the README documents them.
pub(crate) const THRESHOLDS: [Threshold; 3] = [
    Threshold {
        field: "staleAfterDays",
        env: "STALE_AFTER_DAYS",
        set: |p, v| p.stale_after_days = v,
    },
    Threshold {
        field: "neverUsedGraceDays",
        env: "NEVER_USED_GRACE_DAYS",
        set: |p, v| p.never_used_grace_days = v,
    },
    Threshold {
        field: "maxKeyAgeDays",
        env: "MAX_KEY_AGE_DAYS",
        set: |p, v| p.max_key_age_days = v,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_cis_and_serialise_in_camel_case() {
        let json = serde_json::to_value(Policy::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90})
        );
    }

    #[test]
    fn each_threshold_sets_its_own_field() {
        for (i, threshold) in THRESHOLDS.iter().enumerate() {
            let mut policy = Policy::default();
            (threshold.set)(&mut policy, 1000 + i as u32);
            let json = serde_json::to_value(policy).unwrap();
            assert_eq!(json[threshold.field], 1000 + i as u32, "{}", threshold.field);
        }
    }
}
