//! Every way into a bucket, end to end through the real SDK against `lightsail-local`: what
//! `GetBuckets` costs for named buckets and for discovery, what a throttled `GetBuckets` leaves
//! (the keys audited, the access unknown, never clean), and trusted accounts.

use crate::common::*;
use lightsail_local::{AccessRules, Fault, FaultKind, Fixture};
use serde_json::{json, Value};

/// Operation indexes of `Local::calls`.
const GET_BUCKETS: usize = 0;
const GET_BUCKET_ACCESS_KEYS: usize = 1;

/// `count` buckets `b-0`... in us-east-1, each with one fresh key; `b-0` public, `b-1` shared
/// with 444455556666, the others private, logged and unshared. Three to a `GetBuckets` page.
fn estate(count: usize) -> Fixture {
    let buckets = numbered("b", count, 1)
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut bucket = bucket(
                name,
                vec![key(&format!("AKIAFRESH{i:011}"), 1.0, Some(0.5))],
                vec![],
            );
            match i {
                0 => {
                    bucket.access_rules = AccessRules {
                        get_object: "public".into(),
                        allow_public_overrides: false,
                    }
                }
                1 => bucket.readonly_access_accounts = vec!["444455556666".into()],
                _ => {}
            }
            bucket
        })
        .collect();
    Fixture {
        page_size: 3,
        ..fixture(buckets)
    }
}

/// Every call to `operation` throttled, however often it is retried.
fn throttled(operation: &str) -> Fault {
    Fault {
        operations: Some(vec![operation.to_owned()]),
        ..fault(FaultKind::Throttle, None)
    }
}

fn calls(local: &Local) -> (u64, u64) {
    let calls = local.calls();
    (calls[GET_BUCKETS], calls[GET_BUCKET_ACCESS_KEYS])
}

fn bucket_codes(report: &Value, index: usize) -> Vec<String> {
    codes(&report["buckets"][index]["findings"])
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn named_buckets_cost_one_call_by_name_or_the_listing_pages_up_to_the_last_of_them() {
    let local = Local::start(estate(7), &[]).await;

    let report = local.audit(json!({"bucketNames": ["b-1"]})).await.unwrap();
    assert_eq!(calls(&local), (1, 1), "one name: one GetBuckets by name");
    assert_eq!(bucket_codes(&report, 0), ["SHARED_WITH_ACCOUNTS"]);

    // b-0 is on page 1 of 3, b-4 on page 2: after one page one name is missing, and asking
    // for it by name costs no more than the next page.
    let report = local.audit(json!({"bucketNames": ["b-4", "b-0"]})).await.unwrap();
    assert_eq!(
        calls(&local),
        (1 + 2, 1 + 2),
        "two names: one page, one call by name"
    );
    assert_eq!(bucket_names(&report), ["b-4", "b-0"], "request order kept");
    assert_eq!(bucket_codes(&report, 1), ["PUBLIC_READ"]);
    assert_eq!(report["buckets"][0]["access"]["getObject"], "private");

    // The same for a name Lightsail does not know: not the two pages left.
    let report = local
        .audit(json!({"bucketNames": ["b-0", "ghost"]}))
        .await
        .unwrap();
    assert_eq!(calls(&local), (3 + 2, 3 + 2), "one page and one call by name");
    assert_eq!(statuses(&report), ["AUDITED", "ERROR"]);
    assert_eq!(report["buckets"][1]["error"]["code"], "NotFoundException");

    let keys_only = json!({"bucketNames": ["b-4", "b-0"], "includeAccessChecks": false});
    let report = local.audit(keys_only).await.unwrap();
    assert_eq!(calls(&local), (5, 5 + 2), "keys only: no GetBuckets at all");
    assert_eq!(report["buckets"][1]["findings"], json!([]));
    assert_eq!(report["summary"]["accessUnknown"], 0, "not read is not unknown");
}

#[tokio::test]
async fn discovery_reads_access_from_its_listing_at_no_extra_call() {
    let local = Local::start(estate(7), &[]).await;
    let report = local.audit(json!({})).await.unwrap();
    assert_eq!(
        calls(&local),
        (3, 7),
        "three pages of three, one key fetch per bucket"
    );
    assert_eq!(report["summary"]["findings"]["PUBLIC_READ"], 1);
    assert_eq!(report["summary"]["findings"]["SHARED_WITH_ACCOUNTS"], 1);
    assert!(entries(&report).iter().all(|b| b["bucketArn"].is_string()));

    let report = local.audit(json!({"includeAccessChecks": false})).await.unwrap();
    assert_eq!(calls(&local), (6, 14), "the same calls with access checks off");
    assert!(entries(&report).iter().all(|b| b["access"].is_null()));
    assert_eq!(report["summary"]["findings"]["PUBLIC_READ"], 0);
}

#[tokio::test]
async fn a_throttled_get_buckets_leaves_the_keys_audited_and_the_access_unknown() {
    // By name: the bucket's own fault, on GetBuckets only.
    let mut fixture = estate(3);
    if let Some(b0) = fixture.buckets.first_mut() {
        b0.faults = vec![throttled("GetBuckets")];
    }
    let local = Local::start(fixture, &[]).await;
    let report = local.audit(json!({"bucketNames": ["b-0"]})).await.unwrap();
    let b0 = &report["buckets"][0];
    assert_eq!(b0["status"], "AUDITED");
    assert_eq!(b0["keys"][0]["accessKeyId"], "AKIAFRESH00000000000");
    assert_eq!(b0["access"], Value::Null);
    assert_eq!(b0["accessError"]["code"], "ThrottlingException");
    assert!(
        !codes(&b0["findings"]).contains(&"PUBLIC_READ"),
        "public, but unknown here: never judged, never clean"
    );
    assert_eq!(report["summary"]["accessUnknown"], 1);
    assert_eq!(local.calls()[GET_BUCKETS], 3, "retried to MAX_ATTEMPTS");

    // By listing: every GetBuckets throttled; every named bucket's access unknown.
    let mut fixture = estate(3);
    fixture.faults = vec![throttled("GetBuckets")];
    let local = Local::start(fixture, &[]).await;
    let report = local.audit(json!({"bucketNames": ["b-0", "b-2"]})).await.unwrap();
    assert_eq!(statuses(&report), ["AUDITED", "AUDITED"]);
    assert_eq!(report["summary"]["keys"], 2);
    for bucket in entries(&report) {
        assert_eq!(bucket["accessError"]["code"], "ThrottlingException", "{bucket}");
        assert_eq!(bucket["access"], Value::Null);
    }
    assert_eq!(report["summary"]["accessUnknown"], 2);
}

#[tokio::test]
async fn trusted_accounts_judge_sharing_and_the_finding_names_the_outsiders() {
    let mut fixture = estate(3);
    if let Some(b2) = fixture.buckets.get_mut(2) {
        b2.readonly_access_accounts = vec!["210987654321".into(), "777788889999".into()];
    }
    let local = Local::start(fixture, &[("TRUSTED_ACCOUNT_IDS", "444455556666")]).await;
    let report = local.audit(json!({"bucketNames": ["b-1", "b-2"]})).await.unwrap();
    assert_eq!(
        bucket_codes(&report, 0),
        Vec::<String>::new(),
        "444455556666 is trusted"
    );
    assert_eq!(bucket_codes(&report, 1), ["SHARED_OUTSIDE_ORGANIZATION"]);
    assert_eq!(
        report["buckets"][1]["findings"][0]["message"],
        "every object can be read by 2 other accounts not in trustedAccountIds: 210987654321, 777788889999"
    );
    assert_eq!(report["buckets"][1]["findings"][0]["severity"], "HIGH");
}

#[tokio::test]
async fn an_unknown_get_object_is_reported_as_sent_and_judged_by_no_rule() {
    let (logs, _guard) = capture_logs(true);
    let mut fixture = estate(2);
    if let Some(b0) = fixture.buckets.first_mut() {
        b0.access_rules.get_object = "authenticated-read".into();
        b0.access_rules.allow_public_overrides = true;
    }
    let local = Local::start(fixture, &[]).await;
    let report = local.audit(json!({"bucketNames": ["b-0", "b-1"]})).await.unwrap();
    assert_eq!(report["buckets"][0]["access"]["getObject"], "authenticated-read");
    assert_eq!(report["buckets"][0]["findings"], json!([]));
    let warnings = logs
        .text()
        .lines()
        .filter(|l| l.contains("getObject value this version does not know"))
        .count();
    assert_eq!(warnings, 1, "{}", logs.text());
}
