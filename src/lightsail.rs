//! The Lightsail adapter: the only module that touches SDK types.
//!
//! It calls the API and turns each answer into the crate's own records ([`AccessKeyRecord`])
//! or error ([`ApiError`]). The secret access key, which the API may send, is never copied.

use aws_sdk_lightsail::config::http::HttpResponse;
use aws_sdk_lightsail::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_lightsail::primitives::DateTime as SdkDateTime;
use aws_sdk_lightsail::types::{AccessKey, StatusType};
use aws_sdk_lightsail::Client;
use chrono::{DateTime, Utc};

use crate::bucket_name::BucketName;
use crate::error::AuditError;
use crate::key::{AccessKeyRecord, KeyStatus, LastUse};

/// The placeholder Lightsail sends for the region and service of a never-used key.
const NOT_APPLICABLE: &str = "N/A";

/// A Lightsail client for one region, built once and shared by every invocation.
#[derive(Debug, Clone)]
pub struct Lightsail {
    client: Client,
    region: String,
}

/// Why a call failed, as a code a person can search for and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// The Lightsail error code (`NotFoundException`, `ThrottlingException`, ...) or, where no
    /// answer was understood, one of `Timeout`, `ConnectionError`, `MalformedResponse`,
    /// `DispatchFailure`, `RequestConstructionFailed`, `UnknownServiceError`.
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Lightsail {
    /// Builds the client from the shared AWS configuration (region, credentials, endpoint
    /// override `AWS_ENDPOINT_URL_LIGHTSAIL`, retries).
    pub fn new(sdk_config: &aws_config::SdkConfig) -> Result<Self, AuditError> {
        Self::from_client(Client::new(sdk_config))
    }

    /// Wraps an existing client; fails if it has no region, since every call would.
    pub fn from_client(client: Client) -> Result<Self, AuditError> {
        let region = client
            .config()
            .region()
            .map(|r| r.as_ref().to_owned())
            .ok_or_else(|| AuditError::InvalidConfiguration {
                variable: "AWS_REGION",
                message: "no AWS region is configured; set AWS_REGION (Lambda sets it for you)".to_owned(),
            })?;
        Ok(Self { client, region })
    }

    /// The region this client calls.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// Every access key of `bucket`, in the order Lightsail lists them.
    pub(crate) async fn bucket_access_keys(
        &self,
        bucket: &BucketName,
    ) -> Result<Vec<AccessKeyRecord>, ApiError> {
        let output = self
            .client
            .get_bucket_access_keys()
            .bucket_name(bucket.as_str())
            .send()
            .await
            .map_err(api_error)?;
        Ok(output.access_keys().iter().map(key_record).collect())
    }
}

fn key_record(key: &AccessKey) -> AccessKeyRecord {
    let last_used = key.last_used().and_then(|used| {
        Some(LastUse {
            date: utc(used.last_used_date()?)?,
            region: meaningful(used.region()),
            service: meaningful(used.service_name()),
        })
    });
    AccessKeyRecord {
        access_key_id: key.access_key_id().map(str::to_owned),
        status: key.status().map(|status| match status {
            StatusType::Active => KeyStatus::Active,
            StatusType::Inactive => KeyStatus::Inactive,
            other => KeyStatus::Other(other.as_str().to_owned()),
        }),
        created_at: key.created_at().and_then(utc),
        last_used,
    }
}

/// `None` for an absent, empty or "N/A" value.
fn meaningful(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| !v.is_empty() && *v != NOT_APPLICABLE)
        .map(str::to_owned)
}

/// The SDK timestamp as UTC; `None` if it lies outside what chrono can represent.
fn utc(time: &SdkDateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

fn api_error<E>(error: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = match &error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            match service.err().code() {
                Some(code) => (
                    code.to_owned(),
                    service.err().message().unwrap_or(code).to_owned(),
                ),
                // A success status whose body could not be read as the operation's output.
                None if (200..300).contains(&status) => (
                    "MalformedResponse".to_owned(),
                    format!(
                        "Lightsail answered HTTP {status} with a body that is not a valid response: {}",
                        DisplayErrorContext(&error)
                    ),
                ),
                None => (
                    "UnknownServiceError".to_owned(),
                    format!("Lightsail answered HTTP {status} with no error code"),
                ),
            }
        }
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), DisplayErrorContext(&error).to_string()),
        SdkError::DispatchFailure(failure) => {
            let code = if failure.is_timeout() {
                "Timeout"
            } else if failure.is_io() {
                "ConnectionError"
            } else {
                "DispatchFailure"
            };
            (code.to_owned(), DisplayErrorContext(&error).to_string())
        }
        SdkError::ResponseError(_) => (
            "MalformedResponse".to_owned(),
            DisplayErrorContext(&error).to_string(),
        ),
        SdkError::ConstructionFailure(_) => (
            "RequestConstructionFailed".to_owned(),
            DisplayErrorContext(&error).to_string(),
        ),
        _ => ("SdkError".to_owned(), DisplayErrorContext(&error).to_string()),
    };
    ApiError { code, message }
}
