//! The SNS adapter: the only module that touches SNS SDK types.

use aws_config::SdkConfig;
use aws_sdk_sns::Client;

use super::client::Lazy;
use super::error::api_error;
use crate::failure::Failure;

/// Publishes notifications to one topic. Built once in `main` when `NOTIFY_TOPIC_ARN` is set.
#[derive(Debug, Clone)]
pub struct Notifier {
    client: Lazy<Client>,
    topic_arn: String,
}

impl Notifier {
    /// A notifier on the shared AWS configuration (credentials, region of the topic's stack).
    pub fn new(sdk_config: &SdkConfig, topic_arn: impl Into<String>) -> Self {
        Self {
            client: Lazy::new(sdk_config, Client::new),
            topic_arn: topic_arn.into(),
        }
    }

    /// A notifier on a client built elsewhere (tests: a mocked client).
    pub fn from_client(client: Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client: Lazy::ready(client, Client::new),
            topic_arn: topic_arn.into(),
        }
    }

    /// Publishes `message`, a JSON object of one message per protocol (`MessageStructure:
    /// json`, with `default` for the rest), with `subject` (email) to the topic.
    pub(crate) async fn publish(&self, subject: &str, message: &str) -> Result<(), Failure> {
        self.client
            .get()
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(subject)
            .message_structure("json")
            .message(message)
            .send()
            .await
            .map(|_| ())
            .map_err(api_error)
    }
}

#[cfg(test)]
impl Notifier {
    /// A notifier whose topic answers every publish with HTTP `status` (200: sent), and a
    /// count of the publishes that reached it: for tests above this layer, without SDK types.
    pub(crate) fn answering(status: u16) -> (Self, impl Fn() -> usize) {
        use aws_sdk_sns::operation::publish::PublishOutput;
        use aws_smithy_mocks::{mock, mock_client, RuleMode};
        let rule = if status == 200 {
            mock!(Client::publish).then_output(|| PublishOutput::builder().build())
        } else {
            mock!(Client::publish).then_http_response(move || {
                aws_smithy_runtime_api::http::Response::new(
                    aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
                    aws_smithy_types::body::SdkBody::from("<ErrorResponse/>"),
                )
            })
        };
        let client = mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&rule]);
        (Self::from_client(client, "t"), move || rule.num_calls())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sns::operation::publish::PublishOutput;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit";

    #[tokio::test]
    async fn publishes_subject_and_message_to_the_topic() {
        let rule = mock!(Client::publish)
            .match_requests(|req| {
                req.topic_arn() == Some(TOPIC) && req.subject() == Some("s") && req.message() == Some("m")
            })
            .then_output(|| PublishOutput::builder().message_id("1").build());
        let notifier = Notifier::from_client(mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&rule]), TOPIC);
        notifier.publish("s", "m").await.unwrap();
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_refusal_keeps_its_code() {
        let rule = mock!(Client::publish).then_error(|| {
            aws_sdk_sns::operation::publish::PublishError::AuthorizationErrorException(
                aws_sdk_sns::types::error::AuthorizationErrorException::builder()
                    .message("not allowed")
                    .meta(
                        aws_sdk_sns::error::ErrorMetadata::builder()
                            .code("AuthorizationError")
                            .message("not allowed")
                            .build(),
                    )
                    .build(),
            )
        });
        let notifier = Notifier::from_client(mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&rule]), TOPIC);
        let error = notifier.publish("s", "m").await.unwrap_err();
        assert_eq!(error.code, "AuthorizationError");
        assert_eq!(error.message, "not allowed");
    }
}
