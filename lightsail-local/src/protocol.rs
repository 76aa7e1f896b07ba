//! What the three services share: a call as they read it ([`Call`], [`Caller`]), an answer
//! ([`Reply`]), which service a call is for ([`Api`]) and the operations each serves
//! ([`OPERATIONS`]), and the reply helpers more than one of them uses.
//!
//! A leaf: it imports no other module of the crate, so every service can build on it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// The operations served, in the order of [`crate::Stats::operations`]: Lightsail's reads,
/// STS's, Organizations', then Lightsail's `DeleteBucketAccessKey` (last, so the indices of the
/// others stay what they were before it was served). Anything else is refused by name.
pub const OPERATIONS: [&str; 7] = [
    "GetBuckets",
    "GetBucketAccessKeys",
    "GetRegions",
    "AssumeRole",
    "GetCallerIdentity",
    "ListAccounts",
    "DeleteBucketAccessKey",
];
/// Each service's operations, as its refusals list them; together, [`OPERATIONS`].
const LIGHTSAIL: [&str; 4] = [
    "GetBuckets",
    "GetBucketAccessKeys",
    "GetRegions",
    "DeleteBucketAccessKey",
];
const STS: [&str; 2] = ["AssumeRole", "GetCallerIdentity"];
const ORGANIZATIONS: [&str; 1] = ["ListAccounts"];
/// The content type of awsJson1.1, as Lightsail and Organizations send it.
pub(crate) const JSON: &str = "application/x-amz-json-1.1";
const SECONDS_PER_DAY: f64 = 86_400.0;

/// The parts of a request the services read.
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

/// Who is calling: the signing key, its account, and the region of the credential scope.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

/// A service the stand-in plays, chosen by the credential scope's service name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Lightsail,
    Sts,
    Organizations,
}

impl Api {
    /// The service a credential scope's service name selects: Lightsail unless it names
    /// `sts` or `organizations`.
    pub(crate) fn named(service: &str) -> Self {
        match service {
            "sts" => Self::Sts,
            "organizations" => Self::Organizations,
            _ => Self::Lightsail,
        }
    }

    /// The operations it serves.
    pub(crate) fn operations(self) -> &'static [&'static str] {
        match self {
            Self::Lightsail => &LIGHTSAIL,
            Self::Sts => &STS,
            Self::Organizations => &ORGANIZATIONS,
        }
    }

    /// Where `operation`, if this service serves it, sits in [`OPERATIONS`]: the index of its
    /// counter in [`crate::Stats::operations`].
    pub(crate) fn counter(self, operation: &str) -> Option<usize> {
        if !self.operations().contains(&operation) {
            return None;
        }
        OPERATIONS.iter().position(|op| *op == operation)
    }
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

/// What a proxy in the way would answer, whatever the service: 200 and an HTML page.
pub(crate) fn html_page() -> Reply {
    Reply {
        status: 200,
        error_type: None,
        content_type: "text/html",
        body: b"<html><body><h1>Gateway</h1></body></html>".to_vec(),
    }
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

/// An awsJson1.1 body: a JSON object, or an empty body read as `{}`.
fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(input)) => Some(input),
        _ if body.is_empty() => Some(Map::new()),
        _ => None,
    }
}

/// The call's awsJson1.1 input, or `SerializationException` as the service's `error` writes
/// it.
pub(crate) fn json_input(
    body: &[u8],
    error: fn(u16, &'static str, String) -> Reply,
) -> Result<Map<String, Value>, Reply> {
    json_object(body).ok_or_else(|| {
        error(
            400,
            "SerializationException",
            "the request body is not a JSON object".into(),
        )
    })
}

/// Now, in epoch seconds.
pub(crate) fn epoch_now() -> f64 {
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

    #[test]
    fn each_operation_has_one_service_and_one_counter() {
        let apis = [Api::Lightsail, Api::Sts, Api::Organizations];
        let mut counters: Vec<usize> = apis
            .iter()
            .flat_map(|api| api.operations().iter().map(|op| api.counter(op).unwrap()))
            .collect();
        counters.sort_unstable();
        assert_eq!(counters, (0..OPERATIONS.len()).collect::<Vec<_>>());
        assert_eq!(Api::Lightsail.counter("DeleteBucketAccessKey"), Some(6));
        assert_eq!(Api::Sts.counter("GetBuckets"), None, "another service's");
        assert_eq!(Api::Lightsail.counter("DeleteBucket"), None);
    }
}
