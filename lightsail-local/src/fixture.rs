//! The stand-in's state: buckets, keys and faults, read from a JSON fixture.
//!
//! Times are relative ("created 200 days ago", counted back from the moment the stand-in
//! starts) so verdicts do not drift with the calendar.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// The account that owns buckets with no `accountId`, and that unknown callers act as.
pub(crate) const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// A whole estate.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fixture {
    /// Buckets per `GetBuckets` page.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Regions `GetRegions` reports; by default the regions of the buckets plus us-east-1.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    /// Which account a signing access key id acts as; any other key acts as the default
    /// account, `123456789012`, unless this stand-in's STS issued it.
    #[serde(default)]
    pub credentials: HashMap<String, String>,
    /// Roles STS `AssumeRole` grants, by ARN; the account is the ARN's. Any other role is
    /// refused with `AccessDenied`.
    #[serde(default)]
    pub roles: HashMap<String, RoleFixture>,
    /// Faults on every Lightsail call.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Every bucket of every account and region; `GetBuckets` pages them in this order.
    pub buckets: Vec<BucketFixture>,
}

/// A role that can be assumed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleFixture {
    /// If set, `AssumeRole` must present exactly this external id.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// One bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketFixture {
    /// The bucket's name, unique within its account and region.
    pub name: String,
    /// The region it lives in; only calls signed for this region see it.
    pub region: String,
    /// The owning account; absent means the default account, `123456789012`.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Its access keys, in the order `GetBucketAccessKeys` lists them.
    #[serde(default)]
    pub keys: Vec<KeyFixture>,
    /// Faults on calls that name this bucket.
    #[serde(default)]
    pub faults: Vec<Fault>,
}

/// One access key.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyFixture {
    /// The key's id, as `accessKeyId`.
    pub access_key_id: String,
    /// `Active` or `Inactive` (anything else is served as given).
    pub status: String,
    /// Age in days when the stand-in starts; fractions are fine.
    pub created_days_ago: f64,
    /// `null` or absent: never used, served as the real API serves it.
    #[serde(default)]
    pub last_used_days_ago: Option<f64>,
    /// The service of the last use; absent means `s3`.
    #[serde(default)]
    pub last_used_service: Option<String>,
    /// The region of the last use; absent means the bucket's.
    #[serde(default)]
    pub last_used_region: Option<String>,
    /// Served in the response if set. The real API sends it only from CreateBucketAccessKey;
    /// this lets tests prove a client never leaks one.
    #[serde(default)]
    pub secret_access_key: Option<String>,
}

/// A fault to inject.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// What the fault does.
    pub kind: FaultKind,
    /// Only the first `times` matching calls fail; absent means every call.
    #[serde(default)]
    pub times: Option<u64>,
    /// For `latency`: the delay added to each matching call.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Only calls to these operations (e.g. `GetBucketAccessKeys`); absent means all.
    #[serde(default)]
    pub operations: Option<Vec<String>>,
    /// Only calls signed for these regions; absent means all.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    /// 400 `AccessDeniedException`.
    AccessDenied,
    /// 400 `NotFoundException`.
    NotFound,
    /// 400 `UnauthenticatedException`.
    Unauthenticated,
    /// 400 `RegionSetupInProgressException`.
    RegionSetupInProgress,
    /// 400 `ThrottlingException` ("Rate exceeded").
    Throttle,
    /// 500 `ServiceException`.
    ServerError,
    /// Adds `latencyMs` before answering; the call then proceeds.
    Latency,
    /// 200 with a truncated JSON body.
    MalformedBody,
    /// 200 with an HTML page, as a proxy in the way would answer.
    HtmlBody,
    /// `GetBuckets` returns the same `nextPageToken` for ever.
    RepeatPageToken,
}

fn default_page_size() -> usize {
    50
}

impl Fixture {
    /// Reads and checks a fixture file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let fixture: Self = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a valid fixture: {e}", path.display()))?;
        fixture.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(fixture)
    }

    /// Rejects what would make the stand-in answer nonsense.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.page_size == 0 {
            return Err("pageSize must be at least 1".into());
        }
        let all_faults = self
            .faults
            .iter()
            .chain(self.buckets.iter().flat_map(|b| &b.faults));
        for fault in all_faults {
            if fault.kind == FaultKind::Latency && fault.latency_ms.is_none() {
                return Err("a latency fault needs latencyMs".into());
            }
        }
        let mut seen = std::collections::HashSet::new();
        for bucket in &self.buckets {
            if !seen.insert((bucket.account(), bucket.region.as_str(), bucket.name.as_str())) {
                return Err(format!(
                    "bucket {:?} appears twice in one account and region",
                    bucket.name
                ));
            }
        }
        Ok(())
    }

    /// The account a signing access key id acts as: as listed in `credentials`, the account
    /// embedded in a key this stand-in's STS issued, or else the default account.
    pub(crate) fn account_of<'a>(&'a self, access_key_id: &'a str) -> &'a str {
        if let Some(account) = self.credentials.get(access_key_id) {
            return account;
        }
        crate::sts::issued_account(access_key_id).unwrap_or(DEFAULT_ACCOUNT_ID)
    }

    /// The regions `GetRegions` reports.
    pub(crate) fn region_names(&self) -> Vec<String> {
        if let Some(regions) = &self.regions {
            return regions.clone();
        }
        let mut regions = vec!["us-east-1".to_owned()];
        for bucket in &self.buckets {
            if !regions.contains(&bucket.region) {
                regions.push(bucket.region.clone());
            }
        }
        regions
    }
}

impl BucketFixture {
    /// The owning account: `accountId`, or the default account.
    pub(crate) fn account(&self) -> &str {
        self.account_id.as_deref().unwrap_or(DEFAULT_ACCOUNT_ID)
    }
}
