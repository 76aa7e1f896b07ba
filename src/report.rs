//! The report an invocation returns: the contract security teams build on.
//!
//! Field names and casing are fixed by the README's report reference; the summary is always
//! derived from the bucket entries, so the two cannot disagree.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::finding::{Finding, FindingCode};
use crate::key::KeyStatus;
use crate::policy::Policy;

/// The version of this report's shape; raised on any incompatible change.
pub(crate) const REPORT_VERSION: u32 = 1;

/// The whole result of one audit.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    report_version: u32,
    generated_at: DateTime<Utc>,
    policy: Policy,
    summary: Summary,
    buckets: Vec<BucketReport>,
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub buckets_requested: usize,
    pub buckets_audited: usize,
    pub buckets_failed: usize,
    pub keys: usize,
    pub active_keys: usize,
    pub keys_with_findings: usize,
    pub findings: FindingCounts,
}

/// Findings per code, over keys and buckets; every code is always present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    #[serde(rename = "STALE")]
    pub stale: usize,
    #[serde(rename = "NEVER_USED")]
    pub never_used: usize,
    #[serde(rename = "ROTATION_DUE")]
    pub rotation_due: usize,
    #[serde(rename = "INACTIVE")]
    pub inactive: usize,
    #[serde(rename = "MULTIPLE_ACTIVE_KEYS")]
    pub multiple_active_keys: usize,
}

/// Whether a bucket's keys were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum BucketStatus {
    Audited,
    Error,
}

/// Why a bucket could not be audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct BucketError {
    /// The Lightsail error code (`NotFoundException`, ...) or one of ours (`InvalidBucketName`).
    pub(crate) code: String,
    pub(crate) message: String,
}

/// One bucket's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BucketReport {
    pub(crate) bucket_name: String,
    pub(crate) region: String,
    pub(crate) status: BucketStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<BucketError>,
    /// Bucket-level findings (`MULTIPLE_ACTIVE_KEYS`).
    pub(crate) findings: Vec<Finding>,
    pub(crate) keys: Vec<KeyReport>,
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

impl BucketReport {
    pub(crate) fn audited(
        bucket_name: String,
        region: String,
        findings: Vec<Finding>,
        keys: Vec<KeyReport>,
    ) -> Self {
        Self {
            bucket_name,
            region,
            status: BucketStatus::Audited,
            error: None,
            findings,
            keys,
        }
    }

    pub(crate) fn failed(bucket_name: String, region: String, error: BucketError) -> Self {
        Self {
            bucket_name,
            region,
            status: BucketStatus::Error,
            error: Some(error),
            findings: Vec::new(),
            keys: Vec::new(),
        }
    }
}

impl FindingCounts {
    fn add(&mut self, code: FindingCode) {
        let count = match code {
            FindingCode::Stale => &mut self.stale,
            FindingCode::NeverUsed => &mut self.never_used,
            FindingCode::RotationDue => &mut self.rotation_due,
            FindingCode::Inactive => &mut self.inactive,
            FindingCode::MultipleActiveKeys => &mut self.multiple_active_keys,
        };
        *count += 1;
    }

    /// All findings counted, of every code.
    pub fn total(&self) -> usize {
        self.stale + self.never_used + self.rotation_due + self.inactive + self.multiple_active_keys
    }
}

impl Summary {
    fn of(buckets: &[BucketReport]) -> Self {
        let mut summary = Self {
            buckets_requested: buckets.len(),
            ..Self::default()
        };
        for bucket in buckets {
            match bucket.status {
                BucketStatus::Audited => summary.buckets_audited += 1,
                BucketStatus::Error => summary.buckets_failed += 1,
            }
            for finding in &bucket.findings {
                summary.findings.add(finding.code);
            }
            for key in &bucket.keys {
                summary.keys += 1;
                if key.status == Some(KeyStatus::Active) {
                    summary.active_keys += 1;
                }
                if !key.findings.is_empty() {
                    summary.keys_with_findings += 1;
                }
                for finding in &key.findings {
                    summary.findings.add(finding.code);
                }
            }
        }
        summary
    }
}

impl Report {
    pub(crate) fn new(generated_at: DateTime<Utc>, policy: Policy, buckets: Vec<BucketReport>) -> Self {
        Self {
            report_version: REPORT_VERSION,
            generated_at,
            policy,
            summary: Summary::of(&buckets),
            buckets,
        }
    }

    /// The counts over the whole report.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The first bucket that failed, as (name, error), in request order.
    pub(crate) fn first_failure(&self) -> Option<(&str, &BucketError)> {
        self.buckets
            .iter()
            .find_map(|b| b.error.as_ref().map(|e| (b.bucket_name.as_str(), e)))
    }

    pub(crate) fn buckets(&self) -> &[BucketReport] {
        &self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn key(status: KeyStatus, codes: &[FindingCode]) -> KeyReport {
        KeyReport {
            access_key_id: Some("AKIAAAAAAAAAAAAAAAAA".into()),
            status: Some(status),
            created_at: Some(Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()),
            age_days: Some(210),
            last_used_date: None,
            days_since_last_use: None,
            last_used_region: None,
            last_used_service: None,
            findings: codes.iter().map(|c| Finding::new(*c, "m".into())).collect(),
        }
    }

    #[test]
    fn summary_counts_keys_buckets_and_findings_of_both_levels() {
        let buckets = vec![
            BucketReport::audited(
                "media-prod".into(),
                "us-east-1".into(),
                vec![Finding::new(FindingCode::MultipleActiveKeys, "m".into())],
                vec![
                    key(KeyStatus::Active, &[FindingCode::Stale, FindingCode::RotationDue]),
                    key(KeyStatus::Active, &[]),
                ],
            ),
            BucketReport::audited(
                "backups".into(),
                "us-east-1".into(),
                vec![],
                vec![key(KeyStatus::Inactive, &[FindingCode::Inactive])],
            ),
            BucketReport::failed(
                "ghost".into(),
                "us-east-1".into(),
                BucketError {
                    code: "NotFoundException".into(),
                    message: "no such bucket".into(),
                },
            ),
        ];
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        let report = Report::new(now, Policy::default(), buckets);
        let json = serde_json::to_value(&report).unwrap();

        assert_eq!(json["reportVersion"], 1);
        assert_eq!(json["generatedAt"], "2026-11-27T06:00:00Z");
        assert_eq!(
            json["summary"],
            json!({"bucketsRequested": 3, "bucketsAudited": 2, "bucketsFailed": 1, "keys": 3,
                   "activeKeys": 2, "keysWithFindings": 2,
                   "findings": {"STALE": 1, "NEVER_USED": 0, "ROTATION_DUE": 1, "INACTIVE": 1,
                                "MULTIPLE_ACTIVE_KEYS": 1}})
        );
        assert_eq!(report.summary().findings.total(), 4);
        assert!(
            json["buckets"][0].get("error").is_none(),
            "no error key on an audited bucket"
        );
        assert_eq!(
            json["buckets"][2],
            json!({"bucketName": "ghost", "region": "us-east-1", "status": "ERROR",
                   "error": {"code": "NotFoundException", "message": "no such bucket"},
                   "findings": [], "keys": []})
        );
        assert_eq!(report.first_failure().map(|(name, _)| name), Some("ghost"));
        let key = &json["buckets"][1]["keys"][0];
        assert_eq!(key["status"], "Inactive");
        assert_eq!(key["createdAt"], "2026-05-01T00:00:00Z");
        for absent in [
            "lastUsedDate",
            "daysSinceLastUse",
            "lastUsedRegion",
            "lastUsedService",
        ] {
            assert!(key[absent].is_null(), "{absent} is present and null");
            assert!(key.as_object().unwrap().contains_key(absent));
        }
    }

    #[test]
    fn an_unknown_status_is_shown_as_sent() {
        let json = serde_json::to_value(KeyStatus::Other("Suspended".into())).unwrap();
        assert_eq!(json, "Suspended");
    }
}
