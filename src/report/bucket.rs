//! One bucket's entry in the report: audited with its keys and findings, or failed or
//! skipped with the reason.

use serde::Serialize;

use crate::coverage::Location;
use crate::failure::Failure;
use crate::rules::{
    multiple_active_keys, settles, BucketAccess, BucketRecord, Finding, FindingCode, KeyReport, KeyStatus,
    Policy,
};

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
    /// From `GetBuckets`; `null` where access was not read.
    pub(crate) bucket_arn: Option<String>,
    pub(crate) status: BucketStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<Failure>,
    /// Every way in besides the keys; `null` where it was not read: access checks off, the
    /// bucket not audited, or `accessError`.
    pub(crate) access: Option<BucketAccess>,
    /// Why an audited bucket's access is unknown: its access findings are not "none", they
    /// are unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) access_error: Option<Failure>,
    /// Bucket-level findings: `MULTIPLE_ACTIVE_KEYS` and the access rules'.
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
            bucket_arn: None,
            status: BucketStatus::Audited,
            error: None,
            access: None,
            access_error: None,
            findings,
            keys,
        }
    }

    /// Records what `GetBuckets` said of the bucket, with the findings the access rules drew
    /// from it; or, on an error, that its access is unknown.
    pub(crate) fn with_access(
        mut self,
        record: Result<BucketRecord, Failure>,
        findings: Vec<Finding>,
    ) -> Self {
        match record {
            Ok(record) => {
                self.bucket_arn = record.arn;
                self.access = Some(record.access);
                self.findings.extend(findings);
            }
            Err(error) => self.access_error = Some(error),
        }
        self
    }

    /// Whether this run judged `code` on this bucket: a key rule on every audited bucket, an
    /// access rule where its switch is on and the access read settles it. A code not judged
    /// keeps whatever the archive knew of it.
    pub(crate) fn judged(&self, code: FindingCode, policy: &Policy) -> bool {
        let access =
            || policy.checks(code) && self.access.as_ref().is_some_and(|access| settles(access, code));
        self.status == BucketStatus::Audited && (!code.is_access() || access())
    }

    /// Drops a key that was deleted, and re-judges `MULTIPLE_ACTIVE_KEYS` on the keys left:
    /// gone below two Active keys, its message naming the rest otherwise (its suppression,
    /// if any, kept).
    pub(crate) fn forget_key(&mut self, access_key_id: &str) {
        self.keys
            .retain(|k| k.access_key_id.as_deref() != Some(access_key_id));
        let active: Vec<&str> = self
            .keys
            .iter()
            .filter(|k| k.status == Some(KeyStatus::Active))
            .map(|k| k.access_key_id.as_deref().unwrap_or("(no id)"))
            .collect();
        let judged = multiple_active_keys(&active);
        let is_multiple = |f: &Finding| f.code == FindingCode::MultipleActiveKeys;
        match judged {
            Some(now) => {
                for finding in self.findings.iter_mut().filter(|f| is_multiple(f)) {
                    finding.message = now.message.clone();
                }
            }
            None => self.findings.retain(|f| !is_multiple(f)),
        }
    }

    /// With its access read (`Some`) and drawing `findings`, or not readable (throttled).
    #[cfg(test)]
    pub(crate) fn with_access_read(self, access: Option<BucketAccess>, findings: Vec<Finding>) -> Self {
        let record = access
            .map(|access| BucketRecord {
                name: self.bucket_name.clone(),
                arn: None,
                access,
            })
            .ok_or_else(|| Failure::new("ThrottlingException", "Rate exceeded"));
        self.with_access(record, findings)
    }

    pub(crate) fn failed(bucket_name: String, location: Location, error: Failure) -> Self {
        Self {
            bucket_name,
            location,
            bucket_arn: None,
            status: BucketStatus::Error,
            error: Some(error),
            access: None,
            access_error: None,
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
    fn a_deleted_key_leaves_and_multiple_active_keys_is_judged_again() {
        let key = |id: &str| KeyReport::sample(id, &[]);
        let keys = vec![key("AKIA1"), key("AKIA2"), key("AKIA3")];
        let findings = multiple_active_keys(&["AKIA1", "AKIA2", "AKIA3"])
            .into_iter()
            .collect();
        let mut bucket = BucketReport::audited("b".into(), Location::home(), findings, keys);
        bucket.forget_key("AKIA3");
        assert_eq!(bucket.keys.len(), 2);
        assert_eq!(
            bucket.findings[0].message,
            "2 active keys (AKIA1, AKIA2); expected at most 1 outside a rotation"
        );
        bucket.forget_key("AKIA2");
        assert!(bucket.findings.is_empty());
    }

    #[test]
    fn the_written_status_is_the_serialized_one() {
        for status in [BucketStatus::Audited, BucketStatus::Error, BucketStatus::Skipped] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }
}
