//! The floor for cold start: a `lambda_runtime` function that does nothing but echo. `make bench`
//! measures it beside the audit function, on the same machine and the same harness.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(event.payload)
    }))
    .await
}
