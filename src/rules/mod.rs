//! The rules: when a key is stale, never used, overdue for rotation or inactive, and when a
//! bucket has too many active keys.
//!
//! Pure: no SDK type, no I/O, the clock passed in as `now`. Each rule is a plain function of a
//! key record and a [`Policy`], so every boundary is a unit test.

mod audit;
mod finding;
mod key;
mod policy;

pub(crate) use audit::audit_bucket;
pub(crate) use finding::{Finding, FindingCode, SuppressionNote};
pub(crate) use key::{AccessKeyRecord, KeyReport, KeyStatus, LastUse};
pub use policy::Policy;
