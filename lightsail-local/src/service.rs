//! Lightsail, on the awsJson1.1 protocol: `GetBuckets`, `GetBucketAccessKeys`, `GetRegions`
//! and `DeleteBucketAccessKey` over the fixture's buckets, its answers to faults, and its error
//! shape. Deletions and reads served are kept in `access_keys`.
//!
//! Transport-free and routing-free: `router` reads the call, counts it and applies faults;
//! this module reads a Lightsail call's input and writes Lightsail's answers.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::access_keys::{AccessKeys, Deletion};
use crate::fixture::{BucketFixture, FaultKind, Fixture, KeyFixture, LastUsed};
use crate::protocol::{at, epoch_now, html_page, json_input, ok, operation_in, Api, Caller, Reply, JSON};

/// The `X-Amz-Target` prefix of Lightsail operations.
pub(crate) const TARGET_PREFIX: &str = "Lightsail_20161128.";
const DOCS: &str = "https://lightsail.aws.amazon.com/ls/docs";

/// Lightsail's indices over the fixture's buckets, so a call costs the same at any estate size.
#[derive(Debug)]
pub(crate) struct Lightsail {
    /// (account, region, name) to the bucket's index.
    index: HashMap<(String, String, String), usize>,
    /// Account, then region, to the indices of its buckets in fixture order: `GetBuckets`
    /// reads one account and region, never the whole estate.
    listing: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Keys deleted and reads served so far.
    keys: AccessKeys,
}

/// A Lightsail call, read and scoped: what is asked, by whom, of which bucket.
pub(crate) struct Request<'a> {
    pub(crate) operation: &'a str,
    pub(crate) caller: &'a Caller<'a>,
    pub(crate) input: &'a Map<String, Value>,
    /// The `bucketName` input, if given.
    pub(crate) named: Option<&'a str>,
    /// The named bucket, with its index, if the caller can see one by that name.
    pub(crate) bucket: Option<(usize, &'a BucketFixture)>,
    /// The instant relative times count back from.
    pub(crate) epoch: f64,
    /// A `repeatPageToken` fault fired: every `GetBuckets` page points to the second.
    pub(crate) repeat_page_token: bool,
}

impl Lightsail {
    /// The indices over `fixture`'s buckets.
    pub(crate) fn new(fixture: &Fixture) -> Self {
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
            keys: AccessKeys::new(fixture),
        }
    }

    /// Every deletion so far, in order.
    pub(crate) fn deletions(&self) -> Vec<Deletion> {
        self.keys.deletions()
    }

    /// Answers the operation itself, once no fault has answered in its place.
    pub(crate) fn answer(&self, fixture: &Fixture, request: &Request<'_>) -> Reply {
        match request.operation {
            "GetBucketAccessKeys" => self.get_bucket_access_keys(request),
            "DeleteBucketAccessKey" => self.delete_bucket_access_key(request),
            "GetBuckets" => self.get_buckets(fixture, request),
            "GetRegions" => Self::get_regions(fixture),
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
    pub(crate) fn find<'a>(
        &self,
        fixture: &'a Fixture,
        caller: &Caller<'_>,
        name: &str,
    ) -> Option<(usize, &'a BucketFixture)> {
        let key = (
            caller.account.to_owned(),
            caller.region.to_owned(),
            name.to_owned(),
        );
        let i = *self.index.get(&key)?;
        fixture.buckets.get(i).map(|b| (i, b))
    }

    /// The bucket's keys not deleted, each with the `lastUsed` this read sees.
    fn get_bucket_access_keys(&self, request: &Request<'_>) -> Reply {
        let (index, bucket) = match checked_name(request).and_then(|name| found(request, name)) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let now = request.epoch;
        let (keys, served) = self.keys.read(index, bucket);
        let keys: Vec<Value> = keys
            .into_iter()
            .map(|k| key_json(k, k.last_used(served), bucket, now))
            .collect();
        ok(json!({ "accessKeys": keys }))
    }

    /// Deletes the named key of the named bucket, for good, and answers the operation that
    /// did it. Input is checked before anything is looked up, as the real API does.
    fn delete_bucket_access_key(&self, request: &Request<'_>) -> Reply {
        let name = match checked_name(request) {
            Ok(name) => name,
            Err(refusal) => return refusal,
        };
        let access_key_id = request.input.get("accessKeyId").and_then(Value::as_str);
        // The model's NonEmptyString: `.*\S.*`.
        let Some(access_key_id) = access_key_id.filter(|id| !id.trim().is_empty()) else {
            return error(
                400,
                "InvalidInputException",
                "accessKeyId is required: a non-empty string".into(),
            );
        };
        let (index, bucket) = match found(request, name) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        if !self.keys.delete(index, bucket, access_key_id) {
            return error(
                400,
                "NotFoundException",
                format!(
                    "The access key {access_key_id} does not exist for bucket {}",
                    bucket.name
                ),
            );
        }
        ok(json!({ "operations": [operation_json(bucket, access_key_id)] }))
    }

    /// The named bucket, or one page of the buckets the caller sees. A `repeatPageToken`
    /// fault makes every page point to the second, so a client that trusts tokens never ends.
    fn get_buckets(&self, fixture: &Fixture, request: &Request<'_>) -> Reply {
        let now = request.epoch;
        let connected = match include_connected(request.input) {
            Ok(connected) => connected,
            Err(refusal) => return refusal,
        };
        if let Some(name) = request.named {
            return match request.bucket {
                Some((_, bucket)) => ok(json!({ "buckets": [bucket_json(bucket, now, connected)] })),
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
            .take(fixture.page_size)
            .filter_map(|i| fixture.buckets.get(*i))
            .map(|b| bucket_json(b, now, connected))
            .collect();
        // Saturating: the offset comes from the client's token.
        let next = offset.saturating_add(fixture.page_size);
        let mut output = Map::new();
        output.insert("buckets".into(), Value::Array(page));
        output.insert(
            "accountLevelBpaSync".into(),
            json!({"status": "InSync", "lastSyncedAt": now, "message": "SyncOnHold", "bpaImpactsLightsail": false}),
        );
        if request.repeat_page_token {
            output.insert(
                "nextPageToken".into(),
                json!(format!("page-{}", fixture.page_size)),
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

    fn get_regions(fixture: &Fixture) -> Reply {
        let regions: Vec<Value> = fixture
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

/// The Lightsail operation `X-Amz-Target` names, served or not.
pub(crate) fn operation(target: Option<&str>) -> Result<&str, Reply> {
    operation_in(target, TARGET_PREFIX, error)
}

/// The call's input: a JSON object, or an empty body read as `{}`.
pub(crate) fn input(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    json_input(body, error)
}

/// The `bucketName` input, if given.
pub(crate) fn bucket_name(input: &Map<String, Value>) -> Option<&str> {
    input.get("bucketName").and_then(Value::as_str)
}

/// The `bucketName` input of a call that requires it, if it is one Lightsail could have.
fn checked_name<'a>(request: &Request<'a>) -> Result<&'a str, Reply> {
    let Some(name) = request.named else {
        return Err(error(
            400,
            "InvalidInputException",
            "bucketName is required".into(),
        ));
    };
    if !valid_bucket_name(name) {
        return Err(error(
            400,
            "InvalidInputException",
            format!("bucketName {name:?} does not match ^[a-z0-9][a-z0-9-]{{1,52}}[a-z0-9]$"),
        ));
    }
    Ok(name)
}

/// The bucket `name` the caller sees, with its index, else `NotFoundException`.
fn found<'a>(request: &Request<'a>, name: &str) -> Result<(usize, &'a BucketFixture), Reply> {
    request.bucket.ok_or_else(|| not_found(name))
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

/// The `includeConnectedResources` input: absent or null (an unset member in awsJson) is false;
/// anything but a boolean is refused, as a bad `pageToken` is.
fn include_connected(input: &Map<String, Value>) -> Result<bool, Reply> {
    match input.get("includeConnectedResources") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(include)) => Ok(*include),
        Some(other) => Err(error(
            400,
            "InvalidInputException",
            format!("includeConnectedResources must be a boolean; got {other}"),
        )),
    }
}

/// A key as `GetBucketAccessKeys` serves it, with `last_used`, the `lastUsed` this read sees.
fn key_json(key: &KeyFixture, last_used: LastUsed<'_>, bucket: &BucketFixture, now: f64) -> Value {
    let last_used = match last_used.days_ago {
        Some(days) => json!({
            "lastUsedDate": at(now, days),
            "region": last_used.region.unwrap_or(&bucket.region),
            "serviceName": last_used.service.unwrap_or("s3"),
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

/// A bucket as `GetBuckets` serves it; `resourcesReceivingAccess` only if `connected`
/// (`includeConnectedResources`), as the real API does.
fn bucket_json(bucket: &BucketFixture, now: f64, connected: bool) -> Value {
    let id = format!("{:08x}", fnv(&bucket.name));
    let mut out = json!({
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
        "accessRules": {
            "getObject": bucket.access_rules.get_object,
            "allowPublicOverrides": bucket.access_rules.allow_public_overrides,
        },
        "readonlyAccessAccounts": bucket.readonly_access_accounts,
        "accessLogConfig": access_log_json(bucket),
    });
    if let Some(fields) = out.as_object_mut().filter(|_| connected) {
        let resources: Vec<Value> = bucket
            .resources_receiving_access
            .iter()
            .map(|r| json!({"name": r.name, "resourceType": r.resource_type}))
            .collect();
        fields.insert("resourcesReceivingAccess".into(), Value::Array(resources));
    }
    out
}

/// `accessLogConfig`: `destination` and `prefix` only when set (or filled in because logging
/// is on).
fn access_log_json(bucket: &BucketFixture) -> Value {
    let log = bucket.access_log();
    let mut out = Map::new();
    out.insert("enabled".into(), json!(log.enabled));
    if let Some(destination) = log.destination {
        out.insert("destination".into(), json!(destination));
    }
    if let Some(prefix) = log.prefix {
        out.insert("prefix".into(), json!(prefix));
    }
    Value::Object(out)
}

/// The `Operation` a `DeleteBucketAccessKey` answers with: done at once (Lightsail's
/// deletions are terminal when answered), its details the key's id.
fn operation_json(bucket: &BucketFixture, access_key_id: &str) -> Value {
    let now = at(epoch_now(), 0.0);
    let key = format!(
        "{}/{}/{}/{access_key_id}",
        bucket.account(),
        bucket.region,
        bucket.name
    );
    // Shaped as a UUID; unique per deletion (a key is deleted once) and the same in every run.
    let (high, low) = (fnv(&key), fnv(&format!("operation {key}")));
    json!({
        "id": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                      high >> 16, high & 0xffff, low >> 36, (low >> 24) & 0xfff, low),
        "resourceName": bucket.name,
        "resourceType": "Bucket",
        "createdAt": now,
        "location": {"availabilityZone": "all", "regionName": bucket.region},
        "isTerminal": true,
        "operationDetails": access_key_id,
        "operationType": "DeleteBucketAccessKey",
        "status": "Succeeded",
        "statusChangedAt": now,
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
        FaultKind::HtmlBody => html_page(),
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

/// A Lightsail error as the service sends it: `__type`, `code`, `message`, `docs`, `tip`.
pub(crate) fn error(status: u16, kind: &'static str, message: String) -> Reply {
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
