//! Holding under faults at scale, slow endpoints, deadlines and repeated failures, against
//! `lightsail-local` through the SDK's real HTTP stack, configured as in production.

mod common;

use std::io::Write;
use std::time::{Duration, SystemTime};

use aws_sdk_lightsail::config::retry::RetryConfig;
use aws_sdk_lightsail::config::{Credentials, Region};
use chrono::Utc;
use common::*;
use lambda_runtime::{Context, LambdaEvent};
use lightsail_key_audit::{handle, run_audit, Config, Invocation, Lightsail};
use lightsail_local::{Fault, FaultKind, Server};
use serde_json::{json, Value};

/// The production AWS configuration (`Config::aws_loader`: retries, timeouts) pointed at the
/// stand-in, with millisecond backoff instead of seconds.
async fn production_like(server: &Server, config: &Config, max_attempts: u32) -> Lightsail {
    let sdk = config
        .aws_loader()
        .region(Region::new("us-east-1"))
        .endpoint_url(server.url())
        .credentials_provider(Credentials::new(
            ACCESS_KEY,
            CREDENTIAL_SECRET,
            None,
            None,
            "tests",
        ))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(max_attempts)
                .with_initial_backoff(Duration::from_millis(2)),
        )
        .load()
        .await;
    Lightsail::new(&sdk).unwrap()
}

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

fn names_in_report(report: &Value) -> Vec<String> {
    report["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bucketName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_buckets_with_transient_faults_are_all_audited_in_order() {
    let names: Vec<String> = (0..1000).map(|i| format!("fleet-{i:04}")).collect();
    let buckets = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            // 10% throttled twice, 5% answering 5xx once: within three attempts, all succeed.
            let faults = match i % 20 {
                0 | 1 => vec![fault(FaultKind::Throttle, Some(2))],
                2 => vec![fault(FaultKind::ServerError, Some(1))],
                _ => vec![],
            };
            bucket(name, vec![key("AKIAFLEET00000000001", 100.0, Some(60.0))], faults)
        })
        .collect();
    let server = Server::start(fixture(buckets), loopback()).await.unwrap();
    let config = config(&[("MAX_CONCURRENCY", "16")]);
    let lightsail = production_like(&server, &config, 3).await;

    let report = audit(&lightsail, &config, json!({ "bucketNames": names }))
        .await
        .unwrap();
    let statuses: Vec<&str> = report["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == "AUDITED"),
        "{:?}",
        report["summary"]
    );
    assert_eq!(
        names_in_report(&report),
        names,
        "none lost, duplicated or reordered"
    );
    assert_eq!(report["summary"]["findings"]["STALE"], 1000);
    assert_eq!(
        server.stats().operations[1],
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
    let kinds = [
        (FaultKind::AccessDenied, "AccessDeniedException"),
        (FaultKind::NotFound, "NotFoundException"),
        (FaultKind::Unauthenticated, "UnauthenticatedException"),
        (FaultKind::Throttle, "ThrottlingException"),
        (FaultKind::ServerError, "ServiceException"),
        (FaultKind::MalformedBody, "MalformedResponse"),
        (FaultKind::HtmlBody, "MalformedResponse"),
        (FaultKind::RegionSetupInProgress, "RegionSetupInProgressException"),
    ];
    let names: Vec<String> = (0..200).map(|i| format!("broken-{i:03}")).collect();
    let buckets = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let faults = match i % 9 {
                8 => vec![],
                k => vec![fault(kinds[k].0, None)],
            };
            bucket(name, vec![key("AKIABROKEN0000000001", 1.0, Some(1.0))], faults)
        })
        .collect();
    let server = Server::start(fixture(buckets), loopback()).await.unwrap();
    let config = config(&[]);
    let report = audit(
        &production_like(&server, &config, 3).await,
        &config,
        json!({ "bucketNames": names }),
    )
    .await
    .unwrap();
    for (i, outcome) in outcomes(&report).iter().enumerate() {
        let expected = match i % 9 {
            8 => "AUDITED",
            k => kinds[k].1,
        };
        assert_eq!(outcome, &(names[i].clone(), expected.to_owned()), "bucket {i}");
    }
}

#[tokio::test]
async fn a_slow_endpoint_costs_the_attempt_timeout_not_the_invocation() {
    let mut fixture = fixture(vec![
        bucket("slow-one", vec![], vec![]),
        bucket("fast-one", vec![], vec![]),
    ]);
    fixture.buckets[0].faults.push(Fault {
        latency_ms: Some(30_000),
        ..fault(FaultKind::Latency, None)
    });
    let server = Server::start(fixture, loopback()).await.unwrap();
    let config = config(&[("ATTEMPT_TIMEOUT_MS", "200"), ("OPERATION_TIMEOUT_MS", "1000")]);
    let report = audit(
        &production_like(&server, &config, 2).await,
        &config,
        json!({"bucketNames": ["slow-one", "fast-one"]}),
    )
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
    let names: Vec<String> = (0..20).map(|i| format!("late-{i:02}")).collect();
    let mut fixture = fixture(names.iter().map(|n| bucket(n, vec![], vec![])).collect());
    fixture.faults.push(Fault {
        latency_ms: Some(150),
        ..fault(FaultKind::Latency, None)
    });
    let server = Server::start(fixture, loopback()).await.unwrap();
    let config = config(&[("MAX_CONCURRENCY", "2"), ("DEADLINE_MARGIN_MS", "300")]);
    let lightsail = production_like(&server, &config, 1).await;
    // 2 at a time, 150 ms each: about 6 buckets fit before the cutoff, 14 do not.
    let invocation = Invocation::at(Utc::now()).ending_at(SystemTime::now() + Duration::from_millis(800));
    let report = run_audit(&lightsail, &config, &json!({ "bucketNames": names }), &invocation)
        .await
        .unwrap();
    let report = serde_json::to_value(report).unwrap();
    assert_eq!(
        names_in_report(&report),
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
    let skipped_entry = report["buckets"]
        .as_array()
        .unwrap()
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
    let server = Server::start(demo(), loopback()).await.unwrap();
    let lightsail = lightsail(&server, "us-east-1").await;
    let config = config(&[]);
    let invoke = |payload: Value| {
        let lightsail = &lightsail;
        let config = &config;
        async move {
            handle(
                lightsail,
                None,
                config,
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
    let server = Server::start(demo(), loopback()).await.unwrap();
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
    let report = audit(
        &lightsail(&server, "us-east-1").await,
        &config(&[]),
        json!({ "bucketNames": names }),
    )
    .await
    .unwrap();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 8, "10,000 duplicates are one bucket");
    assert!(
        outcomes[..7].iter().all(|(_, code)| code == "InvalidBucketName"),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[7], ("media-prod".to_owned(), "AUDITED".to_owned()));
    assert_eq!(server.stats().operations[1], 1, "only the valid name was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_storm_does_not_exhaust_the_retries() {
    // 60% of 500 buckets throttled twice: 600 retries. The SDK's default retry quota (500
    // tokens, 5 per retry) would give up on about half of them; ours is unbounded, the load
    // being bounded by MAX_CONCURRENCY and MAX_ATTEMPTS instead.
    let names: Vec<String> = (0..500).map(|i| format!("storm-{i:03}")).collect();
    let buckets = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let faults = if i % 5 < 3 {
                vec![fault(FaultKind::Throttle, Some(2))]
            } else {
                vec![]
            };
            bucket(name, vec![], faults)
        })
        .collect();
    let server = Server::start(fixture(buckets), loopback()).await.unwrap();
    let config = config(&[("MAX_CONCURRENCY", "16")]);
    let report = audit(
        &production_like(&server, &config, 3).await,
        &config,
        json!({ "bucketNames": names }),
    )
    .await
    .unwrap();
    assert_eq!(report["summary"]["bucketsAudited"], 500, "{}", report["summary"]);
}
