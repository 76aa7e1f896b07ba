//! A large organization from a few numbers: the fixture's `generate` section, expanded when the
//! fixture is loaded into organization accounts, member roles, buckets and keys.
//!
//! The format and the rule are documented on [`GenerateFixture`] (in `fixture`); this is the
//! expansion, and the limits it checks first.

use std::collections::HashMap;

use crate::fixture::{
    is_account_id, AccountFixture, AccountStatus, BucketFixture, Fixture, GenerateFixture, KeyFixture,
    OrganizationFixture, RoleFixture,
};

const MAX_ACCOUNTS: usize = 100_000;
const MAX_BUCKETS_PER_ACCOUNT: usize = 100;
const MAX_KEYS_PER_BUCKET: usize = 2;
const LAST_ACCOUNT_ID: u64 = 999_999_999_999;

/// Rejects what cannot be generated, or would take more memory than a benchmark needs.
fn check(generate: &GenerateFixture) -> Result<(), String> {
    let members = generate
        .accounts
        .saturating_sub(usize::from(generate.include_management));
    let problems = [
        (
            !(1..=MAX_ACCOUNTS).contains(&generate.accounts),
            format!("generate.accounts must be 1 to {MAX_ACCOUNTS}"),
        ),
        (
            !is_account_id(&generate.first_account_id),
            format!(
                "generate.firstAccountId {:?} is not 12 digits",
                generate.first_account_id
            ),
        ),
        (
            generate.regions.is_empty() || generate.regions.iter().any(String::is_empty),
            "generate.regions needs at least one region, none empty".into(),
        ),
        (
            generate.buckets_per_account > MAX_BUCKETS_PER_ACCOUNT,
            format!("generate.bucketsPerAccount must be at most {MAX_BUCKETS_PER_ACCOUNT}"),
        ),
        (
            generate.keys_per_bucket > MAX_KEYS_PER_BUCKET,
            format!("generate.keysPerBucket must be at most {MAX_KEYS_PER_BUCKET}, as Lightsail allows"),
        ),
        (
            !valid_role_name(&generate.member_role_name),
            format!(
                "generate.memberRoleName {:?} is not 1 to 64 of [\\w+=,.@-]",
                generate.member_role_name
            ),
        ),
        (
            generate.suspended_accounts > members,
            format!("generate.suspendedAccounts must be at most the {members} members"),
        ),
    ];
    match problems.into_iter().find(|(failed, _)| *failed) {
        Some((_, problem)) => Err(problem),
        None => Ok(()),
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
    check(generate)?;
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
            ..BucketFixture::default()
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
        last_used_after_reads: None,
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
    use crate::fixture::LIGHTSAIL_REGIONS;

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
