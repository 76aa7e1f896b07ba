//! The report's side of the Security Hub export: `summary.securityHub`, and which findings
//! Security Hub holds open that this run archives.
//!
//! Pure. The lifecycle is change tracking's own rule, run against what Security Hub holds
//! instead of the archive's state: a finding is archived when its bucket was audited (or a
//! complete listing shows it gone) and the finding is not there, or when a suppression now
//! covers it. A failed bucket, a failed scope or a partial run archives nothing of what it
//! could not see.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::asff::Archival;
use super::bucket::BucketStatus;
use super::changes::{self, History, State};
use super::contract::Report;
use super::exported::FindingKey;
use crate::coverage::{Listed, Location};

/// `summary.securityHub.status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum HubStatus {
    /// Every finding imported and every archive done.
    Sent,
    /// Some went, some did not: see `failed` and `errors`.
    Partial,
    /// Nothing went.
    Failed,
    /// `SECURITY_HUB=off`.
    #[default]
    Disabled,
}

/// One account and Region that Security Hub failed in, or one finding it refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HubError {
    pub(crate) account_id: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) code: String,
    pub(crate) message: String,
}

/// `summary.securityHub`: what the export did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HubSummary {
    pub(crate) status: HubStatus,
    /// Active findings Security Hub took.
    pub(crate) imported: usize,
    /// Findings Security Hub took as `ARCHIVED`.
    pub(crate) archived: usize,
    /// Findings that were to be imported or archived and were not.
    pub(crate) failed: usize,
    pub(crate) errors: Vec<HubError>,
}

impl HubSummary {
    /// The status the counts give: `SENT` when nothing failed.
    pub(crate) fn settle(mut self) -> Self {
        let went = self.imported + self.archived > 0;
        let failed = self.failed > 0 || !self.errors.is_empty();
        self.status = match (went, failed) {
            (_, false) => HubStatus::Sent,
            (true, true) => HubStatus::Partial,
            (false, true) => HubStatus::Failed,
        };
        self
    }

    /// What the `SecurityHubFailures` metric counts: findings not sent, and calls that failed.
    pub(crate) fn failures(&self) -> usize {
        self.failed + self.errors.len()
    }
}

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
    let mut out = BTreeMap::new();
    for bucket in report
        .buckets()
        .iter()
        .filter(|b| b.status == BucketStatus::Audited)
    {
        let (Some(account_id), Some(region)) = (&bucket.location.account_id, &bucket.location.region) else {
            continue;
        };
        let bucket_level = bucket.findings.iter().map(|f| (None, f));
        let key_level = bucket
            .keys
            .iter()
            .flat_map(|k| k.findings.iter().map(move |f| (k.access_key_id.clone(), f)));
        for (access_key_id, finding) in bucket_level.chain(key_level) {
            if let Some(note) = &finding.suppression {
                let key = FindingKey {
                    account_id: account_id.clone(),
                    region: region.clone(),
                    bucket_name: bucket.bucket_name.clone(),
                    access_key_id,
                    code: finding.code,
                };
                out.insert(key, note.suppression_reason.as_str());
            }
        }
    }
    out
}
