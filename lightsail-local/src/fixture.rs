//! The stand-in's state: buckets, keys and faults, read from a JSON fixture.
//!
//! Times are relative ("created 200 days ago", counted back from the moment the stand-in
//! starts) so verdicts do not drift with the calendar.
//!
//! Besides buckets, a fixture may hold an AWS Organizations `organization` (see
//! [`OrganizationFixture`]) and a `generate` section (see [`GenerateFixture`]).
//!
//! A caller's account comes from its signing access key id (`credentials`, keys the stand-in's
//! STS issued, else 123456789012), for Organizations and STS calls as for Lightsail ones.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::generate::GenerateFixture;

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
    /// Faults on every call: Lightsail, STS and Organizations alike, unless a fault's
    /// `operations` or `regions` narrow it.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Every bucket of every account and region; `GetBuckets` pages them in this order.
    #[serde(default)]
    pub buckets: Vec<BucketFixture>,
    /// The AWS Organizations organization `ListAccounts` serves; absent means no organization,
    /// so `ListAccounts` answers `AWSOrganizationsNotInUseException`.
    #[serde(default)]
    pub organization: Option<OrganizationFixture>,
    /// A large organization described compactly; [`Fixture::expand`] turns it into
    /// organization accounts, member roles and buckets (and clears it).
    #[serde(default)]
    pub generate: Option<GenerateFixture>,
}

impl Default for Fixture {
    /// An empty estate: no buckets, no organization, 50 buckets per page.
    fn default() -> Self {
        Self {
            page_size: default_page_size(),
            regions: None,
            credentials: HashMap::new(),
            roles: HashMap::new(),
            faults: Vec::new(),
            buckets: Vec::new(),
            organization: None,
            generate: None,
        }
    }
}

/// An AWS Organizations organization: what `ListAccounts` serves, and who may call it (the
/// management account and delegated administrators; a caller's account is that of its signing
/// access key id, see [`Fixture::credentials`]).
///
/// ```json
/// {"credentials": {"AKIDDELEGATED0000001": "222222222222"},
///  "organization": {
///    "id": "o-exampleorgid",
///    "managementAccountId": "123456789012",
///    "delegatedAdministrators": ["222222222222"],
///    "accounts": [
///      {"id": "123456789012", "name": "management"},
///      {"id": "222222222222", "name": "security", "email": "security@example.com"},
///      {"id": "444444444444", "name": "old-project", "status": "SUSPENDED"}]}}
/// ```
///
/// | field | default | meaning |
/// |---|---|---|
/// | `organization.id` | `o-exampleorgid` | `o-` and 10 to 32 lowercase letters or digits; part of each account's `Arn` |
/// | `organization.managementAccountId` | 123456789012 | may call `ListAccounts`; 123456789012 is the account unlisted keys act as |
/// | `organization.delegatedAdministrators` | none | accounts that may call `ListAccounts` too |
/// | `organization.accounts[]` | none | `{"id", "name", "email", "status"}` in `ListAccounts` order; list the management account too, as the real API does |
/// | `accounts[].email` | `account-<id>@example.com` | |
/// | `accounts[].status` | `ACTIVE` | `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`; `State` is served to match |
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationFixture {
    /// The organization's id: `o-` and 10 to 32 lowercase letters or digits.
    #[serde(default = "default_organization_id")]
    pub id: String,
    /// The management account, which may call `ListAccounts`; by default `123456789012`, the
    /// account that unlisted keys act as.
    #[serde(default = "default_account_id")]
    pub management_account_id: String,
    /// Member accounts registered as delegated administrators; they may call `ListAccounts`.
    #[serde(default)]
    pub delegated_administrators: Vec<String>,
    /// The accounts `ListAccounts` lists, in this order. The real API lists the management
    /// account too; the stand-in serves exactly what is here.
    #[serde(default)]
    pub accounts: Vec<AccountFixture>,
}

impl Default for OrganizationFixture {
    /// `o-exampleorgid`, managed by `123456789012`, with no accounts listed.
    fn default() -> Self {
        Self {
            id: default_organization_id(),
            management_account_id: default_account_id(),
            delegated_administrators: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

/// One account of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountFixture {
    /// The 12-digit account id.
    pub id: String,
    /// Its name, as `Name`.
    pub name: String,
    /// Its root email, as `Email`; absent means `account-<id>@example.com`.
    #[serde(default)]
    pub email: Option<String>,
    /// Its status; absent means `ACTIVE`.
    #[serde(default)]
    pub status: AccountStatus,
}

/// An organization account's status, as `ListAccounts` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// `ACTIVE`.
    #[default]
    Active,
    /// `SUSPENDED`: closed or suspended by AWS.
    Suspended,
    /// `PENDING_CLOSURE`: closing.
    PendingClosure,
}

impl AccountStatus {
    /// The `Status` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Suspended => "SUSPENDED",
            Self::PendingClosure => "PENDING_CLOSURE",
        }
    }

    /// The `State` value that goes with it (the newer field has the same names for these).
    pub fn state(self) -> &'static str {
        self.as_str()
    }
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
    /// Only calls to these operations (e.g. `GetBucketAccessKeys`, `AssumeRole`,
    /// `GetCallerIdentity`, `ListAccounts`); absent means every operation of every service.
    #[serde(default)]
    pub operations: Option<Vec<String>>,
    /// Only calls signed for these regions (STS and Organizations calls are usually signed for
    /// us-east-1); absent means all.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
}

/// What a fault does. Each service answers in its own protocol; `notFound` and
/// `regionSetupInProgress` are Lightsail's only (on STS and Organizations calls they neither
/// fire nor count towards `times`), and `repeatPageToken` does not apply to STS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    /// 400 `AccessDeniedException`; STS: 403 `AccessDenied`.
    AccessDenied,
    /// 400 `NotFoundException`.
    NotFound,
    /// 400 `UnauthenticatedException`; Organizations: 400 `UnrecognizedClientException`; STS:
    /// 403 `InvalidClientTokenId`.
    Unauthenticated,
    /// 400 `RegionSetupInProgressException`.
    RegionSetupInProgress,
    /// 400 `ThrottlingException` ("Rate exceeded"); Organizations: 400
    /// `TooManyRequestsException`; STS: 400 `Throttling`.
    Throttle,
    /// 500 `ServiceException`; STS: 500 `InternalFailure`.
    ServerError,
    /// Adds `latencyMs` before answering; the call then proceeds.
    Latency,
    /// 200 with a truncated JSON body (STS: truncated XML).
    MalformedBody,
    /// 200 with an HTML page, as a proxy in the way would answer.
    HtmlBody,
    /// `GetBuckets` returns the same `nextPageToken` for ever, and `ListAccounts` the same
    /// `NextToken`: both point to the second page.
    RepeatPageToken,
}

fn default_page_size() -> usize {
    50
}

fn default_organization_id() -> String {
    "o-exampleorgid".into()
}

fn default_account_id() -> String {
    DEFAULT_ACCOUNT_ID.into()
}

/// Whether `id` is a 12-digit account id.
pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

impl Fixture {
    /// Reads a fixture file, expands its `generate` section and checks it.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut fixture: Self = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a valid fixture: {e}", path.display()))?;
        fixture
            .expand()
            .and_then(|()| fixture.check())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(fixture)
    }

    /// Expands `generate`, if set, into organization accounts, member roles, buckets and
    /// regions, and clears it; see [`GenerateFixture`]. Done by [`Fixture::load`] and
    /// `Server::start`, so a fixture built in code may set `generate` too.
    pub fn expand(&mut self) -> Result<(), String> {
        match self.generate.take() {
            Some(generate) => crate::generate::expand(self, &generate),
            None => Ok(()),
        }
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
        if self.generate.is_some() {
            return Err("generate must be expanded first (Fixture::expand)".into());
        }
        self.organization
            .as_ref()
            .map_or(Ok(()), OrganizationFixture::check)
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

impl OrganizationFixture {
    /// Rejects ids the real service could not have, and accounts listed twice.
    pub(crate) fn check(&self) -> Result<(), String> {
        let suffix = self.id.strip_prefix("o-").unwrap_or("");
        let id_ok = (10..=32).contains(&suffix.len())
            && suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !id_ok {
            return Err(format!(
                "organization id {:?} is not o- and 10 to 32 lowercase letters or digits",
                self.id
            ));
        }
        let mut named = std::iter::once(&self.management_account_id).chain(&self.delegated_administrators);
        if let Some(bad) = named.find(|id| !is_account_id(id)) {
            return Err(format!("organization account id {bad:?} is not 12 digits"));
        }
        let mut seen = std::collections::HashSet::new();
        for account in &self.accounts {
            if !is_account_id(&account.id) {
                return Err(format!(
                    "organization account id {:?} is not 12 digits",
                    account.id
                ));
            }
            if !seen.insert(account.id.as_str()) {
                return Err(format!("organization account {} is listed twice", account.id));
            }
            if account.name.is_empty() {
                return Err(format!("organization account {} has an empty name", account.id));
            }
            if account.email.as_deref().is_some_and(|e| !e.contains('@')) {
                return Err(format!(
                    "organization account {} has no @ in its email",
                    account.id
                ));
            }
        }
        Ok(())
    }

    /// Whether `account` may call `ListAccounts`: the management account or a delegated
    /// administrator.
    pub(crate) fn may_list(&self, account: &str) -> bool {
        self.management_account_id == account || self.delegated_administrators.iter().any(|a| a == account)
    }
}

impl AccountFixture {
    /// Its `Email`: as given, or one made from the id.
    pub(crate) fn email(&self) -> String {
        self.email
            .clone()
            .unwrap_or_else(|| format!("account-{}@example.com", self.id))
    }
}

impl BucketFixture {
    /// The owning account: `accountId`, or the default account.
    pub(crate) fn account(&self) -> &str {
        self.account_id.as_deref().unwrap_or(DEFAULT_ACCOUNT_ID)
    }
}
