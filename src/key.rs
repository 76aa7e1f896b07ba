//! The crate's own record of one bucket access key: what the rules read, nothing secret.
//!
//! The Lightsail adapter builds these from the SDK's `AccessKey`; the secret access key is
//! deliberately not a field, so it cannot reach a report or a log line by accident.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A key's status as Lightsail reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum KeyStatus {
    Active,
    Inactive,
    /// A status this version does not know; shown as sent, and no rule applies to it.
    #[serde(untagged)]
    Other(String),
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
