//! One walk of a report for every view of it people read: the email and chat summary, the
//! command line's table and CSV. Each view reads this digest, none the report's JSON, so none
//! can drift from the contract or from the others.

use super::bucket::BucketReport;
use super::contract::{Report, Summary};
use crate::coverage::{Location, ScopeError};
use crate::rules::{Finding, FindingCode, KeyReport};

/// A report, bucket by bucket, each with its findings in report order.
pub(crate) struct Digest<'a> {
    pub(crate) report: &'a Report,
    pub(crate) buckets: Vec<BucketDigest<'a>>,
}

/// One bucket and every finding on it: its own first, then its keys' in key order, the
/// suppressed ones included (each view decides whether to show them).
pub(crate) struct BucketDigest<'a> {
    pub(crate) bucket: &'a BucketReport,
    pub(crate) findings: Vec<Item<'a>>,
}

/// One finding, with its key (`None` for a bucket-level finding).
#[derive(Clone, Copy)]
pub(crate) struct Item<'a> {
    pub(crate) key: Option<&'a KeyReport>,
    pub(crate) finding: &'a Finding,
}

impl<'a> Digest<'a> {
    pub(crate) fn of(report: &'a Report) -> Self {
        let buckets = report
            .buckets()
            .iter()
            .map(|bucket| {
                let own = bucket.findings.iter().map(|finding| Item { key: None, finding });
                let keys = bucket.keys.iter().flat_map(|key| {
                    key.findings.iter().map(move |finding| Item {
                        key: Some(key),
                        finding,
                    })
                });
                BucketDigest {
                    bucket,
                    findings: own.chain(keys).collect(),
                }
            })
            .collect();
        Self { report, buckets }
    }

    pub(crate) fn summary(&self) -> &'a Summary {
        self.report.summary()
    }

    pub(crate) fn scope_errors(&self) -> &'a [ScopeError] {
        self.report.scope_errors()
    }

    /// Every unsuppressed finding, bucket by bucket.
    pub(crate) fn open(&self) -> impl Iterator<Item = (&BucketDigest<'a>, Item<'a>)> {
        self.buckets
            .iter()
            .flat_map(|b| b.open().map(move |item| (b, item)))
    }
}

impl<'a> BucketDigest<'a> {
    /// The bucket's unsuppressed findings.
    pub(crate) fn open(&self) -> impl Iterator<Item = Item<'a>> + '_ {
        self.findings.iter().copied().filter(|item| item.finding.counts())
    }

    pub(crate) fn location(&self) -> &'a Location {
        &self.bucket.location
    }
}

impl<'a> Item<'a> {
    /// When remediation will (or would) delete the key of this finding, if it plans to.
    pub(crate) fn warning(&self, bucket: &BucketDigest<'a>, report: &'a Report) -> Option<String> {
        let id = self.key?.access_key_id.as_deref()?;
        report.remediation().warning(
            bucket.location(),
            &bucket.bucket.bucket_name,
            id,
            self.finding.code,
            report.generated_at(),
        )
    }
}

impl Item<'_> {
    /// The days that matter for the finding: since last use for `STALE`, the key's age
    /// otherwise; `None` for a bucket-level finding or where Lightsail gave no date.
    pub(crate) fn days(&self) -> Option<i64> {
        let key = self.key?;
        match self.finding.code {
            FindingCode::Stale => key.days_since_last_use,
            _ => key.age_days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Policy;
    use chrono::Utc;

    #[test]
    fn findings_come_bucket_first_then_by_key_and_open_leaves_suppressed_ones_out() {
        let mut key = KeyReport::sample("AKIAOLD", &[FindingCode::Stale, FindingCode::RotationDue]);
        let expires = chrono::NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
        key.findings[1].suppression = Some(crate::rules::SuppressionNote::new("known".into(), expires));
        let bucket = BucketReport::audited(
            "media-prod".into(),
            Location::home(),
            vec![Finding::new(FindingCode::MultipleActiveKeys, "m".into())],
            vec![key],
        );
        let report = Report::new(Utc::now(), Policy::default(), vec![bucket], vec![], &[]);
        let digest = Digest::of(&report);
        let codes: Vec<_> = digest.buckets[0]
            .findings
            .iter()
            .map(|i| i.finding.code)
            .collect();
        assert_eq!(
            codes,
            [
                FindingCode::MultipleActiveKeys,
                FindingCode::Stale,
                FindingCode::RotationDue
            ]
        );
        let open: Vec<_> = digest.open().map(|(_, i)| (i.finding.code, i.days())).collect();
        assert_eq!(
            open,
            [
                (FindingCode::MultipleActiveKeys, None),
                (FindingCode::Stale, Some(100))
            ]
        );
    }
}
