//! The services the stand-in answers, routed by the SigV4 credential scope: Lightsail (here,
//! on the awsJson1.1 protocol), STS ([`crate::sts`]) and Organizations
//! ([`crate::organizations`]).
//!
//! Transport-free: [`Service::answer`] takes the parts of a request that matter and returns
//! status, error type and body, so the HTTP server stays a thin shell.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::faults::{self, Faults, Target};
use crate::fixture::{BucketFixture, FaultKind, Fixture, KeyFixture};
use crate::sigv4::{self, Scope};
use crate::{organizations, sts};

/// The `X-Amz-Target` prefix of Lightsail operations.
const TARGET_PREFIX: &str = "Lightsail_20161128.";
/// The operations served, Lightsail's then STS's then Organizations', in the order of
/// [`Stats::operations`]; anything else is refused by name.
pub const OPERATIONS: [&str; 6] = [
    "GetBuckets",
    "GetBucketAccessKeys",
    "GetRegions",
    "AssumeRole",
    "GetCallerIdentity",
    "ListAccounts",
];
pub(crate) const JSON: &str = "application/x-amz-json-1.1";
const DOCS: &str = "https://lightsail.aws.amazon.com/ls/docs";
const SECONDS_PER_DAY: f64 = 86_400.0;

/// The parts of a request the service reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The HTTP method; every service here takes only `POST`.
    pub(crate) method: &'a str,
    /// `X-Amz-Target`, naming the operation (Lightsail, Organizations).
    pub(crate) target: Option<&'a str>,
    /// The SigV4 `Authorization` header, read for its credential scope only.
    pub(crate) authorization: Option<&'a str>,
    /// The request body: JSON for Lightsail and Organizations, a form for STS.
    pub(crate) body: &'a [u8],
}

/// An answer: HTTP status, `x-amzn-ErrorType` for errors, and the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// The error's type, sent as `x-amzn-ErrorType`; `None` for a success.
    pub(crate) error_type: Option<&'static str>,
    /// `application/x-amz-json-1.1`, or `text/xml` for STS.
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
}

/// Counters over the calls served, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, of any kind.
    pub requests: u64,
    /// Calls per served operation, in the order of [`OPERATIONS`]: `GetBuckets`,
    /// `GetBucketAccessKeys`, `GetRegions`, `AssumeRole`, `GetCallerIdentity`, `ListAccounts`.
    pub operations: [u64; 6],
    /// The most requests in flight at once.
    pub peak_in_flight: usize,
}

impl Stats {
    /// Calls to `operation` (one of [`OPERATIONS`]; any other name has none).
    pub fn calls(&self, operation: &str) -> u64 {
        OPERATIONS
            .iter()
            .position(|op| *op == operation)
            .and_then(|i| self.operations.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// A service the stand-in plays, chosen by the credential scope's service name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Lightsail,
    Sts,
    Organizations,
}

impl Api {
    fn of(scope: &Scope<'_>) -> Self {
        match scope.service {
            "sts" => Self::Sts,
            "organizations" => Self::Organizations,
            _ => Self::Lightsail,
        }
    }

    /// Where its operations sit in [`OPERATIONS`].
    fn operation_range(self) -> Range<usize> {
        match self {
            Self::Lightsail => 0..3,
            Self::Sts => 3..5,
            Self::Organizations => 5..6,
        }
    }

    /// The operations it serves.
    pub(crate) fn operations(self) -> &'static [&'static str] {
        OPERATIONS.get(self.operation_range()).unwrap_or(&[])
    }
}

/// The stand-in's state: the fixture, and counters that faults and stats need.
#[derive(Debug)]
pub(crate) struct Service {
    fixture: Fixture,
    /// (account, region, name) to the bucket's index, so a call costs the same at any estate size.
    index: HashMap<(String, String, String), usize>,
    /// Account, then region, to the indices of its buckets in fixture order: `GetBuckets`
    /// reads one account and region, never the whole estate.
    listing: HashMap<String, HashMap<String, Vec<usize>>>,
    /// The instant relative times count back from: the service's start, so a key created
    /// "200 days ago" is at least 200 whole days old to any client that asks later.
    epoch: f64,
    faults: Faults,
    /// The sessions this STS issued, for `GetCallerIdentity`.
    sessions: sts::Sessions,
    requests: AtomicU64,
    operations: [AtomicU64; 6],
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

/// A Lightsail call, read and scoped: what is asked, by whom, of which bucket.
struct Request<'a> {
    operation: &'a str,
    caller: &'a Caller<'a>,
    input: &'a Map<String, Value>,
    /// The `bucketName` input, if given.
    named: Option<&'a str>,
    /// The named bucket, with its index, if the caller can see one by that name.
    bucket: Option<(usize, &'a BucketFixture)>,
}

impl Service {
    /// A service over `fixture`; relative times count from now.
    pub(crate) fn new(fixture: Fixture) -> Self {
        let index = fixture
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| ((b.account().to_owned(), b.region.clone(), b.name.clone()), i))
            .collect();
        let mut listing: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (i, bucket) in fixture.buckets.iter().enumerate() {
            let regions = listing.entry(bucket.account().to_owned()).or_default();
            regions.entry(bucket.region.clone()).or_default().push(i);
        }
        Self {
            index,
            listing,
            faults: Faults::new(&fixture),
            fixture,
            epoch: epoch_now(),
            sessions: sts::Sessions::default(),
            requests: AtomicU64::new(0),
            operations: Default::default(),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        }
    }

    /// The counters so far.
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            operations: self
                .operations
                .each_ref()
                .map(|count| count.load(Ordering::Relaxed)),
            peak_in_flight: self.peak_in_flight.load(Ordering::Relaxed),
        }
    }

    /// Answers one request.
    pub(crate) async fn answer(&self, call: Call<'_>) -> Reply {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        let reply = self.dispatch(call).await;
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        reply
    }

    /// Routes a signed call by the service in its credential scope: STS, Organizations, or
    /// else Lightsail. Every service finds the caller's account the same way.
    async fn dispatch(&self, call: Call<'_>) -> Reply {
        let scope = match authenticate(&call) {
            Ok(scope) => scope,
            Err(refusal) => return refusal,
        };
        let caller = Caller {
            access_key_id: scope.access_key_id,
            account: self.fixture.account_of(scope.access_key_id),
            region: scope.region,
        };
        let answer = match Api::of(&scope) {
            Api::Sts => self.sts(&call, &caller).await,
            Api::Organizations => self.organizations(&call, &caller).await,
            Api::Lightsail => self.lightsail(&call, &caller).await,
        };
        answer.unwrap_or_else(|refusal| refusal)
    }

    /// One STS call: counted, faults applied, then answered.
    async fn sts(&self, call: &Call<'_>, caller: &Caller<'_>) -> Result<Reply, Reply> {
        let form = sts::Form::parse(call.body);
        let action = form.get("Action").unwrap_or("");
        self.count(Api::Sts, action);
        self.faults
            .apply(&self.fixture, &Target::of(Api::Sts, action, caller))
            .await?;
        let now = chrono::DateTime::from_timestamp(epoch_now() as i64, 0).unwrap_or_default();
        let context = sts::Context {
            fixture: &self.fixture,
            sessions: &self.sessions,
            caller,
        };
        Ok(sts::answer(&context, &form, now))
    }

    /// One Organizations call: read, counted, faults applied, then answered.
    async fn organizations(&self, call: &Call<'_>, caller: &Caller<'_>) -> Result<Reply, Reply> {
        let operation = organizations::operation(call.target)?;
        let input = organizations::input(call.body)?;
        self.count(Api::Organizations, operation);
        let repeat_page_token = self
            .faults
            .apply(&self.fixture, &Target::of(Api::Organizations, operation, caller))
            .await?;
        let request = organizations::Request {
            operation,
            caller: caller.account,
            input: &input,
            epoch: self.epoch,
            repeat_page_token,
        };
        Ok(organizations::answer(
            self.fixture.organization.as_ref(),
            &request,
        ))
    }

    /// One Lightsail call: reads and counts it, applies the faults that match, then answers
    /// it. `Err` is an answer that ends the call early: a refusal or a fault.
    async fn lightsail(&self, call: &Call<'_>, caller: &Caller<'_>) -> Result<Reply, Reply> {
        let operation = operation(call.target)?;
        let input = input(call.body)?;
        self.count(Api::Lightsail, operation);
        let named = input.get("bucketName").and_then(Value::as_str);
        let request = Request {
            operation,
            bucket: named.and_then(|name| self.find(caller, name)),
            caller,
            input: &input,
            named,
        };
        let target = Target {
            bucket: request.bucket,
            named,
            ..Target::of(Api::Lightsail, operation, caller)
        };
        let repeat_page_token = self.faults.apply(&self.fixture, &target).await?;
        Ok(self.operate(&request, repeat_page_token))
    }

    /// Counts a call to an operation `api` serves, for [`Stats::operations`].
    fn count(&self, api: Api, operation: &str) {
        let range = api.operation_range();
        let counter = api
            .operations()
            .iter()
            .position(|op| *op == operation)
            .and_then(|i| self.operations.get(range.start + i));
        if let Some(count) = counter {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Answers the operation itself, once no fault has answered in its place.
    fn operate(&self, request: &Request<'_>, repeat_page_token: bool) -> Reply {
        match request.operation {
            "GetBucketAccessKeys" => {
                self.get_bucket_access_keys(request.named, request.bucket.map(|(_, b)| b))
            }
            "GetBuckets" => self.get_buckets(request, repeat_page_token),
            "GetRegions" => self.get_regions(),
            other => error(
                400,
                "InvalidInputException",
                format!(
                    "lightsail-local does not implement {other}; it serves {}",
                    Api::Lightsail.operations().join(", ")
                ),
            ),
        }
    }

    /// The bucket `name` as `caller` sees it: in its account and region only.
    fn find(&self, caller: &Caller<'_>, name: &str) -> Option<(usize, &BucketFixture)> {
        let key = (
            caller.account.to_owned(),
            caller.region.to_owned(),
            name.to_owned(),
        );
        let i = *self.index.get(&key)?;
        self.fixture.buckets.get(i).map(|b| (i, b))
    }

    fn get_bucket_access_keys(&self, named: Option<&str>, bucket: Option<&BucketFixture>) -> Reply {
        let Some(name) = named else {
            return error(400, "InvalidInputException", "bucketName is required".into());
        };
        if !valid_bucket_name(name) {
            return error(
                400,
                "InvalidInputException",
                format!("bucketName {name:?} does not match ^[a-z0-9][a-z0-9-]{{1,52}}[a-z0-9]$"),
            );
        }
        let Some(bucket) = bucket else {
            return not_found(name);
        };
        let now = self.epoch;
        let keys: Vec<Value> = bucket.keys.iter().map(|k| key_json(k, bucket, now)).collect();
        ok(json!({ "accessKeys": keys }))
    }

    /// The named bucket, or one page of the buckets the caller sees. A `repeatPageToken`
    /// fault makes every page point to the second, so a client that trusts tokens never ends.
    fn get_buckets(&self, request: &Request<'_>, repeat_page_token: bool) -> Reply {
        let now = self.epoch;
        if let Some(name) = request.named {
            return match request.bucket {
                Some((_, bucket)) => ok(json!({ "buckets": [bucket_json(bucket, now)] })),
                None => not_found(name),
            };
        }
        let offset = match page_offset(request.input) {
            Ok(offset) => offset,
            Err(refusal) => return refusal,
        };
        let visible = self.visible(request.caller);
        let page: Vec<Value> = visible
            .iter()
            .skip(offset)
            .take(self.fixture.page_size)
            .filter_map(|i| self.fixture.buckets.get(*i))
            .map(|b| bucket_json(b, now))
            .collect();
        // Saturating: the offset comes from the client's token.
        let next = offset.saturating_add(self.fixture.page_size);
        let mut output = Map::new();
        output.insert("buckets".into(), Value::Array(page));
        output.insert(
            "accountLevelBpaSync".into(),
            json!({"status": "InSync", "lastSyncedAt": now, "message": "SyncOnHold", "bpaImpactsLightsail": false}),
        );
        if repeat_page_token {
            output.insert(
                "nextPageToken".into(),
                json!(format!("page-{}", self.fixture.page_size)),
            );
        } else if next < visible.len() {
            output.insert("nextPageToken".into(), json!(format!("page-{next}")));
        }
        ok(Value::Object(output))
    }

    /// The indices of the buckets `caller` sees: its account's, in the signing region.
    fn visible(&self, caller: &Caller<'_>) -> &[usize] {
        self.listing
            .get(caller.account)
            .and_then(|regions| regions.get(caller.region))
            .map_or(&[], Vec::as_slice)
    }

    fn get_regions(&self) -> Reply {
        let regions: Vec<Value> = self
            .fixture
            .region_names()
            .iter()
            .map(|name| {
                json!({"name": name, "displayName": name, "continentCode": "NA",
                       "description": format!("Lightsail region {name} (lightsail-local)"),
                       "availabilityZones": [], "relationalDatabaseAvailabilityZones": []})
            })
            .collect();
        ok(json!({ "regions": regions }))
    }
}

/// Refuses what the real endpoint refuses before reading the body: a method other than
/// `POST`, an unsigned request, a signature without a SigV4 credential scope.
fn authenticate<'a>(call: &Call<'a>) -> Result<Scope<'a>, Reply> {
    if call.method != "POST" {
        return Err(error(
            405,
            "UnknownOperationException",
            format!(
                "{} is not supported: Lightsail takes POST / with X-Amz-Target",
                call.method
            ),
        ));
    }
    let Some(authorization) = call.authorization else {
        // The real endpoint's answer, which has none of the usual error fields.
        return Err(Reply {
            status: 403,
            error_type: Some("MissingAuthenticationTokenException"),
            content_type: JSON,
            body: br#"{"message":"Missing Authentication Token"}"#.to_vec(),
        });
    };
    sigv4::scope(authorization).ok_or_else(|| {
        error(
            403,
            "IncompleteSignatureException",
            "Authorization header requires a SigV4 Credential=AKID/date/region/service/aws4_request".into(),
        )
    })
}

/// The Lightsail operation `X-Amz-Target` names, served or not.
fn operation(target: Option<&str>) -> Result<&str, Reply> {
    operation_in(target, TARGET_PREFIX, error)
}

/// The operation `X-Amz-Target` names after a service's `prefix`, served or not; else
/// `UnknownOperationException` as that service's `error` writes it.
pub(crate) fn operation_in<'a>(
    target: Option<&'a str>,
    prefix: &str,
    error: fn(u16, &'static str, String) -> Reply,
) -> Result<&'a str, Reply> {
    target.and_then(|t| t.strip_prefix(prefix)).ok_or_else(|| {
        error(
            400,
            "UnknownOperationException",
            format!(
                "X-Amz-Target must be {prefix}<Operation>; got {:?}",
                target.unwrap_or("")
            ),
        )
    })
}

/// The call's input: a JSON object, or an empty body read as `{}`.
fn input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    json_object(body).ok_or_else(|| {
        error(
            400,
            "SerializationException",
            "the request body is not a JSON object".into(),
        )
    })
}

/// An awsJson1.1 body: a JSON object, or an empty body read as `{}`.
pub(crate) fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(input)) => Some(input),
        _ if body.is_empty() => Some(Map::new()),
        _ => None,
    }
}

/// Where the page a `GetBuckets` call asks for starts: 0, or the offset its `pageToken` holds.
fn page_offset(input: &Map<String, Value>) -> Result<usize, Reply> {
    let Some(token) = input.get("pageToken").and_then(Value::as_str) else {
        return Ok(0);
    };
    token
        .strip_prefix("page-")
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| {
            error(
                400,
                "InvalidInputException",
                format!("invalid pageToken {token:?}"),
            )
        })
}

/// Who is calling: the signing key, its account, and the region of the credential scope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

impl<'a> Target<'a> {
    /// A call to `operation` of `api` by `caller`, naming no bucket.
    fn of(api: Api, operation: &'a str, caller: &Caller<'a>) -> Self {
        Self {
            api,
            operation,
            region: caller.region,
            bucket: None,
            named: None,
        }
    }
}

fn key_json(key: &KeyFixture, bucket: &BucketFixture, now: f64) -> Value {
    let last_used = match key.last_used_days_ago {
        Some(days) => json!({
            "lastUsedDate": at(now, days),
            "region": key.last_used_region.as_deref().unwrap_or(&bucket.region),
            "serviceName": key.last_used_service.as_deref().unwrap_or("s3"),
        }),
        // As the real API serves a key that has never been used.
        None => json!({"region": "N/A", "serviceName": "N/A"}),
    };
    let mut out = Map::new();
    out.insert("accessKeyId".into(), json!(key.access_key_id));
    out.insert("status".into(), json!(key.status));
    out.insert("createdAt".into(), json!(at(now, key.created_days_ago)));
    out.insert("lastUsed".into(), last_used);
    if let Some(secret) = &key.secret_access_key {
        out.insert("secretAccessKey".into(), json!(secret));
    }
    Value::Object(out)
}

fn bucket_json(bucket: &BucketFixture, now: f64) -> Value {
    let id = format!("{:08x}", fnv(&bucket.name));
    json!({
        "resourceType": "Bucket",
        "name": bucket.name,
        "arn": format!("arn:aws:lightsail:{}:{}:Bucket/{}-0000-4000-8000-{:012x}",
                       bucket.region, bucket.account(), id, fnv(&bucket.region)),
        "bundleId": "small_1_0",
        "createdAt": at(now, 400.0),
        "url": format!("https://{}.s3.{}.amazonaws.com/", bucket.name, bucket.region),
        "location": {"availabilityZone": "all", "regionName": bucket.region},
        "supportCode": format!("{}/{}", bucket.account(), bucket.name),
        "state": {"code": "OK"},
        "tags": [],
        "objectVersioning": "NotEnabled",
        "ableToUpdateBundle": true,
        "accessRules": {"getObject": "private", "allowPublicOverrides": false},
        "readonlyAccessAccounts": [],
        "resourcesReceivingAccess": [],
        "accessLogConfig": {"enabled": false},
    })
}

/// A short stable hash, so ARNs look real and stay the same across runs.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) & 0xffff_ffff_ffff
}

/// A Lightsail call's answer to a terminal fault.
pub(crate) fn fault_reply(kind: FaultKind, operation: &str, bucket: Option<&str>) -> Reply {
    let target = bucket.map_or_else(|| "this account".to_owned(), |b| format!("bucket {b}"));
    match kind {
        FaultKind::AccessDenied => error(
            400,
            "AccessDeniedException",
            format!("User is not authorized to perform: lightsail:{operation} on {target}"),
        ),
        FaultKind::NotFound => not_found(bucket.unwrap_or("")),
        FaultKind::Unauthenticated => error(
            400,
            "UnauthenticatedException",
            "The security token included in the request is invalid".into(),
        ),
        FaultKind::RegionSetupInProgress => error(
            400,
            "RegionSetupInProgressException",
            "The region is still being set up; try again in a few minutes".into(),
        ),
        FaultKind::Throttle => Reply {
            status: 400,
            error_type: Some("ThrottlingException"),
            content_type: JSON,
            body: br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_vec(),
        },
        FaultKind::ServerError => error(500, "ServiceException", "An internal error occurred".into()),
        FaultKind::MalformedBody => Reply {
            status: 200,
            error_type: None,
            content_type: JSON,
            body: br#"{"accessKeys": [{"accessKeyId": "AKIA"#.to_vec(),
        },
        FaultKind::HtmlBody => faults::html_page(),
        // Not terminal; handled by the caller.
        FaultKind::Latency | FaultKind::RepeatPageToken => ok(json!({})),
    }
}

fn not_found(name: &str) -> Reply {
    error(
        400,
        "NotFoundException",
        format!("The bucket {name} does not exist in this account and region"),
    )
}

/// A 200 answer with a JSON body (awsJson1.1, as Lightsail and Organizations send it).
pub(crate) fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        error_type: None,
        content_type: JSON,
        body: body.to_string().into_bytes(),
    }
}

/// A Lightsail error as the service sends it: `__type`, `code`, `message`, `docs`, `tip`.
fn error(status: u16, kind: &'static str, message: String) -> Reply {
    let body = json!({
        "__type": kind,
        "code": kind.trim_end_matches("Exception"),
        "message": message,
        "docs": DOCS,
        "tip": "This answer comes from lightsail-local, the offline Lightsail stand-in.",
    });
    Reply {
        status,
        error_type: Some(kind),
        content_type: JSON,
        body: body.to_string().into_bytes(),
    }
}

fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=54).contains(&bytes.len())
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'-')
}

fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `days` before `now`, in epoch seconds to the millisecond, as Lightsail sends timestamps.
/// Rounded down, so the age a client computes is never short of `days`.
pub(crate) fn at(now: f64, days: f64) -> f64 {
    ((now - days * SECONDS_PER_DAY) * 1000.0).floor() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{Fault, KeyFixture};

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
        }
    }

    fn service(buckets: Vec<BucketFixture>, page_size: usize) -> Service {
        Service::new(Fixture {
            page_size,
            credentials: [("AKIDOTHER".to_owned(), "210987654321".to_owned())].into(),
            buckets,
            ..Fixture::default()
        })
    }

    async fn call(service: &Service, auth: Option<&str>, operation: &str, body: Value) -> (Reply, Value) {
        let target = format!("{TARGET_PREFIX}{operation}");
        let body = body.to_string();
        let reply = service
            .answer(Call {
                method: "POST",
                target: Some(&target),
                authorization: auth,
                body: body.as_bytes(),
            })
            .await;
        let json = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        (reply, json)
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
        assert_eq!(s.stats().operations, [1, 4, 0, 0, 0, 0]);
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
        let mut fixture: Fixture = serde_json::from_str(
            r#"{"generate": {"accounts": 3, "regions": "all", "bucketsPerAccount": 2}}"#,
        )
        .unwrap();
        fixture.expand().unwrap();
        let s = Service::new(fixture);
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
}
