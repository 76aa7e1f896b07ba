//! Organization mode and accounts by id, end to end through the real SDK clients against
//! `lightsail-local`: Organizations `ListAccounts` (paged), STS `AssumeRole` and
//! `GetCallerIdentity`, then Lightsail in every account and region.

use crate::common::{entries, Local, HOME_ACCOUNT};
use chrono::Utc;
use lightsail_key_audit::{run_audit, Invocation};
use lightsail_local::Fixture;
use serde_json::{json, Value};

/// Operation indexes of `Local::calls`.
const ASSUME_ROLE: usize = 3;
const GET_CALLER_IDENTITY: usize = 4;
const LIST_ACCOUNTS: usize = 5;

/// An organization managed by the function's own account (the home account, 123456789012):
/// it and members 100000000000 to 100000000003 generated, each with one bucket (in us-east-1
/// or eu-west-2) and a member role, the last member SUSPENDED; plus 999999999999, ACTIVE but
/// with no member role.
fn organization(extra: Value) -> Fixture {
    organization_with(extra, json!([]))
}

/// [`organization`], with `buckets` besides the generated ones.
fn organization_with(extra: Value, buckets: Value) -> Fixture {
    let mut fixture = json!({
        "buckets": buckets,
        "organization": {
            "managementAccountId": HOME_ACCOUNT,
            "accounts": [{"id": "999999999999", "name": "no-role", "status": "ACTIVE"}]
        },
        "generate": {
            "accounts": 5,
            "firstAccountId": "100000000000",
            "regions": ["us-east-1", "eu-west-2"],
            "suspendedAccounts": 1
        }
    });
    if let (Some(generate), Value::Object(extra)) = (fixture["generate"].as_object_mut(), extra) {
        generate.extend(extra);
    }
    serde_json::from_value(fixture).unwrap()
}

/// (accountId, region, bucketName, status) of every entry.
fn where_audited(report: &Value) -> Vec<(String, String, String, String)> {
    entries(report)
        .iter()
        .map(|b| {
            let text = |field: &str| b[field].as_str().unwrap_or("null").to_owned();
            (
                text("accountId"),
                text("region"),
                text("bucketName"),
                text("status"),
            )
        })
        .collect()
}

fn scope_errors(report: &Value) -> Vec<(String, String)> {
    report["scopeErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let account = e["accountId"].as_str().unwrap_or("null").to_owned();
            (account, e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn sharing_within_the_organization_is_trusted_and_outside_it_is_named() {
    let bucket = |name: &str, shared: Value| {
        json!({"name": name, "region": "us-east-1", "readonlyAccessAccounts": shared,
               "keys": [{"accessKeyId": "AKIAFRESHKEY00000001", "status": "Active",
                         "createdDaysAgo": 1, "lastUsedDaysAgo": 0.5}]})
    };
    // 100000000003 is SUSPENDED and 999999999999 has no member role: listed all the same.
    let buckets = json!([
        bucket(
            "shared-in",
            json!(["100000000001", "100000000003", "999999999999"])
        ),
        bucket("shared-out", json!(["100000000002", "444455556666"])),
    ]);
    let local = Local::start(organization_with(json!({}), buckets), &[]).await;
    let report = local
        .audit(json!({"accounts": "organization", "bucketNames": ["shared-in", "shared-out"]}))
        .await
        .unwrap();
    let inside = &entries(&report)[0];
    assert_eq!(inside["bucketName"], "shared-in");
    assert_eq!(
        inside["findings"],
        json!([]),
        "members are trusted, whatever their status"
    );
    let outside = &entries(&report)[1];
    assert_eq!(outside["findings"][0]["code"], "SHARED_OUTSIDE_ORGANIZATION");
    assert_eq!(
        outside["findings"][0]["message"],
        "every object can be read by 1 other account outside the organization: 444455556666"
    );
}

#[tokio::test]
async fn every_active_account_of_the_organization_is_audited_but_the_excluded() {
    let local = Local::start(organization(json!({})), &[]).await;
    let report = local
        .audit(json!({"accounts": "organization", "regions": "all",
                      "excludeAccountIds": ["100000000001"]}))
        .await
        .unwrap();
    let audited: Vec<(String, String, String, String)> = [
        (HOME_ACCOUNT, "us-east-1", "acct-123456789012-b0"),
        ("100000000000", "eu-west-2", "acct-100000000000-b0"),
        ("100000000002", "eu-west-2", "acct-100000000002-b0"),
    ]
    .iter()
    .map(|(a, r, b)| (a.to_string(), r.to_string(), b.to_string(), "AUDITED".to_owned()))
    .collect();
    let mut found = where_audited(&report);
    found.sort();
    let mut expected = audited;
    expected.sort();
    assert_eq!(
        found, expected,
        "the home account with its own credentials, two members"
    );
    assert_eq!(
        report["organization"],
        json!({"accountsListed": 6, "accountsAudited": 3}),
        "listed: home, four generated members, one without a role; audited: not suspended, excluded or refused"
    );
    assert_eq!(
        scope_errors(&report),
        [("999999999999".to_owned(), "AssumeRoleFailed".to_owned())],
        "a role that cannot be assumed costs only its account"
    );
    let calls = local.calls();
    assert_eq!(
        calls[ASSUME_ROLE], 3,
        "no role for the home, suspended or excluded accounts"
    );
    assert_eq!(calls[LIST_ACCOUNTS], 1);
    assert_eq!(calls[2], 1, "GetRegions once, not once per account");
}

#[tokio::test]
async fn the_organization_is_listed_page_by_page() {
    // 45 accounts: three pages of at most 20.
    let local = Local::start(organization(json!({"accounts": 44, "suspendedAccounts": 0})), &[]).await;
    let report = local.audit(json!({"accounts": "organization"})).await.unwrap();
    assert_eq!(report["organization"]["accountsListed"], 45);
    assert_eq!(report["organization"]["accountsAudited"], 44);
    assert_eq!(local.calls()[LIST_ACCOUNTS], 3);
    assert_eq!(
        report["summary"]["bucketsAudited"], 22,
        "the buckets in the home region: every other account's"
    );
}

#[tokio::test]
async fn an_organization_that_cannot_be_listed_fails_the_run_with_the_api_code() {
    let cases = [
        (json!({"buckets": []}), "AWSOrganizationsNotInUseException"),
        (
            json!({"organization": {"managementAccountId": "210987654321", "accounts": []}}),
            "AccessDeniedException",
        ),
        (
            json!({"organization": {"accounts": []},
                   "faults": [{"kind": "throttle", "operations": ["ListAccounts"]}]}),
            "TooManyRequestsException",
        ),
        (
            json!({"organization": {"accounts": []}, "generate": {"accounts": 30},
                   "faults": [{"kind": "repeatPageToken", "operations": ["ListAccounts"]}]}),
            "RepeatedPageToken",
        ),
    ];
    for (fixture, code) in cases {
        let local = Local::start(serde_json::from_value(fixture).unwrap(), &[]).await;
        let error = local
            .audit(json!({"accounts": "organization"}))
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "AuditFailed", "{code}");
        let message = error.to_string();
        assert!(message.contains(code), "{message}");
        assert!(message.contains(HOME_ACCOUNT), "{message}");
    }
}

#[tokio::test]
async fn the_default_external_id_reaches_every_member_role() {
    let fixture = || organization(json!({"externalId": "ext-org-1", "suspendedAccounts": 0}));
    let refused = Local::start(fixture(), &[]).await;
    let report = refused.audit(json!({"accounts": "organization"})).await.unwrap();
    assert_eq!(
        report["organization"]["accountsAudited"], 1,
        "only the home account"
    );
    let from_request = Local::start(fixture(), &[]).await;
    let report = from_request
        .audit(json!({"accounts": "organization", "externalId": "ext-org-1"}))
        .await
        .unwrap();
    assert_eq!(report["organization"]["accountsAudited"], 5);
    let from_environment = Local::start(
        fixture(),
        &[
            ("AUDIT_ACCOUNTS", "organization"),
            ("MEMBER_EXTERNAL_ID", "ext-org-1"),
        ],
    )
    .await;
    let report = from_environment.audit(json!({})).await.unwrap();
    assert_eq!(
        report["organization"]["accountsAudited"], 5,
        "a scheduled run, no request fields"
    );
}

#[tokio::test]
async fn accounts_by_id_go_through_the_member_role_name() {
    let fixture = organization(json!({"memberRoleName": "Auditor"}));
    let local = Local::start(fixture, &[]).await;
    let report = local
        .audit(
            json!({"regions": "all", "memberRoleName": "Auditor", "accounts": [
            {"accountId": "100000000000"}, {"accountId": HOME_ACCOUNT},
            {"roleArn": "arn:aws:iam::100000000002:role/Auditor"}]}),
        )
        .await
        .unwrap();
    let accounts: Vec<String> = where_audited(&report).into_iter().map(|e| e.0).collect();
    assert_eq!(accounts, ["100000000000", HOME_ACCOUNT, "100000000002"]);
    assert_eq!(
        local.calls()[ASSUME_ROLE],
        2,
        "the home account with its own credentials"
    );
    assert!(report.get("organization").is_none(), "only in organization mode");
}

#[tokio::test]
async fn the_home_account_is_named_even_without_a_function_arn() {
    let local = Local::start(organization(json!({})), &[]).await;
    for _ in 0..2 {
        // As under cargo lambda: no function ARN, so no account in the invocation.
        let invocation = Invocation::at(Utc::now());
        let report = run_audit(&local.lightsail, &local.config, &json!({}), &invocation)
            .await
            .unwrap();
        let report = serde_json::to_value(report).unwrap();
        let accounts: Vec<String> = where_audited(&report).into_iter().map(|e| e.0).collect();
        assert_eq!(accounts, [HOME_ACCOUNT]);
        assert_eq!(report["summary"]["byAccount"][HOME_ACCOUNT]["bucketsAudited"], 1);
    }
    assert_eq!(local.calls()[GET_CALLER_IDENTITY], 1, "asked once per process");
}
