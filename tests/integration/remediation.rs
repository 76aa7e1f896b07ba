//! Remediation end to end, run after run: the function's Lightsail client against one
//! lightsail-local (which deletes keys for good and records each deletion), its S3 and SNS
//! clients against moto (the change-tracking state, the archive, the summary). Each guard has
//! a test that fails when the guard is removed.

use std::time::{Duration, SystemTime};

use crate::cli::{cli, stderr, stdout};
use crate::common::moto::{Moto, Subscribed};
use crate::common::*;
use chrono::{DateTime, Utc};
use lightsail_key_audit::{invoke, Archive, Invocation, Notifier, Outputs};
use lightsail_local::{BucketFixture, Fault, FaultKind, KeyFixture, LastUsedChange, RoleFixture};
use serde_json::{json, Value};

const BUCKET: &str = "audit-archive";
const PREFIX: &str = "audits/";
/// The keys remediation is after: Inactive and last used 100 days ago (`INACTIVE`).
const IDLE: &str = "AKIAIDLEKEY000000001";
/// The bucket's key in use.
const IN_USE: &str = "AKIAINUSEKEY00000001";

/// One estate: lightsail-local, kept across runs so a deletion lasts, and moto.
struct Estate {
    local: Local,
    moto: Moto,
    topic: Subscribed,
    /// The first run's time; run `n` days later is `start + n days`.
    start: DateTime<Utc>,
}

impl Estate {
    async fn start(buckets: Vec<BucketFixture>) -> Self {
        let moto = Moto::start().await;
        moto.create_bucket(BUCKET).await;
        let topic = moto.topic_with_queue("lightsail-key-audit").await;
        Self {
            local: Local::start(fixture(buckets), &[]).await,
            moto,
            topic,
            start: Utc::now(),
        }
    }

    /// One whole invocation `day` days after the first, configured with `vars` as well as the
    /// archive.
    async fn run(&self, day: i64, vars: &[(&str, &str)]) -> Value {
        self.run_until(day, vars, None).await
    }

    /// As [`Self::run`], with Lambda's deadline at `deadline`.
    async fn run_until(&self, day: i64, vars: &[(&str, &str)], deadline: Option<SystemTime>) -> Value {
        let mut vars = vars.to_vec();
        let topic = self.topic.topic_arn.as_str();
        vars.extend([
            ("REPORT_BUCKET", BUCKET),
            ("REPORT_PREFIX", PREFIX),
            ("NOTIFY_TOPIC_ARN", topic),
        ]);
        let config = config(&vars);
        let sdk = self.moto.sdk_config().await;
        let archive = Archive::new(&sdk, BUCKET, PREFIX);
        let notifier = Notifier::new(&sdk, self.topic.topic_arn.clone());
        let outputs = Outputs {
            notifier: Some(&notifier),
            archive: Some(&archive),
            security_hub: None,
        };
        let mut invocation =
            Invocation::at(self.start + chrono::Duration::days(day)).in_account(HOME_ACCOUNT);
        if let Some(deadline) = deadline {
            invocation = invocation.ending_at(deadline);
        }
        let report = invoke(&self.local.lightsail, outputs, &config, &json!({}), &invocation)
            .await
            .unwrap();
        serde_json::to_value(report).unwrap()
    }

    /// The key ids deleted so far, in order.
    fn deleted(&self) -> Vec<String> {
        self.local
            .server
            .deletions()
            .into_iter()
            .map(|d| d.access_key_id)
            .collect()
    }

    /// The email of the last summary published.
    async fn last_email(&self) -> String {
        let published = self.moto.published(&self.topic.topic_arn).await;
        published.last().map(|p| p.email()).unwrap_or_default()
    }
}

/// `name` holding an `INACTIVE` key (`idle`) and a key in use.
fn idle_bucket(name: &str, idle: &str) -> BucketFixture {
    bucket(name, vec![inactive(idle), key(IN_USE, 20.0, Some(1.0))], vec![])
}

/// An Inactive key created 200 days ago, last used 100 days ago.
fn inactive(id: &str) -> KeyFixture {
    KeyFixture {
        status: "Inactive".into(),
        ..key(id, 200.0, Some(100.0))
    }
}

/// (key id, status, reason) of every action.
fn actions(report: &Value) -> Vec<(String, String, String)> {
    report["remediation"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let text = |field: &str| a[field].as_str().unwrap_or_default().to_owned();
            (text("accessKeyId"), text("status"), text("reason"))
        })
        .collect()
}

/// The one action's status and reason.
fn only_action(report: &Value) -> (String, String) {
    let actions = actions(report);
    assert_eq!(actions.len(), 1, "{actions:?}");
    let (_, status, reason) = actions.into_iter().next().unwrap();
    (status, reason)
}

/// The key ids of every audited bucket's keys.
fn listed_keys(report: &Value) -> Vec<&str> {
    entries(report)
        .iter()
        .flat_map(|b| b["keys"].as_array().unwrap())
        .map(|k| k["accessKeyId"].as_str().unwrap())
        .collect()
}

const DELETE: (&str, &str) = ("REMEDIATION", "delete");

#[tokio::test]
async fn a_key_is_warned_about_for_the_days_given_then_deleted_and_its_findings_resolved_by_remediation() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    let first = estate.run(0, &[DELETE]).await;
    let (status, reason) = only_action(&first);
    let due = (estate.start + chrono::Duration::days(14)).date_naive();
    assert_eq!(status, "PLANNED");
    assert_eq!(
        reason,
        format!("will be deleted on {due} unless suppressed or used")
    );
    assert_eq!(first["remediation"]["mode"], "delete");
    let email = estate.last_email().await;
    assert!(
        email.contains("/ AKIA…0001 / INACTIVE / 200 / ") && email.contains(&reason),
        "every notification listing the finding warns: {email}"
    );

    // Day 13: younger than REMEDIATE_AFTER_DAYS since firstSeen, so not deleted.
    let early = estate.run(13, &[DELETE]).await;
    assert_eq!(only_action(&early).0, "PLANNED");
    assert!(estate.deleted().is_empty());

    let day15 = estate.run(15, &[DELETE]).await;
    assert_eq!(
        only_action(&day15),
        (
            "DELETED".into(),
            "deleted: INACTIVE and unchanged at a fresh read".into()
        )
    );
    assert_eq!(estate.deleted(), [IDLE]);
    assert_eq!(listed_keys(&day15), [IN_USE], "the deleted key left its bucket");
    let resolved = &day15["summary"]["resolvedFindings"];
    assert_eq!(resolved.as_array().unwrap().len(), 1, "{resolved}");
    assert_eq!(
        (
            &resolved[0]["accessKeyId"],
            &resolved[0]["code"],
            &resolved[0]["resolvedBy"]
        ),
        (&json!(IDLE), &json!("INACTIVE"), &json!("remediation"))
    );
    assert_eq!(day15["summary"]["remediation"]["DELETED"], 1);
    let key = day15["summary"]["archive"]["key"].as_str().unwrap();
    let archived = estate.moto.object_json(BUCKET, key).await;
    assert_eq!(
        archived["remediation"], day15["remediation"],
        "the archive keeps the record"
    );
    let email = estate.last_email().await;
    assert!(
        email.contains("KEYS DELETED BY REMEDIATION (1)\n- media (123456789012, us-east-1) / AKIA…0001 / INACTIVE / deleted"),
        "{email}"
    );
    assert!(!email.contains(IDLE), "masked: {email}");

    // The next run: the key is gone for good, and nothing is left to do or resolve.
    let day16 = estate.run(16, &[DELETE]).await;
    assert!(actions(&day16).is_empty());
    assert_eq!(day16["summary"]["resolvedFindings"], json!([]));
    let state = estate
        .moto
        .object(BUCKET, &format!("{PREFIX}state.json"))
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&state).contains(IDLE),
        "the state forgot it"
    );
}

#[tokio::test]
async fn plan_deletes_nothing() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    let plan = [("REMEDIATION", "plan")];
    estate.run(0, &plan).await;
    let report = estate.run(15, &plan).await;
    let since = (estate.start + chrono::Duration::days(14)).date_naive();
    assert_eq!(
        only_action(&report),
        (
            "PLANNED".into(),
            format!(
                "eligible since {since}: will be deleted unless suppressed or used, once REMEDIATION=delete (plan deletes nothing)"
            )
        )
    );
    assert!(estate.deleted().is_empty());
    assert_eq!(listed_keys(&report), [IDLE, IN_USE]);
}

#[tokio::test]
async fn a_key_used_between_the_audit_and_the_re_read_is_not_deleted() {
    // Two audit reads serve the key as it was; the third, the re-read of day 15, a use 60
    // days ago: still INACTIVE by the thresholds, but used since the audit read it.
    let used = KeyFixture {
        last_used_after_reads: Some(LastUsedChange {
            reads: 2,
            last_used_days_ago: 60.0,
            last_used_service: None,
            last_used_region: None,
        }),
        ..inactive(IDLE)
    };
    let estate = Estate::start(vec![bucket(
        "media",
        vec![used, key(IN_USE, 20.0, Some(1.0))],
        vec![],
    )])
    .await;
    estate.run(0, &[DELETE]).await;
    let report = estate.run(15, &[DELETE]).await;
    let (status, reason) = only_action(&report);
    assert_eq!(status, "SKIPPED");
    assert!(
        reason.starts_with("used since the audit read it: lastUsed was "),
        "{reason}"
    );
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn a_suppressed_key_is_not_deleted() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    let suppressions =
        json!([{"accessKeyId": IDLE, "codes": ["INACTIVE"], "reason": "kept for the disaster-recovery drill",
                               "expires": "2099-12-31"}])
        .to_string();
    let vars = [DELETE, ("SUPPRESSIONS_JSON", suppressions.as_str())];
    estate.run(0, &vars).await;
    let report = estate.run(15, &vars).await;
    assert_eq!(
        only_action(&report),
        (
            "SKIPPED".into(),
            "suppressed until 2099-12-31: kept for the disaster-recovery drill".into()
        )
    );
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn the_only_active_key_is_not_deleted_for_stale() {
    // A stale Active key beside an Inactive one: the bucket's only Active key.
    let stale = key(IDLE, 200.0, Some(100.0));
    let other = KeyFixture {
        status: "Inactive".into(),
        ..key(IN_USE, 20.0, None)
    };
    let estate = Estate::start(vec![bucket("media", vec![stale, other], vec![])]).await;
    let vars = [DELETE, ("REMEDIATE_CODES", "STALE")];
    estate.run(0, &vars).await;
    let report = estate.run(15, &vars).await;
    let (status, reason) = only_action(&report);
    assert_eq!(status, "SKIPPED");
    assert!(reason.starts_with("the bucket's only Active key"), "{reason}");
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn remediate_max_keys_defers_the_rest_to_the_next_run() {
    let ids = [
        "AKIAIDLEKEY000000001",
        "AKIAIDLEKEY000000002",
        "AKIAIDLEKEY000000003",
    ];
    let buckets = ids
        .iter()
        .enumerate()
        .map(|(i, id)| idle_bucket(&format!("media-{i}"), id))
        .collect();
    let estate = Estate::start(buckets).await;
    let vars = [DELETE, ("REMEDIATE_MAX_KEYS", "2")];
    estate.run(0, &vars).await;
    let report = estate.run(15, &vars).await;
    let statuses: Vec<(String, String)> = actions(&report).into_iter().map(|(k, s, _)| (k, s)).collect();
    assert_eq!(
        statuses,
        [
            (ids[0].into(), "DELETED".into()),
            (ids[1].into(), "DELETED".into()),
            (ids[2].into(), "DEFERRED".into())
        ]
    );
    assert_eq!(estate.deleted(), &ids[..2]);
    let next = estate.run(16, &vars).await;
    assert_eq!(only_action(&next).0, "DELETED");
    assert_eq!(estate.deleted(), ids);
}

#[tokio::test]
async fn a_denied_deletion_is_failed_and_the_report_is_whole() {
    let denied = Fault {
        operations: Some(vec!["DeleteBucketAccessKey".into()]),
        ..fault(FaultKind::AccessDenied, None)
    };
    let mut media = idle_bucket("media", IDLE);
    media.faults = vec![denied];
    let estate = Estate::start(vec![media, idle_bucket("backups", "AKIAIDLEKEY000000002")]).await;
    estate.run(0, &[DELETE]).await;
    let plan = estate.run(15, &[("REMEDIATION", "plan")]).await;
    let report = estate.run(15, &[DELETE]).await;
    let outcomes: Vec<(String, String)> = actions(&report).into_iter().map(|(k, s, _)| (k, s)).collect();
    assert_eq!(
        outcomes,
        [
            ("AKIAIDLEKEY000000002".into(), "DELETED".into()),
            (IDLE.into(), "FAILED".into())
        ],
        "the run goes on past a failure"
    );
    let failed = &actions(&report)[1].2;
    assert!(failed.starts_with("AccessDeniedException: "), "{failed}");
    // Everything else is as the plan read it, the denied key listed with its finding.
    let media = |r: &Value| {
        entries(r)
            .iter()
            .find(|b| b["bucketName"] == "media")
            .cloned()
            .unwrap()
    };
    assert_eq!(media(&report)["keys"], media(&plan)["keys"]);
    assert_eq!(report["summary"]["findings"]["INACTIVE"], 1);
    assert_eq!(report["summary"]["remediation"]["FAILED"], 1);
    assert_eq!(report["summary"]["archive"]["status"], "WRITTEN");
    let email = estate.last_email().await;
    assert!(
        email.contains("KEY DELETIONS THAT FAILED (1)\n- media (123456789012, us-east-1) / AKIA…0001 / INACTIVE / not deleted: AccessDeniedException"),
        "{email}"
    );
}

#[tokio::test]
async fn the_deadline_defers() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    estate.run(0, &[DELETE]).await;
    // Enough for the audit; not for a fresh read and a deletion (twice OPERATION_TIMEOUT_MS).
    let vars = [DELETE, ("OPERATION_TIMEOUT_MS", "20000")];
    let deadline = SystemTime::now() + Duration::from_secs(12);
    let report = estate.run_until(15, &vars, Some(deadline)).await;
    let (status, reason) = only_action(&report);
    assert_eq!(status, "DEFERRED");
    assert!(reason.starts_with("not started: less than 40000 ms"), "{reason}");
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn switching_remediation_on_warns_first_even_when_nothing_else_changed() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    // Open for 30 days with remediation off: no deletion date was ever announced.
    estate.run(0, &[]).await;
    estate.run(29, &[]).await;
    let sent = estate.moto.published(&estate.topic.topic_arn).await.len();
    let report = estate.run(30, &[DELETE]).await;
    let due = (estate.start + chrono::Duration::days(44)).date_naive();
    assert_eq!(
        only_action(&report),
        (
            "PLANNED".into(),
            format!("will be deleted on {due} unless suppressed or used")
        )
    );
    assert_eq!(report["summary"]["newFindings"], 0, "nothing else is news");
    assert_eq!(
        estate.moto.published(&estate.topic.topic_arn).await.len(),
        sent + 1,
        "the warning is sent"
    );
    assert!(estate
        .last_email()
        .await
        .contains(&format!("will be deleted on {due}")));
    let next = estate.run(31, &[DELETE]).await;
    assert_eq!(
        only_action(&next).1,
        format!("will be deleted on {due} unless suppressed or used"),
        "the date holds"
    );
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn a_state_that_cannot_be_read_dates_nothing_and_deletes_nothing() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    estate.run(0, &[DELETE]).await;
    estate
        .moto
        .put_object(BUCKET, &format!("{PREFIX}state.json"), "not a state")
        .await;
    let report = estate.run(15, &[DELETE]).await;
    let action = &report["remediation"]["actions"][0];
    assert_eq!(
        (&action["status"], &action["eligibleAt"]),
        (&json!("PLANNED"), &Value::Null)
    );
    assert!(estate.deleted().is_empty());
}

#[tokio::test]
async fn a_member_account_s_key_is_deleted_with_the_member_role() {
    let member = "210987654321";
    let role = "arn:aws:iam::210987654321:role/LightsailKeyAudit";
    let estate = {
        let buckets = vec![bucket_in(
            "member-media",
            "us-east-1",
            Some(member),
            vec![inactive(IDLE)],
            vec![],
        )];
        let mut fixture = fixture(buckets);
        fixture.roles.insert(role.into(), RoleFixture::default());
        let moto = Moto::start().await;
        moto.create_bucket(BUCKET).await;
        let topic = moto.topic_with_queue("lightsail-key-audit").await;
        Estate {
            local: Local::start(fixture, &[]).await,
            moto,
            topic,
            start: Utc::now(),
        }
    };
    let vars = [DELETE, ("AUDIT_ROLE_ARNS", role)];
    estate.run(0, &vars).await;
    let report = estate.run(15, &vars).await;
    // The member's only key, and Inactive: INACTIVE is deleted whatever the Active count.
    assert_eq!(only_action(&report).0, "DELETED", "{report}");
    let deletions = estate.local.server.deletions();
    let deleted: Vec<(&str, &str)> = deletions
        .iter()
        .map(|d| (d.account_id.as_str(), d.access_key_id.as_str()))
        .collect();
    assert_eq!(deleted, [(member, IDLE)], "signed as the member, in its account");
}

// The command line: the same remediation, the state read from the function's archive.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_deletes_with_yes_reading_the_state_it_never_writes() {
    let estate = Estate::start(vec![idle_bucket("media", IDLE)]).await;
    // The schedule first saw the finding 15 days ago.
    estate.run(-15, &[("REMEDIATION", "plan")]).await;
    let state_key = format!("{PREFIX}state.json");
    let state = estate.moto.object(BUCKET, &state_key).await;
    let flags = [
        "--remediate",
        "delete",
        "--yes",
        "--report-bucket",
        BUCKET,
        "--report-prefix",
        PREFIX,
        "--format",
        "json",
    ];
    // An operator whose environment judges otherwise than the function deletes nothing.
    let other = [
        ("AWS_ENDPOINT_URL_S3", estate.moto.url()),
        ("STALE_AFTER_DAYS", "30"),
    ];
    let refused = cli(&estate.local, &flags, &other).await;
    let refused: Value = serde_json::from_str(&stdout(&refused)).unwrap();
    let (status, reason) = only_action(&refused);
    assert_eq!(status, "SKIPPED");
    assert!(
        reason.contains("differ from the function's last scheduled run"),
        "{reason}"
    );
    assert!(estate.deleted().is_empty());
    let output = cli(
        &estate.local,
        &flags,
        &[("AWS_ENDPOINT_URL_S3", estate.moto.url())],
    )
    .await;
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(only_action(&report).0, "DELETED", "{}", stderr(&output));
    assert_eq!(estate.deleted(), [IDLE]);
    assert_eq!(
        report["summary"]["resolvedFindings"][0]["resolvedBy"],
        "remediation"
    );
    assert!(
        stderr(&output).contains(&format!("DELETED media (123456789012 us-east-1) {IDLE} INACTIVE")),
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0), "nothing open is left");
    assert_eq!(
        estate.moto.object(BUCKET, &state_key).await,
        state,
        "read, never written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_refuses_an_unsafe_delete_and_plans_without_the_archive() {
    let local = Local::start(fixture(vec![idle_bucket("media", IDLE)]), &[]).await;
    let piped = cli(&local, &["--remediate", "delete", "--report-bucket", BUCKET], &[]).await;
    assert_eq!(piped.status.code(), Some(2));
    assert!(
        stderr(&piped).contains("stdin is not one: pass --yes"),
        "{}",
        stderr(&piped)
    );
    let no_archive = cli(&local, &["--remediate", "delete", "--yes"], &[]).await;
    assert_eq!(no_archive.status.code(), Some(2));
    assert!(
        stderr(&no_archive).contains("give --report-bucket"),
        "{}",
        stderr(&no_archive)
    );
    assert!(
        local.server.deletions().is_empty() && local.calls()[1] == 0,
        "nothing was read"
    );

    let plan = cli(
        &local,
        &["--remediate", "plan", "--format", "json"],
        &[("REMEDIATION", "delete")],
    )
    .await;
    let report: Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert_eq!(
        report["remediation"]["mode"], "plan",
        "the flag, not the function's REMEDIATION"
    );
    let action = &report["remediation"]["actions"][0];
    assert_eq!(
        (&action["status"], &action["eligibleAt"]),
        (&json!("PLANNED"), &Value::Null)
    );
    assert!(
        stderr(&plan).contains("Remediation (plan): 1 PLANNED"),
        "{}",
        stderr(&plan)
    );
}
