//! Lightsail's operations, refusals and faults, through the router as a client sees them.

use serde_json::{json, Value};

use super::Router;
use crate::fixture::{BucketFixture, Fault, FaultKind, Fixture, KeyFixture};
use crate::protocol::Reply;
use crate::service::TARGET_PREFIX;

const AUTH_US: &str =
    "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261127/us-east-1/lightsail/aws4_request, SignedHeaders=host, Signature=0";

fn key(id: &str, used: Option<f64>) -> KeyFixture {
    KeyFixture {
        access_key_id: id.into(),
        status: "Active".into(),
        created_days_ago: 10.0,
        last_used_days_ago: used,
        last_used_service: None,
        last_used_region: None,
        secret_access_key: None,
        last_used_after_reads: None,
    }
}

fn bucket(name: &str, region: &str, faults: Vec<Fault>) -> BucketFixture {
    BucketFixture {
        name: name.into(),
        region: region.into(),
        account_id: None,
        keys: vec![
            key("AKIAUSED000000000001", Some(2.0)),
            key("AKIANEVER00000000002", None),
        ],
        faults,
        ..BucketFixture::default()
    }
}

fn service(buckets: Vec<BucketFixture>, page_size: usize) -> Router {
    Router::new(Fixture {
        page_size,
        credentials: [("AKIDOTHER".to_owned(), "210987654321".to_owned())].into(),
        buckets,
        ..Fixture::default()
    })
}

async fn call(service: &Router, auth: Option<&str>, operation: &str, body: Value) -> (Reply, Value) {
    let target = format!("{TARGET_PREFIX}{operation}");
    service.json_call(&target, auth, &body).await
}

#[tokio::test]
async fn unsigned_requests_are_refused_as_aws_does() {
    let s = service(vec![], 50);
    let (reply, body) = call(&s, None, "GetBuckets", json!({})).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.error_type, Some("MissingAuthenticationTokenException"));
    assert_eq!(body, json!({"message": "Missing Authentication Token"}));
    let (reply, _) = call(&s, Some("Basic abc"), "GetBuckets", json!({})).await;
    assert_eq!(reply.error_type, Some("IncompleteSignatureException"));
}

#[tokio::test]
async fn other_operations_are_refused_by_name() {
    let s = service(vec![], 50);
    let (reply, body) = call(&s, Some(AUTH_US), "DeleteBucket", json!({"bucketName": "x-y-z"})).await;
    assert_eq!(
        (reply.status, reply.error_type),
        (400, Some("InvalidInputException"))
    );
    assert_eq!(body["__type"], "InvalidInputException");
    assert_eq!(body["code"], "InvalidInput");
    assert!(body["message"].as_str().unwrap().contains("DeleteBucket"));
    for field in ["docs", "tip"] {
        assert!(body[field].is_string(), "{field}");
    }
}

#[tokio::test]
async fn keys_are_served_as_the_real_api_serves_them() {
    let s = service(vec![bucket("media-prod", "us-east-1", vec![])], 50);
    let keys_of = |name: &str| {
        call(
            &s,
            Some(AUTH_US),
            "GetBucketAccessKeys",
            json!({"bucketName": name}),
        )
    };
    let (reply, body) = keys_of("media-prod").await;
    assert_eq!(reply.status, 200);
    let keys = body["accessKeys"].as_array().unwrap();
    assert!(keys[0]["createdAt"].is_f64());
    assert!(keys[0]["lastUsed"]["lastUsedDate"].is_f64());
    assert_eq!(keys[0]["lastUsed"]["region"], "us-east-1");
    assert_eq!(
        keys[1]["lastUsed"],
        json!({"region": "N/A", "serviceName": "N/A"})
    );
    assert!(keys[0].get("secretAccessKey").is_none());

    let (reply, body) = keys_of("ghost").await;
    assert_eq!(
        (reply.status, body["__type"].as_str()),
        (400, Some("NotFoundException"))
    );
    let (_, body) = keys_of("Bad_Name").await;
    assert_eq!(body["__type"], "InvalidInputException");
}

#[tokio::test]
async fn buckets_belong_to_the_signing_region_and_account() {
    let mut other_account = bucket("theirs", "us-east-1", vec![]);
    other_account.account_id = Some("210987654321".into());
    let s = service(
        vec![
            bucket("ours", "us-east-1", vec![]),
            bucket("eu-only", "eu-west-2", vec![]),
            other_account,
        ],
        50,
    );
    let names = |body: &Value| -> Vec<String> {
        body["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", json!({})).await;
    assert_eq!(names(&body), ["ours"]);
    let eu = AUTH_US.replace("us-east-1", "eu-west-2");
    let (_, body) = call(&s, Some(&eu), "GetBuckets", json!({})).await;
    assert_eq!(names(&body), ["eu-only"]);
    assert_eq!(body["buckets"][0]["location"]["regionName"], "eu-west-2");
    let theirs = AUTH_US.replace("AKIDLOCAL", "AKIDOTHER");
    let (_, body) = call(&s, Some(&theirs), "GetBuckets", json!({})).await;
    assert_eq!(names(&body), ["theirs"]);
    assert!(body["buckets"][0]["arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:lightsail:us-east-1:210987654321:Bucket/"));
}

#[tokio::test]
async fn get_buckets_pages_until_the_token_is_absent() {
    let buckets = (0..5)
        .map(|i| bucket(&format!("bucket-{i}"), "us-east-1", vec![]))
        .collect();
    let s = service(buckets, 2);
    let mut token: Option<String> = None;
    let mut pages = vec![];
    loop {
        let input = match &token {
            Some(t) => json!({"pageToken": t}),
            None => json!({}),
        };
        let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", input).await;
        pages.push(body["buckets"].as_array().unwrap().len());
        match body["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, [2, 2, 1]);
    let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", json!({"bucketName": "bucket-3"})).await;
    assert_eq!(body["buckets"][0]["name"], "bucket-3");
    let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", json!({"pageToken": "forged"})).await;
    assert_eq!(body["__type"], "InvalidInputException");
}

#[tokio::test]
async fn counted_faults_stop_after_their_count_and_filters_apply() {
    let throttle_twice = Fault {
        kind: FaultKind::Throttle,
        times: Some(2),
        latency_ms: None,
        operations: Some(vec!["GetBucketAccessKeys".into()]),
        regions: None,
    };
    let s = service(vec![bucket("media-prod", "us-east-1", vec![throttle_twice])], 50);
    let input = json!({"bucketName": "media-prod"});
    let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", input.clone()).await;
    assert!(body["buckets"].is_array(), "GetBuckets is not throttled");
    for expected in [400, 400, 200, 200] {
        let (reply, _) = call(&s, Some(AUTH_US), "GetBucketAccessKeys", input.clone()).await;
        assert_eq!(reply.status, expected);
    }
    assert_eq!(s.stats().operations, [1, 4, 0, 0, 0, 0, 0]);
    assert_eq!(s.stats().calls("GetBucketAccessKeys"), 4);
    assert_eq!(s.stats().requests, 5);
}

#[tokio::test]
async fn no_input_overflows() {
    let s = service(vec![bucket("media-prod", "us-east-1", vec![])], 2);
    let token = format!("page-{}", usize::MAX);
    let (reply, body) = call(&s, Some(AUTH_US), "GetBuckets", json!({"pageToken": token})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(body["buckets"], json!([]));
    assert!(body.get("nextPageToken").is_none());
}

#[tokio::test]
async fn regions_are_listed() {
    let s = service(vec![bucket("eu-only", "eu-west-2", vec![])], 50);
    let (_, body) = call(&s, Some(AUTH_US), "GetRegions", json!({})).await;
    let names: Vec<&str> = body["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["us-east-1", "eu-west-2"]);
}

#[tokio::test]
async fn generated_buckets_and_regions_are_served_to_their_accounts() {
    let mut fixture: Fixture =
        serde_json::from_str(r#"{"generate": {"accounts": 3, "regions": "all", "bucketsPerAccount": 2}}"#)
            .unwrap();
    fixture.expand().unwrap();
    let s = Router::new(fixture);
    let (_, body) = call(&s, Some(AUTH_US), "GetRegions", json!({})).await;
    assert_eq!(body["regions"].as_array().unwrap().len(), 19);
    // The member with index 2 holds b0 in us-west-2 (the third region) and b1 in the fourth.
    let member = AUTH_US
        .replace("AKIDLOCAL", "ASIA100000000001LCAL")
        .replace("us-east-1", "us-west-2");
    let (_, body) = call(&s, Some(&member), "GetBuckets", json!({})).await;
    assert_eq!(body["buckets"][0]["name"], "acct-100000000001-b0");
    assert_eq!(body["buckets"].as_array().unwrap().len(), 1);
    let (_, body) = call(
        &s,
        Some(&member),
        "GetBucketAccessKeys",
        json!({"bucketName": "acct-100000000001-b0"}),
    )
    .await;
    assert_eq!(body["accessKeys"].as_array().unwrap().len(), 2);
    let (_, body) = call(&s, Some(AUTH_US), "GetBuckets", json!({})).await;
    assert_eq!(
        body["buckets"][0]["name"], "acct-123456789012-b0",
        "the management account's"
    );
}
