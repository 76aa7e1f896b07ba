//! Audits the access keys of Amazon Lightsail object-storage buckets.
//!
//! The Lambda function validates its request and environment (`request/`), plans which
//! accounts, regions and buckets to read (`plan/`), reads each bucket's keys through the AWS
//! adapters (`aws/`, [`Lightsail`]), applies the rules (`rules/`) and returns a [`Report`]
//! (`report/`). `main` only wires these together, so everything here is testable without the
//! runtime. docs/architecture.md maps the layers.

#![warn(missing_docs)]

// The layers, each a folder with a small surface; dependencies point one way, down this list
// from the top: cli -> handler -> report -> plan -> aws -> request -> rules, and every layer may use
// the leaves failure, error, text and coverage. `make test` checks that only aws/ names an SDK
// type.
mod aws;
mod cli;
mod coverage;
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

pub use aws::{Archive, Lightsail, Notifier, SecurityHub};
pub use cli::{run as command_line, Progress};
pub use error::AuditError;
pub use handler::{handle, invoke, run_audit, run_audit_to_security_hub, Invocation, Outputs, ProgressSink};
pub use report::ocsf_lines;
pub use report::{FindingCounts, Report, ScopeCounts, Summary};
pub use request::Config;
pub use rules::{AccessSwitches, Policy};
