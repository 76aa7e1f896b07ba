//! The handler end to end through the real SDK client, with Lightsail mocked at the HTTP layer.

use std::time::Duration;

use crate::common::{bucket_names, codes, HOME_ACCOUNT};
use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::Client;
use aws_smithy_mocks::{mock, mock_client, MockResponse, Rule, RuleMode};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, TimeZone, Utc};
use lightsail_key_audit::{run_audit, AuditError, Config, Invocation, Lightsail};
use serde_json::{json, Value};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DAY: i64 = 86_400;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap()
}

fn invocation() -> Invocation {
    Invocation::at(now()).in_account(HOME_ACCOUNT)
}

fn days_ago(days: i64) -> i64 {
    now().timestamp() - days * DAY
}

fn wire(status: u16, body: String) -> Response {
    let mut response = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body.clone()));
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    if let Some(kind) = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["__type"].as_str().map(str::to_owned))
    {
        response.headers_mut().insert("x-amzn-ErrorType", kind);
    }
    response
}

fn keys(keys: Value) -> Response {
    wire(200, json!({ "accessKeys": keys }).to_string())
}

fn lightsail_error(kind: &str, message: &str) -> Response {
    wire(
        400,
        json!({"__type": kind, "code": "x", "message": message, "docs": "d", "tip": "t"}).to_string(),
    )
}

/// The estate of the docs' example (docs/report.md): one bucket with two active keys (one stale and old),
/// one with a never-used key, one that does not exist.
fn estate() -> Rule {
    mock!(Client::get_bucket_access_keys).then_compute_response(|req| {
        MockResponse::Http(match req.bucket_name() {
            Some("media-prod") => keys(json!([
                {"accessKeyId": "AKIAMEDIAOLD00000001", "secretAccessKey": SECRET, "status": "Active",
                 "createdAt": days_ago(200),
                 "lastUsed": {"lastUsedDate": days_ago(100), "region": "us-east-1", "serviceName": "s3"}},
                {"accessKeyId": "AKIAMEDIANEW00000002", "status": "Active", "createdAt": days_ago(10),
                 "lastUsed": {"lastUsedDate": days_ago(1), "region": "eu-west-1", "serviceName": "s3"}}
            ])),
            Some("backups") => keys(json!([
                {"accessKeyId": "AKIABACKUPS000000003", "status": "Active", "createdAt": days_ago(30),
                 "lastUsed": {"region": "N/A", "serviceName": "N/A"}}
            ])),
            Some("inactive-only") => keys(json!([
                {"accessKeyId": "AKIAINACTIVE00000004", "status": "Inactive", "createdAt": days_ago(30)}
            ])),
            _ => lightsail_error("NotFoundException", "The bucket does not exist"),
        })
    })
}

/// What `GetBuckets` says of the estate's buckets, listed or by name: `media-prod` is public
/// and an instance can reach it; the others are private and logged.
fn buckets() -> Rule {
    let bucket = |name: &str| {
        let public = name == "media-prod";
        json!({"name": name, "arn": format!("arn:aws:lightsail:us-east-1:123456789012:Bucket/{name}"),
               "accessRules": {"getObject": if public { "public" } else { "private" }, "allowPublicOverrides": false},
               "readonlyAccessAccounts": [],
               "resourcesReceivingAccess": if public { json!([{"name": "web-1", "resourceType": "Instance"}]) } else { json!([]) },
               "accessLogConfig": {"enabled": true, "destination": "access-logs"}})
    };
    let known = ["media-prod", "backups", "inactive-only"];
    mock!(Client::get_buckets).then_compute_response(move |req| {
        MockResponse::Http(match req.bucket_name() {
            None => wire(200, json!({"buckets": known.map(bucket)}).to_string()),
            Some(name) if known.contains(&name) => wire(200, json!({"buckets": [bucket(name)]}).to_string()),
            Some(_) => lightsail_error("NotFoundException", "The bucket does not exist"),
        })
    })
}

/// A client whose `GetBucketAccessKeys` answers by `rules`, and whose `GetBuckets` by [`buckets`].
fn lightsail(rules: &[&Rule]) -> Lightsail {
    let listing = buckets();
    let mut rules = rules.to_vec();
    rules.push(&listing);
    let client = mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, &rules, |c| c
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1))));
    Lightsail::from_client(client).unwrap()
}

async fn audit(lightsail: &Lightsail, event: Value) -> Result<Value, AuditError> {
    run_audit(lightsail, &Config::default(), &event, &invocation())
        .await
        .map(|report| serde_json::to_value(report).unwrap())
}

#[tokio::test]
async fn the_report_follows_the_documented_contract() {
    let rule = estate();
    let report = audit(
        &lightsail(&[&rule]),
        json!({"bucketNames": ["media-prod", "backups", "ghost"]}),
    )
    .await
    .unwrap();

    assert_eq!(report["reportVersion"], 1);
    assert_eq!(report["generatedAt"], "2026-11-27T06:00:00Z");
    assert_eq!(
        report["policy"],
        json!({"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90,
               "includeAccessChecks": true,
               "accessChecks": {"PUBLIC_READ": true, "PUBLIC_OBJECTS_ALLOWED": true,
                                "SHARED_OUTSIDE_ORGANIZATION": true, "SHARED_WITH_ACCOUNTS": true,
                                "INSTANCE_ACCESS": true, "ACCESS_LOGGING_OFF": true}})
    );
    assert_eq!(
        report["summary"],
        json!({"bucketsRequested": 3, "bucketsAudited": 2, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 3, "activeKeys": 3,
               "keysWithFindings": 2, "accessUnknown": 0,
               "findings": {"STALE": 1, "NEVER_USED": 1, "ROTATION_DUE": 1, "INACTIVE": 0,
                            "MULTIPLE_ACTIVE_KEYS": 1, "PUBLIC_READ": 1, "PUBLIC_OBJECTS_ALLOWED": 0,
                            "SHARED_OUTSIDE_ORGANIZATION": 0, "SHARED_WITH_ACCOUNTS": 0,
                            "INSTANCE_ACCESS": 1, "ACCESS_LOGGING_OFF": 0},
               "suppressed": 0, "expiredSuppressions": [],
               "scopeErrors": 0,
               "byAccount": {"123456789012": {"bucketsAudited": 2, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 3, "findings": 6}},
               "byRegion": {"us-east-1": {"bucketsAudited": 2, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 3, "findings": 6}},
               "newFindings": 0, "resolvedFindings": [], "changes": "DISABLED",
               "archive": {"status": "DISABLED"},
               "securityHub": {"status": "DISABLED", "imported": 0, "archived": 0, "failed": 0, "errors": []},
               "remediation": {"PLANNED": 0, "DELETED": 0, "SKIPPED": 0, "DEFERRED": 0, "FAILED": 0}})
    );
    assert_eq!(report["remediation"], json!({"mode": "off", "actions": []}));
    assert_eq!(report["scopeErrors"], json!([]));

    let media = &report["buckets"][0];
    assert_eq!(media["bucketName"], "media-prod");
    assert_eq!(media["accountId"], "123456789012");
    assert_eq!(media["region"], "us-east-1");
    assert_eq!(media["status"], "AUDITED");
    assert_eq!(
        media["bucketArn"],
        "arn:aws:lightsail:us-east-1:123456789012:Bucket/media-prod"
    );
    assert_eq!(
        media["access"],
        json!({"getObject": "public", "allowPublicOverrides": false, "readonlyAccessAccounts": [],
               "resourcesReceivingAccess": [{"name": "web-1", "resourceType": "Instance"}],
               "accessLogging": {"enabled": true, "destination": "access-logs"}})
    );
    assert_eq!(
        codes(&media["findings"]),
        ["MULTIPLE_ACTIVE_KEYS", "PUBLIC_READ", "INSTANCE_ACCESS"]
    );
    assert_eq!(media["findings"][0]["severity"], "LOW");
    assert_eq!(media["findings"][1]["severity"], "CRITICAL");
    assert_eq!(media["findings"][2]["severity"], "INFORMATIONAL");
    assert_eq!(
        media["findings"][2]["message"],
        "1 Lightsail resource has read and write access: web-1 (Instance)"
    );
    let old = &media["keys"][0];
    assert_eq!(old["accessKeyId"], "AKIAMEDIAOLD00000001");
    assert_eq!(old["status"], "Active");
    assert_eq!(old["createdAt"], "2026-05-11T06:00:00Z");
    assert_eq!(old["ageDays"], 200);
    assert_eq!(old["lastUsedDate"], "2026-08-19T06:00:00Z");
    assert_eq!(old["daysSinceLastUse"], 100);
    assert_eq!(old["lastUsedRegion"], "us-east-1");
    assert_eq!(old["lastUsedService"], "s3");
    assert_eq!(codes(&old["findings"]), ["STALE", "ROTATION_DUE"]);
    assert_eq!(
        old["findings"][0]["message"],
        "last used 100 days ago; threshold 45"
    );
    assert_eq!(old["findings"][0]["severity"], "MEDIUM");
    assert!(old["findings"][0]["recommendation"].as_str().unwrap().len() > 20);
    // Without an archive, changes are not tracked: firstSeen and new are present and null.
    let finding = old["findings"][0].as_object().unwrap();
    assert!(
        finding["firstSeen"].is_null() && finding["new"].is_null(),
        "{finding:?}"
    );
    assert_eq!(media["keys"][1]["findings"], json!([]));

    let never_used = &report["buckets"][1]["keys"][0];
    assert_eq!(never_used["findings"][0]["code"], "NEVER_USED");
    for field in [
        "lastUsedDate",
        "daysSinceLastUse",
        "lastUsedRegion",
        "lastUsedService",
    ] {
        assert_eq!(never_used[field], Value::Null, "{field} is null, never \"N/A\"");
    }

    assert_eq!(
        report["buckets"][2],
        json!({"bucketName": "ghost", "accountId": "123456789012", "region": "us-east-1", "bucketArn": null,
               "status": "ERROR", "error": {"code": "NotFoundException", "message": "The bucket does not exist"},
               "access": null, "findings": [], "keys": []})
    );
    assert!(!report.to_string().contains(SECRET));
}

#[tokio::test]
async fn request_thresholds_change_the_verdicts() {
    let rule = estate();
    let report = audit(
        &lightsail(&[&rule]),
        json!({"bucketNames": ["media-prod"], "staleAfterDays": 100, "maxKeyAgeDays": 199}),
    )
    .await
    .unwrap();
    assert_eq!(
        codes(&report["buckets"][0]["keys"][0]["findings"]),
        ["ROTATION_DUE"],
        "100 days is not more than 100; 200 is more than 199"
    );
    assert_eq!(report["policy"]["staleAfterDays"], 100);
}

#[tokio::test]
async fn invalid_names_are_reported_never_sent_and_order_is_kept() {
    let rule = estate();
    let long = "a".repeat(55);
    let report = audit(
        &lightsail(&[&rule]),
        json!({"bucketNames": ["backups", "Media-Prod", "backups", "-x-", long, "inactive-only"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        bucket_names(&report),
        ["backups", "Media-Prod", "-x-", long.as_str(), "inactive-only"]
    );
    for i in [1, 2, 3] {
        assert_eq!(report["buckets"][i]["status"], "ERROR");
        assert_eq!(report["buckets"][i]["error"]["code"], "InvalidBucketName");
    }
    assert_eq!(rule.num_calls(), 2, "only the two valid names are sent");
    assert_eq!(report["summary"]["bucketsRequested"], 5);
    assert_eq!(report["summary"]["findings"]["INACTIVE"], 1);
}

#[tokio::test]
async fn when_no_bucket_can_be_audited_the_invocation_fails_with_the_first_cause() {
    let denied = mock!(Client::get_bucket_access_keys)
        .then_http_response(|| lightsail_error("AccessDeniedException", "not authorized"));
    let error = audit(
        &lightsail(&[&denied]),
        json!({"bucketNames": ["Bad", "a-1", "b-2"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error,
        AuditError::AuditFailed {
            requested: 3,
            failed: 3,
            scopes_failed: 0,
            subject: "bucket \"Bad\"".into(),
            code: "InvalidBucketName".into(),
            message: error_message(&error),
        }
    );
    assert_eq!(error.error_type(), "AuditFailed");

    let error = audit(&lightsail(&[&denied]), json!({"bucketNames": ["a-1"]}))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no bucket could be audited: 1 of 1 buckets failed, 0 accounts or regions failed; first: bucket \"a-1\": \
         AccessDeniedException: not authorized"
    );
}

fn error_message(error: &AuditError) -> String {
    match error {
        AuditError::AuditFailed { message, .. } => message.clone(),
        other => panic!("not AuditFailed: {other:?}"),
    }
}

#[tokio::test]
async fn one_success_is_enough_for_the_invocation_to_succeed() {
    let rule = estate();
    let report = audit(&lightsail(&[&rule]), json!({"bucketNames": ["ghost", "backups"]}))
        .await
        .unwrap();
    assert_eq!(report["summary"]["bucketsFailed"], 1);
    assert_eq!(report["summary"]["bucketsAudited"], 1);
}

#[tokio::test]
async fn a_bad_request_fails_before_any_call() {
    let rule = estate();
    let error = audit(
        &lightsail(&[&rule]),
        json!({"bucketNames": ["a-1"], "stalAfterDays": 3}),
    )
    .await
    .unwrap_err();
    assert_eq!(error.error_type(), "InvalidRequest");
    assert!(error.to_string().contains("stalAfterDays"));
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
async fn buckets_named_in_the_environment_are_used_when_the_event_names_none() {
    let rule = estate();
    let config = crate::common::config(&[("BUCKET_NAMES", "backups,ghost")]);
    let scheduled = json!({"version": "0", "detail-type": "Scheduled Event", "source": "aws.events",
                           "detail": {}});
    let report = run_audit(&lightsail(&[&rule]), &config, &scheduled, &invocation())
        .await
        .unwrap();
    assert_eq!(report.summary().buckets_requested, 2);
    assert_eq!(
        serde_json::to_value(report.summary()).unwrap()["findings"]["NEVER_USED"],
        1
    );
}
