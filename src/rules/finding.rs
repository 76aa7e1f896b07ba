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
    PublicRead,
    PublicObjectsAllowed,
    SharedOutsideOrganization,
    SharedWithAccounts,
    InstanceAccess,
    AccessLoggingOff,
}

/// How urgent a finding is: the labels of the AWS Security Finding Format, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Informational,
}

impl Severity {
    /// The severity as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "CRITICAL",
            Self::High => "HIGH",
            Self::Medium => "MEDIUM",
            Self::Low => "LOW",
            Self::Informational => "INFORMATIONAL",
        }
    }
}

impl FindingCode {
    /// Every code, in report order: the key rules, then the bucket's.
    pub(crate) const ALL: [Self; 11] = [
        Self::Stale,
        Self::NeverUsed,
        Self::RotationDue,
        Self::Inactive,
        Self::MultipleActiveKeys,
        Self::PublicRead,
        Self::PublicObjectsAllowed,
        Self::SharedOutsideOrganization,
        Self::SharedWithAccounts,
        Self::InstanceAccess,
        Self::AccessLoggingOff,
    ];

    /// The codes judged from `GetBuckets` (the bucket's access), not from its keys; each can
    /// be switched off.
    pub(crate) const ACCESS: [Self; 6] = [
        Self::PublicRead,
        Self::PublicObjectsAllowed,
        Self::SharedOutsideOrganization,
        Self::SharedWithAccounts,
        Self::InstanceAccess,
        Self::AccessLoggingOff,
    ];

    /// Whether the code is judged from the bucket's access rather than its keys.
    pub(crate) fn is_access(self) -> bool {
        Self::ACCESS.contains(&self)
    }

    /// The code as the report writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Stale => "STALE",
            Self::NeverUsed => "NEVER_USED",
            Self::RotationDue => "ROTATION_DUE",
            Self::Inactive => "INACTIVE",
            Self::MultipleActiveKeys => "MULTIPLE_ACTIVE_KEYS",
            Self::PublicRead => "PUBLIC_READ",
            Self::PublicObjectsAllowed => "PUBLIC_OBJECTS_ALLOWED",
            Self::SharedOutsideOrganization => "SHARED_OUTSIDE_ORGANIZATION",
            Self::SharedWithAccounts => "SHARED_WITH_ACCOUNTS",
            Self::InstanceAccess => "INSTANCE_ACCESS",
            Self::AccessLoggingOff => "ACCESS_LOGGING_OFF",
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
            Self::PublicRead => Severity::Critical,
            Self::SharedOutsideOrganization => Severity::High,
            Self::PublicObjectsAllowed => Severity::Medium,
            Self::SharedWithAccounts | Self::AccessLoggingOff => Severity::Low,
            Self::InstanceAccess => Severity::Informational,
        }
    }

    /// What a person should do about it, naming the call that does it. Lightsail keys cannot
    /// be edited or disabled by the API, only created and deleted, so every key remedy is
    /// phrased in those two calls; a bucket's access is changed by `UpdateBucket` and
    /// `SetResourceAccessForBucket`, or on its Permissions tab in the Lightsail console.
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
            Self::PublicRead => {
                "Make every object private: UpdateBucket with accessRules.getObject \"private\" \
                 (console: the bucket's Permissions tab, \"All objects are private\"). Serve public \
                 content through a distribution or single public objects instead."
            }
            Self::PublicObjectsAllowed => {
                "Unless single objects must be public, stop individual object access: UpdateBucket \
                 with accessRules.allowPublicOverrides false (console: the bucket's Permissions \
                 tab, \"Individual objects can be made public and read-only\" off)."
            }
            Self::SharedOutsideOrganization => {
                "Remove every account that should not read this bucket: UpdateBucket with \
                 readonlyAccessAccounts set to the accounts that should (console: the bucket's \
                 Permissions tab, cross-account access). If an account is trusted, add it to \
                 trustedAccountIds (TRUSTED_ACCOUNT_IDS)."
            }
            Self::SharedWithAccounts => {
                "Confirm that each account should read every object, and remove the others: \
                 UpdateBucket with readonlyAccessAccounts (console: the bucket's Permissions tab, \
                 cross-account access). Name the accounts you trust in trustedAccountIds \
                 (TRUSTED_ACCOUNT_IDS), or audit the organization, to have them judged."
            }
            Self::InstanceAccess => {
                "Confirm that each instance needs to read and write this bucket; remove the others \
                 with SetResourceAccessForBucket, access \"deny\" (console: the bucket's \
                 Permissions tab, resource access)."
            }
            Self::AccessLoggingOff => {
                "Turn on access logging with UpdateBucket (aws lightsail update-bucket \
                 --access-log-config enabled=true,destination=LOG-BUCKET,prefix=NAME/), to a bucket \
                 of the same account and Region, so that every request is recorded."
            }
        }
    }
}

/// `{"STALE": value, ...}`: one entry per code of `codes`, in their order, as the report writes
/// its maps keyed by code.
pub(crate) fn serialize_by_code<S: serde::Serializer, V: Serialize>(
    serializer: S,
    codes: &[FindingCode],
    value: impl Fn(FindingCode) -> V,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(codes.len()))?;
    for code in codes {
        map.serialize_entry(code.as_str(), &value(*code))?;
    }
    map.end()
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
            (FindingCode::PublicRead, "PUBLIC_READ", "CRITICAL"),
            (
                FindingCode::PublicObjectsAllowed,
                "PUBLIC_OBJECTS_ALLOWED",
                "MEDIUM",
            ),
            (
                FindingCode::SharedOutsideOrganization,
                "SHARED_OUTSIDE_ORGANIZATION",
                "HIGH",
            ),
            (FindingCode::SharedWithAccounts, "SHARED_WITH_ACCOUNTS", "LOW"),
            (FindingCode::InstanceAccess, "INSTANCE_ACCESS", "INFORMATIONAL"),
            (FindingCode::AccessLoggingOff, "ACCESS_LOGGING_OFF", "LOW"),
        ];
        assert_eq!(cases.len(), FindingCode::ALL.len(), "every code is checked");
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

    #[test]
    fn access_codes_are_the_last_six_and_their_remedies_name_the_call() {
        assert_eq!(FindingCode::ALL[5..], FindingCode::ACCESS);
        for code in FindingCode::ALL {
            assert_eq!(code.is_access(), FindingCode::ACCESS.contains(&code));
            let remedy = code.recommendation();
            assert!(
                [
                    "DeleteBucketAccessKey",
                    "UpdateBucket",
                    "SetResourceAccessForBucket"
                ]
                .iter()
                .any(|call| remedy.contains(call)),
                "{code:?}: {remedy}"
            );
        }
    }
}
