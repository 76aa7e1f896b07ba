//! AWS Organizations `ListAccounts` on the awsJson1.1 protocol (`X-Amz-Target:
//! AWSOrganizationsV20161128.ListAccounts`), for the fixture's `organization`.
//!
//! Only the management account and delegated administrators may list; pages hold at most 20
//! accounts (`MaxResults` 1 to 20, default 20) and carry a `NextToken` while more remain.
//! Errors are awsJson1.1's: HTTP 400 (500 for `ServiceException`), `x-amzn-ErrorType`, and
//! `{"__type", "Message"}` (plus `Reason` for `InvalidInputException`).

use serde_json::{json, Map, Value};

use crate::faults;
use crate::fixture::{AccountFixture, FaultKind, OrganizationFixture};
use crate::service::{self, ok, Api, Reply, JSON};

/// The `X-Amz-Target` prefix of Organizations operations.
const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";
/// The most accounts a page holds, and the page size when `MaxResults` is absent.
const MAX_RESULTS: u64 = 20;
/// What `NextToken` values start with; the rest is the offset of the next page.
const TOKEN_PREFIX: &str = "lightsail-local-accounts-";
/// Days before the stand-in's start that accounts joined: the management account first.
const MANAGEMENT_JOINED_DAYS_AGO: f64 = 1000.0;
const MEMBER_JOINED_DAYS_AGO: f64 = 500.0;

/// An Organizations call, read and scoped.
pub(crate) struct Request<'a> {
    pub(crate) operation: &'a str,
    /// The caller's account.
    pub(crate) caller: &'a str,
    pub(crate) input: &'a Map<String, Value>,
    /// The instant relative times count back from.
    pub(crate) epoch: f64,
    /// A `repeatPageToken` fault fired: every page points to the second.
    pub(crate) repeat_page_token: bool,
}

/// The Organizations operation `X-Amz-Target` names, served or not.
pub(crate) fn operation(target: Option<&str>) -> Result<&str, Reply> {
    service::operation_in(target, TARGET_PREFIX, error)
}

/// The call's input: a JSON object, or an empty body read as `{}`.
pub(crate) fn input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    service::json_object(body).ok_or_else(|| {
        error(
            400,
            "SerializationException",
            "the request body is not a JSON object".into(),
        )
    })
}

/// Answers one Organizations call, once no fault has answered in its place.
pub(crate) fn answer(organization: Option<&OrganizationFixture>, request: &Request<'_>) -> Reply {
    match request.operation {
        "ListAccounts" => list_accounts(organization, request),
        other => error(
            400,
            "UnknownOperationException",
            format!(
                "lightsail-local does not implement Organizations {other}; it serves {}",
                Api::Organizations.operations().join(", ")
            ),
        ),
    }
}

/// One page of the organization's accounts, for its management account or a delegated
/// administrator.
fn list_accounts(organization: Option<&OrganizationFixture>, request: &Request<'_>) -> Reply {
    let Some(organization) = organization else {
        return error(
            400,
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.".into(),
        );
    };
    if !organization.may_list(request.caller) {
        return access_denied();
    }
    let accounts = &organization.accounts;
    let (size, offset) = match (page_size(request.input), offset(request.input, accounts.len())) {
        (Ok(size), Ok(offset)) => (size, offset),
        (Err(refusal), _) | (_, Err(refusal)) => return refusal,
    };
    let listed: Vec<Value> = accounts
        .iter()
        .skip(offset)
        .take(size)
        .map(|account| account_json(organization, account, request.epoch))
        .collect();
    let next = offset.saturating_add(size);
    let mut output = Map::new();
    output.insert("Accounts".into(), Value::Array(listed));
    if request.repeat_page_token {
        output.insert("NextToken".into(), json!(token(size.min(accounts.len()))));
    } else if next < accounts.len() {
        output.insert("NextToken".into(), json!(token(next)));
    }
    ok(Value::Object(output))
}

/// `MaxResults`: 1 to 20, or 20 when absent.
fn page_size(input: &Map<String, Value>) -> Result<usize, Reply> {
    let Some(given) = input.get("MaxResults").filter(|v| !v.is_null()) else {
        return Ok(MAX_RESULTS as usize);
    };
    let reason = match given.as_u64() {
        Some(n @ 1..=MAX_RESULTS) => return Ok(n as usize),
        Some(0) => "MIN_VALUE_EXCEEDED",
        Some(_) => "MAX_VALUE_EXCEEDED",
        None if given.as_i64().is_some() => "MIN_VALUE_EXCEEDED",
        None => "INVALID_INPUT",
    };
    Err(invalid_input(
        reason,
        format!("MaxResults must be a whole number from 1 to {MAX_RESULTS}; got {given}"),
    ))
}

/// Where the page starts: 0, or the offset a `NextToken` this stand-in issued holds.
fn offset(input: &Map<String, Value>, accounts: usize) -> Result<usize, Reply> {
    let Some(given) = input.get("NextToken").filter(|v| !v.is_null()) else {
        return Ok(0);
    };
    given
        .as_str()
        .and_then(|t| t.strip_prefix(TOKEN_PREFIX))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n <= accounts)
        .ok_or_else(|| {
            invalid_input(
                "INVALID_NEXT_TOKEN",
                "You specified an invalid value for nextToken. You must get the value from the \
                 response to a previous call to the API."
                    .into(),
            )
        })
}

fn token(offset: usize) -> String {
    format!("{TOKEN_PREFIX}{offset}")
}

/// One `Account`, as `ListAccounts` serves it.
fn account_json(organization: &OrganizationFixture, account: &AccountFixture, epoch: f64) -> Value {
    let management = &organization.management_account_id;
    let (method, days) = if &account.id == management {
        ("INVITED", MANAGEMENT_JOINED_DAYS_AGO)
    } else {
        ("CREATED", MEMBER_JOINED_DAYS_AGO)
    };
    json!({
        "Id": account.id,
        "Arn": format!("arn:aws:organizations::{management}:account/{}/{}", organization.id, account.id),
        "Email": account.email(),
        "Name": account.name,
        "Status": account.status.as_str(),
        "State": account.status.state(),
        "JoinedMethod": method,
        "JoinedTimestamp": service::at(epoch, days),
    })
}

/// An Organizations call's answer to a terminal fault.
pub(crate) fn fault_reply(kind: FaultKind) -> Reply {
    match kind {
        FaultKind::AccessDenied => access_denied(),
        FaultKind::Throttle => error(
            400,
            "TooManyRequestsException",
            "AWS Organizations can't complete your request because another request is already in \
             progress. Try again later."
                .into(),
        ),
        FaultKind::Unauthenticated => error(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.".into(),
        ),
        FaultKind::MalformedBody => Reply {
            status: 200,
            error_type: None,
            content_type: JSON,
            body: br#"{"Accounts": [{"Id": "1234"#.to_vec(),
        },
        FaultKind::HtmlBody => faults::html_page(),
        // Server errors, and the kinds that never reach Organizations (see `faults`).
        FaultKind::ServerError
        | FaultKind::NotFound
        | FaultKind::RegionSetupInProgress
        | FaultKind::Latency
        | FaultKind::RepeatPageToken => error(
            500,
            "ServiceException",
            "AWS Organizations can't complete your request because of an internal service error. \
             Try again later."
                .into(),
        ),
    }
}

fn access_denied() -> Reply {
    error(
        400,
        "AccessDeniedException",
        "You don't have permissions to access this resource.".into(),
    )
}

fn invalid_input(reason: &str, message: String) -> Reply {
    let body = json!({"__type": "InvalidInputException", "Message": message, "Reason": reason});
    Reply {
        status: 400,
        error_type: Some("InvalidInputException"),
        content_type: JSON,
        body: body.to_string().into_bytes(),
    }
}

/// An Organizations error as the service sends it: `__type` and `Message`.
fn error(status: u16, kind: &'static str, message: String) -> Reply {
    let body = json!({"__type": kind, "Message": message});
    Reply {
        status,
        error_type: Some(kind),
        content_type: JSON,
        body: body.to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::fixture::Fixture;
    use crate::service::{Call, Service};

    const MANAGEMENT_KEY: &str = "AKIDMANAGEMENT";
    const DELEGATED_KEY: &str = "AKIDDELEGATED";
    const MEMBER_KEY: &str = "AKIDMEMBER";

    /// A service over a fixture given as JSON, expanded as `Fixture::load` would.
    fn service(json: &str) -> Service {
        let mut fixture: Fixture = serde_json::from_str(json).unwrap();
        fixture.expand().unwrap();
        fixture.check().unwrap();
        Service::new(fixture)
    }

    /// 45 generated accounts (the management one first, the last three suspended), a delegated
    /// administrator, a member without rights, and `faults`.
    fn organization(faults: &str) -> Service {
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

    async fn list(service: &Service, key: &str, input: Value) -> (Reply, Value) {
        call(service, key, "ListAccounts", input).await
    }

    async fn call(service: &Service, key: &str, operation: &str, input: Value) -> (Reply, Value) {
        let auth = auth(key, "organizations");
        let target = format!("{TARGET_PREFIX}{operation}");
        let body = input.to_string();
        let reply = service
            .answer(Call {
                method: "POST",
                target: Some(&target),
                authorization: Some(&auth),
                body: body.as_bytes(),
            })
            .await;
        let json = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        (reply, json)
    }

    async fn sts(service: &Service, key: &str, body: &str) -> Reply {
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
    async fn every_account(
        service: &Service,
        key: &str,
        max_results: Option<u64>,
    ) -> (Vec<Value>, Vec<usize>) {
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
        assert_eq!(s.stats().operations, [0; 6], "not a served operation");
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
        assert_eq!(s.stats().operations, [0, 0, 0, 1, 2, 2]);
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
        assert_eq!(s.stats().operations, [0, 0, 0, 1, 1, 1]);
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
}
