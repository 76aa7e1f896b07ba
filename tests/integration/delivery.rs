//! What a run delivers besides its return value: the summary to SNS for people, as one
//! `MessageStructure: json` message: a chat notification by default, plain text for email.

use crate::common::*;
use aws_sdk_sns::operation::publish::PublishInput;
use aws_sdk_sns::operation::publish::PublishOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_key_audit::{handle, AuditError, Notifier, Outputs, Report};
use serde_json::{json, Value};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit";

fn notifier(rule: &Rule) -> Notifier {
    Notifier::from_client(mock_client!(aws_sdk_sns, RuleMode::MatchAny, [rule]), TOPIC)
}

/// The published message's email text and chat notification, if it is a `MessageStructure:
/// json` message with both.
fn variants(req: &PublishInput) -> Option<(String, Value)> {
    if req.message_structure() != Some("json") {
        return None;
    }
    let message: Value = serde_json::from_str(req.message()?).ok()?;
    let email = message["email"].as_str()?.to_owned();
    let chat = serde_json::from_str(message["default"].as_str()?).ok()?;
    Some((email, chat))
}

fn event(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    context.invoked_function_arn =
        "arn:aws:lambda:us-east-1:123456789012:function:lightsail-key-audit".into();
    LambdaEvent::new(payload, context)
}

/// One invocation against `local`, the summary published through `rule`.
async fn deliver(local: &Local, rule: &Rule, payload: Value) -> Result<Report, AuditError> {
    let notifier = notifier(rule);
    let outputs = Outputs {
        notifier: Some(&notifier),
        archive: None,
        security_hub: None,
    };
    handle(&local.lightsail, outputs, &local.config, event(payload)).await
}

#[tokio::test]
async fn findings_are_sent_to_people_once_with_the_account_from_the_function_arn() {
    let local = Local::start(demo(), &[]).await;
    let rule = mock!(aws_sdk_sns::Client::publish)
        .match_requests(|req| {
            let Some((email, chat)) = variants(req) else {
                return false;
            };
            req.topic_arn() == Some(TOPIC)
                && req.subject() == Some("Lightsail key audit: 10 findings, 1 buckets failed")
                && email.contains("- media-prod (123456789012, us-east-1) / AKIA…0OLD / STALE / 100 / ")
                && email.contains("- static-site (123456789012, us-east-1) / - / PUBLIC_READ (getObject is public: anyone on the internet can read every object) / - / Make every object private")
                && email.contains("FAILED BUCKETS (1)\n- ghost (123456789012, us-east-1): NotFoundException")
                && chat["version"] == "1.0"
                && chat["source"] == "custom"
                && chat["metadata"]["threadId"] == "lightsail-key-audit/123456789012/local"
        })
        .then_output(|| PublishOutput::builder().build());
    let payload: Value = serde_json::from_str(include_str!("../../events/audit-buckets.json")).unwrap();
    let report = deliver(&local, &rule, payload).await.unwrap();
    assert_eq!(rule.num_calls(), 1, "one matching publish");
    let report = serde_json::to_value(report).unwrap();
    assert_eq!(report["buckets"][0]["accountId"], "123456789012");
}

#[tokio::test]
async fn a_clean_run_is_quiet_unless_notify_always() {
    let local = Local::start(demo(), &[]).await;
    // Its only finding is ACCESS_LOGGING_OFF, switched off here.
    let clean = json!({"bucketNames": ["new-uploads"], "checkAccessLoggingOff": false});
    for (always, expected_calls) in [("false", 0), ("true", 1)] {
        let rule = mock!(aws_sdk_sns::Client::publish).then_output(|| PublishOutput::builder().build());
        let config = config(&[("NOTIFY_ALWAYS", always)]);
        let notifier = notifier(&rule);
        let outputs = Outputs {
            notifier: Some(&notifier),
            archive: None,
            security_hub: None,
        };
        handle(&local.lightsail, outputs, &config, event(clean.clone()))
            .await
            .unwrap();
        assert_eq!(rule.num_calls(), expected_calls, "NOTIFY_ALWAYS={always}");
    }
}

#[tokio::test]
async fn a_failed_publish_never_costs_the_report() {
    let local = Local::start(demo(), &[]).await;
    let rule = mock!(aws_sdk_sns::Client::publish).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(500).unwrap(),
            aws_smithy_types::body::SdkBody::from("<ErrorResponse/>"),
        )
    });
    let report = deliver(&local, &rule, json!({"bucketNames": ["media-prod"]})).await;
    assert!(report.is_ok());
    assert!(rule.num_calls() >= 1);
}

#[tokio::test]
async fn a_run_that_fails_still_tells_people_why() {
    let local = Local::start(demo(), &[]).await;
    let rule = mock!(aws_sdk_sns::Client::publish)
        .match_requests(|req| {
            variants(req).is_some_and(|(email, _)| {
                email.contains("- ghost (123456789012, us-east-1): NotFoundException")
            })
        })
        .then_output(|| PublishOutput::builder().build());
    let error = deliver(&local, &rule, json!({"bucketNames": ["ghost"]}))
        .await
        .unwrap_err();
    assert_eq!(error.error_type(), "AuditFailed");
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn no_secret_from_the_wire_reaches_the_summary_for_people() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSNSLEAK01";
    let local = Local::start(
        leaky(key("AKIALEAKYSNS00000001", 200.0, Some(100.0)), secret),
        &[],
    )
    .await;
    let rule = mock!(aws_sdk_sns::Client::publish)
        .match_requests(move |req| {
            let text = format!("{:?} {:?}", req.subject(), req.message());
            // People see the key id masked; the secret never.
            text.contains("AKIA…0001") && !text.contains("AKIALEAKYSNS00000001") && !text.contains(secret)
        })
        .then_output(|| PublishOutput::builder().build());
    deliver(&local, &rule, json!({"bucketNames": ["leaky"]}))
        .await
        .unwrap();
    assert_eq!(
        rule.num_calls(),
        1,
        "one summary, naming the key masked and not its secret"
    );
}
