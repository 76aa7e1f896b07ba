//! `DeleteBucketAccessKey` through the router: its answer, its refusals, the state it leaves
//! (keys gone, deletions logged), faults on it, and keys whose `lastUsed` changes after a
//! number of reads (`lastUsedAfterReads`).

use serde_json::{json, Value};

use super::Router;
use crate::access_keys::Deletion;
use crate::fixture::Fixture;
use crate::protocol::{epoch_now, Reply};
use crate::service::TARGET_PREFIX;

const OTHER_ACCOUNT_KEY: &str = "AKIDOTHER";

fn auth(key: &str, region: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={key}/20261127/{region}/lightsail/aws4_request, SignedHeaders=host, Signature=0")
}

/// The router over a fixture written as JSON, checked as `Fixture::load` checks a file.
fn router(fixture: Value) -> Router {
    let fixture: Fixture = serde_json::from_value(fixture).unwrap();
    fixture.check().unwrap();
    Router::new(fixture)
}

fn key(id: &str, used: Option<f64>) -> Value {
    json!({"accessKeyId": id, "status": "Active", "createdDaysAgo": 90, "lastUsedDaysAgo": used})
}

/// `media-prod` with two keys, and buckets of the same name elsewhere: in eu-west-2, and in
/// another account (signing key `AKIDOTHER`), each holding a key with the same id.
fn estate(faults: Value) -> Router {
    router(json!({
        "credentials": {OTHER_ACCOUNT_KEY: "210987654321"},
        "faults": faults,
        "buckets": [
            {"name": "media-prod", "region": "us-east-1",
             "keys": [key("AKIAMEDIAPROD0000OLD", Some(100.0)), key("AKIAMEDIAPROD0000NEW", Some(1.0))]},
            {"name": "media-prod", "region": "eu-west-2", "keys": [key("AKIAMEDIAPROD0000OLD", None)]},
            {"name": "media-prod", "region": "us-east-1", "accountId": "210987654321",
             "keys": [key("AKIAMEDIAPROD0000OLD", None)]},
            {"name": "backups", "region": "us-east-1", "keys": [key("AKIABACKUPS000000001", None)]}]}))
}

async fn call(router: &Router, auth: &str, operation: &str, input: Value) -> (Reply, Value) {
    let target = format!("{TARGET_PREFIX}{operation}");
    router.json_call(&target, Some(auth), &input).await
}

async fn delete(router: &Router, auth: &str, bucket: &str, key: &str) -> (Reply, Value) {
    let input = json!({"bucketName": bucket, "accessKeyId": key});
    call(router, auth, "DeleteBucketAccessKey", input).await
}

async fn read(router: &Router, auth: &str, bucket: &str) -> (Reply, Value) {
    call(router, auth, "GetBucketAccessKeys", json!({"bucketName": bucket})).await
}

/// The keys one `GetBucketAccessKeys` of `bucket` serves, each as `field` of it.
async fn served(router: &Router, auth: &str, bucket: &str, field: &str) -> Vec<Value> {
    let (reply, body) = read(router, auth, bucket).await;
    assert_eq!(reply.status, 200, "{body}");
    body["accessKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k[field].clone())
        .collect()
}

/// The ids `GetBucketAccessKeys` lists for `bucket`.
async fn key_ids(router: &Router, auth: &str, bucket: &str) -> Vec<String> {
    let ids = served(router, auth, bucket, "accessKeyId").await;
    ids.iter().map(|id| id.as_str().unwrap().to_owned()).collect()
}

fn error_type(reply: &Reply, body: &Value) -> (u16, String) {
    assert_eq!(reply.error_type, body["__type"].as_str(), "header and body agree");
    (reply.status, body["__type"].as_str().unwrap_or("").to_owned())
}

fn deletion(account: &str, region: &str, bucket: &str, key: &str) -> Deletion {
    Deletion {
        account_id: account.into(),
        region: region.into(),
        bucket_name: bucket.into(),
        access_key_id: key.into(),
    }
}

#[tokio::test]
async fn a_deletion_is_answered_with_lightsails_operation() {
    let r = estate(json!([]));
    let before = epoch_now();
    let (reply, body) = delete(
        &r,
        &auth("AKIDLOCAL", "us-east-1"),
        "media-prod",
        "AKIAMEDIAPROD0000OLD",
    )
    .await;
    assert_eq!((reply.status, reply.error_type), (200, None), "{body}");
    let operations = body["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 1);
    let operation = &operations[0];
    let id = operation["id"].as_str().unwrap();
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "uuid-like: {id}");
    assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{id}");
    let created = operation["createdAt"].as_f64().unwrap();
    assert!(
        created >= before.floor() - 1.0 && created <= epoch_now(),
        "now: {created}"
    );
    assert_eq!(operation["statusChangedAt"], operation["createdAt"]);
    let rest: Value = operation
        .as_object()
        .unwrap()
        .iter()
        .filter(|(field, _)| !["id", "createdAt", "statusChangedAt"].contains(&field.as_str()))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect();
    assert_eq!(
        rest,
        json!({"resourceName": "media-prod", "resourceType": "Bucket",
               "location": {"availabilityZone": "all", "regionName": "us-east-1"},
               "isTerminal": true, "operationDetails": "AKIAMEDIAPROD0000OLD",
               "operationType": "DeleteBucketAccessKey", "status": "Succeeded"})
    );
}

#[tokio::test]
async fn a_deleted_key_is_gone_and_cannot_be_deleted_again() {
    let r = estate(json!([]));
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, _) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(reply.status, 200);
    assert_eq!(key_ids(&r, &us, "media-prod").await, ["AKIAMEDIAPROD0000NEW"]);

    let (reply, body) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(error_type(&reply, &body), (400, "NotFoundException".into()));
    assert!(body["message"].as_str().unwrap().contains("AKIAMEDIAPROD0000OLD"));

    let (reply, _) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000NEW").await;
    assert_eq!(reply.status, 200);
    assert_eq!(key_ids(&r, &us, "media-prod").await, Vec::<String>::new());
    assert_eq!(
        r.deletions(),
        [
            deletion("123456789012", "us-east-1", "media-prod", "AKIAMEDIAPROD0000OLD"),
            deletion("123456789012", "us-east-1", "media-prod", "AKIAMEDIAPROD0000NEW"),
        ],
        "each deletion once, in order; the refused one not at all"
    );
    assert_eq!(r.stats().calls("DeleteBucketAccessKey"), 3);
    assert_eq!(r.stats().operations, [0, 2, 0, 0, 0, 0, 3]);
}

#[tokio::test]
async fn an_unknown_key_or_bucket_is_not_found_and_nothing_changes() {
    let r = estate(json!([]));
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, body) = delete(&r, &us, "media-prod", "AKIANOSUCHKEY0000001").await;
    assert_eq!(error_type(&reply, &body), (400, "NotFoundException".into()));
    // A key of another of the caller's buckets is not this bucket's.
    let (reply, body) = delete(&r, &us, "media-prod", "AKIABACKUPS000000001").await;
    assert_eq!(error_type(&reply, &body), (400, "NotFoundException".into()));
    let (reply, body) = delete(&r, &us, "ghost", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(error_type(&reply, &body), (400, "NotFoundException".into()));
    assert!(body["message"].as_str().unwrap().contains("ghost"));
    for field in ["code", "docs", "tip"] {
        assert!(body[field].is_string(), "{field}");
    }
    assert_eq!(key_ids(&r, &us, "media-prod").await.len(), 2);
    assert_eq!(key_ids(&r, &us, "backups").await.len(), 1);
    assert_eq!(r.deletions(), []);
}

#[tokio::test]
async fn only_the_callers_bucket_in_the_signed_region_is_touched() {
    let r = estate(json!([]));
    let theirs = auth(OTHER_ACCOUNT_KEY, "us-east-1");
    let eu = auth("AKIDLOCAL", "eu-west-2");
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, _) = delete(&r, &theirs, "media-prod", "AKIAMEDIAPROD0000NEW").await;
    assert_eq!(
        reply.status, 400,
        "their media-prod has no such key; ours is not theirs to see"
    );
    let (reply, _) = delete(&r, &theirs, "backups", "AKIABACKUPS000000001").await;
    assert_eq!(reply.status, 400, "another account's bucket is not found");
    let (reply, _) = delete(&r, &theirs, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(reply.status, 200);

    assert_eq!(key_ids(&r, &theirs, "media-prod").await, Vec::<String>::new());
    assert_eq!(
        key_ids(&r, &us, "media-prod").await,
        ["AKIAMEDIAPROD0000OLD", "AKIAMEDIAPROD0000NEW"],
        "the same key id in our bucket of the same name stays"
    );
    assert_eq!(key_ids(&r, &eu, "media-prod").await, ["AKIAMEDIAPROD0000OLD"]);
    assert_eq!(key_ids(&r, &us, "backups").await, ["AKIABACKUPS000000001"]);

    let (reply, _) = delete(&r, &eu, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        r.deletions(),
        [
            deletion("210987654321", "us-east-1", "media-prod", "AKIAMEDIAPROD0000OLD"),
            deletion("123456789012", "eu-west-2", "media-prod", "AKIAMEDIAPROD0000OLD"),
        ]
    );
    assert_eq!(key_ids(&r, &us, "media-prod").await.len(), 2);
}

#[tokio::test]
async fn missing_or_empty_input_is_invalid_before_anything_is_looked_up() {
    let r = estate(json!([]));
    let us = auth("AKIDLOCAL", "us-east-1");
    let invalid = [
        json!({"accessKeyId": "AKIAMEDIAPROD0000OLD"}),
        json!({"bucketName": "", "accessKeyId": "AKIAMEDIAPROD0000OLD"}),
        json!({"bucketName": "Bad_Name", "accessKeyId": "AKIAMEDIAPROD0000OLD"}),
        json!({"bucketName": "media-prod"}),
        json!({"bucketName": "media-prod", "accessKeyId": ""}),
        json!({"bucketName": "media-prod", "accessKeyId": " \t"}),
        json!({"bucketName": "media-prod", "accessKeyId": null}),
        // The input is checked before the bucket is looked up.
        json!({"bucketName": "ghost"}),
        json!({}),
    ];
    for input in invalid {
        let (reply, body) = call(&r, &us, "DeleteBucketAccessKey", input.clone()).await;
        assert_eq!(
            error_type(&reply, &body),
            (400, "InvalidInputException".into()),
            "{input}"
        );
        assert_eq!(body["code"], "InvalidInput");
    }
    let (_, body) = call(
        &r,
        &us,
        "DeleteBucketAccessKey",
        json!({"bucketName": "media-prod"}),
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("accessKeyId"));
    assert_eq!(key_ids(&r, &us, "media-prod").await.len(), 2);
    assert_eq!(r.deletions(), []);
}

#[tokio::test]
async fn a_fault_can_deny_the_deletion_alone() {
    let denied = json!([{"kind": "accessDenied", "operations": ["DeleteBucketAccessKey"]}]);
    let r = estate(denied);
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, body) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(error_type(&reply, &body), (400, "AccessDeniedException".into()));
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("lightsail:DeleteBucketAccessKey on bucket media-prod"));
    assert_eq!(
        key_ids(&r, &us, "media-prod").await.len(),
        2,
        "reads are not denied, and the key was not deleted"
    );
    assert_eq!(r.deletions(), []);
    assert_eq!(
        r.stats().calls("DeleteBucketAccessKey"),
        1,
        "a denied call is counted"
    );
}

#[tokio::test]
async fn a_bucket_fault_throttles_its_deletions_then_lets_them_through() {
    let r = router(json!({"buckets": [
        {"name": "media-prod", "region": "us-east-1", "keys": [key("AKIAMEDIAPROD0000OLD", None)],
         "faults": [{"kind": "throttle", "times": 1, "operations": ["DeleteBucketAccessKey"]}]}]}));
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, body) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(error_type(&reply, &body), (400, "ThrottlingException".into()));
    assert_eq!(r.deletions(), [], "a throttled call deletes nothing");
    let (reply, _) = delete(&r, &us, "media-prod", "AKIAMEDIAPROD0000OLD").await;
    assert_eq!(reply.status, 200, "the retry deletes it");
    assert_eq!(r.deletions().len(), 1);
}

/// `media-prod`'s keys: one never used until after the first read, one used 30 days ago until
/// after the second, one that never changes; `backups` is read on its own count.
fn changing(faults: Value) -> Router {
    router(json!({"buckets": [
        {"name": "media-prod", "region": "us-east-1", "faults": faults, "keys": [
            {"accessKeyId": "AKIAUSEDLATER0000001", "status": "Active", "createdDaysAgo": 90,
             "lastUsedAfterReads": {"reads": 1, "lastUsedDaysAgo": 0}},
            {"accessKeyId": "AKIAUSEDLATER0000002", "status": "Inactive", "createdDaysAgo": 90,
             "lastUsedDaysAgo": 30,
             "lastUsedAfterReads": {"reads": 2, "lastUsedDaysAgo": 0.5,
                                    "lastUsedService": "lightsail", "lastUsedRegion": "eu-west-2"}},
            key("AKIASTEADY0000000001", Some(30.0))]},
        {"name": "backups", "region": "us-east-1", "keys": [
            {"accessKeyId": "AKIABACKUPS000000001", "status": "Active", "createdDaysAgo": 90,
             "lastUsedAfterReads": {"reads": 1, "lastUsedDaysAgo": 0}}]}]}))
}

/// Each key's `lastUsed` as one read of `bucket` serves it.
async fn last_used(router: &Router, bucket: &str) -> Vec<Value> {
    served(router, &auth("AKIDLOCAL", "us-east-1"), bucket, "lastUsed").await
}

#[tokio::test]
async fn a_keys_last_use_changes_after_its_buckets_reads() {
    let r = changing(json!([]));
    let never = json!({"region": "N/A", "serviceName": "N/A"});
    let first = last_used(&r, "media-prod").await;
    assert_eq!(first[0], never, "as the fixture says, until one read is served");
    let thirty_days = first[1]["lastUsedDate"].as_f64().unwrap();
    assert_eq!(first[1]["serviceName"], "s3");
    assert_eq!(first[2], first[1], "the same day, service and region");

    let second = last_used(&r, "media-prod").await;
    let used_now = second[0]["lastUsedDate"].as_f64().unwrap();
    assert!(
        (used_now - r.epoch).abs() < 0.01,
        "used when the stand-in started"
    );
    assert_eq!(
        (&second[0]["serviceName"], &second[0]["region"]),
        (&json!("s3"), &json!("us-east-1"))
    );
    assert_eq!(second[1], first[1], "its change is due after two reads");
    assert_eq!(second[2], first[2]);

    let third = last_used(&r, "media-prod").await;
    assert_eq!(third[0], second[0], "and from then on");
    let moved = third[1]["lastUsedDate"].as_f64().unwrap();
    assert!(
        (moved - thirty_days - 29.5 * 86_400.0).abs() < 0.01,
        "{moved} {thirty_days}"
    );
    assert_eq!(
        (&third[1]["serviceName"], &third[1]["region"]),
        (&json!("lightsail"), &json!("eu-west-2"))
    );
    assert_eq!(third[2], first[2], "a key without a change never changes");
    assert_eq!(last_used(&r, "media-prod").await, third);

    assert_eq!(
        last_used(&r, "backups").await,
        [never],
        "each bucket counts its own reads"
    );
}

#[tokio::test]
async fn a_faulted_read_is_not_served_so_not_counted() {
    let r = changing(json!([{"kind": "throttle", "times": 1, "operations": ["GetBucketAccessKeys"]}]));
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, _) = read(&r, &us, "media-prod").await;
    assert_eq!(reply.status, 400, "throttled");
    let never = json!({"region": "N/A", "serviceName": "N/A"});
    assert_eq!(
        last_used(&r, "media-prod").await[0],
        never,
        "the first read served"
    );
    assert!(last_used(&r, "media-prod").await[0]["lastUsedDate"].is_f64());
}

#[tokio::test]
async fn a_deletion_is_not_a_read_and_a_deleted_key_stays_gone_after_its_change() {
    let r = changing(json!([]));
    let us = auth("AKIDLOCAL", "us-east-1");
    let (reply, _) = delete(&r, &us, "media-prod", "AKIASTEADY0000000001").await;
    assert_eq!(reply.status, 200);
    let first = last_used(&r, "media-prod").await;
    assert_eq!(first.len(), 2);
    assert_eq!(first[0], json!({"region": "N/A", "serviceName": "N/A"}));
    let (reply, _) = delete(&r, &us, "media-prod", "AKIAUSEDLATER0000001").await;
    assert_eq!(reply.status, 200);
    assert_eq!(key_ids(&r, &us, "media-prod").await, ["AKIAUSEDLATER0000002"]);
}

#[test]
fn a_last_used_change_no_key_could_show_is_refused() {
    let read = |change: Value| {
        let fixture = json!({"buckets": [{"name": "b-1", "region": "us-east-1", "keys": [
            {"accessKeyId": "AKIAB100000000000001", "status": "Active", "createdDaysAgo": 90,
             "lastUsedDaysAgo": 10, "lastUsedAfterReads": change}]}]});
        serde_json::from_value::<Fixture>(fixture)
            .map_err(|e| e.to_string())
            .and_then(|f| f.check())
    };
    assert_eq!(read(json!({"reads": 1, "lastUsedDaysAgo": 2})), Ok(()));
    let refusals = [
        (json!({"reads": 0, "lastUsedDaysAgo": 2}), "at least 1"),
        (json!({"reads": 1, "lastUsedDaysAgo": 10}), "more recent"),
        (json!({"reads": 1, "lastUsedDaysAgo": 20}), "more recent"),
        (json!({"reads": 1, "lastUsedDaysAgo": -1}), "0 or more"),
        (json!({"reads": 1}), "lastUsedDaysAgo"),
        (json!({"lastUsedDaysAgo": 2}), "reads"),
        (
            json!({"reads": 1, "lastUsed": {"lastUsedDaysAgo": 2}}),
            "unknown field `lastUsed`",
        ),
        (
            json!({"reads": 1, "lastUsedDaysAgo": 2, "status": "Inactive"}),
            "unknown field `status`",
        ),
    ];
    for (change, expected) in refusals {
        let error = read(change.clone()).unwrap_err();
        assert!(error.contains(expected), "{change}: {error}");
    }
}
