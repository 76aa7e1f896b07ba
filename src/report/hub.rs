//! Which findings Security Hub holds open that this run archives.
//!
//! Pure. The lifecycle is change tracking's own rule, run against what Security Hub holds
//! instead of the archive's state: a finding is archived when its bucket was audited (or a
//! complete listing shows it gone) and the finding is not there, or when a suppression now
//! covers it. A failed bucket, a failed scope or a partial run archives nothing of what it
//! could not see.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::asff::Archival;
use super::changes::{self, History, State};
use super::contract::Report;
use super::exported::{self, FindingKey};
use crate::coverage::{Listed, Location};

/// A finding Security Hub holds open, to be archived, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToArchive<'a> {
    pub(crate) held: &'a Value,
    pub(crate) key: FindingKey,
    pub(crate) why: Archival<'a>,
}

/// Of `held` (this tool's open findings in Security Hub for one account), those this run
/// archives: resolved, as change tracking would resolve them, or suppressed now. A finding
/// whose id this tool did not write is left alone.
pub(crate) fn to_archive<'a>(report: &'a Report, listed: &[Listed], held: &'a [Value]) -> Vec<ToArchive<'a>> {
    let keyed: Vec<(&Value, FindingKey)> = held
        .iter()
        .filter_map(|h| Some((h, FindingKey::parse(h.get("Id")?.as_str()?)?)))
        .collect();
    let resolved = resolved(report, listed, keyed.iter().map(|(_, key)| key));
    let suppressed = suppressed(report);
    keyed
        .into_iter()
        .filter_map(|(held, key)| {
            let why = match suppressed.get(&key) {
                Some(reason) => Archival::Suppressed(reason),
                None if resolved.contains(&key) => Archival::Resolved,
                None => return None,
            };
            Some(ToArchive { held, key, why })
        })
        .collect()
}

/// The keys of `open` that change tracking resolves against this run.
fn resolved<'k>(
    report: &Report,
    listed: &[Listed],
    open: impl Iterator<Item = &'k FindingKey>,
) -> BTreeSet<FindingKey> {
    let state = State::holding(open.map(|key| {
        let location = Location {
            account_id: Some(key.account_id.clone()),
            region: Some(key.region.clone()),
        };
        (
            location,
            key.bucket_name.clone(),
            key.access_key_id.clone(),
            key.code,
        )
    }));
    // Tracking marks the buckets it compares; these marks are not the report's.
    let mut buckets = report.buckets().to_vec();
    changes::track(
        &mut buckets,
        History::Known(state),
        listed,
        report.policy(),
        &changes::Announced::default(),
        report.generated_at(),
    )
    .resolved
    .into_iter()
    .filter_map(|r| {
        Some(FindingKey {
            account_id: r.location.account_id?,
            region: r.location.region?,
            bucket_name: r.bucket_name,
            access_key_id: r.access_key_id,
            code: r.code,
        })
    })
    .collect()
}

/// Every suppressed finding of an audited bucket, with its suppression's reason.
fn suppressed(report: &Report) -> BTreeMap<FindingKey, &str> {
    exported::suppressed(report)
        .into_iter()
        .filter_map(|found| {
            let reason = found.finding.suppression.as_ref()?.suppression_reason.as_str();
            Some((FindingKey::parse(&found.id)?, reason))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Failure;
    use crate::report::BucketReport;
    use crate::request::Suppression;
    use crate::rules::{BucketAccess, FindingCode, KeyReport, Policy};
    use chrono::{NaiveDate, TimeZone, Utc};
    use serde_json::json;

    /// What Security Hub holds for the home account (us-east-1): `bucket/key/CODE` each.
    fn held(findings: &[&str]) -> Vec<Value> {
        findings
            .iter()
            .map(|f| json!({"Id": format!("lightsail-key-audit/123456789012/us-east-1/{f}"), "RecordState": "ACTIVE"}))
            .collect()
    }

    fn audited(name: &str, key: &str, codes: &[FindingCode]) -> BucketReport {
        BucketReport::audited(
            name.into(),
            Location::home(),
            vec![],
            vec![KeyReport::sample(key, codes)],
        )
    }

    fn report_with(buckets: Vec<BucketReport>, policy: Policy, suppressions: &[Suppression]) -> Report {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        Report::new(now, policy, buckets, vec![], suppressions)
    }

    fn report(buckets: Vec<BucketReport>) -> Report {
        report_with(buckets, Policy::default(), &[])
    }

    /// (bucket/key/CODE, why) of each finding to archive.
    fn archived<'a>(report: &'a Report, listed: &[Listed], held: &'a [Value]) -> Vec<(String, Archival<'a>)> {
        to_archive(report, listed, held)
            .into_iter()
            .map(|a| {
                let key = a.key.access_key_id.as_deref().unwrap_or("bucket").to_owned();
                assert_eq!(
                    a.held["Id"].as_str(),
                    Some(a.key.id().as_str()),
                    "the held finding is the key's"
                );
                (
                    format!("{}/{key}/{}", a.key.bucket_name, a.key.code.as_str()),
                    a.why,
                )
            })
            .collect()
    }

    fn resolved(id: &str) -> (String, Archival<'static>) {
        (id.to_owned(), Archival::Resolved)
    }

    #[test]
    fn a_held_finding_an_audited_bucket_no_longer_has_is_resolved_and_one_it_has_is_kept() {
        let report = report(vec![audited("media-prod", "AKIA1", &[FindingCode::RotationDue])]);
        let held = held(&[
            "media-prod/AKIA1/STALE",
            "media-prod/AKIA1/ROTATION_DUE",
            "media-prod/AKIA2/NEVER_USED",
        ]);
        assert_eq!(
            archived(&report, &[], &held),
            [
                resolved("media-prod/AKIA1/STALE"),
                resolved("media-prod/AKIA2/NEVER_USED")
            ]
        );
    }

    #[test]
    fn a_failed_or_skipped_bucket_archives_nothing() {
        let down = Failure::new("ServiceException", "down");
        let report = report(vec![
            BucketReport::failed("media-prod".into(), Location::home(), down.clone()),
            BucketReport::skipped("backups".into(), Location::home(), down),
        ]);
        let held = held(&["media-prod/AKIA1/STALE", "backups/AKIA2/STALE"]);
        assert_eq!(archived(&report, &[], &held), []);
    }

    #[test]
    fn a_bucket_outside_a_partial_run_is_archived_only_when_a_complete_listing_shows_it_gone() {
        let report = report(vec![audited("media-prod", "AKIA1", &[FindingCode::Stale])]);
        let held = held(&["media-prod/AKIA1/STALE", "old-bucket/AKIA9/STALE"]);
        assert_eq!(archived(&report, &[], &held), [], "a partial run");
        let listing = |location: Location, names: &[&str]| Listed {
            location,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        };
        let still_there = [listing(Location::home(), &["media-prod", "old-bucket"])];
        assert_eq!(archived(&report, &still_there, &held), []);
        let elsewhere = Location {
            region: Some("eu-west-1".into()),
            ..Location::home()
        };
        assert_eq!(
            archived(&report, &[listing(elsewhere, &["media-prod"])], &held),
            []
        );
        let gone = [listing(Location::home(), &["media-prod"])];
        assert_eq!(
            archived(&report, &gone, &held),
            [resolved("old-bucket/AKIA9/STALE")]
        );
    }

    /// media-prod with its access read (`Some`, private and logged) or unreadable (`None`).
    fn with_access(access: Option<BucketAccess>) -> BucketReport {
        audited("media-prod", "AKIA1", &[]).with_access_read(access, vec![])
    }

    #[test]
    fn an_access_finding_is_archived_only_where_its_check_ran_and_settled() {
        let held = held(&[
            "media-prod/bucket/PUBLIC_READ",
            "media-prod/bucket/ACCESS_LOGGING_OFF",
        ]);
        let read = report(vec![with_access(Some(BucketAccess::settled()))]);
        assert_eq!(
            archived(&read, &[], &held),
            [
                resolved("media-prod/bucket/PUBLIC_READ"),
                resolved("media-prod/bucket/ACCESS_LOGGING_OFF")
            ]
        );
        let unknown = report(vec![with_access(None)]);
        assert_eq!(archived(&unknown, &[], &held), [], "access unknown");
        let mut policy = Policy::default();
        policy.access_checks.set(FindingCode::PublicRead, false);
        let switched_off = report_with(vec![with_access(Some(BucketAccess::settled()))], policy, &[]);
        assert_eq!(
            archived(&switched_off, &[], &held),
            [resolved("media-prod/bucket/ACCESS_LOGGING_OFF")],
            "PUBLIC_READ was not checked"
        );
        let no_checks = report_with(
            vec![audited("media-prod", "AKIA1", &[])],
            Policy {
                include_access_checks: false,
                ..Policy::default()
            },
            &[],
        );
        assert_eq!(archived(&no_checks, &[], &held), []);
    }

    #[test]
    fn a_finding_suppressed_now_is_archived_with_the_reason() {
        let suppression = Suppression {
            access_key_id: Some("AKIA1".into()),
            bucket_name: Some("media-prod".into()),
            codes: Some(vec![FindingCode::Stale]),
            reason: "decommissioning in December".into(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        };
        let report = report_with(
            vec![audited(
                "media-prod",
                "AKIA1",
                &[FindingCode::Stale, FindingCode::RotationDue],
            )],
            Policy::default(),
            &[suppression],
        );
        let held = held(&["media-prod/AKIA1/STALE", "media-prod/AKIA1/ROTATION_DUE"]);
        assert_eq!(
            archived(&report, &[], &held),
            [(
                "media-prod/AKIA1/STALE".to_owned(),
                Archival::Suppressed("decommissioning in December")
            )]
        );
    }

    #[test]
    fn findings_this_tool_did_not_write_are_left_alone() {
        let report = report(vec![audited("media-prod", "AKIA1", &[])]);
        let held = vec![
            json!({"Id": "prowler-aws-s3-123456789012-us-east-1-media-prod"}),
            json!({"Id": "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIA1/NOT_A_CODE"}),
            json!({"Id": "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIA1"}),
            json!({"Id": 7}),
            json!({"Title": "no id"}),
            json!({"Id": "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIA1/STALE"}),
        ];
        assert_eq!(
            archived(&report, &[], &held),
            [resolved("media-prod/AKIA1/STALE")]
        );
    }
}
