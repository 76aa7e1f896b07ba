//! The audit thresholds, in whole days, and which access rules run. Where each is set is the
//! request layer's concern.

use serde::Serialize;

use super::finding::{serialize_by_code, FindingCode};

/// The thresholds and switches one audit applies; echoed in the report so a verdict can be
/// read against the settings that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// An Active key last used more than this many days ago is `STALE` (CIS: 45).
    pub stale_after_days: u32,
    /// An Active key never used and created more than this many days ago is `NEVER_USED`.
    pub never_used_grace_days: u32,
    /// An Active key created more than this many days ago is `ROTATION_DUE` (CIS: 90).
    pub max_key_age_days: u32,
    /// Whether each bucket's access is read (`GetBuckets`) and judged at all.
    pub include_access_checks: bool,
    /// Which access rules run, when access is checked.
    pub access_checks: AccessSwitches,
}

/// One switch per access rule (`PUBLIC_READ`, ...), all on by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessSwitches {
    /// One bit per code of [`FindingCode::ACCESS`], set when that rule is off.
    off: u8,
}

impl AccessSwitches {
    fn bit(code: FindingCode) -> u8 {
        FindingCode::ACCESS
            .iter()
            .position(|c| *c == code)
            .map_or(0, |i| 1 << i)
    }

    /// Whether `code`'s rule runs; a key rule always does.
    pub(crate) fn is_on(self, code: FindingCode) -> bool {
        self.off & Self::bit(code) == 0
    }

    /// Turns `code`'s rule on or off.
    pub(crate) fn set(&mut self, code: FindingCode, on: bool) {
        if on {
            self.off &= !Self::bit(code);
        } else {
            self.off |= Self::bit(code);
        }
    }
}

impl Serialize for AccessSwitches {
    /// `{"PUBLIC_READ": true, ...}`: every access code, in report order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_by_code(serializer, &FindingCode::ACCESS, |code| self.is_on(code))
    }
}

impl Policy {
    /// Whether `code` is judged in this audit: every key rule is; an access rule when access
    /// is checked and its switch is on.
    pub(crate) fn checks(&self, code: FindingCode) -> bool {
        !code.is_access() || (self.include_access_checks && self.access_checks.is_on(code))
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            stale_after_days: 45,
            never_used_grace_days: 7,
            max_key_age_days: 90,
            include_access_checks: true,
            access_checks: AccessSwitches::default(),
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
            serde_json::json!({"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90,
                               "includeAccessChecks": true,
                               "accessChecks": {"PUBLIC_READ": true, "PUBLIC_OBJECTS_ALLOWED": true,
                                                "SHARED_OUTSIDE_ORGANIZATION": true,
                                                "SHARED_WITH_ACCOUNTS": true, "INSTANCE_ACCESS": true,
                                                "ACCESS_LOGGING_OFF": true}})
        );
    }

    #[test]
    fn each_switch_turns_one_rule_and_the_main_switch_all_of_them() {
        let mut policy = Policy::default();
        policy.access_checks.set(FindingCode::InstanceAccess, false);
        for code in FindingCode::ALL {
            assert_eq!(
                policy.checks(code),
                code != FindingCode::InstanceAccess,
                "{code:?}"
            );
        }
        policy.access_checks.set(FindingCode::InstanceAccess, true);
        assert_eq!(policy, Policy::default());
        policy.include_access_checks = false;
        for code in FindingCode::ALL {
            assert_eq!(policy.checks(code), !code.is_access(), "{code:?}");
        }
    }
}
