//! `lightsail-local`: a local stand-in for the Amazon Lightsail API.
//!
//! It speaks Lightsail's real wire protocol (awsJson1.1 over `POST /`, `X-Amz-Target`, SigV4
//! credential scope, epoch-second timestamps, typed errors) for `GetBuckets`,
//! `GetBucketAccessKeys` and `GetRegions`, serving buckets and keys from a JSON fixture with
//! relative times, and injects faults (denials, throttling, 5xx, latency, malformed bodies) so
//! clients can be tested offline through their real HTTP stack. It also answers STS
//! `AssumeRole`, issuing per-account credentials, so multi-account fan-out is testable too.

#![warn(missing_docs)]
// A panic would kill a connection task mid-answer and look like a network fault the fixture
// never asked for: no unwrap, expect, panic or unchecked indexing outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod fixture;
mod server;
mod service;
mod sigv4;
mod sts;

pub use fixture::{BucketFixture, Fault, FaultKind, Fixture, KeyFixture, RoleFixture};
pub use server::Server;
// What `Server::stats` returns, re-exported so callers can name it.
pub use service::Stats;
