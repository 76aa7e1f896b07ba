//! The Security Hub adapter: `BatchImportFindings` and `GetFindings`, in any account and
//! Region, on the SDK's own runtime.
//!
//! `aws-sdk-securityhub` carries a serialiser for every ASFF resource type: 1.2 MB of the
//! package's 4 MB budget for two calls (docs/securityhub.md). So each call here is a smithy
//! [`Operation`]: the SDK's SigV4 signer, standard retries (throttling included), timeouts,
//! connection poisoning and the one shared HTTP client, with the JSON built by the report
//! layer. The bodies are plain JSON (`restJson1`); errors carry Security Hub's code.

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::auth::sigv4::{SigV4AuthScheme, SCHEME_ID};
use aws_runtime::auth::SigV4OperationSigningConfig;
use aws_runtime::retries::classifiers::AwsErrorCodeClassifier;
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{HttpStatusCodeClassifier, TransientErrorClassifier};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{
    AuthSchemeOptionResolverParams, SharedAuthScheme, SharedAuthSchemeOptionResolver,
};
use aws_smithy_runtime_api::client::identity::SharedIdentityResolver;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::StaticRuntimePlugin;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::Layer;
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::SigningRegion;
use aws_types::service_config::ServiceConfigKey;
use aws_types::SigningName;
use serde_json::Value;

use super::client::shared_https_client;
use super::error::api_error;
use super::lightsail::AssumedRole;
use crate::failure::{codes, Failure};

/// Security Hub's service id, as the SDK names it: `AWS_ENDPOINT_URL_SECURITYHUB` overrides
/// its endpoint, as for any SDK client.
const SERVICE_ID: &str = "SecurityHub";

/// Security Hub for the function's own account and, with a member role's credentials, for
/// any other. Built once in `main` when `SECURITY_HUB=on`.
#[derive(Debug, Clone)]
pub struct SecurityHub {
    sdk_config: SdkConfig,
}

/// Where a call goes: a Region, and the account whose credentials sign it (the function's
/// own when `None`). Security Hub takes a finding only from the account it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HubPlace<'a> {
    pub(crate) region: &'a str,
    pub(crate) credentials: Option<&'a AssumedRole>,
}

/// A finding `BatchImportFindings` refused, with Security Hub's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) id: String,
    pub(crate) failure: Failure,
}

/// One page of `GetFindings`: the findings as Security Hub holds them, and the next token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FindingsPage {
    pub(crate) findings: Vec<Value>,
    pub(crate) next_token: Option<String>,
}

impl SecurityHub {
    /// Security Hub on the shared AWS configuration: its credentials, retries and timeouts.
    pub fn new(sdk_config: &SdkConfig) -> Self {
        Self {
            sdk_config: sdk_config.clone(),
        }
    }

    /// Imports `findings` (a `BatchImportFindings` body) and returns the ones refused.
    pub(crate) async fn import(&self, place: HubPlace<'_>, body: Vec<u8>) -> Result<Vec<Refused>, Failure> {
        let output = self
            .call(place, "BatchImportFindings", "/findings/import", body)
            .await?;
        Ok(refused(&output))
    }

    /// One page of findings matching `request` (a `GetFindings` body, filters and token).
    pub(crate) async fn findings_page(
        &self,
        place: HubPlace<'_>,
        body: Vec<u8>,
    ) -> Result<FindingsPage, Failure> {
        let mut output = self.call(place, "GetFindings", "/findings", body).await?;
        let findings = match output.get_mut("Findings").map(Value::take) {
            Some(Value::Array(findings)) => findings,
            _ => {
                return Err(Failure::new(
                    codes::MALFORMED_RESPONSE,
                    "GetFindings answered without a Findings list",
                ))
            }
        };
        let next_token = output
            .get("NextToken")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        Ok(FindingsPage { findings, next_token })
    }

    /// One signed `POST` of a JSON body to `path`, retried as the SDK retries.
    async fn call(
        &self,
        place: HubPlace<'_>,
        name: &'static str,
        path: &'static str,
        body: Vec<u8>,
    ) -> Result<Value, Failure> {
        let credentials = match place.credentials {
            Some(role) => role.provider().clone(),
            None => self.sdk_config.credentials_provider().ok_or_else(|| {
                Failure::new(
                    codes::SDK_ERROR,
                    "no AWS credentials are configured for Security Hub",
                )
            })?,
        };
        let operation = Operation::builder()
            .service_name(SERVICE_ID)
            .operation_name(name)
            .endpoint_url(&self.endpoint(place.region))
            .runtime_plugin(self.signing(place.region, credentials))
            .standard_retry(
                &self
                    .sdk_config
                    .retry_config()
                    .cloned()
                    .unwrap_or_else(RetryConfig::standard),
            )
            .retry_classifier(AwsErrorCodeClassifier::<HubError>::new())
            .retry_classifier(TransientErrorClassifier::<HubError>::new())
            .retry_classifier(HttpStatusCodeClassifier::default())
            .timeout_config(
                self.sdk_config
                    .timeout_config()
                    .cloned()
                    .unwrap_or_else(TimeoutConfig::disabled),
            )
            .with_connection_poisoning();
        // A configuration not built by `Config::aws_loader` (tests, embedders) may lack them.
        let client = self.sdk_config.http_client().unwrap_or_else(shared_https_client);
        let sleep = self
            .sdk_config
            .sleep_impl()
            .unwrap_or_else(|| SharedAsyncSleep::new(TokioSleep::new()));
        let operation = operation.http_client(client).sleep_impl(sleep);
        let operation = operation
            .serializer(move |body: Vec<u8>| request(path, body))
            .deserializer(response)
            .build();
        operation.invoke(body).await.map_err(api_error)
    }

    /// Security Hub's endpoint in `region`: `AWS_ENDPOINT_URL_SECURITYHUB` or
    /// `AWS_ENDPOINT_URL` when set (tests, a VPC endpoint), else the public one.
    fn endpoint(&self, region: &str) -> String {
        let key = ServiceConfigKey::builder()
            .service_id(SERVICE_ID)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build();
        let configured = key
            .ok()
            .and_then(|key| self.sdk_config.service_config().and_then(|c| c.load_config(key)))
            .or_else(|| self.sdk_config.endpoint_url().map(str::to_owned));
        configured.unwrap_or_else(|| {
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            format!("https://securityhub.{region}.{suffix}")
        })
    }

    /// SigV4 for `securityhub` in `region`, with `credentials`.
    fn signing(&self, region: &str, credentials: SharedCredentialsProvider) -> StaticRuntimePlugin {
        let mut layer = Layer::new("securityhub");
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        layer.store_put(SigV4OperationSigningConfig {
            region: Some(SigningRegion::from(aws_types::region::Region::new(
                region.to_owned(),
            ))),
            name: Some(SigningName::from_static("securityhub")),
            ..SigV4OperationSigningConfig::default()
        });
        let mut components = RuntimeComponentsBuilder::new("securityhub");
        components
            .set_auth_scheme_option_resolver(Some(SharedAuthSchemeOptionResolver::new(
                StaticAuthSchemeOptionResolver::new(vec![SCHEME_ID]),
            )))
            .push_auth_scheme(SharedAuthScheme::new(SigV4AuthScheme::new()))
            .set_identity_cache(Some(IdentityCache::no_cache()))
            .set_identity_resolver(SCHEME_ID, SharedIdentityResolver::new(credentials));
        if let Some(time_source) = self.sdk_config.time_source() {
            components.set_time_source(Some(time_source));
        }
        StaticRuntimePlugin::new()
            .with_config(layer.freeze())
            .with_runtime_components(components)
    }
}

/// The HTTP request of a call: a JSON `POST` to `path`.
fn request(path: &str, body: Vec<u8>) -> Result<HttpRequest, BoxError> {
    let request = http::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .body(SdkBody::from(body))?;
    Ok(HttpRequest::try_from(request)?)
}

/// The answer's JSON, or Security Hub's error with its code and message.
fn response(response: &HttpResponse) -> Result<Value, OrchestratorError<HubError>> {
    let body: Option<Value> = response
        .body()
        .bytes()
        .and_then(|b| serde_json::from_slice(b).ok());
    if response.status().is_success() {
        return body.ok_or_else(|| OrchestratorError::operation(HubError(ErrorMetadata::builder().build())));
    }
    let header = response.headers().get("x-amzn-errortype");
    let code = header
        .map(str::to_owned)
        .or_else(|| body.as_ref().and_then(|b| text(b, &["__type", "Code", "code"])))
        .map(|code| short_code(&code).to_owned());
    let message = body.as_ref().and_then(|b| text(b, &["Message", "message"]));
    let mut meta = ErrorMetadata::builder();
    if let Some(code) = code {
        meta = meta.code(code);
    }
    if let Some(message) = message {
        meta = meta.message(message);
    }
    Err(OrchestratorError::operation(HubError(meta.build())))
}

/// The first of `fields` that holds a string.
fn text(body: &Value, fields: &[&str]) -> Option<String> {
    fields
        .iter()
        .find_map(|f| body.get(f).and_then(Value::as_str))
        .map(str::to_owned)
}

/// An error type as `restJson1` may send it (`aws.protocoltests#Code:http://...`), as a code.
fn short_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code)
}

/// The findings a `BatchImportFindings` answer lists as failed.
fn refused(output: &Value) -> Vec<Refused> {
    let Some(Value::Array(failed)) = output.get("FailedFindings") else {
        return Vec::new();
    };
    failed
        .iter()
        .map(|f| Refused {
            id: text(f, &["Id"]).unwrap_or_default(),
            failure: Failure::new(
                &text(f, &["ErrorCode"]).unwrap_or_else(|| codes::UNKNOWN_SERVICE_ERROR.to_owned()),
                text(f, &["ErrorMessage"]).unwrap_or_else(|| "Security Hub gave no reason".to_owned()),
            ),
        })
        .collect()
}

/// Security Hub's error: its code and message, which decide retries (throttling) and what
/// the report says.
#[derive(Debug)]
struct HubError(ErrorMetadata);

impl std::fmt::Display for HubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0.code(), self.0.message()) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}"),
            (Some(code), None) => f.write_str(code),
            _ => f.write_str("Security Hub answered with an unreadable body"),
        }
    }
}

impl std::error::Error for HubError {}

impl ProvideErrorMetadata for HubError {
    fn meta(&self) -> &ErrorMetadata {
        &self.0
    }
}
