//! Every example event in `events/` gives a report, or the documented error for the invalid one.

use aws_sdk_lightsail::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use chrono::Utc;
use lightsail_key_audit::{run_audit, Config, Invocation, Lightsail};
use serde_json::Value;

#[tokio::test]
async fn every_example_event_is_handled_as_documented() {
    let rule = mock!(Client::get_bucket_access_keys).then_http_response(|| {
        Response::new(
            StatusCode::try_from(200).unwrap(),
            SdkBody::from(r#"{"accessKeys": [{"accessKeyId": "AKIAEXAMPLE000000001", "status": "Active", "createdAt": 1.6E9}]}"#),
        )
    });
    let lightsail =
        Lightsail::from_client(mock_client!(aws_sdk_lightsail, RuleMode::MatchAny, [&rule])).unwrap();
    // As deployed: the scheduled event names no buckets, the environment does.
    let config =
        Config::from_lookup(|name| (name == "BUCKET_NAMES").then(|| "media-prod".to_owned())).unwrap();

    let mut seen = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/events")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let result = run_audit(&lightsail, &config, &event, &Invocation::at(Utc::now())).await;
        if name.starts_with("invalid") {
            let error = result.expect_err(&name);
            assert_eq!(error.error_type(), "InvalidRequest", "{name}");
            assert!(
                error.to_string().contains("did you mean `staleAfterDays`"),
                "{name}: {error}"
            );
        } else {
            let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(report.summary().buckets_audited >= 1, "{name}");
            assert_eq!(
                report.summary().findings.rotation_due,
                report.summary().buckets_audited,
                "{name}"
            );
        }
        seen += 1;
    }
    assert!(seen >= 4, "events/ holds the four documented examples");
}
