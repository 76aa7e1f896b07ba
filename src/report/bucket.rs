//! One bucket's entry in the report: audited with its keys and findings, or failed or
//! skipped with the reason.

use serde::Serialize;

use crate::coverage::Location;
use crate::failure::Failure;
use crate::rules::{Finding, KeyReport};

/// Whether a bucket's keys were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum BucketStatus {
    Audited,
    Error,
    /// Not reached before the invocation's deadline; `error.code` is `DeadlineExceeded`.
    Skipped,
}

impl BucketStatus {
    /// The status as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Audited => "AUDITED",
            Self::Error => "ERROR",
            Self::Skipped => "SKIPPED",
        }
    }
}

/// One bucket's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BucketReport {
    pub(crate) bucket_name: String,
    #[serde(flatten)]
    pub(crate) location: Location,
    pub(crate) status: BucketStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<Failure>,
    /// Bucket-level findings (`MULTIPLE_ACTIVE_KEYS`).
    pub(crate) findings: Vec<Finding>,
    pub(crate) keys: Vec<KeyReport>,
}

impl BucketReport {
    pub(crate) fn audited(
        bucket_name: String,
        location: Location,
        findings: Vec<Finding>,
        keys: Vec<KeyReport>,
    ) -> Self {
        Self {
            bucket_name,
            location,
            status: BucketStatus::Audited,
            error: None,
            findings,
            keys,
        }
    }

    pub(crate) fn failed(bucket_name: String, location: Location, error: Failure) -> Self {
        Self {
            bucket_name,
            location,
            status: BucketStatus::Error,
            error: Some(error),
            findings: Vec::new(),
            keys: Vec::new(),
        }
    }

    pub(crate) fn skipped(bucket_name: String, location: Location, error: Failure) -> Self {
        Self {
            status: BucketStatus::Skipped,
            ..Self::failed(bucket_name, location, error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_status_is_the_serialized_one() {
        for status in [BucketStatus::Audited, BucketStatus::Error, BucketStatus::Skipped] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }
}
