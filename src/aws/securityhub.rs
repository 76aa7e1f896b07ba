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
            // The configuration's cache, as its SDK clients use: a profile's SSO or role
            // credentials are fetched once, not once a call. A member role's are fixed.
            .set_identity_cache(Some(
                self.sdk_config
                    .identity_cache()
                    .unwrap_or_else(IdentityCache::no_cache),
            ))
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

/// A request the fake endpoint of [`SecurityHub::answering`] received: its path and JSON body.
#[cfg(test)]
pub(crate) type Received = (String, Value);

#[cfg(test)]
impl SecurityHub {
    /// A Security Hub whose endpoint answers each request (path, JSON body) with
    /// `answer`'s status and body, and what it received: for the tests of the export above
    /// this layer, on the real signing and retries (3 attempts, 1 ms apart).
    pub(crate) fn answering(
        answer: impl Fn(&str, &Value) -> (u16, String) + Send + Sync + 'static,
    ) -> (Self, impl Fn() -> Vec<Received>) {
        let (client, seen) = tests::endpoint(move |_, request| {
            let path = request
                .uri
                .split("amazonaws.com")
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            let (status, text) = answer(&path, &body);
            (status, vec![], text)
        });
        let hub = Self::new(&tests::config(client).build());
        let received = move || {
            let seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.iter()
                .map(|s| {
                    let path = s.uri.split("amazonaws.com").nth(1).unwrap_or_default().to_owned();
                    (path, serde_json::from_slice(&s.body).unwrap_or(Value::Null))
                })
                .collect()
        };
        (hub, received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_sdk_lightsail::config::{AsyncSleep, BehaviorVersion, Sleep};
    use aws_smithy_http_client::test_util::infallible_client_fn;
    use aws_types::region::Region;
    use aws_types::service_config::LoadServiceConfig;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    const BUCKET_FINDING: &str =
        r#"{"Findings":[{"Id":"lightsail-key-audit/1/eu-west-1/b/bucket/PUBLIC_READ"}]}"#;

    /// Tokio's sleep, for the SDK's retry backoff.
    #[derive(Debug)]
    struct TokioSleep;

    impl AsyncSleep for TokioSleep {
        fn sleep(&self, duration: Duration) -> Sleep {
            Sleep::new(tokio::time::sleep(duration))
        }
    }

    /// A request as the fake endpoint received it.
    #[derive(Debug, Clone)]
    pub(super) struct Seen {
        method: String,
        pub(super) uri: String,
        authorization: String,
        content_type: String,
        pub(super) body: Vec<u8>,
    }

    /// What the fake endpoint answers: status, headers, body.
    pub(super) type Answer = (u16, Vec<(&'static str, &'static str)>, String);

    fn ok(body: &str) -> Answer {
        (200, vec![], body.to_owned())
    }

    /// `AWS_ENDPOINT_URL_SECURITYHUB` as the shared configuration loads it.
    #[derive(Debug)]
    struct ServiceEndpoint(&'static str);

    impl LoadServiceConfig for ServiceEndpoint {
        fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
            (key.service_id() == SERVICE_ID && key.env() == "AWS_ENDPOINT_URL").then(|| self.0.to_owned())
        }
    }

    /// The shared configuration a test's Security Hub runs on: the function's own
    /// credentials (`AKIDDEFAULT`), 3 attempts with a 1 ms backoff.
    pub(super) fn config(
        client: aws_smithy_runtime_api::client::http::SharedHttpClient,
    ) -> aws_types::sdk_config::Builder {
        let retry = RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(2));
        SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDDEFAULT",
                "default-secret",
                None,
                None,
                "test",
            )))
            .http_client(client)
            .sleep_impl(TokioSleep)
            .retry_config(retry)
            .behavior_version(BehaviorVersion::latest())
    }

    /// A fake endpoint answering its n-th request (from 1) with `answer(n)`, and what it got.
    pub(super) fn endpoint(
        answer: impl Fn(usize, &Seen) -> Answer + Send + Sync + 'static,
    ) -> (
        aws_smithy_runtime_api::client::http::SharedHttpClient,
        Arc<Mutex<Vec<Seen>>>,
    ) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let client = infallible_client_fn(move |request: http::Request<SdkBody>| {
            let header = |name: &str| {
                request
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let mut log = log.lock().unwrap();
            log.push(Seen {
                method: request.method().to_string(),
                uri: request.uri().to_string(),
                authorization: header("authorization"),
                content_type: header("content-type"),
                body: request.body().bytes().unwrap_or_default().to_vec(),
            });
            let (status, headers, body) = answer(log.len(), log.last().unwrap());
            let mut response = http::Response::builder().status(status);
            for (name, value) in headers {
                response = response.header(name, value);
            }
            response.body(SdkBody::from(body)).unwrap()
        });
        (client, seen)
    }

    /// A Security Hub on the default configuration whose endpoint answers with `answer`.
    fn hub(answer: impl Fn(usize) -> Answer + Send + Sync + 'static) -> (SecurityHub, Arc<Mutex<Vec<Seen>>>) {
        let (client, seen) = endpoint(move |n, _| answer(n));
        (SecurityHub::new(&config(client).build()), seen)
    }

    fn own(region: &str) -> HubPlace<'_> {
        HubPlace {
            region,
            credentials: None,
        }
    }

    fn requests(seen: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
        seen.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn an_import_is_a_signed_post_of_the_body_to_the_regions_endpoint() {
        let (hub, seen) = hub(|_| ok(r#"{"SuccessCount":1,"FailedCount":0,"FailedFindings":[]}"#));
        let refused = hub
            .import(own("eu-west-1"), BUCKET_FINDING.as_bytes().to_vec())
            .await
            .unwrap();
        assert_eq!(refused, []);
        let seen = requests(&seen);
        assert_eq!(seen.len(), 1);
        let request = &seen[0];
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.uri,
            "https://securityhub.eu-west-1.amazonaws.com/findings/import"
        );
        assert_eq!(request.content_type, "application/json");
        assert_eq!(request.body, BUCKET_FINDING.as_bytes());
        assert!(
            request
                .authorization
                .starts_with("AWS4-HMAC-SHA256 Credential=AKIDDEFAULT/"),
            "{}",
            request.authorization
        );
        assert!(
            request
                .authorization
                .contains("/eu-west-1/securityhub/aws4_request"),
            "{}",
            request.authorization
        );
        assert!(request.authorization.contains("Signature="));
    }

    #[tokio::test]
    async fn a_china_region_is_called_on_its_own_domain() {
        let (hub, seen) = hub(|_| ok(r#"{"Findings":[]}"#));
        hub.findings_page(own("cn-north-1"), b"{}".to_vec())
            .await
            .unwrap();
        let seen = requests(&seen);
        assert_eq!(
            seen[0].uri,
            "https://securityhub.cn-north-1.amazonaws.com.cn/findings"
        );
        assert!(seen[0]
            .authorization
            .contains("/cn-north-1/securityhub/aws4_request"));
    }

    #[tokio::test]
    async fn a_configured_endpoint_is_called_instead_and_the_service_one_comes_first() {
        let (client, seen) = endpoint(|_, _| ok(r#"{"FailedFindings":[]}"#));
        let general = config(client.clone())
            .endpoint_url("http://localhost:5000")
            .build();
        SecurityHub::new(&general)
            .import(own("eu-west-1"), b"{}".to_vec())
            .await
            .unwrap();
        let specific = config(client)
            .endpoint_url("http://localhost:5000")
            .service_config(ServiceEndpoint("http://127.0.0.1:4566"))
            .build();
        SecurityHub::new(&specific)
            .import(own("eu-west-1"), b"{}".to_vec())
            .await
            .unwrap();
        let uris: Vec<String> = requests(&seen).into_iter().map(|s| s.uri).collect();
        assert_eq!(
            uris,
            [
                "http://localhost:5000/findings/import",
                "http://127.0.0.1:4566/findings/import"
            ]
        );
    }

    #[tokio::test]
    async fn failed_findings_come_back_refused_with_their_code_and_message() {
        let answer = r#"{"SuccessCount":1,"FailedCount":2,"FailedFindings":[
            {"Id":"a","ErrorCode":"InvalidInput","ErrorMessage":"Finding does not adhere to ASFF"},
            {"Id":"b"}]}"#;
        let (hub, _) = hub(move |_| ok(answer));
        let refused = hub.import(own("eu-west-1"), b"{}".to_vec()).await.unwrap();
        assert_eq!(
            refused,
            [
                Refused {
                    id: "a".into(),
                    failure: Failure::new("InvalidInput", "Finding does not adhere to ASFF"),
                },
                Refused {
                    id: "b".into(),
                    failure: Failure::new(codes::UNKNOWN_SERVICE_ERROR, "Security Hub gave no reason"),
                },
            ]
        );
    }

    #[tokio::test]
    async fn security_hub_not_enabled_is_a_failure_with_its_code_and_message() {
        const MESSAGE: &str = "Account 1 is not subscribed to AWS Security Hub";
        let by_body = r#"{"Code":"InvalidAccessException","Message":"Account 1 is not subscribed to AWS Security Hub"}"#;
        let by_header: Answer = (
            400,
            vec![(
                "x-amzn-ErrorType",
                "InvalidAccessException:http://internal.amazon.com/coral/com.amazonaws.securityhub/",
            )],
            r#"{"message":"Account 1 is not subscribed to AWS Security Hub"}"#.to_owned(),
        );
        for answer in [(400, vec![], by_body.to_owned()), by_header] {
            let (hub, seen) = hub(move |_| answer.clone());
            let failure = hub.import(own("eu-west-1"), b"{}".to_vec()).await.unwrap_err();
            assert_eq!(failure, Failure::new("InvalidAccessException", MESSAGE));
            assert_eq!(requests(&seen).len(), 1, "not retried");
        }
    }

    fn throttled() -> Answer {
        (
            429,
            vec![],
            r#"{"Code":"TooManyRequestsException","Message":"Rate exceeded"}"#.to_owned(),
        )
    }

    #[tokio::test]
    async fn throttling_is_retried_to_success() {
        let (hub, seen) = hub(|n| {
            if n < 3 {
                throttled()
            } else {
                ok(r#"{"FailedFindings":[]}"#)
            }
        });
        let refused = hub
            .import(own("eu-west-1"), BUCKET_FINDING.as_bytes().to_vec())
            .await;
        assert_eq!(refused, Ok(vec![]));
        let seen = requests(&seen);
        assert_eq!(seen.len(), 3);
        assert!(
            seen.iter().all(|s| s.body == BUCKET_FINDING.as_bytes()),
            "the same body each time"
        );
    }

    #[tokio::test]
    async fn persistent_throttling_ends_as_throttling_after_the_retries() {
        let (hub, seen) = hub(|_| throttled());
        let failure = hub.import(own("eu-west-1"), b"{}".to_vec()).await.unwrap_err();
        assert_eq!(failure, Failure::new("TooManyRequestsException", "Rate exceeded"));
        assert_eq!(requests(&seen).len(), 3, "max attempts");
    }

    #[tokio::test]
    async fn a_page_gives_its_findings_and_next_token() {
        let (hub, seen) = hub(|n| match n {
            1 => ok(r#"{"Findings":[{"Id":"a"},{"Id":"b"}],"NextToken":"page-2"}"#),
            _ => ok(r#"{"Findings":[{"Id":"c"}],"NextToken":""}"#),
        });
        let first = hub
            .findings_page(own("eu-west-1"), br#"{"MaxResults":100}"#.to_vec())
            .await
            .unwrap();
        assert_eq!(
            first,
            FindingsPage {
                findings: vec![serde_json::json!({"Id": "a"}), serde_json::json!({"Id": "b"})],
                next_token: Some("page-2".into()),
            }
        );
        let last = hub
            .findings_page(own("eu-west-1"), br#"{"NextToken":"page-2"}"#.to_vec())
            .await
            .unwrap();
        assert_eq!(last.findings, [serde_json::json!({"Id": "c"})]);
        assert_eq!(last.next_token, None, "an empty token ends the pages");
        let seen = requests(&seen);
        assert_eq!(
            seen[0].uri,
            "https://securityhub.eu-west-1.amazonaws.com/findings"
        );
        assert_eq!(seen[1].body, br#"{"NextToken":"page-2"}"#);
    }

    #[tokio::test]
    async fn a_page_without_findings_or_an_unreadable_answer_is_malformed() {
        for body in [r#"{"NextToken":"x"}"#, r#"{"Findings":{}}"#, "<html>not json"] {
            let (hub, _) = hub(move |_| ok(body));
            let failure = hub
                .findings_page(own("eu-west-1"), b"{}".to_vec())
                .await
                .unwrap_err();
            assert_eq!(failure.code, codes::MALFORMED_RESPONSE, "{body}");
        }
        let (hub, seen) = hub(|_| ok("<html>not json"));
        let failure = hub.import(own("eu-west-1"), b"{}".to_vec()).await.unwrap_err();
        assert_eq!(failure.code, codes::MALFORMED_RESPONSE);
        assert_eq!(requests(&seen).len(), 1, "not retried");
    }

    #[tokio::test]
    async fn an_assumed_roles_credentials_sign_instead_of_the_functions() {
        let (hub, seen) = hub(|_| ok(r#"{"FailedFindings":[]}"#));
        let role = AssumedRole::for_tests(SharedCredentialsProvider::new(Credentials::new(
            "AKIDMEMBER",
            "member-secret",
            Some("token".into()),
            None,
            "test",
        )));
        let place = HubPlace {
            region: "eu-west-1",
            credentials: Some(&role),
        };
        hub.import(place, b"{}".to_vec()).await.unwrap();
        hub.import(own("eu-west-1"), b"{}".to_vec()).await.unwrap();
        let seen = requests(&seen);
        assert!(
            seen[0]
                .authorization
                .starts_with("AWS4-HMAC-SHA256 Credential=AKIDMEMBER/"),
            "{}",
            seen[0].authorization
        );
        assert!(
            seen[1]
                .authorization
                .starts_with("AWS4-HMAC-SHA256 Credential=AKIDDEFAULT/"),
            "{}",
            seen[1].authorization
        );
    }

    #[tokio::test]
    async fn without_credentials_no_call_is_made_and_without_a_sleep_tokios_serves() {
        let bare = SdkConfig::builder().region(Region::new("us-east-1")).build();
        let failure = SecurityHub::new(&bare)
            .import(own("eu-west-1"), b"{}".to_vec())
            .await
            .unwrap_err();
        assert_eq!(failure.code, codes::SDK_ERROR);
        let (client, seen) = endpoint(|_, _| ok("{}"));
        let no_sleep = SdkConfig::builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDDEFAULT",
                "s",
                None,
                None,
                "test",
            )))
            .http_client(client)
            .build();
        // Without a sleep implementation, tokio's serves the retries' backoff.
        let refused = SecurityHub::new(&no_sleep)
            .import(own("eu-west-1"), b"{}".to_vec())
            .await
            .unwrap();
        assert!(refused.is_empty());
        assert_eq!(requests(&seen).len(), 1);
    }
}
