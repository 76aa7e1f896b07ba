//! Planning an audit: which accounts and regions (scopes), which buckets in each (targets,
//! named or discovered), what `GetBuckets` says of named ones (lookups), and the bounds every call runs under (one concurrency limit, the
//! invocation's deadline).

mod deadline;
mod discovery;
mod limiter;
mod lookup;
mod scope;
mod target;

pub(crate) use deadline::{runtime_deadline, Deadline};
pub(crate) use limiter::Limiter;
pub(crate) use lookup::{look_up, Lookups};
pub(crate) use scope::{plan_scopes, Scope, ScopePlan};
pub(crate) use target::{plan_targets, Target};
