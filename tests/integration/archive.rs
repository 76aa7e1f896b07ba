//! The archive and change tracking with real parts: the function's S3 and SNS clients against
//! moto in server mode, its Lightsail client against lightsail-local, run after run.

use crate::common::moto::{Moto, Subscribed};
use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use lightsail_key_audit::{invoke, Archive, Invocation, Notifier, Outputs};
use lightsail_local::{FaultKind, Fixture};
use serde_json::{json, Value};

const BUCKET: &str = "audit-archive";
const PREFIX: &str = "audits/";

/// A moto with the archive's bucket and a topic an SQS queue subscribes to.
struct Estate {
    moto: Moto,
    topic: Subscribed,
}

impl Estate {
    async fn start() -> Self {
        let moto = Moto::start().await;
        moto.create_bucket(BUCKET).await;
        let topic = moto.topic_with_queue("lightsail-key-audit").await;
        Self { moto, topic }
    }

    /// One whole invocation at `now`, over `fixture`, with the estate's bucket and topic.
    async fn run(&self, fixture: Fixture, event: Value, now: DateTime<Utc>, vars: &[(&str, &str)]) -> Value {
        self.run_to(BUCKET, fixture, event, now, vars, None).await
    }

    /// One whole invocation at `now`, over `fixture`, archiving to `bucket` and publishing to
    /// `topic` (the estate's own when `None`).
    async fn run_to(
        &self,
        bucket: &str,
        fixture: Fixture,
        event: Value,
        now: DateTime<Utc>,
        vars: &[(&str, &str)],
        topic: Option<&str>,
    ) -> Value {
        // Configured as the stack configures it: the archive's bucket and prefix in the environment.
        let mut vars = vars.to_vec();
        vars.extend([("REPORT_BUCKET", bucket), ("REPORT_PREFIX", PREFIX)]);
        let local = Local::start(fixture, &vars).await;
        let sdk = self.moto.sdk_config().await;
        let archive = Archive::new(&sdk, bucket, PREFIX);
        let notifier = Notifier::new(&sdk, topic.unwrap_or(&self.topic.topic_arn).to_owned());
        let outputs = Outputs {
            notifier: Some(&notifier),
            archive: Some(&archive),
            security_hub: None,
        };
        let invocation = Invocation::at(now).in_account(HOME_ACCOUNT);
        let report = invoke(&local.lightsail, outputs, &local.config, &event, &invocation)
            .await
            .unwrap();
        serde_json::to_value(report).unwrap()
    }

    /// The report as the archive holds it, at the key the returned report names.
    async fn archived(&self, report: &Value) -> Value {
        let key = report["summary"]["archive"]["key"].as_str().unwrap();
        serde_json::from_slice(&self.moto.object(BUCKET, key).await.unwrap()).unwrap()
    }

    async fn state(&self) -> Option<Vec<u8>> {
        self.moto.object(BUCKET, &format!("{PREFIX}state.json")).await
    }
}

/// (bucket, key id or "-", code, firstSeen, new) of every finding, in report order.
fn marks(report: &Value) -> Vec<(String, String, String, Value, Value)> {
    let mut found = Vec::new();
    for bucket in entries(report) {
        let name = bucket["bucketName"].as_str().unwrap().to_owned();
        let bucket_level = bucket["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| ("-".to_owned(), f));
        let key_level = bucket["keys"].as_array().unwrap().iter().flat_map(|k| {
            let id = k["accessKeyId"].as_str().unwrap().to_owned();
            k["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |f| (id.clone(), f))
        });
        for (key, f) in bucket_level.chain(key_level).collect::<Vec<_>>() {
            let code = f["code"].as_str().unwrap().to_owned();
            found.push((name.clone(), key, code, f["firstSeen"].clone(), f["new"].clone()));
        }
    }
    found
}

fn stamp(at: DateTime<Utc>) -> Value {
    serde_json::to_value(at).unwrap()
}

fn resolved(report: &Value) -> Vec<(String, String, String)> {
    report["summary"]["resolvedFindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = r["accessKeyId"].as_str().unwrap_or("-").to_owned();
            (
                r["bucketName"].as_str().unwrap().to_owned(),
                key,
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const OLD: &str = "AKIAMEDIA00000000001";
const IDLE: &str = "AKIAMEDIA00000000002";
const FRESH: &str = "AKIAMEDIA00000000005";
const BACKUP: &str = "AKIABACKUP0000000003";
const LOGS: &str = "AKIALOGS000000000004";

/// Day 1: media-prod with a stale, overdue key and a never-used one; backups with an overdue
/// key; old-logs with a stale key.
fn day_one() -> Fixture {
    fixture(vec![
        bucket(
            "media-prod",
            vec![key(OLD, 200.0, Some(100.0)), key(IDLE, 30.0, None)],
            vec![],
        ),
        bucket("backups", vec![key(BACKUP, 200.0, Some(1.0))], vec![]),
        bucket("old-logs", vec![key(LOGS, 60.0, Some(50.0))], vec![]),
    ])
}

/// Day 2: the old media-prod key deleted and a new never-used one created; backups failing;
/// old-logs deleted.
fn day_two() -> Fixture {
    fixture(vec![
        bucket(
            "media-prod",
            vec![key(IDLE, 31.0, None), key(FRESH, 10.0, None)],
            vec![],
        ),
        bucket(
            "backups",
            vec![key(BACKUP, 201.0, Some(1.0))],
            vec![fault(FaultKind::ServerError, None)],
        ),
    ])
}

/// Day 3: backups answers again; nothing else changed.
fn day_three() -> Fixture {
    fixture(vec![
        bucket(
            "media-prod",
            vec![key(IDLE, 32.0, None), key(FRESH, 11.0, None)],
            vec![],
        ),
        bucket("backups", vec![key(BACKUP, 202.0, Some(1.0))], vec![]),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_runs_track_what_is_new_what_was_resolved_and_what_stayed() {
    let estate = Estate::start().await;
    let day1 = Utc::now();
    let (day2, day3) = (day1 + Duration::days(1), day1 + Duration::days(2));

    let first = estate.run(day_one(), json!({}), day1, &[]).await;
    assert_eq!(first["summary"]["changes"], "FIRST_RUN");
    assert!(
        marks(&first).iter().all(|m| m.3 == stamp(day1) && m.4 == true),
        "{:?}",
        marks(&first)
    );
    assert_eq!(first["summary"]["newFindings"], findings_total(&first));

    let second = estate.run(day_two(), json!({}), day2, &[]).await;
    assert_eq!(second["summary"]["changes"], "TRACKED");
    assert_eq!(
        marks(&second),
        [
            (
                "media-prod".into(),
                "-".into(),
                "MULTIPLE_ACTIVE_KEYS".into(),
                stamp(day1),
                json!(false)
            ),
            (
                "media-prod".into(),
                IDLE.into(),
                "NEVER_USED".into(),
                stamp(day1),
                json!(false)
            ),
            (
                "media-prod".into(),
                FRESH.into(),
                "NEVER_USED".into(),
                stamp(day2),
                json!(true)
            ),
        ]
    );
    assert_eq!(second["summary"]["newFindings"], 1);
    // The deleted key's findings and the deleted bucket's; the failing bucket resolves nothing.
    let mut gone = resolved(&second);
    gone.sort();
    assert_eq!(
        gone,
        [
            ("media-prod".into(), OLD.into(), "ROTATION_DUE".into()),
            ("media-prod".into(), OLD.into(), "STALE".into()),
            ("old-logs".into(), LOGS.into(), "STALE".into()),
        ]
    );
    assert_eq!(statuses(&second), ["AUDITED", "ERROR"]);

    let third = estate.run(day_three(), json!({}), day3, &[]).await;
    assert_eq!(third["summary"]["newFindings"], 0);
    assert_eq!(resolved(&third), []);
    let backup = marks(&third).into_iter().find(|m| m.1 == BACKUP).unwrap();
    assert_eq!(
        (backup.3, backup.4),
        (stamp(day1), json!(false)),
        "first seen on day 1, before it failed"
    );

    // Every report is in the archive, as returned.
    for report in [&first, &second, &third] {
        let archive = &report["summary"]["archive"];
        assert_eq!(archive["status"], "WRITTEN", "{archive}");
        let key = archive["key"].as_str().unwrap();
        let generated = report["generatedAt"].as_str().unwrap();
        assert_eq!(
            key,
            format!(
                "{PREFIX}reports/{}/{}/{}/{generated}.json",
                &generated[..4],
                &generated[5..7],
                &generated[8..10]
            )
        );
        assert_eq!(estate.moto.object_json(BUCKET, key).await, *report);
    }
    // NOTIFY_WHEN defaults to changes: day 1 (all new), day 2 (new, resolved, a failure); day 3
    // changed nothing.
    let published = estate.moto.published(&estate.topic.topic_arn).await;
    assert_eq!(published.len(), 2, "{published:?}");
    let email = published[1].email();
    assert!(
        email.contains("Since the last audit: 1 new findings, 3 resolved."),
        "{email}"
    );
    assert!(
        email.contains("RESOLVED FINDINGS (3)") && email.contains("AKIA…0001"),
        "{email}"
    );
    let chat: Value = serde_json::from_str(&published[1].variant("sqs")).unwrap();
    assert_eq!(
        chat["content"]["title"],
        "Lightsail key audit: 1 new, 3 resolved, 3 open, 1 not audited"
    );
    for message in published.iter().map(|p| &p.message) {
        for id in [OLD, IDLE, FRESH, BACKUP, LOGS] {
            assert!(!message.contains(id), "a whole key id reached people: {id}");
        }
    }
    // What the queue received is the chat notification, as Amazon Q Developer would.
    let delivered = estate.moto.messages(&estate.topic.queue_url).await;
    assert_eq!(delivered.len(), 2);
    let first_chat: Value = serde_json::from_str(&delivered[0]).unwrap();
    assert_eq!(
        (first_chat["version"].as_str(), first_chat["source"].as_str()),
        (Some("1.0"), Some("custom"))
    );
    assert_eq!(first_chat["metadata"]["threadId"], chat["metadata"]["threadId"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_that_cannot_be_read_is_never_overwritten() {
    let estate = Estate::start().await;
    let garbage = b"{\"version\": 1, \"buckets\": [".to_vec();
    estate
        .moto
        .put_object(BUCKET, &format!("{PREFIX}state.json"), garbage.clone())
        .await;
    let report = estate.run(day_one(), json!({}), Utc::now(), &[]).await;
    let summary = &report["summary"];
    assert_eq!(summary["changes"], "UNKNOWN");
    assert_eq!(
        summary["archive"]["status"], "WRITTEN",
        "the report is still archived"
    );
    assert_eq!(summary["archive"]["stateError"]["code"], "UnreadableState");
    assert_eq!(estate.archived(&report).await, report);
    assert_eq!(summary["resolvedFindings"], json!([]));
    assert!(marks(&report).iter().all(|m| m.3.is_null() && m.4.is_null()));
    assert_eq!(
        estate.state().await,
        Some(garbage),
        "history is never lost to what cannot be read"
    );
    // Without a known past, anything open is news: the summary still goes out.
    assert_eq!(estate.moto.published(&estate.topic.topic_arn).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_run_leaves_every_other_buckets_state_alone() {
    let estate = Estate::start().await;
    let day1 = Utc::now();
    estate.run(day_one(), json!({}), day1, &[]).await;
    let before: Value = serde_json::from_slice(&estate.state().await.unwrap()).unwrap();
    // Day 2 audits one named bucket, with no listing: nothing is known of the others.
    let second = estate
        .run(
            day_two(),
            json!({"bucketNames": ["media-prod"]}),
            day1 + Duration::days(1),
            &[],
        )
        .await;
    assert_eq!(resolved(&second).len(), 2, "only media-prod's deleted key");
    let after: Value = serde_json::from_slice(&estate.state().await.unwrap()).unwrap();
    let bucket_state = |state: &Value, name: &str| {
        state["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["bucketName"] == name)
            .cloned()
    };
    for name in ["backups", "old-logs"] {
        assert!(bucket_state(&before, name).is_some());
        assert_eq!(bucket_state(&after, name), bucket_state(&before, name), "{name}");
    }
    assert_ne!(
        bucket_state(&after, "media-prod"),
        bucket_state(&before, "media-prod")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_that_fails_never_costs_the_report_or_its_delivery() {
    let estate = Estate::start().await;
    let report = estate
        .run_to(
            "no-such-bucket",
            day_one(),
            json!({}),
            Utc::now(),
            &[("NOTIFY_WHEN", "findings")],
            None,
        )
        .await;
    let archive = &report["summary"]["archive"];
    assert_eq!(archive["status"], "FAILED", "{archive}");
    assert_eq!(archive["error"]["code"], "NoSuchBucket");
    assert_eq!(report["summary"]["changes"], "UNKNOWN");
    assert_eq!(
        report["summary"]["bucketsAudited"], 3,
        "the audit itself is whole"
    );
    assert_eq!(
        estate.moto.published(&estate.topic.topic_arn).await.len(),
        1,
        "people are still told"
    );
}

/// A scheduled run, then a day later an on-demand one with `overrides`, whose findings are not
/// the schedule's: its changes are not tracked and the state is left as it is. Its report.
async fn overridden_run(overrides: Value) -> Value {
    let estate = Estate::start().await;
    let day1 = Utc::now();
    estate.run(day_one(), json!({}), day1, &[]).await;
    let before = estate.state().await;
    let report = estate
        .run(day_one(), overrides, day1 + Duration::days(1), &[])
        .await;
    assert_eq!(report["summary"]["changes"], "UNKNOWN");
    assert_eq!(
        report["summary"]["archive"]["stateError"]["code"],
        "ThresholdsOverridden"
    );
    assert_eq!(estate.state().await, before, "the state is left as it is");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_other_thresholds_leaves_the_history_alone() {
    // On demand, with rotation due only after a year.
    let report = overridden_run(json!({"maxKeyAgeDays": 365})).await;
    assert_eq!(
        report["summary"]["resolvedFindings"],
        json!([]),
        "no false resolutions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_judging_sharing_against_other_accounts_leaves_the_history_alone() {
    let report = overridden_run(json!({"trustedAccountIds": ["444455556666"]})).await;
    let error = &report["summary"]["archive"]["stateError"];
    assert!(
        error["message"].as_str().unwrap().contains("trustedAccountIds"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_nobody_was_told_of_are_reported_again() {
    let estate = Estate::start().await;
    let day1 = Utc::now();
    let missing_topic = format!("arn:aws:sns:us-east-1:{HOME_ACCOUNT}:no-such-topic");
    let report = estate
        .run_to(BUCKET, day_one(), json!({}), day1, &[], Some(&missing_topic))
        .await;
    assert_eq!(
        report["summary"]["archive"]["status"], "WRITTEN",
        "the report is archived"
    );
    assert_eq!(
        report["summary"]["archive"]["stateError"]["code"],
        "StateNotAdvanced"
    );
    // Written beside the publish, then again once the publish failed: the archive says what
    // the caller was told.
    assert_eq!(estate.archived(&report).await, report);
    assert_eq!(
        estate.state().await,
        None,
        "the state does not record what nobody heard of"
    );
    let again = estate
        .run(day_one(), json!({}), day1 + Duration::days(1), &[])
        .await;
    assert_eq!(again["summary"]["changes"], "FIRST_RUN");
    assert_eq!(
        again["summary"]["newFindings"], report["summary"]["newFindings"],
        "told now"
    );
    assert_eq!(estate.moto.published(&estate.topic.topic_arn).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_archive_ocsf_each_run_files_its_findings_as_ocsf_lines_beside_the_report() {
    let estate = Estate::start().await;
    let day1 = Utc::now();
    let vars = [("ARCHIVE_OCSF", "true")];
    estate.run(day_one(), json!({}), day1, &vars).await;
    let report = estate
        .run(day_two(), json!({}), day1 + Duration::days(1), &vars)
        .await;
    let ocsf = &report["summary"]["archive"]["ocsf"];
    let key = ocsf["key"].as_str().unwrap();
    let stamp = report["generatedAt"].as_str().unwrap();
    assert_eq!(
        key,
        format!("{PREFIX}ocsf/{}/{stamp}.jsonl", &stamp[..10].replace('-', "/"))
    );
    assert!(ocsf.get("error").is_none(), "{ocsf}");
    assert_eq!(
        estate.archived(&report).await["summary"]["archive"]["ocsf"],
        *ocsf
    );
    let lines = String::from_utf8(estate.moto.object(BUCKET, key).await.unwrap()).unwrap();
    let activities: Vec<String> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["activity_name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let findings = findings_total(&report);
    let resolved = report["summary"]["resolvedFindings"].as_array().unwrap().len();
    assert!(resolved > 0, "day two resolves a finding of day one");
    assert_eq!(activities.len() as u64, findings + resolved as u64);
    assert_eq!(activities.iter().filter(|a| *a == "Close").count(), resolved);
    crate::ocsf::checked("archived", &lines);
}
