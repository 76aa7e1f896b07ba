//! The entry point: wiring only. Under Lambda (`AWS_LAMBDA_RUNTIME_API` set) the function,
//! without parsing any argument; otherwise the command-line audit. The logic is in the library.

use std::process::ExitCode;

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use lightsail_key_audit::{
    command_line, handle, logging, Archive, Config, Lightsail, Notifier, Outputs, SecurityHub,
};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        return command_line().await;
    }
    match lambda().await {
        Ok(()) => ExitCode::SUCCESS,
        // As `main` returning the error would print it: Lambda's log shows why init failed.
        Err(error) => {
            eprintln!("Error: {error:?}");
            ExitCode::FAILURE
        }
    }
}

/// The Lambda function: clients built once, then the runtime loop.
async fn lambda() -> Result<(), Error> {
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
    let security_hub = config.security_hub().then(|| SecurityHub::new(&sdk_config));
    let outputs = Outputs {
        notifier: notifier.as_ref(),
        archive: archive.as_ref(),
        security_hub: security_hub.as_ref(),
    };
    run(service_fn(|event: LambdaEvent<Value>| {
        handle(&lightsail, outputs, &config, event)
    }))
    .await
}
