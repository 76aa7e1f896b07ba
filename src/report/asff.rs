//! The AWS Security Finding Format: a finding as `BatchImportFindings` takes it, and a
//! finding Security Hub holds, archived when this run no longer produces it.
//!
//! Only the fields a provider may set: never `Workflow`, `Note`, `UserDefinedFields` or
//! `VerificationState`, which belong to the people triaging. Access key ids go in whole, as
//! IAM's findings carry them; nothing else of a key does.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::contract::Report;
use super::exported::{doc_url, exported, title, types, Exported, PRODUCT, VERSION};
use crate::coverage::partition;
use crate::rules::FindingCode;
use crate::text::clip;

/// The ASFF version every finding declares.
const SCHEMA_VERSION: &str = "2018-10-08";
/// ASFF's length limits, in characters.
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
/// A `Details.Other` value is under 1,024 characters.
const MAX_DETAIL: usize = 1023;
/// Where this tool's `ProductFields` keys start: Security Hub reserves `aws/`.
const FIELD_PREFIX: &str = "lightsail-key-audit/";

/// Why a finding Security Hub holds is archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archival<'a> {
    /// This run audited its bucket (or saw it gone) and the finding is not there.
    Resolved,
    /// A suppression covers it now; its reason goes with it.
    Suppressed(&'a str),
}

/// The product ARN of an account's own findings in `hub_region`.
pub(crate) fn product_arn(account_id: &str, hub_region: &str) -> String {
    let partition = partition(hub_region);
    format!("arn:{partition}:securityhub:{hub_region}:{account_id}:product/{account_id}/default")
}

/// The `GeneratorId` of a code's findings; every one starts with [`generator_prefix`].
fn generator_id(code: FindingCode) -> String {
    format!("{}{}", generator_prefix(), code.as_str())
}

/// What every `GeneratorId` of this tool starts with: the lifecycle's filter.
pub(crate) fn generator_prefix() -> String {
    format!("{PRODUCT}/")
}

/// An ASFF finding and where it is imported: its account, and its Security Hub Region.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub(crate) account_id: String,
    pub(crate) hub_region: String,
    pub(crate) finding: Value,
}

/// Every unsuppressed finding of `report` in ASFF, each for its bucket's Region or for
/// `aggregation`; and how many findings have no stable id and are left out.
pub(crate) fn findings(report: &Report, aggregation: Option<&str>) -> (Vec<Placed>, usize) {
    let (exported, unplaced) = exported(report);
    let placed = exported
        .iter()
        .map(|e| {
            let hub_region = aggregation.unwrap_or(e.region).to_owned();
            Placed {
                account_id: e.account_id.to_owned(),
                finding: finding(e, &hub_region, report.generated_at()),
                hub_region,
            }
        })
        .collect();
    (placed, unplaced)
}

/// The command line's `--format asff`: `{"Findings": [...]}`, as `BatchImportFindings`
/// (and `aws securityhub batch-import-findings --cli-input-json`) takes it; and how many
/// findings have no stable id and are left out.
pub(crate) fn asff_document(
    report: &Report,
    aggregation: Option<&str>,
) -> serde_json::Result<(String, usize)> {
    let (placed, unplaced) = findings(report, aggregation);
    let findings: Vec<Value> = placed.into_iter().map(|p| p.finding).collect();
    let text = serde_json::to_string_pretty(&json!({ "Findings": findings }))? + "\n";
    Ok((text, unplaced))
}

/// `exported` as an active ASFF finding, for import into `hub_region`.
fn finding(exported: &Exported<'_>, hub_region: &str, generated_at: DateTime<Utc>) -> Value {
    let finding = exported.finding;
    let code = finding.code;
    let bucket = exported.bucket;
    let subject = match exported.key.and_then(|k| k.access_key_id.as_deref()) {
        Some(key) => format!("Access key {key} of bucket {}", bucket.bucket_name),
        None => format!("Bucket {}", bucket.bucket_name),
    };
    let description = format!(
        "{subject} (account {}, {}): {}.",
        exported.account_id, exported.region, finding.message
    );
    json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": exported.id,
        "ProductArn": product_arn(exported.account_id, hub_region),
        "GeneratorId": generator_id(code),
        "AwsAccountId": exported.account_id,
        "Types": types(code),
        "CreatedAt": timestamp(exported.first_seen),
        "FirstObservedAt": timestamp(exported.first_seen),
        "UpdatedAt": timestamp(generated_at),
        "LastObservedAt": timestamp(generated_at),
        "Severity": {"Label": finding.severity.as_str()},
        // Where a provider's later updates of these two are read from, once a finding exists.
        "FindingProviderFields": {
            "Severity": {"Label": finding.severity.as_str()},
            "Types": types(code),
        },
        "Title": clip(title(code), MAX_TITLE - 3),
        "Description": clip(&description, MAX_DESCRIPTION - 3),
        "Remediation": {"Recommendation": {
            "Text": clip(finding.recommendation, MAX_RECOMMENDATION - 3),
            "Url": doc_url(code),
        }},
        "ProductFields": product_fields(code, None),
        "Resources": [resource(exported)],
        "Compliance": {"Status": "FAILED"},
        "RecordState": "ACTIVE",
    })
}

/// The bucket as an ASFF resource, with the key's facts (strings, as `Details.Other` takes).
fn resource(exported: &Exported<'_>) -> Value {
    let bucket = exported.bucket;
    let mut details = Map::new();
    details.insert(
        "bucketName".into(),
        clip(&bucket.bucket_name, MAX_DETAIL - 3).into(),
    );
    if let Some(key) = exported.key {
        let facts = [
            ("accessKeyId", key.access_key_id.clone()),
            ("status", key.status.as_ref().map(|s| s.as_str().to_owned())),
            ("ageDays", key.age_days.map(|d| d.to_string())),
            ("daysSinceLastUse", key.days_since_last_use.map(|d| d.to_string())),
            ("lastUsedService", key.last_used_service.clone()),
            ("lastUsedRegion", key.last_used_region.clone()),
        ];
        for (name, value) in facts {
            if let Some(value) = value {
                details.insert(name.into(), clip(&value, MAX_DETAIL - 3).into());
            }
        }
    }
    json!({
        "Type": "Other",
        // Lightsail's ARN carries an internal id, not the name: without access checks it is
        // not read, and the name is the best id there is.
        "Id": bucket.bucket_arn.as_deref().unwrap_or(&bucket.bucket_name),
        "Partition": partition(exported.region),
        "Region": exported.region,
        "Details": {"Other": details},
    })
}

fn product_fields(code: FindingCode, archival: Option<Archival<'_>>) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert(format!("{FIELD_PREFIX}Code"), code.as_str().into());
    fields.insert(format!("{FIELD_PREFIX}Version"), VERSION.into());
    match archival {
        Some(Archival::Resolved) => {
            fields.insert(format!("{FIELD_PREFIX}ArchivedBecause"), "RESOLVED".into());
        }
        Some(Archival::Suppressed(reason)) => {
            fields.insert(format!("{FIELD_PREFIX}ArchivedBecause"), "SUPPRESSED".into());
            fields.insert(
                format!("{FIELD_PREFIX}SuppressionReason"),
                clip(reason, 1000).into(),
            );
        }
        None => {}
    }
    fields
}

/// `held` (a finding of this tool as `GetFindings` returned it) archived at `now`: the same
/// `Id`, `RecordState: ARCHIVED`, `Compliance.Status: PASSED`, and only the fields a provider
/// may set.
pub(crate) fn archived(held: &Value, code: FindingCode, archival: Archival<'_>, now: DateTime<Utc>) -> Value {
    const KEPT: [&str; 15] = [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "FirstObservedAt",
        "LastObservedAt",
        "Severity",
        "FindingProviderFields",
        "Title",
        "Description",
        "Remediation",
        "Resources",
    ];
    let mut finding: Map<String, Value> = KEPT
        .iter()
        .filter_map(|field| Some(((*field).to_owned(), held.get(*field)?.clone())))
        .collect();
    finding.insert("UpdatedAt".into(), timestamp(now).into());
    finding.insert(
        "ProductFields".into(),
        product_fields(code, Some(archival)).into(),
    );
    finding.insert("Compliance".into(), json!({"Status": "PASSED"}));
    finding.insert("RecordState".into(), "ARCHIVED".into());
    finding.into()
}

/// ASFF's timestamp: RFC 3339, UTC, milliseconds.
fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::Location;
    use crate::report::BucketReport;
    use crate::request::Suppression;
    use crate::rules::{Finding, KeyReport, Policy};
    use chrono::{NaiveDate, TimeZone};

    const ACCOUNT: &str = "123456789012";
    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
    const ARN: &str = "arn:aws:lightsail:eu-west-1:123456789012:Bucket/8d2b3a1c-0000-4c1e-9a5f-6e3d1b2c4f5a";
    const KEY_ID: &str = "lightsail-key-audit/123456789012/eu-west-1/media-prod/AKIAIOSFODNN7EXAMPLE/STALE";
    const BUCKET_ID: &str =
        "lightsail-key-audit/123456789012/eu-west-1/media-prod/bucket/MULTIPLE_ACTIVE_KEYS";

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 6, 0, 0).unwrap()
    }

    fn location(region: &str) -> Location {
        Location {
            account_id: Some(ACCOUNT.into()),
            region: Some(region.into()),
        }
    }

    /// media-prod in `region`: two active keys (bucket level, not tracked) and a key STALE
    /// since the 1st.
    fn media(region: &str) -> BucketReport {
        let mut key = KeyReport::sample(KEY, &[FindingCode::Stale]);
        key.last_used_service = Some("s3".into());
        key.last_used_region = Some("eu-west-2".into());
        key.findings[0].message = "last used 100 days ago; threshold 45".into();
        key.findings[0].first_seen = Some(at(1));
        let two = Finding::new(FindingCode::MultipleActiveKeys, "2 active keys".into());
        let mut bucket = BucketReport::audited("media-prod".into(), location(region), vec![two], vec![key]);
        bucket.bucket_arn = Some(ARN.into());
        bucket
    }

    /// A report generated on the 27th.
    fn report(buckets: Vec<BucketReport>, suppressions: &[Suppression]) -> Report {
        Report::new(at(27), Policy::default(), buckets, vec![], suppressions)
    }

    fn by_id<'a>(placed: &'a [Placed], id: &str) -> &'a Placed {
        placed
            .iter()
            .find(|p| p.finding["Id"] == id)
            .unwrap_or_else(|| panic!("no finding {id}"))
    }

    #[test]
    fn a_key_finding_carries_every_required_field_and_nothing_a_provider_may_not_set() {
        let (placed, unplaced) = findings(&report(vec![media("eu-west-1")], &[]), None);
        assert_eq!(unplaced, 0);
        assert_eq!(placed.len(), 2);
        let stale = by_id(&placed, KEY_ID);
        assert_eq!(
            (stale.account_id.as_str(), stale.hub_region.as_str()),
            (ACCOUNT, "eu-west-1")
        );
        let expected = json!({
            "SchemaVersion": "2018-10-08",
            "Id": KEY_ID,
            "ProductArn": "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default",
            "GeneratorId": "lightsail-key-audit/STALE",
            "AwsAccountId": ACCOUNT,
            "Types": [
                "Software and Configuration Checks/AWS Security Best Practices",
                "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
            ],
            "CreatedAt": "2026-11-01T06:00:00.000Z",
            "FirstObservedAt": "2026-11-01T06:00:00.000Z",
            "UpdatedAt": "2026-11-27T06:00:00.000Z",
            "LastObservedAt": "2026-11-27T06:00:00.000Z",
            "Severity": {"Label": "MEDIUM"},
            "FindingProviderFields": {
                "Severity": {"Label": "MEDIUM"},
                "Types": [
                    "Software and Configuration Checks/AWS Security Best Practices",
                    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
                ],
            },
            "Title": "Lightsail bucket access key unused for longer than the stale threshold",
            "Description": "Access key AKIAIOSFODNN7EXAMPLE of bucket media-prod (account 123456789012, eu-west-1): \
                            last used 100 days ago; threshold 45.",
            "Remediation": {"Recommendation": {
                "Text": FindingCode::Stale.recommendation(),
                "Url": "https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_DeleteBucketAccessKey.html",
            }},
            "ProductFields": {
                "lightsail-key-audit/Code": "STALE",
                "lightsail-key-audit/Version": env!("CARGO_PKG_VERSION"),
            },
            "Resources": [{
                "Type": "Other",
                "Id": ARN,
                "Partition": "aws",
                "Region": "eu-west-1",
                "Details": {"Other": {
                    "bucketName": "media-prod",
                    "accessKeyId": KEY,
                    "status": "Active",
                    "ageDays": "200",
                    "daysSinceLastUse": "100",
                    "lastUsedService": "s3",
                    "lastUsedRegion": "eu-west-2",
                }},
            }],
            "Compliance": {"Status": "FAILED"},
            "RecordState": "ACTIVE",
        });
        assert_eq!(stale.finding, expected);
    }

    #[test]
    fn a_bucket_level_finding_is_on_the_bucket_and_first_seen_now_without_tracking() {
        let mut bucket = media("eu-west-1");
        bucket.bucket_arn = None;
        let (placed, _) = findings(&report(vec![bucket], &[]), None);
        let two = &by_id(&placed, BUCKET_ID).finding;
        assert_eq!(two["GeneratorId"], "lightsail-key-audit/MULTIPLE_ACTIVE_KEYS");
        assert_eq!(two["Severity"], json!({"Label": "LOW"}));
        assert_eq!(two["CreatedAt"], "2026-11-27T06:00:00.000Z");
        assert_eq!(two["FirstObservedAt"], "2026-11-27T06:00:00.000Z");
        assert_eq!(
            two["Description"],
            "Bucket media-prod (account 123456789012, eu-west-1): 2 active keys."
        );
        assert_eq!(
            two["Resources"],
            json!([{"Type": "Other", "Id": "media-prod", "Partition": "aws", "Region": "eu-west-1",
                    "Details": {"Other": {"bucketName": "media-prod"}}}])
        );
        assert_eq!(
            two["ProductFields"]["lightsail-key-audit/Code"],
            "MULTIPLE_ACTIVE_KEYS"
        );
    }

    #[test]
    fn a_china_finding_names_the_aws_cn_partition() {
        let (placed, _) = findings(&report(vec![media("cn-north-1")], &[]), None);
        let stale = &placed[0].finding;
        assert_eq!(
            stale["ProductArn"],
            "arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default"
        );
        assert_eq!(stale["Resources"][0]["Partition"], "aws-cn");
        assert_eq!(
            product_arn("111122223333", "us-gov-west-1"),
            "arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default"
        );
    }

    #[test]
    fn long_texts_are_clipped_to_asffs_limits_on_character_boundaries() {
        let mut bucket = media("eu-west-1");
        // 5,000 characters, most of them two bytes: a byte cut would split one.
        bucket.keys[0].findings[0].message = "é".repeat(4_999) + "x";
        let (placed, _) = findings(&report(vec![bucket], &[]), None);
        let description = by_id(&placed, KEY_ID).finding["Description"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(description.chars().count(), 1024);
        assert!(
            description.ends_with("é..."),
            "{}",
            &description[description.len() - 10..]
        );
        assert!(description.starts_with("Access key AKIAIOSFODNN7EXAMPLE of bucket media-prod"));
        // Every code's title and recommendation, as sent, fits.
        for code in FindingCode::ALL {
            let mut bucket = media("eu-west-1");
            bucket.findings = vec![Finding::new(code, "m".into())];
            let (placed, _) = findings(&report(vec![bucket], &[]), None);
            let finding = &placed[0].finding;
            assert_eq!(
                finding["ProductFields"]["lightsail-key-audit/Code"],
                code.as_str()
            );
            assert!(
                finding["Title"].as_str().unwrap().chars().count() <= 256,
                "{code:?}"
            );
            let text = finding["Remediation"]["Recommendation"]["Text"].as_str().unwrap();
            assert!(text.chars().count() <= 512, "{code:?}");
            assert_eq!(finding["Remediation"]["Recommendation"]["Url"], doc_url(code));
        }
    }

    #[test]
    fn suppressed_findings_are_not_exported_and_unplaceable_ones_are_counted() {
        let suppression = Suppression {
            access_key_id: None,
            bucket_name: Some("media-prod".into()),
            codes: Some(vec![FindingCode::MultipleActiveKeys]),
            reason: "rotation in progress".into(),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        };
        let mut keyless = media("eu-west-1");
        keyless.bucket_name = "keyless".into();
        keyless.findings.clear();
        keyless.keys[0].access_key_id = None;
        let mut nowhere = media("eu-west-1");
        nowhere.bucket_name = "nowhere".into();
        nowhere.location.account_id = None;
        let report = report(vec![media("eu-west-1"), keyless, nowhere], &[suppression]);
        let (placed, unplaced) = findings(&report, None);
        let ids: Vec<&Value> = placed.iter().map(|p| &p.finding["Id"]).collect();
        assert_eq!(ids, [KEY_ID]);
        // keyless: its key's STALE; nowhere: its bucket finding and its key's.
        assert_eq!(unplaced, 3);
    }

    #[test]
    fn the_document_is_the_findings_list_and_aggregation_moves_only_the_hub() {
        let report = report(vec![media("eu-west-1")], &[]);
        let document: Value = serde_json::from_str(&asff_document(&report, None).unwrap().0).unwrap();
        let (placed, _) = findings(&report, None);
        let listed: Vec<Value> = placed.into_iter().map(|p| p.finding).collect();
        assert_eq!(document, json!({"Findings": listed}));

        let (aggregated, _) = findings(&report, Some("us-east-1"));
        let stale = by_id(&aggregated, KEY_ID);
        assert_eq!(stale.hub_region, "us-east-1");
        assert_eq!(
            stale.finding["ProductArn"],
            "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
        );
        assert_eq!(stale.finding["Resources"][0]["Region"], "eu-west-1");
        assert_eq!(
            stale.finding["Id"], KEY_ID,
            "the id is the finding's, not the hub's"
        );
        let document: Value =
            serde_json::from_str(&asff_document(&report, Some("us-east-1")).unwrap().0).unwrap();
        assert!(document["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["ProductArn"].as_str().unwrap().contains(":us-east-1:")));
    }

    /// The STALE finding as Security Hub returns it: with what it and the triagers added.
    fn held() -> Value {
        let (placed, _) = findings(&report(vec![media("eu-west-1")], &[]), None);
        let mut held = by_id(&placed, KEY_ID).finding.clone();
        let extra = json!({
            "Workflow": {"Status": "NOTIFIED"},
            "WorkflowState": "NEW",
            "Note": {"Text": "looking", "UpdatedBy": "alice", "UpdatedAt": "2026-11-28T00:00:00Z"},
            "UserDefinedFields": {"ticket": "SEC-1"},
            "VerificationState": "TRUE_POSITIVE",
            "ProductName": "Default",
            "CompanyName": "Personal",
            "Region": "eu-west-1",
            "ProcessedAt": "2026-11-27T06:00:01.000Z",
            "ProductFields": {
                "lightsail-key-audit/Code": "STALE",
                "aws/securityhub/FindingId": "arn:aws:securityhub:eu-west-1::product/x/finding/y",
                "aws/securityhub/ProductName": "Default",
            },
        });
        for (field, value) in extra.as_object().unwrap() {
            held[field] = value.clone();
        }
        held
    }

    #[test]
    fn an_archived_finding_keeps_only_what_a_provider_may_set() {
        let held = held();
        let archived = archived(&held, FindingCode::Stale, Archival::Resolved, at(28));
        let fields: std::collections::BTreeSet<&str> =
            archived.as_object().unwrap().keys().map(String::as_str).collect();
        // Exactly the fields this tool sends in an active finding (all it may set), the
        // ones Security Hub and the triagers added dropped.
        let (placed, _) = findings(&report(vec![media("eu-west-1")], &[]), None);
        let active = &by_id(&placed, KEY_ID).finding;
        let expected: std::collections::BTreeSet<&str> =
            active.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(expected.len(), 19);
        assert_eq!(fields, expected);
        assert_eq!(archived["Id"], KEY_ID);
        assert_eq!(archived["RecordState"], "ARCHIVED");
        assert_eq!(archived["Compliance"], json!({"Status": "PASSED"}));
        assert_eq!(archived["UpdatedAt"], "2026-11-28T06:00:00.000Z");
        assert_eq!(archived["CreatedAt"], held["CreatedAt"]);
        assert_eq!(archived["Resources"], held["Resources"]);
        assert_eq!(
            archived["ProductFields"],
            json!({
                "lightsail-key-audit/Code": "STALE",
                "lightsail-key-audit/Version": env!("CARGO_PKG_VERSION"),
                "lightsail-key-audit/ArchivedBecause": "RESOLVED",
            })
        );
    }

    #[test]
    fn a_suppressed_archival_carries_the_reason() {
        let archived = archived(
            &held(),
            FindingCode::Stale,
            Archival::Suppressed("accepted risk: SEC-42"),
            at(28),
        );
        assert_eq!(archived["RecordState"], "ARCHIVED");
        assert_eq!(
            archived["ProductFields"]["lightsail-key-audit/ArchivedBecause"],
            "SUPPRESSED"
        );
        assert_eq!(
            archived["ProductFields"]["lightsail-key-audit/SuppressionReason"],
            "accepted risk: SEC-42"
        );
    }
}
