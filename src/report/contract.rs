//! The report an invocation returns: the contract security teams build on.
//!
//! Field names and casing are fixed by the report reference (docs/report.md); the summary is always
//! derived from the bucket entries, so the two cannot disagree.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::archive::ArchiveStatus;
use super::bucket::{BucketReport, BucketStatus};
use super::changes::{self, Announced, Changes, History, Resolved, State};
use super::hub_summary::HubSummary;
use super::remediation::{self, Action, ActionCounts, ActionStatus, Remediation, Standing};
use super::suppress;
use crate::coverage::{Listed, OrganizationCoverage, ScopeError};
use crate::request::{Remediation as RemediationSettings, RemediationMode, Suppression, TrustBasis};
use crate::rules::{serialize_by_code, Finding, FindingCode, KeyStatus, Policy};

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
    /// With `accounts: "organization"`: how many accounts were listed and audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<OrganizationCoverage>,
    /// Accounts or regions that could not be audited as a whole.
    scope_errors: Vec<ScopeError>,
    buckets: Vec<BucketReport>,
    /// `REMEDIATION`'s mode and what it planned or did, key by key.
    remediation: Remediation,
    /// What sharing was judged against: a run judged otherwise than the schedule is not
    /// compared with its history.
    #[serde(skip)]
    trust_basis: TrustBasis,
    /// The suppressions applied: a run with others than the schedule's does not speak for it
    /// in Security Hub.
    #[serde(skip)]
    suppressions: Vec<Suppression>,
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Bucket entries in the report: unique names, or buckets discovered.
    pub buckets_requested: usize,
    /// Buckets with status `AUDITED`.
    pub buckets_audited: usize,
    /// Buckets with status `ERROR`.
    pub buckets_failed: usize,
    /// Buckets not reached before the invocation's deadline.
    pub buckets_skipped: usize,
    /// Keys listed.
    pub keys: usize,
    /// Keys listed as Active.
    pub active_keys: usize,
    /// Keys with at least one finding that is not suppressed.
    pub keys_with_findings: usize,
    /// Audited buckets whose access could not be read (`accessError`): their access findings
    /// are unknown, not absent.
    pub access_unknown: usize,
    /// Findings that are not suppressed, per code.
    pub findings: FindingCounts,
    /// Findings a suppression covers: in the report, not in `findings`.
    pub suppressed: usize,
    /// Suppressions past their `expires` date: they no longer apply; renew or remove them.
    pub(crate) expired_suppressions: Vec<Suppression>,
    /// Entries in `scopeErrors`.
    pub scope_errors: usize,
    /// Counts per account id (`unknown` where the account could not be told).
    pub by_account: BTreeMap<String, ScopeCounts>,
    /// Counts per region (`unknown` for a name found in no region).
    pub by_region: BTreeMap<String, ScopeCounts>,
    /// Unsuppressed findings first seen in this run.
    pub new_findings: usize,
    /// Findings open before and gone now, from a bucket this run audited or with their bucket.
    pub(crate) resolved_findings: Vec<Resolved>,
    /// Whether `firstSeen`, `new` and `resolvedFindings` are known.
    pub(crate) changes: Changes,
    /// Whether the report went to the archive.
    pub(crate) archive: ArchiveStatus,
    /// What went to Security Hub.
    pub(crate) security_hub: HubSummary,
    /// Remediation's actions per status.
    pub(crate) remediation: ActionCounts,
}

/// Counts for one account or one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeCounts {
    /// Buckets audited there.
    pub buckets_audited: usize,
    /// Buckets that failed there.
    pub buckets_failed: usize,
    /// Buckets not reached before the deadline there.
    pub buckets_skipped: usize,
    /// Keys listed there.
    pub keys: usize,
    /// Findings of every code, keys and buckets, not suppressed.
    pub findings: usize,
}

/// Findings per code, over keys and buckets; every code is always present, named as
/// the report names them (`STALE`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// One count per code, in the order of `FindingCode::ALL`.
    counts: [usize; FindingCode::ALL.len()],
}

impl FindingCounts {
    fn slot(code: FindingCode) -> usize {
        FindingCode::ALL.iter().position(|c| *c == code).unwrap_or(0)
    }

    /// The count of `code`'s findings.
    pub(crate) fn of(&self, code: FindingCode) -> usize {
        self.counts.get(Self::slot(code)).copied().unwrap_or(0)
    }

    pub(crate) fn add(&mut self, code: FindingCode) {
        if let Some(count) = self.counts.get_mut(Self::slot(code)) {
            *count += 1;
        }
    }

    /// All findings counted, of every code.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

impl Serialize for FindingCounts {
    /// `{"STALE": n, ...}`: every code, in the order docs/report.md lists them.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_by_code(serializer, &FindingCode::ALL, |code| self.of(code))
    }
}

impl ScopeCounts {
    fn add(&mut self, bucket: &BucketReport, findings: usize) {
        match bucket.status {
            BucketStatus::Audited => self.buckets_audited += 1,
            BucketStatus::Error => self.buckets_failed += 1,
            BucketStatus::Skipped => self.buckets_skipped += 1,
        }
        self.keys += bucket.keys.len();
        self.findings += findings;
    }
}

impl Summary {
    /// Buckets failed, skipped or with their access unknown, and accounts or regions not
    /// audited.
    pub(crate) fn not_audited(&self) -> usize {
        self.buckets_failed + self.buckets_skipped + self.access_unknown + self.scope_errors
    }

    fn count(&mut self, findings: &[Finding]) {
        for finding in findings {
            if finding.counts() {
                self.findings.add(finding.code);
            } else {
                self.suppressed += 1;
            }
        }
    }

    fn of(buckets: &[BucketReport], scope_errors: &[ScopeError], expired: Vec<Suppression>) -> Self {
        let mut summary = Self {
            buckets_requested: buckets.len(),
            scope_errors: scope_errors.len(),
            expired_suppressions: expired,
            ..Self::default()
        };
        for bucket in buckets {
            match bucket.status {
                BucketStatus::Audited => summary.buckets_audited += 1,
                BucketStatus::Error => summary.buckets_failed += 1,
                BucketStatus::Skipped => summary.buckets_skipped += 1,
            }
            if bucket.access_error.is_some() {
                summary.access_unknown += 1;
            }
            let before = summary.findings.total();
            summary.count(&bucket.findings);
            for key in &bucket.keys {
                summary.keys += 1;
                if key.status == Some(KeyStatus::Active) {
                    summary.active_keys += 1;
                }
                if key.findings.iter().any(Finding::counts) {
                    summary.keys_with_findings += 1;
                }
                summary.count(&key.findings);
            }
            let findings = summary.findings.total() - before;
            let name = |value: &Option<String>| value.clone().unwrap_or_else(|| "unknown".to_owned());
            summary
                .by_account
                .entry(name(&bucket.location.account_id))
                .or_default()
                .add(bucket, findings);
            summary
                .by_region
                .entry(name(&bucket.location.region))
                .or_default()
                .add(bucket, findings);
        }
        summary
    }
}

impl Report {
    /// The report of an audit at `generated_at`: `suppressions` are applied to the findings
    /// (as of that day, UTC) and the summary is counted, in one step, so no call order can
    /// leave the counts and the findings disagreeing.
    pub(crate) fn new(
        generated_at: DateTime<Utc>,
        policy: Policy,
        mut buckets: Vec<BucketReport>,
        scope_errors: Vec<ScopeError>,
        suppressions: &[Suppression],
    ) -> Self {
        let expired = suppress::apply(&mut buckets, suppressions, generated_at.date_naive());
        Self {
            report_version: REPORT_VERSION,
            generated_at,
            policy,
            summary: Summary::of(&buckets, &scope_errors, expired),
            organization: None,
            scope_errors,
            buckets,
            remediation: Remediation::default(),
            trust_basis: TrustBasis::default(),
            suppressions: suppressions.to_vec(),
        }
    }

    /// Records what sharing was judged against.
    pub(crate) fn with_trust_basis(mut self, basis: TrustBasis) -> Self {
        self.trust_basis = basis;
        self
    }

    /// What sharing was judged against.
    pub(crate) fn trust_basis(&self) -> &TrustBasis {
        &self.trust_basis
    }

    /// The suppressions applied.
    pub(crate) fn suppressions(&self) -> &[Suppression] {
        &self.suppressions
    }

    /// Records organization mode's coverage.
    pub(crate) fn with_organization(mut self, organization: Option<OrganizationCoverage>) -> Self {
        self.organization = organization;
        self
    }

    /// Compares the findings with `history`, giving each its `firstSeen` and `new`, and the
    /// summary its `changes`, `newFindings` and `resolvedFindings`. Returns the state to write
    /// back; `None`: write nothing (no archive, or a state that could not be read).
    pub(crate) fn track(&mut self, history: History, listed: &[Listed]) -> Option<State> {
        let codes = match self.remediation.mode {
            RemediationMode::Off => &[][..],
            _ => &self.remediation.codes[..],
        };
        let mut announced = Announced::carrying(codes);
        for action in self.remediation.announced() {
            if let Some(at) = action.eligible_at {
                announced.insert(
                    &action.location,
                    &action.bucket_name,
                    &action.access_key_id,
                    action.code,
                    at,
                );
            }
        }
        let tracking = changes::track(
            &mut self.buckets,
            history,
            listed,
            &self.policy,
            &announced,
            self.generated_at,
        );
        let new = |f: &&Finding| f.counts() && f.new == Some(true);
        self.summary.new_findings = self
            .buckets
            .iter()
            .flat_map(|b| {
                b.findings
                    .iter()
                    .chain(b.keys.iter().flat_map(|k| k.findings.iter()))
            })
            .filter(new)
            .count();
        self.summary.changes = tracking.changes;
        self.summary.resolved_findings = tracking.resolved;
        self.mark_remediated();
        tracking.state
    }

    /// Remediation's plan for this report: see [`remediation::plan`].
    pub(crate) fn plan_remediation(
        &self,
        history: &History,
        settings: &RemediationSettings,
        standing: Standing<'_>,
    ) -> Vec<Action> {
        remediation::plan(&self.buckets, history, settings, standing, self.generated_at)
    }

    /// Records what remediation did: deleted keys leave their buckets (their findings
    /// become resolved when changes are tracked), and the summary is counted again.
    pub(crate) fn set_remediation(&mut self, settings: &RemediationSettings, actions: Vec<Action>) {
        for action in actions.iter().filter(|a| a.status == ActionStatus::Deleted) {
            let bucket = self
                .buckets
                .iter_mut()
                .find(|b| b.location == action.location && b.bucket_name == action.bucket_name);
            if let Some(bucket) = bucket {
                bucket.forget_key(&action.access_key_id);
            }
        }
        let expired = std::mem::take(&mut self.summary.expired_suppressions);
        self.summary = Summary::of(&self.buckets, &self.scope_errors, expired);
        self.summary.remediation = ActionCounts::of(&actions);
        self.remediation = Remediation {
            mode: settings.mode,
            codes: settings.codes.clone(),
            actions,
        };
    }

    /// Remediation's mode and actions.
    pub(crate) fn remediation(&self) -> &Remediation {
        &self.remediation
    }

    /// Marks `resolvedBy: "remediation"` on the findings of keys this run deleted, and on a
    /// bucket's `MULTIPLE_ACTIVE_KEYS` that went with a deletion.
    fn mark_remediated(&mut self) {
        let deleted: Vec<&Action> = self
            .remediation
            .actions
            .iter()
            .filter(|a| a.status == ActionStatus::Deleted)
            .collect();
        for resolved in &mut self.summary.resolved_findings {
            let by_remediation = deleted.iter().any(|a| {
                a.location == resolved.location
                    && a.bucket_name == resolved.bucket_name
                    && match &resolved.access_key_id {
                        Some(id) => *id == a.access_key_id,
                        None => resolved.code == FindingCode::MultipleActiveKeys,
                    }
            });
            if by_remediation {
                resolved.resolved_by = Some("remediation");
            }
        }
    }

    /// Records what the Security Hub export did.
    pub(crate) fn set_security_hub(&mut self, summary: HubSummary) {
        self.summary.security_hub = summary;
    }

    /// Records where the report went in the archive.
    pub(crate) fn set_archive(&mut self, status: ArchiveStatus) {
        self.summary.archive = status;
    }

    /// The thresholds applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// When the audit ran.
    pub fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    /// The counts over the whole report.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The first failure, as (what failed, code, message): a failed (not skipped) bucket in
    /// report order, or else the first scope error.
    pub(crate) fn first_failure(&self) -> Option<(String, &str, &str)> {
        let bucket = self.buckets.iter().find_map(|b| {
            let e = b.error.as_ref().filter(|_| b.status == BucketStatus::Error)?;
            Some((
                format!("bucket {:?}", b.bucket_name),
                e.code.as_str(),
                e.message.as_str(),
            ))
        });
        bucket.or_else(|| {
            self.scope_errors.first().map(|e| {
                let account = e.location.account_id.as_deref().unwrap_or("unknown");
                let subject = match &e.location.region {
                    Some(region) => format!("account {account} in {region}"),
                    None => format!("account {account}"),
                };
                (subject, e.failure.code.as_str(), e.failure.message.as_str())
            })
        })
    }

    pub(crate) fn buckets(&self) -> &[BucketReport] {
        &self.buckets
    }

    pub(crate) fn scope_errors(&self) -> &[ScopeError] {
        &self.scope_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::Location;
    use crate::failure::Failure;
    use crate::rules::KeyReport;
    use chrono::TimeZone;
    use serde_json::{json, Value};

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

    /// Two audited buckets (bucket- and key-level findings), one failed in another account,
    /// and a scope error there.
    fn sample() -> Report {
        let buckets = vec![
            BucketReport::audited(
                "media-prod".into(),
                Location::home(),
                vec![Finding::new(FindingCode::MultipleActiveKeys, "m".into())],
                vec![
                    key(KeyStatus::Active, &[FindingCode::Stale, FindingCode::RotationDue]),
                    key(KeyStatus::Active, &[]),
                ],
            ),
            BucketReport::audited(
                "backups".into(),
                Location::home(),
                vec![],
                vec![key(KeyStatus::Inactive, &[FindingCode::Inactive])],
            ),
            BucketReport::failed(
                "ghost".into(),
                Location {
                    account_id: Some("210987654321".into()),
                    region: None,
                },
                Failure::new("NotFoundException", "no such bucket"),
            ),
        ];
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        let scope_error = ScopeError {
            location: Location {
                account_id: Some("210987654321".into()),
                region: Some("eu-west-2".into()),
            },
            role_arn: None,
            failure: Failure::new("RegionSetupInProgressException", "setting up"),
        };
        Report::new(now, Policy::default(), buckets, vec![scope_error], &[])
    }

    #[test]
    fn summary_counts_keys_buckets_and_findings_of_both_levels() {
        let report = sample();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["reportVersion"], 1);
        assert_eq!(json["generatedAt"], "2026-11-27T06:00:00Z");
        assert_eq!(
            json["summary"],
            json!({"bucketsRequested": 3, "bucketsAudited": 2, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 3,
                   "activeKeys": 2, "keysWithFindings": 2, "accessUnknown": 0,
                   "findings": {"STALE": 1, "NEVER_USED": 0, "ROTATION_DUE": 1, "INACTIVE": 1,
                                "MULTIPLE_ACTIVE_KEYS": 1, "PUBLIC_READ": 0, "PUBLIC_OBJECTS_ALLOWED": 0,
                                "SHARED_OUTSIDE_ORGANIZATION": 0, "SHARED_WITH_ACCOUNTS": 0,
                                "INSTANCE_ACCESS": 0, "ACCESS_LOGGING_OFF": 0},
                   "suppressed": 0, "expiredSuppressions": [],
                   "scopeErrors": 1,
                   "byAccount": {
                       "123456789012": {"bucketsAudited": 2, "bucketsFailed": 0, "bucketsSkipped": 0, "keys": 3, "findings": 4},
                       "210987654321": {"bucketsAudited": 0, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 0, "findings": 0}},
                   "byRegion": {
                       "unknown": {"bucketsAudited": 0, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 0, "findings": 0},
                       "us-east-1": {"bucketsAudited": 2, "bucketsFailed": 0, "bucketsSkipped": 0, "keys": 3, "findings": 4}},
                   "newFindings": 0, "resolvedFindings": [], "changes": "DISABLED",
                   "archive": {"status": "DISABLED"},
                   "securityHub": {"status": "DISABLED", "imported": 0, "archived": 0, "failed": 0, "errors": []},
                   "remediation": {"PLANNED": 0, "DELETED": 0, "SKIPPED": 0, "DEFERRED": 0, "FAILED": 0}})
        );
        assert_eq!(report.summary().findings.total(), 4);
    }

    #[test]
    fn scope_errors_and_failed_buckets_read_as_documented() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json["scopeErrors"],
            json!([{"accountId": "210987654321", "region": "eu-west-2",
                    "code": "RegionSetupInProgressException", "message": "setting up"}])
        );
        assert!(
            json["buckets"][0].get("error").is_none(),
            "no error key on an audited bucket"
        );
        assert_eq!(
            json["buckets"][2],
            json!({"bucketName": "ghost", "accountId": "210987654321", "region": null, "bucketArn": null,
                   "status": "ERROR", "error": {"code": "NotFoundException", "message": "no such bucket"},
                   "access": null, "findings": [], "keys": []})
        );
    }

    #[test]
    fn a_bucket_s_access_reads_as_documented_and_unknown_access_is_counted() {
        use crate::rules::{AccessLogging, BucketAccess, BucketRecord, GetObject, ResourceAccess};
        let record = BucketRecord {
            name: "static-site".into(),
            arn: Some("arn:aws:lightsail:us-east-1:123456789012:Bucket/abc".into()),
            access: BucketAccess {
                get_object: Some(GetObject::Public),
                allow_public_overrides: Some(false),
                readonly_access_accounts: vec!["444455556666".into()],
                resources_receiving_access: vec![ResourceAccess {
                    name: Some("web-1".into()),
                    resource_type: Some("Instance".into()),
                }],
                access_logging: AccessLogging {
                    enabled: Some(true),
                    destination: Some("access-logs".into()),
                },
            },
        };
        let public = Finding::new(FindingCode::PublicRead, "m".into());
        let known = BucketReport::audited("static-site".into(), Location::home(), vec![], vec![])
            .with_access(Ok(record), vec![public]);
        let throttled = Failure::new("ThrottlingException", "Rate exceeded");
        let unknown = BucketReport::audited("backups".into(), Location::home(), vec![], vec![])
            .with_access(Err(throttled), vec![]);
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        let report = Report::new(now, Policy::default(), vec![known, unknown], vec![], &[]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["buckets"][0]["bucketArn"],
            "arn:aws:lightsail:us-east-1:123456789012:Bucket/abc"
        );
        assert_eq!(
            json["buckets"][0]["access"],
            json!({"getObject": "public", "allowPublicOverrides": false,
                   "readonlyAccessAccounts": ["444455556666"],
                   "resourcesReceivingAccess": [{"name": "web-1", "resourceType": "Instance"}],
                   "accessLogging": {"enabled": true, "destination": "access-logs"}})
        );
        assert!(json["buckets"][0].get("accessError").is_none());
        assert_eq!(json["buckets"][0]["findings"][0]["code"], "PUBLIC_READ");
        assert_eq!(json["buckets"][0]["findings"][0]["severity"], "CRITICAL");
        assert_eq!(json["buckets"][1]["access"], Value::Null, "unknown, never clean");
        assert_eq!(
            json["buckets"][1]["accessError"],
            json!({"code": "ThrottlingException", "message": "Rate exceeded"})
        );
        assert_eq!(json["buckets"][1]["status"], "AUDITED", "its keys were audited");
        let summary = report.summary();
        assert_eq!((summary.access_unknown, summary.not_audited()), (1, 1));
        assert_eq!(summary.findings.of(FindingCode::PublicRead), 1);
    }

    #[test]
    fn the_first_failure_is_a_failed_bucket_else_a_scope_error() {
        let report = sample();
        assert_eq!(
            report.first_failure(),
            Some((
                "bucket \"ghost\"".to_owned(),
                "NotFoundException",
                "no such bucket"
            ))
        );
        let only_scope = Report::new(
            report.generated_at(),
            Policy::default(),
            vec![],
            report.scope_errors().to_vec(),
            &[],
        );
        assert_eq!(
            only_scope.first_failure(),
            Some((
                "account 210987654321 in eu-west-2".to_owned(),
                "RegionSetupInProgressException",
                "setting up"
            ))
        );
    }

    #[test]
    fn facts_a_key_lacks_are_null_not_missing() {
        let json = serde_json::to_value(sample()).unwrap();
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
