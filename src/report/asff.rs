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
/// (and `aws securityhub batch-import-findings --cli-input-json`) takes it.
pub(crate) fn asff_document(report: &Report, aggregation: Option<&str>) -> serde_json::Result<String> {
    let (placed, _) = findings(report, aggregation);
    let findings: Vec<Value> = placed.into_iter().map(|p| p.finding).collect();
    Ok(serde_json::to_string_pretty(&json!({ "Findings": findings }))? + "\n")
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
    details.insert("bucketName".into(), bucket.bucket_name.clone().into());
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
                details.insert(name.into(), value.into());
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
    const KEPT: [&str; 14] = [
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
