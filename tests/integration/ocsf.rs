//! The OCSF export against a maintained validator: every event of every example event in
//! `events/` (against the demo estate), and of two tracked runs with the archive in moto (a
//! finding seen again, one resolved), passes `scripts/ocsf_check.py` (py-ocsf-models'
//! DetectionFinding and the checks its leniency leaves out), run with `.venv-moto`'s python.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::moto::Moto;
use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use lightsail_key_audit::{invoke, ocsf_lines, run_audit, Archive, Invocation, Outputs};
use lightsail_local::Fixture;
use serde_json::{json, Value};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BUCKET: &str = "audit-archive";
const PREFIX: &str = "audits/";
const STALE: &str = "AKIAMEDIA00000000001";
const IDLE: &str = "AKIAMEDIA00000000002";

/// The JSON Lines of every example event's report; an invalid request has none.
async fn example_lines() -> String {
    let local = Local::start(demo(), &[]).await;
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("events"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    let mut lines = String::new();
    for path in paths {
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let invocation = Invocation::at(Utc::now()).in_account(HOME_ACCOUNT);
        if let Ok(report) = run_audit(&local.lightsail, &local.config, &event, &invocation).await {
            lines += &ocsf_lines(&report);
        }
    }
    lines
}

/// media-prod with a stale key and a never-used one; `days` later, without the stale key.
fn estate(days: f64, with_stale: bool) -> Fixture {
    let mut keys = vec![key(IDLE, 30.0 + days, None)];
    if with_stale {
        keys.push(key(STALE, 200.0 + days, Some(100.0 + days)));
    }
    fixture(vec![bucket("media-prod", keys, vec![])])
}

/// One run at `now` archiving to moto, so it is tracked against the run before.
async fn tracked_run(moto: &Moto, fixture: Fixture, now: DateTime<Utc>) -> String {
    let local = Local::start(fixture, &[("REPORT_BUCKET", BUCKET), ("REPORT_PREFIX", PREFIX)]).await;
    let archive = Archive::new(&moto.sdk_config().await, BUCKET, PREFIX);
    let outputs = Outputs {
        notifier: None,
        archive: Some(&archive),
        security_hub: None,
    };
    let invocation = Invocation::at(now).in_account(HOME_ACCOUNT);
    let report = invoke(&local.lightsail, outputs, &local.config, &json!({}), &invocation)
        .await
        .unwrap();
    ocsf_lines(&report)
}

/// `lines` written to a file of the test's own, and checked; the checker's output.
pub(crate) fn checked(name: &str, lines: &str) -> String {
    let path = std::env::temp_dir().join(format!("lka-ocsf-{}-{name}.jsonl", std::process::id()));
    std::fs::write(&path, lines).unwrap();
    let python = Path::new(ROOT).join(".venv-moto/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `scripts/tools.sh .venv-moto requirements-moto.txt`",
        python.display()
    );
    let output = Command::new(python)
        .arg(Path::new(ROOT).join("scripts/ocsf_check.py"))
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name}: {stdout}{stderr}");
    std::fs::remove_file(&path).unwrap();
    stdout
}

/// (activity, finding uid) of every line.
fn activities(lines: &str) -> BTreeSet<(String, String)> {
    lines
        .lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap();
            let uid = event["finding_info"]["uid"].as_str().unwrap().to_owned();
            (event["activity_name"].as_str().unwrap().to_owned(), uid)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_events_findings_pass_the_ocsf_validator() {
    let lines = example_lines().await;
    let out = checked("examples", &lines);
    assert!(out.contains(" 0 problems"), "{out}");
    let found = activities(&lines);
    assert!(found.len() > 5, "the demo estate has findings: {found:?}");
    let statuses: BTreeSet<(String, String)> = lines
        .lines()
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap();
            let text = |field: &str| event[field].as_str().unwrap().to_owned();
            (text("activity_name"), text("status"))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [("Create", "New"), ("Close", "Suppressed")]
        .map(|(a, s)| (a.to_owned(), s.to_owned()))
        .into();
    assert_eq!(
        statuses, expected,
        "without an archive nothing is tracked, so every open finding is created; \
         events/with-suppressions.json closes the suppressed ones as suppressed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracked_runs_create_update_and_close_and_pass_the_ocsf_validator() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let day1 = Utc::now() - Duration::days(1);
    let first = tracked_run(&moto, estate(0.0, true), day1).await;
    let second = tracked_run(&moto, estate(1.0, false), day1 + Duration::days(1)).await;
    checked("first", &first);
    checked("second", &second);
    let id = |key: &str, code: &str| {
        format!("lightsail-key-audit/{HOME_ACCOUNT}/us-east-1/media-prod/{key}/{code}")
    };
    let first: BTreeSet<_> = activities(&first).into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        first,
        BTreeSet::from(["Create".to_owned()]),
        "a first run creates"
    );
    let second = activities(&second);
    for expected in [
        ("Update", id(IDLE, "NEVER_USED")),
        ("Close", id(STALE, "STALE")),
        ("Close", id(STALE, "ROTATION_DUE")),
    ] {
        let expected = (expected.0.to_owned(), expected.1);
        assert!(second.contains(&expected), "{expected:?} in {second:#?}");
    }
    assert!(
        second.iter().all(|(activity, _)| activity != "Create"),
        "nothing new on day 2: {second:#?}"
    );
}
