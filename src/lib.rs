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

mod audit;
mod bucket_name;
mod config;
mod deadline;
mod discovery;
mod error;
mod finding;
mod handler;
mod key;
mod lightsail;
mod limiter;
pub mod logging;
mod metrics;
mod notification;
mod policy;
mod report;
mod request;
mod scope;
mod sdk_error;
mod selection;
mod sns;
mod suppression;
mod target;
mod text;

#[doc(hidden)]
pub mod bench;

pub use config::Config;
pub use error::AuditError;
pub use handler::{handle, run_audit, Invocation};
pub use lightsail::Lightsail;
pub use policy::Policy;
pub use report::{FindingCounts, Report, ScopeCounts, Summary};
pub use sns::Notifier;
