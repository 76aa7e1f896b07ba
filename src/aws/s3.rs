//! The S3 adapter: the report archive and its change-tracking state, one bucket and prefix.

use aws_config::SdkConfig;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use super::error::{api_error, causes};
use crate::failure::{codes, Failure};

/// Reads and writes objects under one bucket and prefix. Built once in `main` when
/// `REPORT_BUCKET` is set.
#[derive(Debug, Clone)]
pub struct Archive {
    client: Client,
    bucket: String,
    prefix: String,
}

impl Archive {
    /// An archive on the shared AWS configuration.
    pub fn new(sdk_config: &SdkConfig, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self::from_client(Client::new(sdk_config), bucket, prefix)
    }

    /// An archive on a client built elsewhere (tests: a mocked client).
    pub fn from_client(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    /// What goes before every key.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The bytes of the object at `key`; `None` when there is no such object.
    pub(crate) async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) if matches!(error.as_service_error(), Some(GetObjectError::NoSuchKey(_))) => {
                return Ok(None)
            }
            Err(error) => return Err(api_error(error)),
        };
        let body = output.body.collect().await.map_err(|e| {
            Failure::new(
                codes::CONNECTION_ERROR,
                format!("reading s3://{}/{key}: {}", self.bucket, causes(&e)),
            )
        })?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    /// Writes `body`, JSON, to `key`.
    pub(crate) async fn write(&self, key: &str, body: Vec<u8>) -> Result<(), Failure> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map(|_| ())
            .map_err(api_error)
    }
}
