//! Audits the access keys of Amazon Lightsail object-storage buckets.
//!
//! The Lambda function reads a request ([`request`]), fetches each bucket's keys through the
//! Lightsail adapter ([`Lightsail`]), applies the rules ([`audit`]) and returns a [`Report`].
//! `main` only wires these together, so everything here is testable without the runtime.

// A panic kills the Lambda runtime process: no unwrap, expect, panic or unchecked indexing
// outside tests. Data from outside the process is validated instead.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

// The layers, each a folder with a small surface; dependencies point one way, down this list
// from the top: handler -> report -> plan -> aws -> request -> rules, and every layer may use
// the leaves failure, error and text. `make test` checks that only aws/ names an SDK type.
mod aws;
mod error;
mod failure;
mod handler;
pub mod logging;
mod plan;
mod report;
mod request;
mod rules;
mod text;

#[doc(hidden)]
pub mod bench;

pub use aws::{Lightsail, Notifier};
pub use error::AuditError;
pub use handler::{handle, run_audit, Invocation};
pub use report::{FindingCounts, Report, ScopeCounts, Summary};
pub use request::Config;
pub use rules::Policy;
