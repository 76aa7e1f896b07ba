//! The command-line mode: the built binary run as a person or a pipeline runs it, against
//! `lightsail-local`, with a clean environment (no AWS profile, no Runtime API).

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;
use serde_json::Value;

/// Runs the binary with `args` against `local`, as from a terminal with only the test
/// credentials in the environment; blocking, so on a blocking thread.
pub(crate) async fn cli(local: &Local, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let url = local.server.url();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let extra: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        // A home of its own: no ~/.aws profile reaches the run.
        let home = std::env::temp_dir().join("lightsail-key-audit-cli-home");
        std::fs::create_dir_all(&home).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_lightsail-key-audit"));
        command
            .args(&args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", CREDENTIAL_SECRET)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &url)
            .envs(extra);
        command.output().unwrap()
    })
    .await
    .unwrap()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// One clean bucket: a key created 10 days ago and used yesterday.
fn clean() -> lightsail_local::Fixture {
    fixture(vec![bucket(
        "clean-bucket",
        vec![key("AKIACLEAN0000000001", 10.0, Some(1.0))],
        vec![],
    )])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_a_pipeline_what_happened() {
    let clean = Local::start(clean(), &[]).await;
    assert_eq!(cli(&clean, &[], &[]).await.status.code(), Some(0), "nothing open");
    let demo = Local::start(demo(), &[]).await;
    let cases: [(&[&str], i32, &str); 5] = [
        (&["--bucket", "media-prod"], 1, "STALE"),
        (
            &["--bucket", "media-prod", "--bucket", "ghost"],
            3,
            "NotFoundException",
        ),
        (&["--bucket", "ghost"], 3, "no bucket could be audited"),
        (
            &["--stale-after-days", "-1"],
            2,
            "`staleAfterDays` must be a whole number of days from 0 to 3650",
        ),
        (&["--bogus"], 2, "unexpected argument '--bogus'"),
    ];
    for (args, code, text) in cases {
        let output = cli(&demo, args, &[]).await;
        assert_eq!(output.status.code(), Some(code), "{args:?}: {}", stderr(&output));
        let said = stdout(&output) + &stderr(&output);
        assert!(said.contains(text), "{args:?}: {said}");
    }
    let help = cli(&demo, &["--help"], &[]).await;
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("3  a bucket, its access, an account or a region could not be audited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_the_report_the_function_returns() {
    let local = Local::start(demo(), &[]).await;
    let output = cli(&local, &["--format", "json", "--region", "all"], &[]).await;
    let mut from_cli: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut from_function = local.audit(serde_json::json!({"regions": "all"})).await.unwrap();
    for report in [&mut from_cli, &mut from_function] {
        report["generatedAt"] = Value::Null;
    }
    assert_eq!(from_cli, from_function);
    assert!(
        !stderr(&output).contains("audited"),
        "no progress line off a terminal"
    );
    assert!(!stdout(&output).contains("_aws"), "no metrics record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_table_read_back_as_the_report_says() {
    let local = Local::start(demo(), &[]).await;
    let json: Value = serde_json::from_slice(&cli(&local, &["--format", "json"], &[]).await.stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("lka-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.csv");
    let output = cli(
        &local,
        &["--format", "csv", "--output", path.to_str().unwrap()],
        &[],
    )
    .await;
    assert!(output.stdout.is_empty(), "the report went to --output");
    let rows = parse_csv(&std::fs::read_to_string(&path).unwrap());
    let expected: usize = entries(&json)
        .iter()
        .map(|b| {
            b["keys"].as_array().unwrap().len()
                + b["findings"].as_array().unwrap().len()
                + b.get("error").map_or(0, |_| 1)
        })
        .sum();
    assert_eq!(
        rows.len(),
        expected + 1,
        "a header and a row per key, bucket finding and failed bucket"
    );
    assert_eq!(rows[0][3], "accessKeyId");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let table = stdout(&cli(&local, &[], &[("NO_COLOR", "1")]).await);
    let last = table.lines().last().unwrap();
    let audited = json["summary"]["bucketsAudited"].as_u64().unwrap();
    assert!(last.starts_with(&format!("{audited} buckets audited")), "{last}");
    assert!(!table.contains('\u{1b}'), "no colour off a terminal");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_event_runs_as_it_is() {
    let local = Local::start(demo(), &[]).await;
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    for entry in std::fs::read_dir(events).unwrap() {
        let path = entry.unwrap().path();
        let output = cli(
            &local,
            &["--event", path.to_str().unwrap(), "--format", "json"],
            &[],
        )
        .await;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "invalid-request.json" {
            assert_eq!(output.status.code(), Some(2), "{name}");
            assert!(
                stderr(&output).contains("did you mean `staleAfterDays`"),
                "{name}"
            );
            continue;
        }
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr(&output)));
        assert_eq!(report["reportVersion"], 1, "{name}");
        assert!(matches!(output.status.code(), Some(0 | 1 | 3)), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_runtime_api_no_argument_is_parsed() {
    let local = Local::start(clean(), &[]).await;
    // A Runtime API that refuses connections: the function starts, then fails to reach it.
    let output = cli(&local, &["--bogus"], &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")]).await;
    let said = stderr(&output) + &stdout(&output);
    assert!(!said.contains("unexpected argument"), "{said}");
    assert_ne!(output.status.code(), Some(2), "{said}");
}

/// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}
