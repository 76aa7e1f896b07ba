//! A bucket's ways in, as `GetBuckets` serves them from a JSON fixture: `accessRules`,
//! `readonlyAccessAccounts`, `resourcesReceivingAccess` (only with `includeConnectedResources`)
//! and `accessLogConfig`, their defaults, and faults on `GetBuckets`.

use serde_json::{json, Value};

use super::Router;
use crate::fixture::Fixture;
use crate::protocol::Reply;
use crate::service::TARGET_PREFIX;

const AUTH_US: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261127/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=0";

/// The router over a fixture written as JSON, read as `Fixture::load` reads a file.
fn router(fixture: Value) -> Router {
    let fixture: Fixture = serde_json::from_value(fixture).unwrap();
    fixture.check().unwrap();
    Router::new(fixture)
}

async fn call(router: &Router, operation: &str, input: Value) -> (Reply, Value) {
    let target = format!("{TARGET_PREFIX}{operation}");
    router.json_call(&target, Some(AUTH_US), &input).await
}

/// The served bucket `name`, asked for by name with `input`'s other fields.
async fn served(router: &Router, name: &str, mut input: Value) -> Value {
    input["bucketName"] = json!(name);
    let (reply, body) = call(router, "GetBuckets", input).await;
    assert_eq!(reply.status, 200, "{body}");
    body["buckets"][0].clone()
}

#[tokio::test]
async fn a_bucket_that_says_nothing_is_served_clean() {
    let r = router(json!({"buckets": [{"name": "plain", "region": "us-east-1"}]}));
    let (_, body) = call(&r, "GetBuckets", json!({})).await;
    let bucket = &body["buckets"][0];
    assert_eq!(
        bucket["accessRules"],
        json!({"getObject": "private", "allowPublicOverrides": false})
    );
    assert_eq!(bucket["readonlyAccessAccounts"], json!([]));
    assert_eq!(
        bucket["accessLogConfig"],
        json!({"enabled": true, "destination": "access-logs", "prefix": "plain/"}),
        "logging on by default, unlike Lightsail's creation default"
    );
    assert!(bucket.get("resourcesReceivingAccess").is_none());
    let connected = served(&r, "plain", json!({"includeConnectedResources": true})).await;
    assert_eq!(connected["resourcesReceivingAccess"], json!([]));
}

#[tokio::test]
async fn each_way_in_is_served_as_the_fixture_describes_it() {
    let r = router(json!({"buckets": [
        {"name": "shared", "region": "us-east-1",
         "accessRules": {"getObject": "public", "allowPublicOverrides": true},
         "readonlyAccessAccounts": ["444455556666", "777788889999"],
         "resourcesReceivingAccess": [{"name": "web-1"},
                                      {"name": "worker-1", "resourceType": "Instance"}],
         "accessLogConfig": {"enabled": false}},
        {"name": "logged-elsewhere", "region": "us-east-1",
         "accessLogConfig": {"enabled": true, "destination": "central-logs"}},
        {"name": "was-logged", "region": "us-east-1",
         "accessLogConfig": {"enabled": false, "destination": "old-logs", "prefix": "x/"}},
        {"name": "overrides-only", "region": "us-east-1",
         "accessRules": {"allowPublicOverrides": true}}]}));
    let shared = served(&r, "shared", json!({"includeConnectedResources": true})).await;
    assert_eq!(
        shared["accessRules"],
        json!({"getObject": "public", "allowPublicOverrides": true})
    );
    assert_eq!(
        shared["readonlyAccessAccounts"],
        json!(["444455556666", "777788889999"])
    );
    assert_eq!(
        shared["resourcesReceivingAccess"],
        json!([{"name": "web-1", "resourceType": "Instance"},
               {"name": "worker-1", "resourceType": "Instance"}])
    );
    assert_eq!(shared["accessLogConfig"], json!({"enabled": false}));
    let elsewhere = served(&r, "logged-elsewhere", json!({})).await;
    assert_eq!(
        elsewhere["accessLogConfig"],
        json!({"enabled": true, "destination": "central-logs", "prefix": "logged-elsewhere/"})
    );
    let was_logged = served(&r, "was-logged", json!({})).await;
    assert_eq!(
        was_logged["accessLogConfig"],
        json!({"enabled": false, "destination": "old-logs", "prefix": "x/"})
    );
    let overrides = served(&r, "overrides-only", json!({})).await;
    assert_eq!(
        overrides["accessRules"],
        json!({"getObject": "private", "allowPublicOverrides": true})
    );
}

#[tokio::test]
async fn a_get_object_lightsail_may_add_later_is_served_as_given() {
    let r = router(json!({"buckets": [{"name": "future", "region": "us-east-1",
        "accessRules": {"getObject": "authenticated-read", "allowPublicOverrides": false}}]}));
    let (_, body) = call(&r, "GetBuckets", json!({})).await;
    assert_eq!(
        body["buckets"][0]["accessRules"]["getObject"],
        "authenticated-read"
    );
}

#[tokio::test]
async fn connected_resources_are_served_only_when_asked_for() {
    let r = router(json!({"buckets": [{"name": "media-prod", "region": "us-east-1",
        "resourcesReceivingAccess": [{"name": "web-1", "resourceType": "Instance"}]}]}));
    let web_1 = json!([{"name": "web-1", "resourceType": "Instance"}]);
    for (input, expected) in [
        (json!({}), None),
        (json!({"includeConnectedResources": false}), None),
        // An unset member, as awsJson reads a null.
        (json!({"includeConnectedResources": null}), None),
        (json!({"includeConnectedResources": true}), Some(&web_1)),
    ] {
        let (_, listed) = call(&r, "GetBuckets", input.clone()).await;
        assert_eq!(
            listed["buckets"][0].get("resourcesReceivingAccess"),
            expected,
            "listing, {input}"
        );
        let named = served(&r, "media-prod", input.clone()).await;
        assert_eq!(
            named.get("resourcesReceivingAccess"),
            expected,
            "by name, {input}"
        );
    }
}

#[tokio::test]
async fn a_non_boolean_include_connected_resources_is_invalid_input() {
    let r = router(json!({"buckets": [{"name": "media-prod", "region": "us-east-1"}]}));
    for flag in [json!("true"), json!(1), json!({})] {
        for mut input in [json!({}), json!({"bucketName": "media-prod"})] {
            input["includeConnectedResources"] = flag.clone();
            let (reply, body) = call(&r, "GetBuckets", input.clone()).await;
            assert_eq!(reply.status, 400, "{input}");
            assert_eq!(body["__type"], "InvalidInputException", "{input}");
            assert!(body["message"]
                .as_str()
                .unwrap()
                .contains("includeConnectedResources"));
        }
    }
}

#[tokio::test]
async fn paging_and_the_name_filter_are_unchanged_by_connected_resources() {
    let buckets: Vec<Value> = (0..5)
        .map(|i| {
            json!({"name": format!("bucket-{i}"), "region": "us-east-1",
                        "resourcesReceivingAccess": [{"name": format!("web-{i}")}]})
        })
        .collect();
    let r = router(json!({"pageSize": 2, "buckets": buckets}));
    let mut input = json!({"includeConnectedResources": true});
    let mut names = vec![];
    loop {
        let (_, body) = call(&r, "GetBuckets", input.clone()).await;
        for bucket in body["buckets"].as_array().unwrap() {
            let name = bucket["name"].as_str().unwrap().to_owned();
            let instance = name.replace("bucket", "web");
            assert_eq!(bucket["resourcesReceivingAccess"][0]["name"], instance.as_str());
            names.push(name);
        }
        match body["nextPageToken"].as_str() {
            Some(token) => input["pageToken"] = json!(token),
            None => break,
        }
    }
    assert_eq!(
        names,
        ["bucket-0", "bucket-1", "bucket-2", "bucket-3", "bucket-4"]
    );
    let (_, body) = call(
        &r,
        "GetBuckets",
        json!({"bucketName": "bucket-3", "includeConnectedResources": true}),
    )
    .await;
    assert_eq!(body["buckets"].as_array().unwrap().len(), 1);
    assert_eq!(body["buckets"][0]["resourcesReceivingAccess"][0]["name"], "web-3");
    let (_, body) = call(&r, "GetBuckets", json!({"bucketName": "ghost"})).await;
    assert_eq!(body["__type"], "NotFoundException");
}

#[tokio::test]
async fn a_bucket_fault_on_get_buckets_throttles_it_by_name_only() {
    let r = router(json!({"buckets": [{"name": "media-prod", "region": "us-east-1",
        "faults": [{"kind": "throttle", "operations": ["GetBuckets"]}]}]}));
    let by_name = json!({"bucketName": "media-prod"});
    let (reply, body) = call(&r, "GetBuckets", by_name.clone()).await;
    assert_eq!(
        (reply.status, reply.error_type),
        (400, Some("ThrottlingException"))
    );
    assert_eq!(
        body,
        json!({"__type": "ThrottlingException", "message": "Rate exceeded"})
    );
    let (reply, _) = call(&r, "GetBucketAccessKeys", by_name).await;
    assert_eq!(reply.status, 200, "GetBucketAccessKeys is not throttled");
    let (reply, _) = call(&r, "GetBuckets", json!({})).await;
    assert_eq!(reply.status, 200, "the listing names no bucket");
    assert_eq!(r.stats().operations, [2, 1, 0, 0, 0, 0, 0]);
}

#[tokio::test]
async fn a_fixture_fault_narrowed_to_get_buckets_throttles_the_listing() {
    let r = router(json!({
        "faults": [{"kind": "throttle", "times": 2, "operations": ["GetBuckets"],
                    "regions": ["us-east-1"]}],
        "buckets": [{"name": "media-prod", "region": "us-east-1"},
                    {"name": "eu-reports", "region": "eu-west-2"}]}));
    let (reply, _) = call(&r, "GetBucketAccessKeys", json!({"bucketName": "media-prod"})).await;
    assert_eq!(
        reply.status, 200,
        "another operation is neither throttled nor counted"
    );
    let eu = AUTH_US.replace("us-east-1", "eu-west-2");
    let target = format!("{TARGET_PREFIX}GetBuckets");
    let (reply, _) = r.json_call(&target, Some(&eu), &json!({})).await;
    assert_eq!(
        reply.status, 200,
        "another region is neither throttled nor counted"
    );
    for expected in [Some("ThrottlingException"), Some("ThrottlingException"), None] {
        let (reply, body) = call(&r, "GetBuckets", json!({})).await;
        assert_eq!(reply.error_type, expected);
        if expected.is_none() {
            assert_eq!(body["buckets"][0]["name"], "media-prod");
        }
    }
    assert_eq!(r.stats().calls("GetBuckets"), 4);
}

#[test]
fn a_fixture_with_a_bad_way_in_is_refused() {
    let read = |bucket: Value| serde_json::from_value::<Fixture>(json!({"buckets": [bucket]}));
    let unknown_rule = read(json!({"name": "b-1", "region": "us-east-1",
                                   "accessRules": {"getObject": "public", "listObjects": "public"}}));
    assert!(unknown_rule.unwrap_err().to_string().contains("listObjects"));
    let no_enabled = read(json!({"name": "b-1", "region": "us-east-1",
                                 "accessLogConfig": {"destination": "logs"}}));
    assert!(no_enabled.unwrap_err().to_string().contains("enabled"));
    let no_name = read(json!({"name": "b-1", "region": "us-east-1",
                              "resourcesReceivingAccess": [{"resourceType": "Instance"}]}));
    assert!(no_name.unwrap_err().to_string().contains("name"));
    let not_an_account = read(json!({"name": "b-1", "region": "us-east-1",
                                     "readonlyAccessAccounts": ["4444-5555-6666"]}))
    .unwrap();
    assert!(not_an_account
        .check()
        .unwrap_err()
        .contains("readonlyAccessAccounts"));
}
