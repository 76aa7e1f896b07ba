//! The floor for cold start: a `lambda_runtime` function that does nothing but echo. `make bench`
//! measures it beside the audit function, on the same machine and the same harness.

// A test stops at the line that failed: the no-panic lints (Cargo.toml) are for the libraries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
