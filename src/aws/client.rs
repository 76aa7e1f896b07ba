//! The AWS SDK configuration the function's clients share, built from [`Config`].

use std::sync::OnceLock;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_sdk_lightsail::config::SharedHttpClient;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};

use crate::request::Config;

/// Connecting alone never waits longer than this, whatever `ATTEMPT_TIMEOUT_MS` allows.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

impl Config {
    /// The AWS configuration loader: the standard chain (region, credentials, endpoint
    /// overrides) with this function's retries and timeouts, so a hung endpoint costs seconds.
    pub fn aws_loader(&self) -> ConfigLoader {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(shared_https_client())
            .retry_config(RetryConfig::standard().with_max_attempts(self.max_attempts))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.attempt_timeout.min(MAX_CONNECT_TIMEOUT))
                    .operation_attempt_timeout(self.attempt_timeout)
                    .operation_timeout(self.operation_timeout)
                    .build(),
            )
    }
}

/// An SDK client built at its first use from the shared configuration rather than at start-up:
/// a run that never publishes or archives never pays for it, and the cold start does not
/// (about half a millisecond for S3 and SNS together).
#[derive(Debug)]
pub(crate) struct Lazy<C> {
    client: OnceLock<C>,
    sdk_config: SdkConfig,
    build: fn(&SdkConfig) -> C,
}

impl<C> Lazy<C> {
    /// Built by `build` from `sdk_config` at the first [`Lazy::get`].
    pub(crate) fn new(sdk_config: &SdkConfig, build: fn(&SdkConfig) -> C) -> Self {
        Self {
            client: OnceLock::new(),
            sdk_config: sdk_config.clone(),
            build,
        }
    }

    /// A client built elsewhere (tests: a mocked client).
    pub(crate) fn ready(client: C, build: fn(&SdkConfig) -> C) -> Self {
        Self {
            client: OnceLock::from(client),
            sdk_config: SdkConfig::builder().build(),
            build,
        }
    }

    /// The client, built now if this is its first use.
    pub(crate) fn get(&self) -> &C {
        self.client.get_or_init(|| (self.build)(&self.sdk_config))
    }
}

impl<C: Clone> Clone for Lazy<C> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            sdk_config: self.sdk_config.clone(),
            build: self.build,
        }
    }
}

/// One HTTP client for every AWS client of the process, built as the SDK builds its default
/// (rustls with aws-lc, proxy from the environment). Without it each SDK client builds its
/// own, with its own connection pool and TLS configuration: in organization mode, a client
/// per member account made a thousand pools (about 0.5 MB each) and a new connection for
/// every account.
pub(super) fn shared_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_and_attempts_reach_the_aws_configuration() {
        let vars = [
            ("ATTEMPT_TIMEOUT_MS", "1500"),
            ("OPERATION_TIMEOUT_MS", "4000"),
            ("MAX_ATTEMPTS", "5"),
        ];
        let c = Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sdk = rt.block_on(c.aws_loader().region(aws_config::Region::new("us-east-1")).load());
        let timeouts = sdk.timeout_config().unwrap();
        let ms = Duration::from_millis;
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ms(1500)));
        assert_eq!(timeouts.operation_timeout(), Some(ms(4000)));
        assert_eq!(timeouts.connect_timeout(), Some(ms(1500)));
        assert_eq!(sdk.retry_config().unwrap().max_attempts(), 5);
    }
}
