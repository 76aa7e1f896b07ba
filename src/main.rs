//! The Lambda entry point: wiring only. The logic lives in the library.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use lightsail_key_audit::{handle, logging, Config, Lightsail};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init();
    // Read once: a bad variable fails the init phase with a message naming it.
    let config = Config::from_env()?;
    let sdk_config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let lightsail = Lightsail::new(&sdk_config)?;
    run(service_fn(|event: LambdaEvent<Value>| {
        handle(&lightsail, &config, event)
    }))
    .await
}
