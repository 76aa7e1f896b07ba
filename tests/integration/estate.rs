//! Auditing a whole estate against `lightsail-local`: discovery over pages, several regions,
//! several accounts through STS AssumeRole, and failures of a whole account or region.

use crate::common::*;
use lightsail_local::{Fault, FaultKind, Fixture, RoleFixture};
use serde_json::{json, Value};

const MEMBER: &str = "210987654321";
const MEMBER_ROLE: &str = "arn:aws:iam::210987654321:role/LightsailKeyAudit";
const DENIED_ROLE: &str = "arn:aws:iam::333333333333:role/LightsailKeyAudit";

/// What the home account lists in us-east-1, in order.
const HOME_US: [&str; 3] = [
    "123456789012/us-east-1/home-a",
    "123456789012/us-east-1/home-b",
    "123456789012/us-east-1/home-c",
];

/// Home: three buckets in us-east-1 (paged two at a time), one in eu-west-2.
/// Member: one bucket in us-east-1, one in eu-west-2.
fn estate() -> Fixture {
    let used = |id: &str| key(id, 10.0, Some(1.0));
    let mut fixture = fixture(vec![
        bucket_in(
            "home-a",
            "us-east-1",
            None,
            vec![used("AKIAHOMEA00000000001")],
            vec![],
        ),
        bucket_in(
            "home-b",
            "us-east-1",
            None,
            vec![key("AKIAHOMEB00000000001", 60.0, None)],
            vec![],
        ),
        bucket_in(
            "home-c",
            "us-east-1",
            None,
            vec![used("AKIAHOMEC00000000001")],
            vec![],
        ),
        bucket_in(
            "home-eu",
            "eu-west-2",
            None,
            vec![used("AKIAHOMEEU0000000001")],
            vec![],
        ),
        bucket_in(
            "member-us",
            "us-east-1",
            Some(MEMBER),
            vec![used("AKIAMEMBERUS00000001")],
            vec![],
        ),
        bucket_in(
            "member-eu",
            "eu-west-2",
            Some(MEMBER),
            vec![key("AKIAMEMBEREU00000001", 200.0, Some(100.0))],
            vec![],
        ),
    ]);
    fixture.page_size = 2;
    fixture.regions = Some(vec!["us-east-1".into(), "eu-west-2".into(), "ap-south-1".into()]);
    fixture.roles.insert(
        MEMBER_ROLE.into(),
        RoleFixture {
            external_id: Some("audit-ext-1".into()),
        },
    );
    fixture
}

/// The estate with `fault` injected.
fn estate_with(fault: Fault) -> Fixture {
    let mut fixture = estate();
    fixture.faults.push(fault);
    fixture
}

#[tokio::test]
async fn with_no_names_every_bucket_of_the_region_is_discovered_across_pages() {
    let local = Local::start(estate(), &[]).await;
    let report = local.audit(json!({})).await.unwrap();
    assert_eq!(located(&report), HOME_US);
    assert_eq!(local.calls()[0], 2, "two GetBuckets pages");
    assert_eq!(report["summary"]["findings"]["NEVER_USED"], 1);
    assert_eq!(report["scopeErrors"], json!([]));
}

#[tokio::test]
async fn a_repeating_page_token_stops_listing_and_keeps_what_was_found() {
    let repeating_token = Fault {
        operations: Some(vec!["GetBuckets".into()]),
        ..fault(FaultKind::RepeatPageToken, None)
    };
    let local = Local::start(estate_with(repeating_token), &[]).await;
    let report = local.audit(json!({})).await.unwrap();
    assert_eq!(
        located(&report),
        HOME_US,
        "the pages before the repeat are audited"
    );
    let error = &report["scopeErrors"][0];
    assert_eq!(error["code"], "RepeatedPageToken");
    assert_eq!(error["region"], "us-east-1");
    assert_eq!(local.calls()[0], 2, "stopped at the first repeat");
}

#[tokio::test]
async fn two_regions_are_audited_in_request_order() {
    let local = Local::start(estate(), &[]).await;
    let report = local
        .audit(json!({"regions": ["eu-west-2", "us-east-1"]}))
        .await
        .unwrap();
    assert_eq!(
        located(&report),
        [&["123456789012/eu-west-2/home-eu"][..], &HOME_US].concat()
    );
    assert_eq!(report["summary"]["byRegion"]["eu-west-2"]["bucketsAudited"], 1);
    assert_eq!(report["summary"]["byRegion"]["us-east-1"]["bucketsAudited"], 3);
}

#[tokio::test]
async fn named_buckets_are_located_across_regions_and_a_missing_one_is_not_found() {
    let local = Local::start(estate(), &[("AUDIT_REGIONS", "us-east-1,eu-west-2")]).await;
    let report = local
        .audit(json!({"bucketNames": ["home-eu", "ghost", "home-b"]}))
        .await
        .unwrap();
    assert_eq!(
        located(&report),
        [
            "123456789012/us-east-1/home-b",
            "123456789012/eu-west-2/home-eu",
            "-/-/ghost"
        ]
    );
    let ghost = &report["buckets"][2];
    assert_eq!(ghost["error"]["code"], "NotFoundException");
    assert!(
        ghost["error"]["message"]
            .as_str()
            .unwrap()
            .contains("us-east-1, 123456789012/eu-west-2"),
        "{ghost}"
    );
    assert_eq!(local.calls()[1], 2, "keys fetched only for the buckets found");
}

#[tokio::test]
async fn one_named_bucket_in_one_region_is_fetched_directly_and_its_access_read_by_name() {
    let local = Local::start(estate(), &[]).await;
    let report = local.audit(json!({"bucketNames": ["home-a"]})).await.unwrap();
    assert_eq!(located(&report), ["123456789012/us-east-1/home-a"]);
    assert_eq!(
        local.calls(),
        [1, 1, 0, 0, 0, 0, 0],
        "one GetBucketAccessKeys, one GetBuckets by name"
    );
    assert_eq!(report["buckets"][0]["access"]["getObject"], "private");
    let keys_only = json!({"bucketNames": ["home-a"], "includeAccessChecks": false});
    let report = local.audit(keys_only).await.unwrap();
    assert_eq!(
        local.calls(),
        [1, 2, 0, 0, 0, 0, 0],
        "keys only: no GetBuckets call, no extra permission"
    );
    assert_eq!(report["buckets"][0]["access"], serde_json::Value::Null);
    assert_eq!(report["buckets"][0]["bucketArn"], serde_json::Value::Null);
}

#[tokio::test]
async fn every_region_means_what_get_regions_lists() {
    let local = Local::start(estate(), &[]).await;
    let report = local.audit(json!({"regions": "all"})).await.unwrap();
    assert_eq!(located(&report).len(), 4);
    assert_eq!(local.calls()[2], 1, "one GetRegions call");
    assert_eq!(
        local.calls()[0],
        2 + 1 + 1,
        "us-east-1 in two pages, eu-west-2, ap-south-1"
    );
}

#[tokio::test]
async fn two_accounts_with_one_failing_assume_role() {
    let local = Local::start(estate(), &[]).await;
    let (captured, _guard) = capture_logs(true);
    let report = local
        .audit(json!({"regions": ["us-east-1", "eu-west-2"],
               "accounts": [{"roleArn": DENIED_ROLE}, {"roleArn": MEMBER_ROLE, "externalId": "audit-ext-1"}]}))
        .await
    .unwrap();
    assert_eq!(
        located(&report),
        [
            "210987654321/us-east-1/member-us",
            "210987654321/eu-west-2/member-eu"
        ]
    );
    let denied = &report["scopeErrors"][0];
    assert_eq!(denied["accountId"], "333333333333");
    assert_eq!(denied["region"], Value::Null);
    assert_eq!(denied["roleArn"], DENIED_ROLE);
    assert_eq!(denied["code"], "AssumeRoleFailed");
    assert_eq!(
        denied["message"],
        format!(
            "cannot assume {DENIED_ROLE}: AccessDenied: User is not authorized to perform: sts:AssumeRole \
             on resource: {DENIED_ROLE}"
        )
    );
    assert_eq!(report["summary"]["byAccount"][MEMBER]["bucketsAudited"], 2);
    assert_eq!(report["summary"]["findings"]["STALE"], 1);

    // The assumed role's credentials are as secret as the function's own.
    let logs = captured.text();
    for secret in [
        "lightsail-local/assumed/secret/210987654321",
        "lightsail-local-assumed-session-token-210987654321",
        CREDENTIAL_SECRET,
        SESSION_TOKEN,
    ] {
        assert!(!logs.contains(secret), "logs hold {secret}");
        assert!(!report.to_string().contains(secret), "report holds {secret}");
    }
}

#[tokio::test]
async fn when_no_role_can_be_assumed_the_run_fails_with_the_first_cause() {
    let local = Local::start(estate(), &[("AUDIT_ROLE_ARNS", MEMBER_ROLE)]).await;
    let report = local
        .audit(
            json!({"accounts": [{"roleArn": MEMBER_ROLE, "externalId": "wrong"},
                            {"roleArn": "arn:aws:iam::123456789012:role/Self"}]}),
        )
        .await;
    // Neither role can be assumed (Self is not in the fixture): nothing audited, so the run fails.
    let error = report.unwrap_err();
    assert_eq!(error.error_type(), "AuditFailed");
    assert!(
        error
            .to_string()
            .contains("account 210987654321: AssumeRoleFailed"),
        "{error}"
    );
}

#[tokio::test]
async fn a_region_that_fails_as_a_whole_is_reported_and_the_rest_goes_on() {
    let eu_setting_up = Fault {
        regions: Some(vec!["eu-west-2".into()]),
        ..fault(FaultKind::RegionSetupInProgress, None)
    };
    let local = Local::start(estate_with(eu_setting_up), &[]).await;
    let report = local
        .audit(json!({"regions": ["us-east-1", "eu-west-2"]}))
        .await
        .unwrap();
    assert_eq!(located(&report).len(), 3);
    assert_eq!(
        report["scopeErrors"],
        json!([{"accountId": "123456789012", "region": "eu-west-2", "code": "RegionSetupInProgressException",
                "message": "The region is still being set up; try again in a few minutes"}])
    );
    assert_eq!(report["summary"]["scopeErrors"], 1);
}

#[tokio::test]
async fn the_concurrency_bound_holds_across_accounts_regions_and_buckets() {
    let mut fixture = estate_with(latency(30));
    for i in 0..6 {
        fixture.buckets.push(bucket_in(
            &format!("member-extra-{i}"),
            "eu-west-2",
            Some(MEMBER),
            vec![],
            vec![],
        ));
        fixture.buckets.push(bucket_in(
            &format!("home-extra-{i}"),
            "us-east-1",
            None,
            vec![],
            vec![],
        ));
    }
    fixture.roles.insert(
        "arn:aws:iam::123456789012:role/Self".into(),
        RoleFixture::default(),
    );
    let local = Local::start(fixture, &[("MAX_CONCURRENCY", "3")]).await;
    let report = local
        .audit(json!({"regions": ["us-east-1", "eu-west-2"],
               "accounts": [{"roleArn": "arn:aws:iam::123456789012:role/Self"},
                            {"roleArn": MEMBER_ROLE, "externalId": "audit-ext-1"}]}))
        .await
        .unwrap();
    assert_eq!(report["summary"]["bucketsAudited"], 4 + 6 + 2 + 6);
    assert_eq!(
        report["summary"]["byAccount"]["123456789012"]["bucketsAudited"],
        10
    );
    assert_eq!(
        local.server.stats().peak_in_flight,
        3,
        "one bound over every scope"
    );
}
