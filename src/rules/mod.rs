//! The rules: when a key is stale, never used, overdue for rotation or inactive, when a
//! bucket has too many active keys, and when a bucket is open to the public, other accounts or
//! instances, or unlogged.
//!
//! Pure: no SDK type, no I/O, the clock passed in as `now`. Each rule is a plain function of a
//! record and a [`Policy`], so every boundary is a unit test.

mod access;
mod audit;
mod finding;
mod key;
mod policy;
mod remediation;

pub(crate) use access::{
    arn_account, audit_access, settles, AccessLogging, BucketAccess, BucketRecord, GetObject, ResourceAccess,
    Trust,
};
pub(crate) use audit::{audit_bucket, multiple_active_keys};
pub(crate) use finding::{serialize_by_code, Finding, FindingCode, SuppressionNote};
pub(crate) use key::{AccessKeyRecord, KeyReport, KeyStatus, LastUse};
pub use policy::{AccessSwitches, Policy};
pub(crate) use remediation::{refusal, Seen};
