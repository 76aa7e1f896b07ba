//! AWS Organizations `ListAccounts` on the awsJson1.1 protocol (`X-Amz-Target:
//! AWSOrganizationsV20161128.ListAccounts`), for the fixture's `organization`.
//!
//! Only the management account and delegated administrators may list; pages hold at most 20
//! accounts (`MaxResults` 1 to 20, default 20) and carry a `NextToken` while more remain.
//! Errors are awsJson1.1's: HTTP 400 (500 for `ServiceException`), `x-amzn-ErrorType`, and
//! `{"__type", "Message"}` (plus `Reason` for `InvalidInputException`).

use serde_json::{json, Map, Value};

use crate::fixture::{AccountFixture, FaultKind, OrganizationFixture};
use crate::protocol::{at, html_page, json_input, ok, operation_in, Api, Reply, JSON};

/// The `X-Amz-Target` prefix of Organizations operations.
pub(crate) const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";
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
    operation_in(target, TARGET_PREFIX, error)
}

/// The call's input: a JSON object, or an empty body read as `{}`.
pub(crate) fn input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    json_input(body, error)
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
    if !may_list(organization, request.caller) {
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

/// Whether `account` may call `ListAccounts`: the management account or a delegated
/// administrator.
fn may_list(organization: &OrganizationFixture, account: &str) -> bool {
    organization.management_account_id == account
        || organization.delegated_administrators.iter().any(|a| a == account)
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
        "JoinedTimestamp": at(epoch, days),
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
        FaultKind::HtmlBody => html_page(),
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
