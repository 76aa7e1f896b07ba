//! A finding: one rule that fired, with its severity, the numbers behind it and what to do.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The rules, as the report names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum FindingCode {
    Stale,
    NeverUsed,
    RotationDue,
    Inactive,
    MultipleActiveKeys,
}

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Severity {
    Medium,
    Low,
}

impl Severity {
    /// The severity as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Medium => "MEDIUM",
            Self::Low => "LOW",
        }
    }
}

impl FindingCode {
    /// Every code, in report order.
    pub(crate) const ALL: [Self; 5] = [
        Self::Stale,
        Self::NeverUsed,
        Self::RotationDue,
        Self::Inactive,
        Self::MultipleActiveKeys,
    ];

    /// The code as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Stale => "STALE",
            Self::NeverUsed => "NEVER_USED",
            Self::RotationDue => "ROTATION_DUE",
            Self::Inactive => "INACTIVE",
            Self::MultipleActiveKeys => "MULTIPLE_ACTIVE_KEYS",
        }
    }

    /// The code a report name stands for.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    pub(crate) fn severity(self) -> Severity {
        match self {
            Self::Stale | Self::NeverUsed => Severity::Medium,
            Self::RotationDue | Self::Inactive | Self::MultipleActiveKeys => Severity::Low,
        }
    }

    /// What a person should do about it. Lightsail keys cannot be edited or disabled by the
    /// API, only created and deleted, so every remedy is phrased in those two calls.
    pub(crate) fn recommendation(self) -> &'static str {
        match self {
            Self::Stale => {
                "Find out whether anything still needs this key; if nothing does, delete it \
                 (DeleteBucketAccessKey)."
            }
            Self::NeverUsed => {
                "Delete the key (DeleteBucketAccessKey): a key that nothing uses is exposure with \
                 no benefit. Create one when a client actually needs it."
            }
            Self::RotationDue => {
                "Rotate the key: create a new one (CreateBucketAccessKey), move every client to it, \
                 then delete this one (DeleteBucketAccessKey)."
            }
            Self::Inactive => {
                "Delete the inactive key (DeleteBucketAccessKey): it frees one of the bucket's two \
                 key slots and removes a credential that could be reactivated."
            }
            Self::MultipleActiveKeys => {
                "Keep one active key per bucket outside a rotation: finish the rotation by moving \
                 clients to the newer key and deleting the older one (DeleteBucketAccessKey)."
            }
        }
    }
}

/// One rule that fired on a key or a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Finding {
    pub(crate) code: FindingCode,
    pub(crate) severity: Severity,
    /// The numbers behind the verdict, e.g. "last used 100 days ago; threshold 45".
    pub(crate) message: String,
    pub(crate) recommendation: &'static str,
    /// Set when a suppression covers the finding: it stays visible, out of the counts.
    #[serde(flatten)]
    pub(crate) suppression: Option<SuppressionNote>,
    /// The run in which this finding was first seen; `null` when changes are not tracked.
    pub(crate) first_seen: Option<DateTime<Utc>>,
    /// Whether this run is that run; `null` when changes are not tracked.
    pub(crate) new: Option<bool>,
}

/// How a suppressed finding shows it: `suppressed`, the reason, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SuppressionNote {
    suppressed: bool,
    pub(crate) suppression_reason: String,
    pub(crate) suppression_expires: NaiveDate,
}

impl SuppressionNote {
    pub(crate) fn new(reason: String, expires: NaiveDate) -> Self {
        Self {
            suppressed: true,
            suppression_reason: reason,
            suppression_expires: expires,
        }
    }
}

impl Finding {
    pub(crate) fn new(code: FindingCode, message: String) -> Self {
        Self {
            code,
            severity: code.severity(),
            message,
            recommendation: code.recommendation(),
            suppression: None,
            first_seen: None,
            new: None,
        }
    }

    /// Counts towards the summary, metrics and alarms: not suppressed.
    pub(crate) fn counts(&self) -> bool {
        self.suppression.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_severities_serialise_as_the_report_names_them() {
        let cases = [
            (FindingCode::Stale, "STALE", "MEDIUM"),
            (FindingCode::NeverUsed, "NEVER_USED", "MEDIUM"),
            (FindingCode::RotationDue, "ROTATION_DUE", "LOW"),
            (FindingCode::Inactive, "INACTIVE", "LOW"),
            (FindingCode::MultipleActiveKeys, "MULTIPLE_ACTIVE_KEYS", "LOW"),
        ];
        for (code, name, severity) in cases {
            let json = serde_json::to_value(Finding::new(code, "m".into())).unwrap();
            assert_eq!(json["code"], name);
            assert_eq!(json["severity"], severity);
            assert_eq!(code.severity().as_str(), severity);
            assert_eq!(json["message"], "m");
            assert!(!code.recommendation().is_empty());
            assert_eq!(code.as_str(), name);
            assert_eq!(FindingCode::parse(name), Some(code));
        }
        assert_eq!(FindingCode::parse("stale"), None);
    }
}
