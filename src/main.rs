//! The Lambda entry point: wiring only. The logic lives in the library.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use lightsail_key_audit::{handle, logging, Archive, Config, Lightsail, Notifier, Outputs};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    logging::init();
    // Read once: a bad variable fails the init phase with a message naming it.
    let config = Config::from_env()?;
    let sdk_config = config.aws_loader().load().await;
    // Clients are built once and shared by every invocation of this process.
    let lightsail = Lightsail::new(&sdk_config)?;
    let notifier = config
        .notify_topic_arn()
        .map(|arn| Notifier::new(&sdk_config, arn));
    let archive = config
        .report_archive()
        .map(|(bucket, prefix)| Archive::new(&sdk_config, bucket, prefix));
    let outputs = Outputs {
        notifier: notifier.as_ref(),
        archive: archive.as_ref(),
    };
    run(service_fn(|event: LambdaEvent<Value>| {
        handle(&lightsail, outputs, &config, event)
    }))
    .await
}
