//! The Lightsail operations the stand-in answers, on the awsJson1.1 protocol.
//!
//! Transport-free: [`Service::answer`] takes the parts of a request that matter and returns
//! status, error type and body, so the HTTP server stays a thin shell.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::fixture::{BucketFixture, Fault, FaultKind, Fixture, KeyFixture};
use crate::sigv4::{self, Scope};
use crate::sts;

/// The `X-Amz-Target` prefix of Lightsail operations.
const TARGET_PREFIX: &str = "Lightsail_20161128.";
/// The operations served; anything else is refused by name.
const OPERATIONS: [&str; 3] = ["GetBuckets", "GetBucketAccessKeys", "GetRegions"];
const JSON: &str = "application/x-amz-json-1.1";
const DOCS: &str = "https://lightsail.aws.amazon.com/ls/docs";
const SECONDS_PER_DAY: f64 = 86_400.0;

/// The parts of a request the service reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The HTTP method; Lightsail takes only `POST`.
    pub(crate) method: &'a str,
    /// `X-Amz-Target`, naming the operation.
    pub(crate) target: Option<&'a str>,
    /// The SigV4 `Authorization` header, read for its credential scope only.
    pub(crate) authorization: Option<&'a str>,
    /// The request body: JSON for Lightsail, a form for STS.
    pub(crate) body: &'a [u8],
}

/// An answer: HTTP status, `x-amzn-ErrorType` for errors, and the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// The error's type, sent as `x-amzn-ErrorType`; `None` for a success.
    pub(crate) error_type: Option<&'static str>,
    /// `application/x-amz-json-1.1` for Lightsail, `text/xml` for STS.
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
}

/// Counters over the calls served, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, of any kind.
    pub requests: u64,
    /// Per operation, in the order of `GetBuckets`, `GetBucketAccessKeys`, `GetRegions`.
    pub operations: [u64; 3],
    /// The most requests in flight at once.
    pub peak_in_flight: usize,
}

/// The stand-in's state: the fixture, and counters that faults and stats need.
#[derive(Debug)]
pub(crate) struct Service {
    fixture: Fixture,
    /// (account, region, name) to the bucket's index, so a call costs the same at any estate size.
    index: HashMap<(String, String, String), usize>,
    /// The instant relative times count back from: the service's start, so a key created
    /// "200 days ago" is at least 200 whole days old to any client that asks later.
    epoch: f64,
    /// Calls matched so far, per fault, for faults limited to their first `times` calls.
    global_fault_calls: Vec<AtomicU64>,
    bucket_fault_calls: Vec<Vec<AtomicU64>>,
    requests: AtomicU64,
    operations: [AtomicU64; 3],
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

/// A Lightsail call, read and scoped: what is asked, by whom, of which bucket.
struct Request<'a> {
    operation: &'a str,
    caller: Caller<'a>,
    input: &'a Map<String, Value>,
    /// The `bucketName` input, if given.
    named: Option<&'a str>,
    /// The named bucket, with its index, if the caller can see one by that name.
    bucket: Option<(usize, &'a BucketFixture)>,
}

impl Service {
    /// A service over `fixture`; relative times count from now.
    pub(crate) fn new(fixture: Fixture) -> Self {
        let counters = |faults: &[Fault]| faults.iter().map(|_| AtomicU64::new(0)).collect();
        let index = fixture
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| ((b.account().to_owned(), b.region.clone(), b.name.clone()), i))
            .collect();
        Self {
            index,
            global_fault_calls: counters(&fixture.faults),
            bucket_fault_calls: fixture.buckets.iter().map(|b| counters(&b.faults)).collect(),
            fixture,
            epoch: epoch_now(),
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

    /// Routes a signed call by the service in its credential scope: STS, or else Lightsail.
    async fn dispatch(&self, call: Call<'_>) -> Reply {
        let scope = match authenticate(&call) {
            Ok(scope) => scope,
            Err(refusal) => return refusal,
        };
        if scope.service == "sts" {
            let now = chrono::DateTime::from_timestamp(epoch_now() as i64, 0).unwrap_or_default();
            return sts::answer(&self.fixture, call.body, now);
        }
        self.lightsail(&call, &scope)
            .await
            .unwrap_or_else(|refusal| refusal)
    }

    /// One Lightsail call: reads and counts it, applies the faults that match, then answers
    /// it. `Err` is an answer that ends the call early: a refusal or a fault.
    async fn lightsail(&self, call: &Call<'_>, scope: &Scope<'_>) -> Result<Reply, Reply> {
        let operation = operation(call.target)?;
        let input = input(call.body)?;
        self.count(operation);
        let caller = Caller {
            account: self.fixture.account_of(scope.access_key_id),
            region: scope.region,
        };
        let named = input.get("bucketName").and_then(Value::as_str);
        let request = Request {
            operation,
            bucket: named.and_then(|name| self.find(&caller, name)),
            caller,
            input: &input,
            named,
        };
        let repeat_page_token = self.apply_faults(&request).await?;
        Ok(self.operate(&request, repeat_page_token))
    }

    /// Counts a call to a served operation, for [`Stats::operations`].
    fn count(&self, operation: &str) {
        let counter = OPERATIONS.iter().position(|op| *op == operation);
        if let Some(count) = counter.and_then(|i| self.operations.get(i)) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Applies the faults that fire on `request`, the fixture's before the bucket's: waits out
    /// latency, and ends the call with the first fault that answers in its place. `Ok(true)`
    /// if a `repeatPageToken` fault fired.
    async fn apply_faults(&self, request: &Request<'_>) -> Result<bool, Reply> {
        let bucket_faults = request.bucket.iter().flat_map(|(i, b)| {
            b.faults
                .iter()
                .zip(self.bucket_fault_calls.get(*i).into_iter().flatten())
        });
        let faults = self.fixture.faults.iter().zip(&self.global_fault_calls);
        let mut repeat_page_token = false;
        for (fault, calls) in faults.chain(bucket_faults) {
            if !fires(fault, calls, request.operation, request.caller.region) {
                continue;
            }
            match fault.kind {
                FaultKind::Latency => delay(Duration::from_millis(fault.latency_ms.unwrap_or(0))).await,
                FaultKind::RepeatPageToken => repeat_page_token = true,
                kind => return Err(fault_reply(kind, request.operation, request.named)),
            }
        }
        Ok(repeat_page_token)
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
                    OPERATIONS.join(", ")
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
        let visible: Vec<&BucketFixture> = self
            .fixture
            .buckets
            .iter()
            .filter(|b| request.caller.sees(b))
            .collect();
        let page: Vec<Value> = visible
            .iter()
            .skip(offset)
            .take(self.fixture.page_size)
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

/// The operation `X-Amz-Target` names, served or not.
fn operation(target: Option<&str>) -> Result<&str, Reply> {
    target.and_then(|t| t.strip_prefix(TARGET_PREFIX)).ok_or_else(|| {
        error(
            400,
            "UnknownOperationException",
            format!(
                "X-Amz-Target must be {TARGET_PREFIX}<Operation>; got {:?}",
                target.unwrap_or("")
            ),
        )
    })
}

/// The call's input: a JSON object, or an empty body read as `{}`.
fn input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(input)) => Ok(input),
        _ if body.is_empty() => Ok(Map::new()),
        _ => Err(error(
            400,
            "SerializationException",
            "the request body is not a JSON object".into(),
        )),
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

/// Whether `fault` fires on a call: it matches the operation and region, and has not yet
/// fired its `times`. Only matching calls count towards `times`.
fn fires(fault: &Fault, calls: &AtomicU64, operation: &str, region: &str) -> bool {
    let applies = fault
        .operations
        .as_ref()
        .is_none_or(|ops| ops.iter().any(|op| op == operation))
        && fault
            .regions
            .as_ref()
            .is_none_or(|regions| regions.iter().any(|r| r == region));
    applies
        && fault
            .times
            .is_none_or(|times| calls.fetch_add(1, Ordering::Relaxed) < times)
}

/// Waits `duration`, accurately. tokio's timer works in whole milliseconds and fires up to
/// 2 ms late, which a benchmark at 50 ms per call would count as the client's overhead; so the
/// last few milliseconds are waited on a blocking-pool thread: a sleep, then a short spin past
/// the kernel's wake-up delay.
async fn delay(duration: Duration) {
    const TIMER_SLACK: Duration = Duration::from_millis(3);
    const WAKE_UP: Duration = Duration::from_micros(300);
    let Some(until) = std::time::Instant::now().checked_add(duration) else {
        // Past any clock (a fixture's latencyMs near u64::MAX): tokio caps it at 30 years.
        return tokio::time::sleep(duration).await;
    };
    if duration > TIMER_SLACK {
        tokio::time::sleep(duration - TIMER_SLACK).await;
    }
    if until > std::time::Instant::now() {
        let _ = tokio::task::spawn_blocking(move || {
            std::thread::sleep(
                until
                    .saturating_duration_since(std::time::Instant::now())
                    .saturating_sub(WAKE_UP),
            );
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
        })
        .await;
    }
}

/// Who is calling: the account of the signing key, and the region of the credential scope.
struct Caller<'a> {
    account: &'a str,
    region: &'a str,
}

impl Caller<'_> {
    fn sees(&self, bucket: &BucketFixture) -> bool {
        bucket.region == self.region && bucket.account() == self.account
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

fn fault_reply(kind: FaultKind, operation: &str, bucket: Option<&str>) -> Reply {
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
        FaultKind::HtmlBody => Reply {
            status: 200,
            error_type: None,
            content_type: "text/html",
            body: b"<html><body><h1>Gateway</h1></body></html>".to_vec(),
        },
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

fn ok(body: Value) -> Reply {
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
fn at(now: f64, days: f64) -> f64 {
    ((now - days * SECONDS_PER_DAY) * 1000.0).floor() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::KeyFixture;

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
            regions: None,
            credentials: [("AKIDOTHER".to_owned(), "210987654321".to_owned())].into(),
            roles: Default::default(),
            faults: vec![],
            buckets,
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
        assert_eq!(s.stats().operations, [1, 4, 0]);
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
        let endless = tokio::time::timeout(Duration::from_millis(20), delay(Duration::MAX)).await;
        assert!(
            endless.is_err(),
            "a latency past any clock waits, as long as it can"
        );
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
}
