//! `lightsail-local`: a local stand-in for the Amazon Lightsail API.
//!
//! It speaks Lightsail's real wire protocol (awsJson1.1 over `POST /`, `X-Amz-Target`, SigV4
//! credential scope, epoch-second timestamps, typed errors) for `GetBuckets`,
//! `GetBucketAccessKeys`, `GetRegions` and `DeleteBucketAccessKey`, serving buckets and keys
//! from a JSON fixture with relative times, and injects faults (denials, throttling, 5xx,
//! latency, malformed bodies) so clients can be tested offline through their real HTTP stack.
//! A deletion is real state: the key is gone from later reads, and [`Server::deletions`] lists
//! every deletion ([`Deletion`]) for tests to assert. A key's `lastUsed` can change after a
//! number of reads of its bucket ([`LastUsedChange`]), as a key used between two reads would.
//!
//! It also answers STS `AssumeRole` (issuing per-account credentials) and `GetCallerIdentity`,
//! and AWS Organizations `ListAccounts`, so multi-account fan-out over an organization is
//! testable too.
//!
//! One server plays every service: a call goes to STS or Organizations when its SigV4 credential
//! scope names `sts` or `organizations`, and to Lightsail otherwise. The signing access key id
//! selects the caller's account for all three. A fixture's faults apply to every service's
//! calls (see [`FaultKind`]), and [`Stats`] counts calls per operation ([`OPERATIONS`]).
//! The fixture format is documented on [`Fixture`] and its fields; a large organization can be
//! described in a few numbers with [`GenerateFixture`].
//!
//! [`Server::start`] serves plain HTTP; [`Server::start_tls`] serves HTTPS with a [`Tls`]
//! certificate, generated (with the CA a client trusts) or read from PEM files.

#![warn(missing_docs)]

mod access_keys;
mod faults;
mod fixture;
mod generate;
mod load;
mod organizations;
mod protocol;
mod router;
mod server;
mod service;
mod sigv4;
mod sts;
mod tls;

pub use access_keys::Deletion;
pub use fixture::{
    AccessLogConfig, AccessRules, AccountFixture, AccountStatus, BucketFixture, Fault, FaultKind, Fixture,
    GenerateFixture, KeyFixture, LastUsedChange, OrganizationFixture, ResourceReceivingAccess, RoleFixture,
    LIGHTSAIL_REGIONS,
};
// What `Server::stats` returns, re-exported so callers can name it, with the operation order.
pub use protocol::OPERATIONS;
pub use router::Stats;
pub use server::Server;
pub use tls::Tls;
