//! The report's findings as other systems receive them (Security Hub's ASFF, OCSF): each
//! with its stable id, place, title, types and the documentation of the call that fixes it.
//!
//! One walk for both formats, so they name the same findings with the same ids. A finding
//! whose account, Region or key id is unknown has no stable id, so it is not exported; the
//! walk counts it so the caller can say so.

use chrono::{DateTime, Utc};

use super::bucket::{BucketReport, BucketStatus};
use super::contract::Report;
use crate::rules::{Finding, FindingCode, KeyReport};

/// The tool, as every exported finding names its generator.
pub(crate) const PRODUCT: &str = "lightsail-key-audit";

/// The id's placeholder for a finding on the bucket itself rather than on a key.
const BUCKET_LEVEL: &str = "bucket";

/// The tool's version, as exported findings carry it.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One unsuppressed finding, placed.
#[derive(Debug, Clone)]
pub(crate) struct Exported<'a> {
    pub(crate) id: String,
    pub(crate) account_id: &'a str,
    pub(crate) region: &'a str,
    pub(crate) bucket: &'a BucketReport,
    /// `None` for a bucket-level finding.
    pub(crate) key: Option<&'a KeyReport>,
    pub(crate) finding: &'a Finding,
    /// When it was first seen: from the change-tracking state, else this run.
    pub(crate) first_seen: DateTime<Utc>,
}

/// A finding's identity, as its id spells it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FindingKey {
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) bucket_name: String,
    pub(crate) access_key_id: Option<String>,
    pub(crate) code: FindingCode,
}

impl FindingKey {
    /// `lightsail-key-audit/<accountId>/<region>/<bucketName>/<accessKeyId or "bucket">/<CODE>`:
    /// bucket names, Regions and account and key ids hold no `/`, so it reads back.
    pub(crate) fn id(&self) -> String {
        let key = self.access_key_id.as_deref().unwrap_or(BUCKET_LEVEL);
        format!(
            "{PRODUCT}/{}/{}/{}/{key}/{}",
            self.account_id,
            self.region,
            self.bucket_name,
            self.code.as_str()
        )
    }

    /// The key an id of this tool spells; `None` for any other id.
    pub(crate) fn parse(id: &str) -> Option<Self> {
        let mut parts = id.split('/');
        let (Some(PRODUCT), Some(account), Some(region), Some(bucket), Some(key), Some(code), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        Some(Self {
            account_id: account.to_owned(),
            region: region.to_owned(),
            bucket_name: bucket.to_owned(),
            access_key_id: (key != BUCKET_LEVEL).then(|| key.to_owned()),
            code: FindingCode::parse(code)?,
        })
    }
}

/// Every unsuppressed finding of `report` with a stable id, and how many have none.
pub(crate) fn exported(report: &Report) -> (Vec<Exported<'_>>, usize) {
    walk(report, true)
}

/// Every suppressed finding of `report` with a stable id (those without one are left out).
pub(crate) fn suppressed(report: &Report) -> Vec<Exported<'_>> {
    walk(report, false).0
}

/// The findings of audited buckets that count (`counting`) or are suppressed, placed; and
/// how many could not be placed.
fn walk(report: &Report, counting: bool) -> (Vec<Exported<'_>>, usize) {
    let mut out = Vec::new();
    let mut unplaced = 0;
    let audited = report
        .buckets()
        .iter()
        .filter(|b| b.status == BucketStatus::Audited);
    for bucket in audited {
        let bucket_level = bucket.findings.iter().map(|f| (None, f));
        let key_level = bucket
            .keys
            .iter()
            .flat_map(|k| k.findings.iter().map(move |f| (Some(k), f)));
        for (key, finding) in bucket_level
            .chain(key_level)
            .filter(|(_, f)| f.counts() == counting)
        {
            match place(report, bucket, key, finding) {
                Some(exported) => out.push(exported),
                None => unplaced += 1,
            }
        }
    }
    (out, unplaced)
}

fn place<'a>(
    report: &Report,
    bucket: &'a BucketReport,
    key: Option<&'a KeyReport>,
    finding: &'a Finding,
) -> Option<Exported<'a>> {
    let account_id = bucket.location.account_id.as_deref()?;
    let region = bucket.location.region.as_deref()?;
    let access_key_id = match key {
        Some(key) => Some(key.access_key_id.clone()?),
        None => None,
    };
    let id = FindingKey {
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        bucket_name: bucket.bucket_name.clone(),
        access_key_id,
        code: finding.code,
    }
    .id();
    Some(Exported {
        id,
        account_id,
        region,
        bucket,
        key,
        finding,
        first_seen: finding.first_seen.unwrap_or_else(|| report.generated_at()),
    })
}

/// A short title a person scans a list by.
pub(crate) fn title(code: FindingCode) -> &'static str {
    match code {
        FindingCode::Stale => "Lightsail bucket access key unused for longer than the stale threshold",
        FindingCode::NeverUsed => "Lightsail bucket access key never used",
        FindingCode::RotationDue => "Lightsail bucket access key overdue for rotation",
        FindingCode::Inactive => "Inactive Lightsail bucket access key not deleted",
        FindingCode::MultipleActiveKeys => "Lightsail bucket has more than one active access key",
        FindingCode::PublicRead => "Lightsail bucket objects are readable by anyone",
        FindingCode::PublicObjectsAllowed => "Lightsail bucket allows single objects to be made public",
        FindingCode::SharedOutsideOrganization => "Lightsail bucket shared with untrusted AWS accounts",
        FindingCode::SharedWithAccounts => "Lightsail bucket shared with other AWS accounts",
        FindingCode::InstanceAccess => "Lightsail instances have access to the bucket",
        FindingCode::AccessLoggingOff => "Lightsail bucket access logging is off",
    }
}

/// Types from the ASFF types taxonomy (`namespace/category/classifier`): what IAM key
/// findings and S3 exposure findings use, so a team's filters catch these too.
pub(crate) fn types(code: FindingCode) -> &'static [&'static str] {
    const PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
    const CIS: &str =
        "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
    const EXPOSURE: &str = "Effects/Data Exposure";
    match code {
        FindingCode::Stale | FindingCode::RotationDue => &[PRACTICES, CIS],
        FindingCode::NeverUsed | FindingCode::Inactive | FindingCode::MultipleActiveKeys => &[PRACTICES],
        FindingCode::PublicRead | FindingCode::SharedOutsideOrganization => &[PRACTICES, EXPOSURE],
        FindingCode::PublicObjectsAllowed
        | FindingCode::SharedWithAccounts
        | FindingCode::InstanceAccess
        | FindingCode::AccessLoggingOff => &[PRACTICES],
    }
}

/// The AWS documentation of the call the recommendation names.
pub(crate) fn doc_url(code: FindingCode) -> &'static str {
    match code {
        FindingCode::Stale | FindingCode::NeverUsed | FindingCode::Inactive | FindingCode::MultipleActiveKeys => {
            "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_DeleteBucketAccessKey.html"
        }
        FindingCode::RotationDue => {
            "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateBucketAccessKey.html"
        }
        FindingCode::InstanceAccess => {
            "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_SetResourceAccessForBucket.html"
        }
        FindingCode::PublicRead
        | FindingCode::PublicObjectsAllowed
        | FindingCode::SharedOutsideOrganization
        | FindingCode::SharedWithAccounts
        | FindingCode::AccessLoggingOff => {
            "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_UpdateBucket.html"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(access_key_id: Option<&str>, code: FindingCode) -> FindingKey {
        FindingKey {
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            bucket_name: "media-prod".into(),
            access_key_id: access_key_id.map(str::to_owned),
            code,
        }
    }

    #[test]
    fn a_key_level_id_reads_back() {
        let stale = key(Some("AKIAIOSFODNN7EXAMPLE"), FindingCode::Stale);
        let id = stale.id();
        assert_eq!(
            id,
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/AKIAIOSFODNN7EXAMPLE/STALE"
        );
        assert_eq!(FindingKey::parse(&id), Some(stale));
    }

    #[test]
    fn a_bucket_level_id_reads_back_without_a_key() {
        let public = key(None, FindingCode::PublicRead);
        let id = public.id();
        assert_eq!(
            id,
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/bucket/PUBLIC_READ"
        );
        assert_eq!(FindingKey::parse(&id), Some(public));
        for code in FindingCode::ALL {
            let each = key(Some("AKIA1"), code);
            assert_eq!(FindingKey::parse(&each.id()), Some(each));
        }
    }

    #[test]
    fn other_ids_are_not_this_tools() {
        for id in [
            "",
            "prowler-aws-s3_bucket_public_access-123456789012-eu-west-1-media-prod",
            "arn:aws:securityhub:eu-west-1:123456789012:subscription/cis/v/1.2.0/1.4/finding/abc",
            "other-tool/123456789012/eu-west-1/media-prod/bucket/PUBLIC_READ",
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/bucket",
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/AKIA1/STALE/extra",
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/AKIA1/stale",
            "lightsail-key-audit/123456789012/eu-west-1/media-prod/AKIA1/NOT_A_CODE",
            "LIGHTSAIL-KEY-AUDIT/123456789012/eu-west-1/media-prod/AKIA1/STALE",
        ] {
            assert_eq!(FindingKey::parse(id), None, "{id}");
        }
    }

    #[test]
    fn every_code_has_a_short_title() {
        for code in FindingCode::ALL {
            let title = title(code);
            assert!(!title.is_empty() && title.chars().count() <= 256, "{code:?}");
        }
        let distinct: std::collections::BTreeSet<_> = FindingCode::ALL.into_iter().map(title).collect();
        assert_eq!(distinct.len(), FindingCode::ALL.len(), "one title per code");
    }

    #[test]
    fn every_codes_types_are_in_the_asff_taxonomy() {
        const NAMESPACES: [&str; 5] = [
            "Software and Configuration Checks",
            "TTPs",
            "Effects",
            "Unusual Behaviors",
            "Sensitive Data Identifications",
        ];
        for code in FindingCode::ALL {
            let types = types(code);
            assert!(!types.is_empty(), "{code:?}");
            for t in types {
                let parts: Vec<&str> = t.split('/').collect();
                assert!(matches!(parts.len(), 2 | 3), "{code:?}: {t}");
                assert!(NAMESPACES.contains(&parts[0]), "{code:?}: {t}");
                assert!(parts.iter().all(|p| !p.is_empty()), "{code:?}: {t}");
            }
        }
        assert_eq!(types(FindingCode::PublicRead)[1], "Effects/Data Exposure");
    }

    #[test]
    fn every_codes_doc_is_an_aws_docs_page() {
        for code in FindingCode::ALL {
            let url = doc_url(code);
            assert!(url.starts_with("https://docs.aws.amazon.com/"), "{code:?}: {url}");
            assert!(url.ends_with(".html"), "{code:?}: {url}");
        }
        assert!(doc_url(FindingCode::Stale).ends_with("API_DeleteBucketAccessKey.html"));
        assert!(doc_url(FindingCode::RotationDue).ends_with("API_CreateBucketAccessKey.html"));
    }
}
