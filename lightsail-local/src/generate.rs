//! A large organization from a few numbers: the fixture's `generate` section, expanded when the
//! fixture is loaded into organization accounts, member roles, buckets and keys.
//!
//! The format and the rule are documented on [`GenerateFixture`].

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

use crate::fixture::{
    is_account_id, AccountFixture, AccountStatus, BucketFixture, Fixture, KeyFixture, OrganizationFixture,
    RoleFixture,
};

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

const MAX_ACCOUNTS: usize = 100_000;
const MAX_BUCKETS_PER_ACCOUNT: usize = 100;
const MAX_KEYS_PER_BUCKET: usize = 2;
const LAST_ACCOUNT_ID: u64 = 999_999_999_999;

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

impl GenerateFixture {
    /// Rejects what cannot be generated, or would take more memory than a benchmark needs.
    fn check(&self) -> Result<(), String> {
        let members = self.accounts.saturating_sub(usize::from(self.include_management));
        let problems = [
            (
                !(1..=MAX_ACCOUNTS).contains(&self.accounts),
                format!("generate.accounts must be 1 to {MAX_ACCOUNTS}"),
            ),
            (
                !is_account_id(&self.first_account_id),
                format!(
                    "generate.firstAccountId {:?} is not 12 digits",
                    self.first_account_id
                ),
            ),
            (
                self.regions.is_empty() || self.regions.iter().any(String::is_empty),
                "generate.regions needs at least one region, none empty".into(),
            ),
            (
                self.buckets_per_account > MAX_BUCKETS_PER_ACCOUNT,
                format!("generate.bucketsPerAccount must be at most {MAX_BUCKETS_PER_ACCOUNT}"),
            ),
            (
                self.keys_per_bucket > MAX_KEYS_PER_BUCKET,
                format!("generate.keysPerBucket must be at most {MAX_KEYS_PER_BUCKET}, as Lightsail allows"),
            ),
            (
                !valid_role_name(&self.member_role_name),
                format!(
                    "generate.memberRoleName {:?} is not 1 to 64 of [\\w+=,.@-]",
                    self.member_role_name
                ),
            ),
            (
                self.suspended_accounts > members,
                format!("generate.suspendedAccounts must be at most the {members} members"),
            ),
        ];
        match problems.into_iter().find(|(failed, _)| *failed) {
            Some((_, problem)) => Err(problem),
            None => Ok(()),
        }
    }
}

fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

/// Expands `generate` into `fixture`, by the rule on [`GenerateFixture`].
pub(crate) fn expand(fixture: &mut Fixture, generate: &GenerateFixture) -> Result<(), String> {
    generate.check()?;
    let organization = fixture
        .organization
        .get_or_insert_with(OrganizationFixture::default);
    let management = organization.management_account_id.clone();
    if !is_account_id(&management) {
        return Err(format!("organization account id {management:?} is not 12 digits"));
    }
    let members = member_ids(generate, &management)?;
    add_accounts(organization, generate, &members);
    add_roles(&mut fixture.roles, generate, &members);
    let owners: Vec<&String> = generate
        .include_management
        .then_some(&management)
        .into_iter()
        .chain(&members)
        .collect();
    fixture
        .buckets
        .reserve(owners.len().saturating_mul(generate.buckets_per_account));
    for (i, owner) in owners.into_iter().enumerate() {
        add_buckets(&mut fixture.buckets, generate, i, owner);
    }
    add_regions(fixture, &generate.regions);
    Ok(())
}

/// The members' ids: consecutive from `firstAccountId`, skipping the management account's.
fn member_ids(generate: &GenerateFixture, management: &str) -> Result<Vec<String>, String> {
    let count = generate
        .accounts
        .saturating_sub(usize::from(generate.include_management));
    let mut next: u64 = generate.first_account_id.parse().map_err(|_| {
        format!(
            "generate.firstAccountId {:?} is not a number",
            generate.first_account_id
        )
    })?;
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        if next > LAST_ACCOUNT_ID {
            return Err(format!(
                "generate: {count} accounts from {} run past 999999999999",
                generate.first_account_id
            ));
        }
        let id = format!("{next:012}");
        if id != management {
            ids.push(id);
        }
        next += 1;
    }
    Ok(ids)
}

/// Lists the management account (unless listed already) and the members, the last
/// `suspendedAccounts` of them suspended.
fn add_accounts(organization: &mut OrganizationFixture, generate: &GenerateFixture, members: &[String]) {
    let management = &organization.management_account_id;
    if generate.include_management && !organization.accounts.iter().any(|a| &a.id == management) {
        organization.accounts.push(AccountFixture {
            id: management.clone(),
            name: "management".into(),
            email: None,
            status: AccountStatus::Active,
        });
    }
    let active = members.len().saturating_sub(generate.suspended_accounts);
    organization.accounts.reserve(members.len());
    organization
        .accounts
        .extend(members.iter().enumerate().map(|(i, id)| AccountFixture {
            id: id.clone(),
            name: format!("member-{id}"),
            email: None,
            status: if i < active {
                AccountStatus::Active
            } else {
                AccountStatus::Suspended
            },
        }));
}

/// A role in every member, requiring `externalId` if set.
fn add_roles(roles: &mut HashMap<String, RoleFixture>, generate: &GenerateFixture, members: &[String]) {
    roles.reserve(members.len());
    for id in members {
        roles.insert(
            format!("arn:aws:iam::{id}:role/{}", generate.member_role_name),
            RoleFixture {
                external_id: generate.external_id.clone(),
            },
        );
    }
}

/// The buckets of the `i`th account generated, spread over the regions round-robin.
fn add_buckets(buckets: &mut Vec<BucketFixture>, generate: &GenerateFixture, i: usize, owner: &str) {
    let regions = &generate.regions;
    for k in 0..generate.buckets_per_account {
        let Some(region) = regions.get(i.wrapping_add(k) % regions.len().max(1)) else {
            return;
        };
        buckets.push(BucketFixture {
            name: format!("acct-{owner}-b{k}"),
            region: region.clone(),
            account_id: Some(owner.to_owned()),
            keys: (0..generate.keys_per_bucket)
                .map(|j| generated_key(owner, k, j))
                .collect(),
            faults: Vec::new(),
        });
    }
}

/// Key `j` of bucket `k`: 0 is clean (10 days old, used a day ago), 1 is 200 days old and
/// never used. Ids are `AKIA`, the account, the bucket in 3 digits and the key: 20 characters.
fn generated_key(owner: &str, k: usize, j: usize) -> KeyFixture {
    let (created, used) = if j == 0 { (10.0, Some(1.0)) } else { (200.0, None) };
    KeyFixture {
        access_key_id: format!("AKIA{owner}{k:03}{j}"),
        status: "Active".into(),
        created_days_ago: created,
        last_used_days_ago: used,
        last_used_service: None,
        last_used_region: None,
        secret_access_key: None,
    }
}

/// Makes `GetRegions` list every generated region, besides what it listed already.
fn add_regions(fixture: &mut Fixture, generated: &[String]) {
    let mut names = fixture.region_names();
    for region in generated {
        if !names.contains(region) {
            names.push(region.clone());
        }
    }
    fixture.regions = Some(names);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(json: &str) -> Result<Fixture, String> {
        let mut fixture: Fixture = serde_json::from_str(json).map_err(|e| e.to_string())?;
        fixture.expand()?;
        fixture.check()?;
        Ok(fixture)
    }

    #[test]
    fn accounts_roles_and_suspensions_follow_the_rule() {
        let fixture =
            expanded(r#"{"generate": {"accounts": 5, "suspendedAccounts": 2, "externalId": "ext"}}"#)
                .unwrap();
        let organization = fixture.organization.unwrap();
        assert_eq!(organization.management_account_id, "123456789012");
        let listed: Vec<(&str, AccountStatus)> = organization
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.status))
            .collect();
        use AccountStatus::*;
        assert_eq!(
            listed,
            [
                ("123456789012", Active),
                ("100000000000", Active),
                ("100000000001", Active),
                ("100000000002", Suspended),
                ("100000000003", Suspended),
            ]
        );
        assert_eq!(
            fixture.roles.len(),
            4,
            "a role per member, none for the management account"
        );
        let role = &fixture.roles["arn:aws:iam::100000000003:role/LightsailKeyAuditMember"];
        assert_eq!(role.external_id.as_deref(), Some("ext"));
        assert!(fixture.generate.is_none(), "expanded once");
    }

    #[test]
    fn buckets_spread_over_the_regions_with_a_clean_and_a_stale_key() {
        let fixture = expanded(
            r#"{"regions": ["us-east-1"], "generate": {"accounts": 3, "includeManagement": false,
                "regions": ["eu-west-2", "ap-south-1"], "bucketsPerAccount": 3}}"#,
        )
        .unwrap();
        let placed: Vec<(&str, &str)> = fixture
            .buckets
            .iter()
            .map(|b| (b.name.as_str(), b.region.as_str()))
            .collect();
        assert_eq!(placed.len(), 9);
        assert_eq!(placed[0], ("acct-100000000000-b0", "eu-west-2"));
        assert_eq!(placed[1], ("acct-100000000000-b1", "ap-south-1"));
        assert_eq!(placed[3], ("acct-100000000001-b0", "ap-south-1"));
        let bucket = &fixture.buckets[3];
        assert_eq!(bucket.account_id.as_deref(), Some("100000000001"));
        let keys: Vec<(&str, Option<f64>)> = bucket
            .keys
            .iter()
            .map(|k| (k.access_key_id.as_str(), k.last_used_days_ago))
            .collect();
        assert_eq!(
            keys,
            [
                ("AKIA1000000000010000", Some(1.0)),
                ("AKIA1000000000010001", None)
            ]
        );
        assert!(fixture
            .buckets
            .iter()
            .all(|b| b.name.len() <= 54 && b.keys.iter().all(|k| k.access_key_id.len() == 20)));
        assert_eq!(fixture.region_names(), ["us-east-1", "eu-west-2", "ap-south-1"]);
        let organization = fixture.organization.unwrap();
        assert_eq!(organization.accounts.len(), 3, "no management account listed");
    }

    #[test]
    fn all_means_every_lightsail_region_and_ids_skip_the_management_account() {
        let fixture = expanded(
            r#"{"organization": {"managementAccountId": "100000000001",
                                 "accounts": [{"id": "100000000001", "name": "root"}]},
                "generate": {"accounts": 3, "regions": "all", "keysPerBucket": 0}}"#,
        )
        .unwrap();
        assert_eq!(fixture.region_names(), LIGHTSAIL_REGIONS);
        let organization = fixture.organization.unwrap();
        let ids: Vec<&str> = organization.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["100000000001", "100000000000", "100000000002"]);
        assert_eq!(
            organization.accounts[0].name, "root",
            "listed already, kept as listed"
        );
        assert_eq!(fixture.buckets[0].name, "acct-100000000001-b0");
        assert!(fixture.buckets.iter().all(|b| b.keys.is_empty()));
    }

    #[test]
    fn five_thousand_accounts_expand_quickly() {
        let started = std::time::Instant::now();
        let fixture =
            expanded(r#"{"generate": {"accounts": 5000, "regions": "all", "bucketsPerAccount": 2}}"#)
                .unwrap();
        assert_eq!(fixture.organization.unwrap().accounts.len(), 5000);
        assert_eq!(fixture.buckets.len(), 10_000);
        assert_eq!(fixture.roles.len(), 4999);
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn impossible_descriptions_are_refused() {
        for (json, expected) in [
            (r#"{"generate": {"accounts": 0}}"#, "accounts must be"),
            (
                r#"{"generate": {"accounts": 2, "keysPerBucket": 3}}"#,
                "keysPerBucket",
            ),
            (
                r#"{"generate": {"accounts": 2, "suspendedAccounts": 2}}"#,
                "suspendedAccounts",
            ),
            (
                r#"{"generate": {"accounts": 2, "firstAccountId": "12ab"}}"#,
                "firstAccountId",
            ),
            (
                r#"{"generate": {"accounts": 3, "firstAccountId": "999999999999"}}"#,
                "run past",
            ),
            (r#"{"generate": {"accounts": 2, "regions": "most"}}"#, "\"all\""),
            (
                r#"{"generate": {"accounts": 2, "regions": []}}"#,
                "at least one region",
            ),
            (
                r#"{"generate": {"accounts": 2, "memberRoleName": "a/b"}}"#,
                "memberRoleName",
            ),
            (
                r#"{"generate": {"accounts": 2, "colour": "red"}}"#,
                "unknown field",
            ),
            (
                r#"{"organization": {"accounts": [{"id": "100000000000", "name": "x"}]},
                    "generate": {"accounts": 2}}"#,
                "listed twice",
            ),
        ] {
            let error = expanded(json).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }
}
