//! Suppressions applied to a report's findings: a covered finding stays listed, marked with
//! the suppression's reason and expiry, and leaves the counts.

use chrono::NaiveDate;

use super::bucket::BucketReport;
use crate::request::Suppression;
use crate::rules::{FindingCode, SuppressionNote};

/// Marks every finding an active suppression covers; returns the expired suppressions, which
/// no longer apply and are listed so someone renews or removes them.
pub(super) fn apply(
    buckets: &mut [BucketReport],
    suppressions: &[Suppression],
    today: NaiveDate,
) -> Vec<Suppression> {
    let (active, expired): (Vec<&Suppression>, Vec<&Suppression>) =
        suppressions.iter().partition(|s| s.active(today));
    if !active.is_empty() {
        for bucket in buckets.iter_mut() {
            let name = bucket.bucket_name.clone();
            for finding in &mut bucket.findings {
                finding.suppression = note(&active, &name, None, finding.code);
            }
            for key in &mut bucket.keys {
                for finding in &mut key.findings {
                    finding.suppression = note(&active, &name, key.access_key_id.as_deref(), finding.code);
                }
            }
        }
    }
    expired.into_iter().cloned().collect()
}

/// The first active suppression covering the finding, as the report shows it.
fn note(
    active: &[&Suppression],
    bucket: &str,
    key: Option<&str>,
    code: FindingCode,
) -> Option<SuppressionNote> {
    active
        .iter()
        .find(|s| s.covers(bucket, key, code))
        .map(|s| SuppressionNote::new(s.reason.clone(), s.expires))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::Location;
    use crate::request::parse_suppressions;
    use crate::rules::{Finding, KeyReport};
    use serde_json::json;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn bucket(name: &str, key_id: &str, codes: &[FindingCode]) -> BucketReport {
        let key = KeyReport::sample(key_id, codes);
        BucketReport::audited(
            name.into(),
            Location::default(),
            vec![Finding::new(FindingCode::MultipleActiveKeys, "m".into())],
            vec![key],
        )
    }

    fn suppressed(b: &BucketReport) -> Vec<bool> {
        let bucket_level = b.findings.iter().map(|f| f.suppression.is_some());
        bucket_level
            .chain(
                b.keys
                    .iter()
                    .flat_map(|k| k.findings.iter().map(|f| f.suppression.is_some())),
            )
            .collect()
    }

    #[test]
    fn a_key_suppression_covers_its_codes_until_the_expiry_day_inclusive() {
        let list = parse_suppressions(
            &json!([{"accessKeyId": "AKIAOLD", "codes": ["STALE"], "reason": "batch job runs yearly",
                     "expires": "2026-12-31"}]),
            "suppressions",
        )
        .unwrap();
        for (today, expected, expired) in [
            ("2026-12-31", vec![false, true, false], 0),
            ("2027-01-01", vec![false, false, false], 1),
        ] {
            let mut buckets = vec![bucket(
                "media-prod",
                "AKIAOLD",
                &[FindingCode::Stale, FindingCode::RotationDue],
            )];
            let gone = apply(&mut buckets, &list, date(today));
            assert_eq!(suppressed(&buckets[0]), expected, "{today}");
            assert_eq!(gone.len(), expired, "{today}");
        }
    }

    #[test]
    fn a_bucket_suppression_covers_every_finding_of_the_bucket() {
        let list = parse_suppressions(
            &json!([{"bucketName": "media-prod", "reason": "decommissioned next week", "expires": "2026-12-01"}]),
            "suppressions",
        )
        .unwrap();
        let mut buckets = vec![
            bucket("media-prod", "AKIA1", &[FindingCode::Stale]),
            bucket("backups", "AKIA2", &[FindingCode::Stale]),
        ];
        apply(&mut buckets, &list, date("2026-11-27"));
        assert_eq!(suppressed(&buckets[0]), [true, true]);
        assert_eq!(suppressed(&buckets[1]), [false, false]);
        let json = serde_json::to_value(&buckets[0].keys[0].findings[0]).unwrap();
        assert_eq!(json["suppressed"], true);
        assert_eq!(json["suppressionReason"], "decommissioned next week");
        assert_eq!(json["suppressionExpires"], "2026-12-01");
        let clean = serde_json::to_value(&buckets[1].keys[0].findings[0]).unwrap();
        assert!(clean.get("suppressed").is_none());
    }

    #[test]
    fn an_access_finding_is_suppressed_by_its_bucket_and_code_only() {
        // A public website bucket is public on purpose: suppress PUBLIC_READ, nothing else.
        let list = parse_suppressions(
            &json!([{"bucketName": "static-site", "codes": ["PUBLIC_READ"], "reason": "the public website",
                     "expires": "2027-06-30"}]),
            "suppressions",
        )
        .unwrap();
        let access = |code| Finding::new(code, "m".into());
        let mut buckets = vec![BucketReport::audited(
            "static-site".into(),
            Location::default(),
            vec![
                access(FindingCode::PublicRead),
                access(FindingCode::AccessLoggingOff),
            ],
            vec![KeyReport::sample("AKIA1", &[FindingCode::Stale])],
        )];
        apply(&mut buckets, &list, date("2026-11-27"));
        assert_eq!(suppressed(&buckets[0]), [true, false, false]);
    }
}
