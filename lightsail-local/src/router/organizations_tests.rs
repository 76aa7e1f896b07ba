//! Organizations' `ListAccounts`, and faults across STS and Organizations, through the router.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::Router;
use crate::fixture::Fixture;
use crate::organizations::TARGET_PREFIX;
use crate::protocol::{Call, Reply, JSON};

const MANAGEMENT_KEY: &str = "AKIDMANAGEMENT";
const DELEGATED_KEY: &str = "AKIDDELEGATED";
const MEMBER_KEY: &str = "AKIDMEMBER";

/// A service over a fixture given as JSON, expanded as `Fixture::load` would.
fn service(json: &str) -> Router {
    let mut fixture: Fixture = serde_json::from_str(json).unwrap();
    fixture.expand().unwrap();
    fixture.check().unwrap();
    Router::new(fixture)
}

/// 45 generated accounts (the management one first, the last three suspended), a delegated
/// administrator, a member without rights, and `faults`.
fn organization(faults: &str) -> Router {
    service(&format!(
        r#"{{"credentials": {{"{DELEGATED_KEY}": "100000000000", "{MEMBER_KEY}": "100000000001"}},
             "organization": {{"delegatedAdministrators": ["100000000000"]}},
             "generate": {{"accounts": 45, "suspendedAccounts": 3}},
             "faults": [{faults}]}}"#
    ))
}

fn auth(key: &str, service: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={key}/20261127/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0")
}

async fn list(service: &Router, key: &str, input: Value) -> (Reply, Value) {
    call(service, key, "ListAccounts", input).await
}

async fn call(service: &Router, key: &str, operation: &str, input: Value) -> (Reply, Value) {
    let auth = auth(key, "organizations");
    let target = format!("{TARGET_PREFIX}{operation}");
    service.json_call(&target, Some(&auth), &input).await
}

async fn sts(service: &Router, key: &str, body: &str) -> Reply {
    let auth = auth(key, "sts");
    service
        .answer(Call {
            method: "POST",
            target: None,
            authorization: Some(&auth),
            body: body.as_bytes(),
        })
        .await
}

/// Every account, page by page: (ids, page sizes).
async fn every_account(service: &Router, key: &str, max_results: Option<u64>) -> (Vec<Value>, Vec<usize>) {
    let (mut accounts, mut pages, mut token) = (vec![], vec![], None::<String>);
    loop {
        let mut input = json!({});
        if let Some(n) = max_results {
            input["MaxResults"] = json!(n);
        }
        if let Some(t) = &token {
            input["NextToken"] = json!(t);
        }
        let (reply, body) = list(service, key, input).await;
        assert_eq!(reply.status, 200, "{body}");
        let page = body["Accounts"].as_array().unwrap();
        pages.push(page.len());
        accounts.extend(page.iter().cloned());
        match body["NextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return (accounts, pages),
        }
    }
}

#[tokio::test]
async fn accounts_come_twenty_a_page_until_the_token_is_absent() {
    let s = organization("");
    let (accounts, pages) = every_account(&s, MANAGEMENT_KEY, None).await;
    assert_eq!(pages, [20, 20, 5]);
    assert_eq!(accounts.len(), 45);
    let (_, pages) = every_account(&s, MANAGEMENT_KEY, Some(7)).await;
    assert_eq!(pages, [7, 7, 7, 7, 7, 7, 3]);
    let (_, pages) = every_account(&s, MANAGEMENT_KEY, Some(20)).await;
    assert_eq!(pages, [20, 20, 5]);
    assert_eq!(s.stats().calls("ListAccounts"), 3 + 7 + 3);
}

#[tokio::test]
async fn accounts_are_served_as_the_real_api_serves_them() {
    let s = organization("");
    let (accounts, _) = every_account(&s, MANAGEMENT_KEY, None).await;
    let management = &accounts[0];
    assert_eq!(management["Id"], "123456789012");
    assert_eq!(management["JoinedMethod"], "INVITED");
    let member = &accounts[1];
    assert_eq!(
        member["Arn"],
        "arn:aws:organizations::123456789012:account/o-exampleorgid/100000000000"
    );
    assert_eq!(member["Email"], "account-100000000000@example.com");
    assert_eq!(member["Name"], "member-100000000000");
    assert!(member["JoinedTimestamp"].is_f64());
    let statuses: Vec<(&str, &str)> = accounts
        .iter()
        .map(|a| (a["Status"].as_str().unwrap(), a["State"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses[..42], [("ACTIVE", "ACTIVE"); 42]);
    assert_eq!(statuses[42..], [("SUSPENDED", "SUSPENDED"); 3]);
}

#[tokio::test]
async fn pending_closure_is_served_with_its_state() {
    let s = service(
        r#"{"organization": {"id": "o-abcdefghij12", "accounts": [
             {"id": "123456789012", "name": "root", "email": "root@example.org"},
             {"id": "555555555555", "name": "closing", "status": "PENDING_CLOSURE"}]}}"#,
    );
    let (_, body) = list(&s, MANAGEMENT_KEY, json!({})).await;
    assert_eq!(body["Accounts"][0]["Email"], "root@example.org");
    assert_eq!(body["Accounts"][1]["Status"], "PENDING_CLOSURE");
    assert_eq!(body["Accounts"][1]["State"], "PENDING_CLOSURE");
    assert!(body["Accounts"][1]["Arn"]
        .as_str()
        .unwrap()
        .contains(":account/o-abcdefghij12/555555555555"));
    assert!(body.get("NextToken").is_none());
}

#[tokio::test]
async fn bad_page_sizes_and_tokens_are_invalid_input() {
    let s = organization("");
    for (input, reason) in [
        (json!({"MaxResults": 0}), "MIN_VALUE_EXCEEDED"),
        (json!({"MaxResults": -3}), "MIN_VALUE_EXCEEDED"),
        (json!({"MaxResults": 21}), "MAX_VALUE_EXCEEDED"),
        (json!({"MaxResults": "ten"}), "INVALID_INPUT"),
        (json!({"NextToken": "garbled"}), "INVALID_NEXT_TOKEN"),
        (
            json!({"NextToken": "lightsail-local-accounts-46"}),
            "INVALID_NEXT_TOKEN",
        ),
        (json!({"NextToken": 20}), "INVALID_NEXT_TOKEN"),
    ] {
        let (reply, body) = list(&s, MANAGEMENT_KEY, input.clone()).await;
        assert_eq!(
            (reply.status, reply.error_type),
            (400, Some("InvalidInputException")),
            "{input}"
        );
        assert_eq!(body["__type"], "InvalidInputException");
        assert_eq!(body["Reason"], reason, "{input}");
        assert!(body["Message"].is_string());
    }
    let (reply, _) = list(&s, MANAGEMENT_KEY, json!({"MaxResults": null, "NextToken": null})).await;
    assert_eq!(reply.status, 200, "null is absent");
}

#[tokio::test]
async fn only_the_management_account_and_delegated_administrators_may_list() {
    let s = organization("");
    let (reply, _) = list(&s, DELEGATED_KEY, json!({})).await;
    assert_eq!(reply.status, 200);
    let (reply, body) = list(&s, MEMBER_KEY, json!({})).await;
    assert_eq!(
        (reply.status, reply.error_type),
        (400, Some("AccessDeniedException"))
    );
    assert_eq!(
        body,
        json!({"__type": "AccessDeniedException", "Message": "You don't have permissions to access this resource."})
    );
    // A session in the management account acts as the management account.
    let (reply, _) = list(&s, "ASIA123456789012LCAL", json!({})).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn without_an_organization_nobody_may_list() {
    let s = service(r#"{"buckets": []}"#);
    let (reply, body) = list(&s, MANAGEMENT_KEY, json!({})).await;
    assert_eq!(
        (reply.status, reply.error_type, reply.content_type),
        (400, Some("AWSOrganizationsNotInUseException"), JSON)
    );
    assert_eq!(
        body["Message"],
        "Your account is not a member of an organization."
    );
}

#[tokio::test]
async fn other_operations_and_bodies_are_refused_by_name() {
    let s = organization("");
    let (reply, body) = call(&s, MANAGEMENT_KEY, "DescribeOrganization", json!({})).await;
    assert_eq!(reply.error_type, Some("UnknownOperationException"));
    let message = body["Message"].as_str().unwrap();
    assert!(message.contains("DescribeOrganization") && message.contains("ListAccounts"));
    assert_eq!(s.stats().operations, [0; 7], "not a served operation");
    let auth = auth(MANAGEMENT_KEY, "organizations");
    let garbled = s
        .answer(Call {
            method: "POST",
            target: Some("AWSOrganizationsV20161128.ListAccounts"),
            authorization: Some(&auth),
            body: b"[1, 2",
        })
        .await;
    assert_eq!(garbled.error_type, Some("SerializationException"));
    let untargeted = s
        .answer(Call {
            method: "POST",
            target: None,
            authorization: Some(&auth),
            body: b"{}",
        })
        .await;
    assert_eq!(untargeted.error_type, Some("UnknownOperationException"));
}

#[tokio::test]
async fn throttling_and_denials_answer_in_each_protocol() {
    let s = organization(
        r#"{"kind": "throttle", "times": 1, "operations": ["ListAccounts"]},
           {"kind": "throttle", "times": 1, "operations": ["GetCallerIdentity"]},
           {"kind": "accessDenied", "operations": ["AssumeRole"]}"#,
    );
    let (reply, body) = list(&s, MANAGEMENT_KEY, json!({})).await;
    assert_eq!(
        (reply.status, reply.error_type),
        (400, Some("TooManyRequestsException"))
    );
    assert!(body["Message"].as_str().unwrap().contains("Try again later"));
    let (reply, _) = list(&s, MANAGEMENT_KEY, json!({})).await;
    assert_eq!(reply.status, 200, "only the first call");
    let identity = "Action=GetCallerIdentity&Version=2011-06-15";
    let reply = sts(&s, MANAGEMENT_KEY, identity).await;
    assert_eq!(
        (reply.status, reply.error_type, reply.content_type),
        (400, Some("Throttling"), "text/xml")
    );
    assert_eq!(sts(&s, MANAGEMENT_KEY, identity).await.status, 200);
    let assume = "Action=AssumeRole&RoleSessionName=s1\
                  &RoleArn=arn%3Aaws%3Aiam%3A%3A100000000002%3Arole%2FLightsailKeyAuditMember";
    let reply = sts(&s, MANAGEMENT_KEY, assume).await;
    assert_eq!((reply.status, reply.error_type), (403, Some("AccessDenied")));
    assert_eq!(s.stats().operations, [0, 0, 0, 1, 2, 2, 0]);
    assert_eq!(s.stats().calls("AssumeRole"), 1);
}

#[tokio::test]
async fn a_global_latency_delays_every_service_and_filters_apply() {
    let s = organization(
        r#"{"kind": "latency", "latencyMs": 40},
           {"kind": "notFound"},
           {"kind": "serverError", "regions": ["eu-west-2"]}"#,
    );
    let assume = "Action=AssumeRole&RoleSessionName=s1\
                  &RoleArn=arn%3Aaws%3Aiam%3A%3A100000000002%3Arole%2FLightsailKeyAuditMember";
    let started = Instant::now();
    let (reply, _) = list(&s, MANAGEMENT_KEY, json!({})).await;
    assert_eq!(
        reply.status, 200,
        "notFound is Lightsail's, eu-west-2 is not the region"
    );
    assert!(started.elapsed() >= Duration::from_millis(40));
    let started = Instant::now();
    assert_eq!(sts(&s, MANAGEMENT_KEY, assume).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(40));
    let started = Instant::now();
    let reply = sts(&s, "ASIA100000000002LCAL", "Action=GetCallerIdentity").await;
    assert!(started.elapsed() >= Duration::from_millis(40));
    let xml = String::from_utf8(reply.body).unwrap();
    assert!(
        xml.contains("<Arn>arn:aws:sts::100000000002:assumed-role/LightsailKeyAuditMember/s1</Arn>"),
        "{xml}"
    );
    assert_eq!(s.stats().operations, [0, 0, 0, 1, 1, 1, 0]);
}

#[tokio::test]
async fn a_repeating_token_points_to_the_second_page_for_ever() {
    let s = organization(r#"{"kind": "repeatPageToken", "operations": ["ListAccounts"]}"#);
    let (_, first) = list(&s, MANAGEMENT_KEY, json!({})).await;
    let token = first["NextToken"].clone();
    let (_, last) = list(
        &s,
        MANAGEMENT_KEY,
        json!({"NextToken": "lightsail-local-accounts-40"}),
    )
    .await;
    assert_eq!(last["Accounts"].as_array().unwrap().len(), 5);
    assert_eq!(last["NextToken"], token);
}
