//! The border: raw input (the event, the environment, suppression lists) validated into typed
//! values, with every rejection naming the field or variable and what it must be.
//!
//! Nothing past this layer sees unvalidated text from outside.

mod accounts;
mod bucket_name;
mod config;
mod env;
mod event;
mod fields;
mod remediation;
mod selection;
mod settings;
mod suppression;
mod values;

pub(crate) use accounts::{is_account_id, AccountSelection, Member};
pub(crate) use bucket_name::{BucketName, INVALID_BUCKET_NAME_MESSAGE};
pub use config::Config;
pub(crate) use config::{AuditRequest, NotifyWhen, TrustBasis};
pub(crate) use remediation::{Remediation, RemediationMode};
pub(crate) use selection::{AccountRole, RegionSelection};
#[cfg(test)]
pub(crate) use suppression::parse_suppressions;
pub(crate) use suppression::Suppression;
