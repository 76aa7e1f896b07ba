//! The audit thresholds, in whole days. Where each is set is the request layer's concern.

use serde::Serialize;

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
}
