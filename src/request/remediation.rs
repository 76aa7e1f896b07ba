//! Remediation's settings (`REMEDIATION`, `REMEDIATE_CODES`, `REMEDIATE_AFTER_DAYS`,
//! `REMEDIATE_MAX_KEYS`): whether keys are only planned for deletion or deleted, which
//! findings qualify, how long a finding is warned about first, and how many keys one run may
//! delete.

use serde::Serialize;

use super::values::{bounded, list};
use crate::rules::FindingCode;

/// The codes remediation may act on: a key nobody uses. `ROTATION_DUE` and
/// `MULTIPLE_ACTIVE_KEYS` are not among them: a rotation needs a new key given to clients,
/// which only people can do.
pub(crate) const REMEDIABLE: [FindingCode; 3] =
    [FindingCode::Inactive, FindingCode::NeverUsed, FindingCode::Stale];

/// Days a finding is warned about before its key may be deleted, by default.
const DEFAULT_AFTER_DAYS: u32 = 14;
/// The longest warning: a year.
const MAX_AFTER_DAYS: usize = 365;
/// Deletions per run, by default: small, so a mistake stays small.
const DEFAULT_MAX_KEYS: usize = 5;
/// The most deletions one run may make.
const MAX_MAX_KEYS: usize = 100;

/// `REMEDIATION`: what is done about the keys that qualify.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RemediationMode {
    /// Nothing: no actions are listed.
    #[default]
    Off,
    /// Listed with when each becomes eligible; nothing is deleted.
    Plan,
    /// Eligible keys that pass every check at a fresh read are deleted.
    Delete,
}

impl RemediationMode {
    /// The mode `raw` names: `off`, `plan` or `delete`.
    pub(crate) fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "plan" => Ok(Self::Plan),
            "delete" => Ok(Self::Delete),
            _ => Err(format!("must be off, plan or delete; got {raw:?}")),
        }
    }

    /// The mode as the settings and the report write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Plan => "plan",
            Self::Delete => "delete",
        }
    }
}

/// Remediation's settings, as the environment gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Remediation {
    pub(crate) mode: RemediationMode,
    /// The codes acted on: a subset of [`REMEDIABLE`], in that order.
    pub(crate) codes: Vec<FindingCode>,
    /// Whole days from a finding's `firstSeen` to when its key may be deleted.
    pub(crate) after_days: u32,
    /// Deletion calls one run may make.
    pub(crate) max_keys: usize,
}

impl Default for Remediation {
    fn default() -> Self {
        Self {
            mode: RemediationMode::Off,
            codes: vec![FindingCode::Inactive, FindingCode::NeverUsed],
            after_days: DEFAULT_AFTER_DAYS,
            max_keys: DEFAULT_MAX_KEYS,
        }
    }
}

/// `REMEDIATE_CODES`: a comma-separated list of remediable codes; any other code is refused
/// by name, with why.
pub(super) fn parse_codes(raw: &str) -> Result<Vec<FindingCode>, String> {
    let allowed = "allowed: INACTIVE, NEVER_USED, STALE";
    let mut named = Vec::new();
    for item in list(raw) {
        let code = FindingCode::parse(&item.to_ascii_uppercase())
            .ok_or_else(|| format!("names {item:?}, which is not a finding code; {allowed}"))?;
        if !REMEDIABLE.contains(&code) {
            let why = match code {
                FindingCode::RotationDue | FindingCode::MultipleActiveKeys => {
                    "never acted on: a rotation needs a new key given to clients, which only people can do"
                }
                _ => "not a finding about an unused key",
            };
            return Err(format!("names {}, which is {why}; {allowed}", code.as_str()));
        }
        named.push(code);
    }
    if named.is_empty() {
        return Err(format!("names no code; {allowed}"));
    }
    Ok(REMEDIABLE.into_iter().filter(|c| named.contains(c)).collect())
}

/// `REMEDIATE_AFTER_DAYS`: 1 to 365.
pub(super) fn parse_after_days(raw: &str) -> Result<u32, String> {
    // At most 365, so it fits.
    bounded(raw, 1, MAX_AFTER_DAYS).map(|days| days as u32)
}

/// `REMEDIATE_MAX_KEYS`: 1 to 100.
pub(super) fn parse_max_keys(raw: &str) -> Result<usize, String> {
    bounded(raw, 1, MAX_MAX_KEYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_remediable_ones_in_order_and_any_other_is_refused_by_name() {
        assert_eq!(
            parse_codes(" stale, INACTIVE ,stale"),
            Ok(vec![FindingCode::Inactive, FindingCode::Stale])
        );
        let rotation = parse_codes("INACTIVE,ROTATION_DUE").unwrap_err();
        assert!(
            rotation.contains("ROTATION_DUE") && rotation.contains("only people"),
            "{rotation}"
        );
        let multiple = parse_codes("MULTIPLE_ACTIVE_KEYS").unwrap_err();
        assert!(multiple.contains("MULTIPLE_ACTIVE_KEYS"), "{multiple}");
        let access = parse_codes("PUBLIC_READ").unwrap_err();
        assert!(
            access.contains("PUBLIC_READ") && access.contains("NEVER_USED"),
            "{access}"
        );
        let unknown = parse_codes("UNUSED").unwrap_err();
        assert!(
            unknown.contains("\"UNUSED\"") && unknown.contains("not a finding code"),
            "{unknown}"
        );
        assert!(parse_codes(" , ").is_err());
    }

    #[test]
    fn modes_days_and_limits_are_bounded() {
        assert_eq!(RemediationMode::parse(" Delete "), Ok(RemediationMode::Delete));
        assert!(RemediationMode::parse("on")
            .unwrap_err()
            .contains("off, plan or delete"));
        assert_eq!(parse_after_days("1"), Ok(1));
        assert!(parse_after_days("0").is_err() && parse_after_days("366").is_err());
        assert_eq!(parse_max_keys("100"), Ok(100));
        assert!(parse_max_keys("0").is_err() && parse_max_keys("101").is_err());
    }
}
