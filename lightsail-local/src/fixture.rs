//! The fixture format: the types a JSON fixture deserialises into (buckets, keys, faults, an
//! organization, a `generate` section), their defaults, and what those defaults mean. Reading
//! a file, expanding `generate` and checking the result is `load`'s and `generate`'s job.
//!
//! Times are relative ("created 200 days ago", counted back from the moment the stand-in
//! starts) so verdicts do not drift with the calendar. A key's last use may change after a
//! number of reads of its bucket (see [`LastUsedChange`]), so a client's re-read can see a use
//! its first read did not.
//!
//! Besides buckets, a fixture may hold an AWS Organizations `organization` (see
//! [`OrganizationFixture`]) and a `generate` section (see [`GenerateFixture`]).
//!
//! A caller's account comes from its signing access key id (`credentials`, keys the stand-in's
//! STS issued, else 123456789012), for Organizations and STS calls as for Lightsail ones.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

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
///
/// Its ways in (`accessRules`, `readonlyAccessAccounts`, `resourcesReceivingAccess`,
/// `accessLogConfig`) default to a clean bucket: private, shared with no account or instance,
/// access logging on. Access findings are opt-in per fixture, so fixtures written before these
/// fields existed keep describing clean buckets.
///
/// [`Default`] is a base for struct update syntax in code: its name and region are empty.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketFixture {
    /// The bucket's name, unique within its account and region.
    pub name: String,
    /// The region it lives in; only calls signed for this region see it.
    pub region: String,
    /// The owning account; absent means the default account, `123456789012`.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Its access keys, in the order `GetBucketAccessKeys` lists them; a key deleted by
    /// `DeleteBucketAccessKey` is no longer listed (the fixture itself never changes).
    #[serde(default)]
    pub keys: Vec<KeyFixture>,
    /// Faults on calls that name this bucket.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Who may read its objects; absent means private, with no public overrides.
    #[serde(default)]
    pub access_rules: AccessRules,
    /// Other AWS accounts given read-only access (12-digit ids), served as
    /// `readonlyAccessAccounts`; absent means none.
    #[serde(default)]
    pub readonly_access_accounts: Vec<String>,
    /// Lightsail instances given access, served as `resourcesReceivingAccess` only to a
    /// `GetBuckets` call with `includeConnectedResources: true`, as the real API does; absent
    /// means none.
    #[serde(default)]
    pub resources_receiving_access: Vec<ResourceReceivingAccess>,
    /// Access logging. Absent means **on**, to `access-logs` with prefix `<bucket name>/`: not
    /// Lightsail's creation default (off), deliberately, so a fixture that says nothing about
    /// logging describes a clean bucket. See [`BucketFixture::access_log`].
    #[serde(default)]
    pub access_log_config: Option<AccessLogConfig>,
}

/// A bucket's `accessRules`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessRules {
    /// `public` or `private`; any other string is served as given, so tests can send a value
    /// Lightsail may add later. Absent means `private`.
    #[serde(default = "private")]
    pub get_object: String,
    /// Whether single objects may be made public while the bucket is private. Absent means
    /// false.
    #[serde(default)]
    pub allow_public_overrides: bool,
}

impl Default for AccessRules {
    /// Private, with no public overrides: a new bucket's rules.
    fn default() -> Self {
        Self {
            get_object: private(),
            allow_public_overrides: false,
        }
    }
}

/// A Lightsail resource given access to a bucket (`SetResourceAccessForBucket`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceReceivingAccess {
    /// The resource's name, e.g. an instance's.
    pub name: String,
    /// Its type; absent means `Instance`, the only kind Lightsail can give access to.
    #[serde(default = "instance")]
    pub resource_type: String,
}

/// A bucket's `accessLogConfig` as a fixture gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessLogConfig {
    /// Whether access logging is on.
    pub enabled: bool,
    /// The bucket the logs go to. Absent: `access-logs` if `enabled`, else not served.
    #[serde(default)]
    pub destination: Option<String>,
    /// The prefix of the log objects. Absent: `<bucket name>/` if `enabled`, else not served.
    #[serde(default)]
    pub prefix: Option<String>,
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
    /// A use of the key that a later read sees: from the bucket's `reads + 1`-th served
    /// `GetBucketAccessKeys` on, the key reports this `lastUsed` instead. Absent: its `lastUsed`
    /// never changes.
    #[serde(default)]
    pub last_used_after_reads: Option<LastUsedChange>,
}

/// A key's `lastUsed` changing between two reads, as when a client uses the key between an
/// audit's `GetBucketAccessKeys` and a later one (e.g. the re-read before a deletion). Counted
/// per bucket: each `GetBucketAccessKeys` its keys are served by counts, whoever calls and in
/// whichever order, so the change lands at the same read in every run. Faulted calls are not
/// served and do not count.
///
/// ```json
/// {"accessKeyId": "AKIAUSEDLATER0000001", "status": "Active", "createdDaysAgo": 90,
///  "lastUsedDaysAgo": null,
///  "lastUsedAfterReads": {"reads": 1, "lastUsedDaysAgo": 0, "lastUsedService": "s3"}}
/// ```
///
/// The first read serves the key as never used; the second and later serve it as used when the
/// stand-in started. The fields are the key's own `lastUsed*` fields, with the same defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LastUsedChange {
    /// How many reads serve the key's own `lastUsed` first; at least 1.
    pub reads: u64,
    /// The new last use, in days before the stand-in started: more recent than the key's
    /// `lastUsedDaysAgo`, as a use can only move it forward.
    pub last_used_days_ago: f64,
    /// The service of the new last use; absent means `s3`.
    #[serde(default)]
    pub last_used_service: Option<String>,
    /// The region of the new last use; absent means the bucket's.
    #[serde(default)]
    pub last_used_region: Option<String>,
}

/// A key's `lastUsed` as one read serves it: `days_ago` `None` is never used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LastUsed<'a> {
    pub(crate) days_ago: Option<f64>,
    pub(crate) service: Option<&'a str>,
    pub(crate) region: Option<&'a str>,
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
    /// Only calls to these operations (e.g. `GetBucketAccessKeys`, `DeleteBucketAccessKey`,
    /// `AssumeRole`, `GetCallerIdentity`, `ListAccounts`); absent means every operation of every
    /// service.
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

fn private() -> String {
    "private".into()
}

fn instance() -> String {
    "Instance".into()
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

impl AccountFixture {
    /// Its `Email`: as given, or one made from the id.
    pub(crate) fn email(&self) -> String {
        self.email
            .clone()
            .unwrap_or_else(|| format!("account-{}@example.com", self.id))
    }
}

impl KeyFixture {
    /// Its `lastUsed` as served by a read of its bucket after `reads_served` earlier ones: the
    /// change in `lastUsedAfterReads` once it is due, else its own.
    pub(crate) fn last_used(&self, reads_served: u64) -> LastUsed<'_> {
        match &self.last_used_after_reads {
            Some(change) if reads_served >= change.reads => LastUsed {
                days_ago: Some(change.last_used_days_ago),
                service: change.last_used_service.as_deref(),
                region: change.last_used_region.as_deref(),
            },
            _ => LastUsed {
                days_ago: self.last_used_days_ago,
                service: self.last_used_service.as_deref(),
                region: self.last_used_region.as_deref(),
            },
        }
    }
}

impl BucketFixture {
    /// The owning account: `accountId`, or the default account.
    pub(crate) fn account(&self) -> &str {
        self.account_id.as_deref().unwrap_or(DEFAULT_ACCOUNT_ID)
    }

    /// Its access logging as served: `accessLogConfig` with its blanks filled while logging
    /// is on (to `access-logs`, prefix `<name>/`), or that default when absent.
    pub(crate) fn access_log(&self) -> AccessLogConfig {
        let given = self.access_log_config.clone().unwrap_or(AccessLogConfig {
            enabled: true,
            destination: None,
            prefix: None,
        });
        if !given.enabled {
            return given;
        }
        AccessLogConfig {
            enabled: true,
            destination: given.destination.or_else(|| Some("access-logs".into())),
            prefix: given.prefix.or_else(|| Some(format!("{}/", self.name))),
        }
    }
}

/// Every region Lightsail has an endpoint in (botocore's endpoint data), us-east-1 first: what
/// `"regions": "all"` expands to.
pub const LIGHTSAIL_REGIONS: [&str; 19] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-2",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
];

/// A compact description of a large organization: the fixture's `generate` section, expanded
/// by [`Fixture::expand`] into organization accounts, member roles, buckets and keys.
///
/// ```json
/// {"generate": {"accounts": 1000, "regions": "all", "bucketsPerAccount": 2,
///               "externalId": "bench-external-id", "suspendedAccounts": 10}}
/// ```
///
/// | field | default | meaning |
/// |---|---|---|
/// | `accounts` | required, 1 to 100,000 | accounts generated, the management account among them if `includeManagement` |
/// | `firstAccountId` | `100000000000` | members get consecutive 12-digit ids from it, skipping the management account's |
/// | `regions` | `["us-east-1"]` | regions the buckets are spread over; `"all"` means every Lightsail region ([`LIGHTSAIL_REGIONS`]) |
/// | `bucketsPerAccount` | 1 | buckets per generated account, at most 100 |
/// | `keysPerBucket` | 2 | 0 to 2 keys per bucket |
/// | `memberRoleName` | `LightsailKeyAuditMember` | each member gets role `arn:aws:iam::<id>:role/<memberRoleName>` |
/// | `externalId` | none | if set, every generated role requires it |
/// | `suspendedAccounts` | 0 | the last M members are `SUSPENDED` (they keep their role and buckets) |
/// | `includeManagement` | true | the first account generated is the management account |
///
/// The rule for accounts: the organization is the fixture's `organization` (or a default one,
/// managed by 123456789012, when there is none). With `includeManagement`, the first of the
/// `accounts` generated is its management account (`managementAccountId`): it is added to the
/// organization's accounts unless already listed there, gets buckets, and no role (the function
/// audits it with its own credentials). The other `accounts - 1` (all `accounts` without
/// `includeManagement`) are members, `member-<id>`, with ids counting up from `firstAccountId`.
///
/// Buckets and keys: account number `i` of the generated ones (the management account first)
/// gets buckets `acct-<id>-b<k>` for `k` in `0..bucketsPerAccount`, bucket `k` in region
/// `regions[(i + k) % regions.len()]`. Key 0 of each bucket (`AKIA<id><k:03>0`) is `Active`,
/// created 10 days ago and used a day ago: a clean key. Key 1 (`AKIA<id><k:03>1`) is `Active`,
/// created 200 days ago and never used: rotation overdue and never used. `GetRegions` then
/// lists every region of `regions` too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateFixture {
    /// How many accounts to generate, the management account among them if
    /// `include_management`; 1 to 100,000.
    pub accounts: usize,
    /// The first member's 12-digit id; members count up from it, skipping the management
    /// account's id. Default `100000000000`.
    #[serde(default = "default_first_account_id")]
    pub first_account_id: String,
    /// The regions buckets are spread over, round-robin. In JSON, a list or `"all"` (every
    /// region of [`LIGHTSAIL_REGIONS`]). Default `["us-east-1"]`.
    #[serde(default = "default_regions", deserialize_with = "regions")]
    pub regions: Vec<String>,
    /// Buckets per generated account, 0 to 100. Default 1.
    #[serde(default = "one")]
    pub buckets_per_account: usize,
    /// Keys per bucket, 0 to 2: a clean one, then an old never-used one. Default 2.
    #[serde(default = "two")]
    pub keys_per_bucket: usize,
    /// The role name every member gets. Default `LightsailKeyAuditMember`.
    #[serde(default = "default_member_role_name")]
    pub member_role_name: String,
    /// If set, every generated role requires this external id.
    #[serde(default)]
    pub external_id: Option<String>,
    /// How many of the last members are `SUSPENDED`. Default 0.
    #[serde(default)]
    pub suspended_accounts: usize,
    /// Whether the first account generated is the management account. Default true.
    #[serde(default = "yes")]
    pub include_management: bool,
}

impl Default for GenerateFixture {
    /// One account, the management account, with the defaults above.
    fn default() -> Self {
        Self {
            accounts: 1,
            first_account_id: default_first_account_id(),
            regions: default_regions(),
            buckets_per_account: one(),
            keys_per_bucket: two(),
            member_role_name: default_member_role_name(),
            external_id: None,
            suspended_accounts: 0,
            include_management: yes(),
        }
    }
}

fn default_first_account_id() -> String {
    "100000000000".into()
}

fn default_regions() -> Vec<String> {
    vec!["us-east-1".into()]
}

fn default_member_role_name() -> String {
    "LightsailKeyAuditMember".into()
}

fn one() -> usize {
    1
}

fn two() -> usize {
    2
}

fn yes() -> bool {
    true
}

/// `regions` in JSON: a list of region names, or `"all"`.
fn regions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Regions {
        Word(String),
        List(Vec<String>),
    }
    match Regions::deserialize(deserializer)? {
        Regions::List(list) => Ok(list),
        Regions::Word(word) if word == "all" => Ok(LIGHTSAIL_REGIONS.map(String::from).to_vec()),
        Regions::Word(word) => Err(serde::de::Error::custom(format!(
            "generate.regions is a list of regions or \"all\"; got {word:?}"
        ))),
    }
}
