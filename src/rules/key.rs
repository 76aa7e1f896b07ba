//! The crate's own record of one bucket access key: what the rules read, nothing secret.
//!
//! The Lightsail adapter builds these from the SDK's `AccessKey`; the secret access key is
//! deliberately not a field, so it cannot reach a report or a log line by accident.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::finding::Finding;
#[cfg(test)]
use super::finding::FindingCode;

/// A key's status as Lightsail reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum KeyStatus {
    Active,
    Inactive,
    /// A status this version does not know; shown as sent, and no rule applies to it.
    #[serde(untagged)]
    Other(String),
}

impl KeyStatus {
    /// The status as the report writes it (as Lightsail sent it, for one this version does
    /// not know).
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Other(other) => other,
        }
    }
}

/// When and where a key was last used. Present only if Lightsail gave a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LastUse {
    pub(crate) date: DateTime<Utc>,
    /// `None` where Lightsail sent nothing or its "N/A" placeholder.
    pub(crate) region: Option<String>,
    pub(crate) service: Option<String>,
}

/// One access key of a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccessKeyRecord {
    pub(crate) access_key_id: Option<String>,
    pub(crate) status: Option<KeyStatus>,
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) last_used: Option<LastUse>,
}

/// One key's entry. Absent values are `null`, never a placeholder such as "N/A".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyReport {
    pub(crate) access_key_id: Option<String>,
    pub(crate) status: Option<KeyStatus>,
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) age_days: Option<i64>,
    pub(crate) last_used_date: Option<DateTime<Utc>>,
    pub(crate) days_since_last_use: Option<i64>,
    pub(crate) last_used_region: Option<String>,
    pub(crate) last_used_service: Option<String>,
    pub(crate) findings: Vec<Finding>,
}

#[cfg(test)]
impl KeyReport {
    /// An Active key 200 days old, last used 100 days ago, carrying `codes`: for the tests of
    /// what reads reports (metrics, notification, suppressions).
    pub(crate) fn sample(id: &str, codes: &[FindingCode]) -> Self {
        Self {
            access_key_id: Some(id.to_owned()),
            status: Some(KeyStatus::Active),
            created_at: None,
            age_days: Some(200),
            last_used_date: None,
            days_since_last_use: Some(100),
            last_used_region: None,
            last_used_service: None,
            findings: codes.iter().map(|c| Finding::new(*c, "m".into())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_status_is_the_serialized_one() {
        for status in [
            KeyStatus::Active,
            KeyStatus::Inactive,
            KeyStatus::Other("Pending".into()),
        ] {
            assert_eq!(serde_json::to_value(&status).unwrap(), status.as_str());
        }
    }
}
