//! Golden outputs: for every example event in `events/`, what the function returns, what it
//! publishes for people (subject, email text, chat notification) and what the command line
//! prints as a table, as CSV and as JSON, against the demo estate, compared with
//! `tests/integration/golden/`.
//!
//! Timestamps are masked (the estate's times are relative to now); everything else must be
//! the same to the byte. A change that means to alter an output regenerates the files with
//! `UPDATE_GOLDEN=1 cargo test --test integration golden` and shows the difference in review.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::common::*;
use aws_sdk_sns::operation::publish::PublishOutput;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use lambda_runtime::{Context, LambdaEvent};
use lightsail_key_audit::{handle, Notifier, Outputs};
use serde_json::{json, Value};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:lightsail-key-audit";

fn events() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    paths
}

/// The Lambda path: the answer (report or error) and the one message published, if any.
async fn lambda(local: &Local, payload: Value) -> Value {
    let published = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = published.clone();
    let rule = mock!(aws_sdk_sns::Client::publish)
        .match_requests(move |req| {
            let message: Value = serde_json::from_str(req.message().unwrap_or("null")).unwrap();
            let chat: Value = serde_json::from_str(message["default"].as_str().unwrap_or("null")).unwrap();
            sink.lock().unwrap().push(json!({
                "subject": req.subject(),
                "email": message["email"],
                "chat": chat,
            }));
            true
        })
        .then_output(|| PublishOutput::builder().message_id("m-1").build());
    let notifier = Notifier::from_client(mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&rule]), TOPIC);
    let outputs = Outputs {
        notifier: Some(&notifier),
        archive: None,
        security_hub: None,
    };
    let mut context = Context::default();
    context.invoked_function_arn =
        "arn:aws:lambda:us-east-1:123456789012:function:lightsail-key-audit".into();
    let answer = match handle(
        &local.lightsail,
        outputs,
        &local.config,
        LambdaEvent::new(payload, context),
    )
    .await
    {
        Ok(report) => json!({"report": report}),
        Err(error) => json!({"errorType": error.error_type(), "errorMessage": error.to_string()}),
    };
    let published = published.lock().unwrap().clone();
    json!({"answer": answer, "published": published})
}

/// The command line's output for `event` in `format`, with its exit code.
fn command_line(local: &Local, event: &Path, format: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_lightsail-key-audit"))
        .args(["--event", event.to_str().unwrap(), "--format", format])
        .env_clear()
        .env("HOME", std::env::temp_dir())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", CREDENTIAL_SECRET)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", local.server.url())
        .output()
        .unwrap();
    json!({
        "exitCode": output.status.code(),
        "stdout": String::from_utf8(output.stdout).unwrap(),
    })
}

/// `text` with every RFC 3339 date-time (`2026-12-03T07:56:21Z`, fractions and offsets too)
/// replaced by `<time>`.
fn mask_times(text: &str) -> String {
    let shape = |c: u8, pattern: u8| match pattern {
        b'9' => c.is_ascii_digit(),
        other => c == other,
    };
    let bytes = text.as_bytes();
    let stem = b"9999-99-99T99:99:99";
    let (mut out, mut i) = (Vec::with_capacity(bytes.len()), 0);
    while i < bytes.len() {
        let matches =
            bytes.len() >= i + stem.len() && stem.iter().zip(&bytes[i..]).all(|(p, c)| shape(*c, *p));
        if !matches {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let mut end = i + stem.len();
        if bytes.get(end) == Some(&b'.') {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        match bytes.get(end) {
            Some(b'Z') => end += 1,
            Some(b'+' | b'-') if bytes.len() >= end + 6 => end += 6,
            _ => {}
        }
        out.extend_from_slice(b"<time>");
        i = end;
    }
    String::from_utf8(out).unwrap()
}

fn masked(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(mask_times(s)),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.clone(), masked(v))).collect()),
        other => other.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_gives_the_golden_outputs() {
    let local = Local::start(demo(), &[("NOTIFY_WHEN", "always")]).await;
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for event in events() {
        let name = event.file_stem().unwrap().to_string_lossy().into_owned();
        let payload: Value = serde_json::from_str(&std::fs::read_to_string(&event).unwrap()).unwrap();
        // The command line's JSON is kept as text: its key order is part of what it prints.
        let [table, csv, json] = ["table", "csv", "json"]
            .map(|format| tokio::task::block_in_place(|| command_line(&local, &event, format)));
        let actual = masked(&json!({
            "lambda": lambda(&local, payload).await,
            "table": table,
            "csv": csv,
            "json": json,
        }));
        let path = golden_dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        if expected != actual {
            let got = std::env::temp_dir().join(format!("golden-{name}.json"));
            std::fs::write(&got, serde_json::to_string_pretty(&actual).unwrap()).unwrap();
            differ.push(format!(
                "{name}: differs from {} (got: {})",
                path.display(),
                got.display()
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

#[test]
fn times_are_masked_and_nothing_else() {
    assert_eq!(
        mask_times("at 2026-12-03T07:56:21Z, 2026-12-03T07:56:21.123456+00:00 and 2099-12-31"),
        "at <time>, <time> and 2099-12-31"
    );
}
