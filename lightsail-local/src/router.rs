//! The stand-in as a whole: one state over the fixture, routing each signed call by its SigV4
//! credential scope to Lightsail ([`crate::service`]), STS ([`crate::sts`]) or Organizations
//! ([`crate::organizations`]), counting it, and applying the fixture's faults
//! ([`crate::faults`]) before the service answers, or answers the fault in its own protocol.
//!
//! Transport-free: [`Router::answer`] takes the parts of a request that matter and returns
//! status, error type and body, so the HTTP server stays a thin shell.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::access_keys::Deletion;
use crate::faults::{Faults, Target};
use crate::fixture::Fixture;
use crate::protocol::{epoch_now, Api, Call, Caller, Reply, JSON, OPERATIONS};
use crate::service::{self, Lightsail};
use crate::sigv4::{self, Scope};
use crate::{organizations, sts};

#[cfg(test)]
mod bucket_access_tests;
#[cfg(test)]
mod delete_tests;
#[cfg(test)]
mod lightsail_tests;
#[cfg(test)]
mod organizations_tests;

#[cfg(test)]
impl Router {
    /// A `POST` of `input` to the awsJson1.1 operation `target` (prefix included): the reply,
    /// and its body as JSON (`Null` if it is none).
    async fn json_call(
        &self,
        target: &str,
        authorization: Option<&str>,
        input: &serde_json::Value,
    ) -> (Reply, serde_json::Value) {
        let body = input.to_string();
        let reply = self
            .answer(Call {
                method: "POST",
                target: Some(target),
                authorization,
                body: body.as_bytes(),
            })
            .await;
        let json = serde_json::from_slice(&reply.body).unwrap_or(serde_json::Value::Null);
        (reply, json)
    }
}

/// Counters over the calls served, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, of any kind.
    pub requests: u64,
    /// Calls per served operation, in the order of [`OPERATIONS`]: `GetBuckets`,
    /// `GetBucketAccessKeys`, `GetRegions`, `AssumeRole`, `GetCallerIdentity`, `ListAccounts`,
    /// `DeleteBucketAccessKey`.
    pub operations: [u64; 7],
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

/// The stand-in's state: the fixture, Lightsail's indices over it, STS's sessions, and the
/// counters that faults and stats need.
#[derive(Debug)]
pub(crate) struct Router {
    fixture: Fixture,
    lightsail: Lightsail,
    /// The instant relative times count back from: the stand-in's start, so a key created
    /// "200 days ago" is at least 200 whole days old to any client that asks later.
    epoch: f64,
    faults: Faults,
    /// The sessions this STS issued, for `GetCallerIdentity`.
    sessions: sts::Sessions,
    requests: AtomicU64,
    operations: [AtomicU64; 7],
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

impl Router {
    /// The stand-in over `fixture`; relative times count from now.
    pub(crate) fn new(fixture: Fixture) -> Self {
        Self {
            lightsail: Lightsail::new(&fixture),
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

    /// Every `DeleteBucketAccessKey` that deleted a key, in order.
    pub(crate) fn deletions(&self) -> Vec<Deletion> {
        self.lightsail.deletions()
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
            account: sts::account_of(&self.fixture, scope.access_key_id),
            region: scope.region,
        };
        let answer = match Api::named(scope.service) {
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
            .await
            .map_err(|kind| sts::fault_reply(kind, action))?;
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
            .await
            .map_err(organizations::fault_reply)?;
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

    /// One Lightsail call: read, counted, faults applied (the named bucket's too), then
    /// answered. `Err` is an answer that ends the call early: a refusal or a fault.
    async fn lightsail(&self, call: &Call<'_>, caller: &Caller<'_>) -> Result<Reply, Reply> {
        let operation = service::operation(call.target)?;
        let input = service::input(call.body)?;
        self.count(Api::Lightsail, operation);
        let named = service::bucket_name(&input);
        let bucket = named.and_then(|name| self.lightsail.find(&self.fixture, caller, name));
        let target = Target {
            bucket,
            ..Target::of(Api::Lightsail, operation, caller)
        };
        let repeat_page_token = self
            .faults
            .apply(&self.fixture, &target)
            .await
            .map_err(|kind| service::fault_reply(kind, operation, named))?;
        let request = service::Request {
            operation,
            caller,
            input: &input,
            named,
            bucket,
            epoch: self.epoch,
            repeat_page_token,
        };
        Ok(self.lightsail.answer(&self.fixture, &request))
    }

    /// Counts a call to an operation `api` serves, for [`Stats::operations`].
    fn count(&self, api: Api, operation: &str) {
        if let Some(count) = api.counter(operation).and_then(|i| self.operations.get(i)) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Refuses what the real endpoint refuses before reading the body: a method other than
/// `POST`, an unsigned request, a signature without a SigV4 credential scope.
fn authenticate<'a>(call: &Call<'a>) -> Result<Scope<'a>, Reply> {
    if call.method != "POST" {
        return Err(service::error(
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
        service::error(
            403,
            "IncompleteSignatureException",
            "Authorization header requires a SigV4 Credential=AKID/date/region/service/aws4_request".into(),
        )
    })
}
