//! Holding under faults at scale, slow endpoints, deadlines and repeated failures, against
//! `lightsail-local` through the SDK's real HTTP stack, configured as in production.

use std::io::Write;
use std::time::{Duration, SystemTime};

use crate::common::*;
use chrono::Utc;
use lambda_runtime::{Context, LambdaEvent};
use lightsail_key_audit::{handle, run_audit, Invocation, Outputs};
use lightsail_local::FaultKind;
use serde_json::{json, Value};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_buckets_with_transient_faults_are_all_audited_in_order() {
    let names = numbered("fleet", 1000, 4);
    let fixture = buckets(&names, &[key("AKIAFLEET00000000001", 100.0, Some(60.0))], |i| {
        // 10% throttled twice, 5% answering 5xx once: within three attempts, all succeed.
        match i % 20 {
            0 | 1 => vec![fault(FaultKind::Throttle, Some(2))],
            2 => vec![fault(FaultKind::ServerError, Some(1))],
            _ => vec![],
        }
    });
    let local = Local::production_like(fixture, &[("MAX_CONCURRENCY", "16")], 3).await;

    let report = local.audit(json!({ "bucketNames": names })).await.unwrap();
    assert!(
        statuses(&report).iter().all(|s| *s == "AUDITED"),
        "{:?}",
        report["summary"]
    );
    assert_eq!(bucket_names(&report), names, "none lost, duplicated or reordered");
    assert_eq!(report["summary"]["findings"]["STALE"], 1000);
    assert_eq!(
        local.calls()[1],
        1000 + 100 * 2 + 50,
        "each fault retried as often as it failed"
    );
    let rss = peak_rss_kib();
    let _ = writeln!(
        std::io::stderr(),
        "resilience: 1000 buckets, 250 faults retried, all audited; peak RSS of the test process {} KiB",
        rss
    );
    assert!(rss < 512 * 1024, "memory stays bounded: {rss} KiB");
}

#[tokio::test]
async fn permanent_faults_end_each_bucket_with_its_own_code_and_none_is_lost() {
    // (fault, its code, the calls it costs): throttling and 5xx are retried (3 attempts each);
    // the rest are final at once.
    let kinds = [
        (FaultKind::AccessDenied, "AccessDeniedException", 1),
        (FaultKind::NotFound, "NotFoundException", 1),
        (FaultKind::Unauthenticated, "UnauthenticatedException", 1),
        (FaultKind::Throttle, "ThrottlingException", 3),
        (FaultKind::ServerError, "ServiceException", 3),
        (FaultKind::MalformedBody, "MalformedResponse", 1),
        (FaultKind::HtmlBody, "MalformedResponse", 1),
        (
            FaultKind::RegionSetupInProgress,
            "RegionSetupInProgressException",
            1,
        ),
    ];
    // Every ninth bucket is healthy.
    let kind = |i: usize| kinds.get(i % 9);
    let names = numbered("broken", 200, 3);
    let fixture = buckets(&names, &[key("AKIABROKEN0000000001", 1.0, Some(1.0))], |i| {
        kind(i).map(|k| fault(k.0, None)).into_iter().collect()
    });
    let local = Local::production_like(fixture, &[], 3).await;
    let report = local.audit(json!({ "bucketNames": names })).await.unwrap();
    let expected: Vec<(String, String)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), kind(i).map_or("AUDITED", |k| k.1).to_owned()))
        .collect();
    assert_eq!(outcomes(&report), expected);
    let calls: u64 = (0..names.len()).map(|i| kind(i).map_or(1, |k| k.2)).sum();
    assert_eq!(local.calls()[1], calls, "only throttling and 5xx are retried");
}

#[tokio::test]
async fn a_slow_endpoint_costs_the_attempt_timeout_not_the_invocation() {
    let fixture = fixture(vec![
        bucket("slow-one", vec![], vec![latency(30_000)]),
        bucket("fast-one", vec![], vec![]),
    ]);
    let vars = [("ATTEMPT_TIMEOUT_MS", "200"), ("OPERATION_TIMEOUT_MS", "1000")];
    let local = Local::production_like(fixture, &vars, 2).await;
    let report = local
        .audit(json!({"bucketNames": ["slow-one", "fast-one"]}))
        .await
        .unwrap();
    assert_eq!(
        outcomes(&report),
        [
            ("slow-one".to_owned(), "Timeout".to_owned()),
            ("fast-one".to_owned(), "AUDITED".to_owned())
        ]
    );
    let message = report["buckets"][0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("timeout"), "{message}");
}

#[tokio::test]
async fn at_the_deadline_the_rest_is_skipped_and_the_report_still_returned() {
    let names = numbered("late", 20, 2);
    let mut fixture = buckets(&names, &[], |_| vec![]);
    fixture.faults.push(latency(150));
    let vars = [("MAX_CONCURRENCY", "2"), ("DEADLINE_MARGIN_MS", "300")];
    let local = Local::production_like(fixture, &vars, 1).await;
    // 2 at a time, 150 ms each: about 6 buckets fit before the cutoff, 14 do not.
    let invocation = Invocation::at(Utc::now()).ending_at(SystemTime::now() + Duration::from_millis(800));
    let report = run_audit(
        &local.lightsail,
        &local.config,
        &json!({ "bucketNames": names }),
        &invocation,
    )
    .await
    .unwrap();
    let report = serde_json::to_value(report).unwrap();
    assert_eq!(
        bucket_names(&report),
        names,
        "every bucket is in the report, in order"
    );
    let summary = &report["summary"];
    let (audited, skipped) = (
        summary["bucketsAudited"].as_u64().unwrap(),
        summary["bucketsSkipped"].as_u64().unwrap(),
    );
    assert!(audited >= 1 && skipped >= 1, "{summary}");
    assert_eq!(audited + skipped, 20, "{summary}");
    assert_eq!(summary["bucketsFailed"], 0);
    let skipped_entry = entries(&report)
        .iter()
        .find(|b| b["status"] == "SKIPPED")
        .unwrap();
    assert_eq!(skipped_entry["error"]["code"], "DeadlineExceeded");
    assert!(skipped_entry["error"]["message"]
        .as_str()
        .unwrap()
        .contains("300 ms"));
}

#[tokio::test]
async fn the_process_keeps_serving_after_every_kind_of_failed_invocation() {
    let local = Local::start(demo(), &[]).await;
    let invoke = |payload: Value| {
        let local = &local;
        async move {
            handle(
                &local.lightsail,
                Outputs::default(),
                &local.config,
                LambdaEvent::new(payload, Context::default()),
            )
            .await
        }
    };
    for round in 0..3 {
        let invalid = invoke(json!({"bucketNames": "media-prod"})).await.unwrap_err();
        assert_eq!(invalid.error_type(), "InvalidRequest", "round {round}");
        let failed = invoke(json!({"bucketNames": ["ghost"]})).await.unwrap_err();
        assert_eq!(failed.error_type(), "AuditFailed", "round {round}");
        let report = invoke(json!({"bucketNames": ["media-prod"]})).await.unwrap();
        assert_eq!(report.summary().buckets_audited, 1, "round {round}");
    }
}

#[tokio::test]
async fn hostile_bucket_names_fail_only_themselves() {
    let local = Local::start(demo(), &[]).await;
    let mut names: Vec<String> = [
        "médiaprod",
        "MEDIA-PROD",
        "ab",
        &"a".repeat(55),
        "-backups",
        "backups-",
        "bu\ncket",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.extend(std::iter::repeat_n("media-prod".to_owned(), 10_000));
    let report = local.audit(json!({ "bucketNames": names })).await.unwrap();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 8, "10,000 duplicates are one bucket");
    assert!(
        outcomes[..7].iter().all(|(_, code)| code == "InvalidBucketName"),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[7], ("media-prod".to_owned(), "AUDITED".to_owned()));
    assert_eq!(local.calls()[1], 1, "only the valid name was sent");
}

#[tokio::test]
async fn a_huge_bucket_name_is_clipped_in_the_log_line() {
    let local = Local::start(demo(), &[]).await;
    let huge = "a".repeat(100_000);
    let (captured, _guard) = capture_logs(true);
    let report = local
        .audit(json!({ "bucketNames": [huge, "media-prod"] }))
        .await
        .unwrap();
    assert_eq!(
        report["buckets"][0]["bucketName"].as_str().map(str::len),
        Some(100_000)
    );
    let logs = captured.text();
    let warn = logs
        .lines()
        .find(|l| l.contains("bucket audit failed"))
        .expect("a WARN line for the huge name");
    assert!(warn.len() < 1_000, "a {}-byte log line", warn.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_storm_does_not_exhaust_the_retries() {
    // 60% of 500 buckets throttled twice: 600 retries. The SDK's default retry quota (500
    // tokens, 5 per retry) would give up on about half of them; ours is unbounded, the load
    // being bounded by MAX_CONCURRENCY and MAX_ATTEMPTS instead.
    let names = numbered("storm", 500, 3);
    let fixture = buckets(&names, &[], |i| {
        if i % 5 < 3 {
            vec![fault(FaultKind::Throttle, Some(2))]
        } else {
            vec![]
        }
    });
    let local = Local::production_like(fixture, &[("MAX_CONCURRENCY", "16")], 3).await;
    let report = local.audit(json!({ "bucketNames": names })).await.unwrap();
    assert_eq!(report["summary"]["bucketsAudited"], 500, "{}", report["summary"]);
}
