//! The S3 adapter: the report archive and its change-tracking state, one bucket and prefix.

use aws_config::SdkConfig;
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use super::client::Lazy;
use super::error::{api_error, causes};
use crate::failure::{codes, Failure};

/// Reads and writes objects under one bucket and prefix. Built once in `main` when
/// `REPORT_BUCKET` is set.
#[derive(Debug, Clone)]
pub struct Archive {
    client: Lazy<Client>,
    bucket: String,
    prefix: String,
}

impl Archive {
    /// An archive on the shared AWS configuration.
    pub fn new(sdk_config: &SdkConfig, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            client: Lazy::new(sdk_config, Client::new),
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    /// An archive on a client built elsewhere (tests: a mocked client).
    pub fn from_client(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self {
            client: Lazy::ready(client, Client::new),
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
            .get()
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
            Err(error) => {
                let failure = api_error(error);
                return self.absent(key, failure).await;
            }
        };
        let body = output.body.collect().await.map_err(|e| {
            Failure::new(
                codes::CONNECTION_ERROR,
                format!("reading s3://{}/{key}: {}", self.bucket, causes(&e)),
            )
        })?;
        // Into a Vec without a copy when S3's answer came in one piece.
        Ok(Some(body.into_bytes().into()))
    }

    /// Why `key` could not be read, unless it does not exist. S3 answers a missing object with
    /// AccessDenied unless the caller may list it; the stack grants `ListBucket` only under the
    /// prefix (an `s3:prefix` condition), which governs `ListObjectsV2`: asked there, a
    /// missing key is told apart from a refusal, and a first run is not mistaken for one that
    /// cannot read its state.
    async fn absent(&self, key: &str, failure: Failure) -> Result<Option<Vec<u8>>, Failure> {
        if failure.code != "AccessDenied" {
            return Err(failure);
        }
        let listing = self
            .client
            .get()
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(key)
            .max_keys(1)
            .send()
            .await;
        match listing {
            Ok(output) if !output.contents().iter().any(|o| o.key() == Some(key)) => Ok(None),
            _ => Err(failure),
        }
    }

    /// Writes `body`, JSON, to `key`.
    pub(crate) async fn write(&self, key: &str, body: Vec<u8>) -> Result<(), Failure> {
        self.client
            .get()
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
    use aws_sdk_s3::types::Object;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    fn denied() -> Response {
        let body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        Response::new(StatusCode::try_from(403).unwrap(), SdkBody::from(body))
    }

    fn archive(listed: &'static [&'static str]) -> Archive {
        let get = mock!(Client::get_object).then_http_response(denied);
        let list = mock!(Client::list_objects_v2).then_output(move || {
            let objects = listed.iter().map(|k| Object::builder().key(*k).build());
            ListObjectsV2Output::builder()
                .set_contents(Some(objects.collect()))
                .build()
        });
        Archive::from_client(
            mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&get, &list]),
            "b",
            "p/",
        )
    }

    #[tokio::test]
    async fn a_state_that_a_listing_does_not_show_is_a_first_run_not_a_refusal() {
        assert_eq!(archive(&[]).read("p/state.json").await, Ok(None));
        assert_eq!(
            archive(&["p/state.json.bak"]).read("p/state.json").await,
            Ok(None)
        );
    }

    #[tokio::test]
    async fn a_state_that_exists_but_is_refused_stays_a_refusal() {
        let failure = archive(&["p/state.json"]).read("p/state.json").await.unwrap_err();
        assert_eq!(failure.code, "AccessDenied");
    }
}
