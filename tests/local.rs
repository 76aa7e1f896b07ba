//! The function against `lightsail-local` through the real SDK HTTP stack: endpoint override,
//! SigV4 signing with dummy credentials, retries, and every injected fault.

mod common;

use common::*;
use lightsail_key_audit::{logging, AuditError, Config, Lightsail};
use lightsail_local::{BucketFixture, Fault, FaultKind, Server};
use serde_json::{json, Value};

#[tokio::test]
async fn the_demo_estate_shows_every_verdict() {
    let server = Server::start(demo(), loopback()).await.unwrap();
    let event: Value = serde_json::from_str(include_str!("../events/audit-buckets.json")).unwrap();
    let report = audit(&lightsail(&server, "us-east-1").await, &Config::default(), event)
        .await
        .unwrap();
    assert_eq!(
        report["summary"],
        json!({"bucketsRequested": 6, "bucketsAudited": 5, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 7, "activeKeys": 6,
               "keysWithFindings": 4,
               "findings": {"STALE": 1, "NEVER_USED": 1, "ROTATION_DUE": 2, "INACTIVE": 1,
                            "MULTIPLE_ACTIVE_KEYS": 1},
               "suppressed": 0, "expiredSuppressions": [],
               "scopeErrors": 0,
               "byAccount": {"123456789012": {"bucketsAudited": 5, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 7, "findings": 6}},
               "byRegion": {"us-east-1": {"bucketsAudited": 5, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 7, "findings": 6}}})
    );
    let ghost = &report["buckets"][5];
    assert_eq!(ghost["error"]["code"], "NotFoundException");
    let old = &report["buckets"][0]["keys"][0];
    assert_eq!(old["ageDays"], 200);
    assert_eq!(old["daysSinceLastUse"], 100);
    let never_used = &report["buckets"][1]["keys"][0];
    assert_eq!(
        never_used["lastUsedRegion"],
        Value::Null,
        "N/A on the wire is null in the report"
    );
    assert_eq!(
        server.stats().operations[1],
        6,
        "one GetBucketAccessKeys per bucket"
    );
}

#[tokio::test]
async fn buckets_are_routed_by_the_signed_region() {
    let server = Server::start(demo(), loopback()).await.unwrap();
    let event = json!({"bucketNames": ["eu-reports"]});
    let error = audit(
        &lightsail(&server, "us-east-1").await,
        &Config::default(),
        event.clone(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("NotFoundException"), "{error}");
    let report = audit(&lightsail(&server, "eu-west-2").await, &Config::default(), event)
        .await
        .unwrap();
    assert_eq!(report["buckets"][0]["region"], "eu-west-2");
    assert_eq!(report["buckets"][0]["keys"][0]["findings"][0]["code"], "STALE");
}

#[tokio::test]
async fn each_permanent_fault_ends_as_its_own_code() {
    let cases = [
        ("denied", FaultKind::AccessDenied, "AccessDeniedException"),
        ("missing", FaultKind::NotFound, "NotFoundException"),
        (
            "unauthenticated",
            FaultKind::Unauthenticated,
            "UnauthenticatedException",
        ),
        (
            "setting-up",
            FaultKind::RegionSetupInProgress,
            "RegionSetupInProgressException",
        ),
        ("throttled", FaultKind::Throttle, "ThrottlingException"),
        ("failing", FaultKind::ServerError, "ServiceException"),
        ("garbled", FaultKind::MalformedBody, "MalformedResponse"),
    ];
    let mut buckets = vec![bucket(
        "healthy",
        vec![key("AKIAHEALTHY000000001", 1.0, Some(1.0))],
        vec![],
    )];
    for (name, kind, _) in cases {
        buckets.push(bucket(
            name,
            vec![key("AKIAFAULTY0000000001", 1.0, None)],
            vec![fault(kind, None)],
        ));
    }
    let server = Server::start(fixture(buckets), loopback()).await.unwrap();
    let mut names = vec!["healthy"];
    names.extend(cases.iter().map(|(name, _, _)| *name));
    let report = audit(
        &lightsail(&server, "us-east-1").await,
        &Config::default(),
        json!({ "bucketNames": names }),
    )
    .await
    .unwrap();
    let mut expected = vec![("healthy".to_owned(), "AUDITED".to_owned())];
    expected.extend(cases.iter().map(|(n, _, code)| (n.to_string(), code.to_string())));
    assert_eq!(outcomes(&report), expected);
    // Throttling and 5xx are retried (3 attempts each); the rest are final at once.
    assert_eq!(server.stats().operations[1], 1 + 5 + 3 + 3);
}

#[tokio::test]
async fn transient_throttling_and_server_errors_are_retried_to_success() {
    let buckets = vec![
        bucket(
            "throttled-twice",
            vec![key("AKIATHROTTLED0000001", 1.0, Some(1.0))],
            vec![fault(FaultKind::Throttle, Some(2))],
        ),
        bucket(
            "fails-once",
            vec![key("AKIAFAILSONCE0000001", 1.0, Some(1.0))],
            vec![fault(FaultKind::ServerError, Some(1))],
        ),
    ];
    let server = Server::start(fixture(buckets), loopback()).await.unwrap();
    let report = audit(
        &lightsail(&server, "us-east-1").await,
        &Config::default(),
        json!({"bucketNames": ["throttled-twice", "fails-once"]}),
    )
    .await
    .unwrap();
    assert_eq!(
        outcomes(&report),
        [
            ("throttled-twice".to_owned(), "AUDITED".to_owned()),
            ("fails-once".to_owned(), "AUDITED".to_owned())
        ]
    );
    assert_eq!(server.stats().operations[1], 3 + 2);
}

#[tokio::test]
async fn latency_is_absorbed_by_concurrency_within_the_bound() {
    let buckets: Vec<BucketFixture> = (0..12)
        .map(|i| {
            bucket(
                &format!("slow-{i:02}"),
                vec![key("AKIASLOW000000000001", 1.0, Some(1.0))],
                vec![],
            )
        })
        .collect();
    let mut fixture = fixture(buckets);
    fixture.faults.push(Fault {
        latency_ms: Some(40),
        ..fault(FaultKind::Latency, None)
    });
    let server = Server::start(fixture, loopback()).await.unwrap();
    let names: Vec<String> = (0..12).map(|i| format!("slow-{i:02}")).collect();
    let report = audit(
        &lightsail(&server, "us-east-1").await,
        &config(&[("MAX_CONCURRENCY", "4")]),
        json!({ "bucketNames": names }),
    )
    .await
    .unwrap();
    assert_eq!(report["summary"]["bucketsAudited"], 12);
    assert_eq!(
        server.stats().peak_in_flight,
        4,
        "MAX_CONCURRENCY bounds the calls in flight"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_bucket_error_not_a_panic() {
    let closed = std::net::TcpListener::bind(loopback()).unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let lightsail = Lightsail::new(&sdk_config(&url, "us-east-1").await).unwrap();
    let error = audit(
        &lightsail,
        &Config::default(),
        json!({"bucketNames": ["media-prod"]}),
    )
    .await
    .unwrap_err();
    match error {
        AuditError::AuditFailed { code, .. } => assert_eq!(code, "ConnectionError"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn no_secret_from_the_wire_or_the_credentials_is_reported_or_logged() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLEAKEDKEY";
    let mut leaky = key("AKIALEAKY00000000001", 100.0, Some(50.0));
    leaky.secret_access_key = Some(secret.to_owned());
    let server = Server::start(fixture(vec![bucket("leaky", vec![leaky], vec![])]), loopback())
        .await
        .unwrap();

    let captured = Captured::default();
    let writer = captured.clone();
    let _guard =
        tracing::subscriber::set_default(logging::subscriber(Some("TRACE"), None, true, move || {
            writer.clone()
        }));
    let report = audit(
        &lightsail(&server, "us-east-1").await,
        &Config::default(),
        json!({"bucketNames": ["leaky", "ghost"]}),
    )
    .await
    .unwrap();
    let logs = captured.text();
    assert!(logs.contains("audit complete"), "the logs were captured: {logs}");
    for needle in [secret, CREDENTIAL_SECRET, SESSION_TOKEN] {
        assert!(!report.to_string().contains(needle), "report holds {needle}");
        assert!(!logs.contains(needle), "logs hold {needle}");
    }
    assert_eq!(report["buckets"][0]["keys"][0]["findings"][0]["code"], "STALE");
}

#[tokio::test]
async fn the_rust_sdk_reads_every_operation_of_the_stand_in() {
    let buckets: Vec<BucketFixture> = (0..5)
        .map(|i| {
            bucket(
                &format!("paged-{i}"),
                vec![key("AKIAPAGED00000000001", 1.0, None)],
                vec![],
            )
        })
        .collect();
    let mut fixture = fixture(buckets);
    fixture.page_size = 2;
    let server = Server::start(fixture, loopback()).await.unwrap();
    let client = aws_sdk_lightsail::Client::new(&sdk_config(&server.url(), "us-east-1").await);

    let mut names = vec![];
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client.get_buckets().set_page_token(token).send().await.unwrap();
        pages += 1;
        names.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_owned)));
        let first = &page.buckets()[0];
        assert_eq!(
            first.location().and_then(|l| l.region_name()).map(|r| r.as_str()),
            Some("us-east-1")
        );
        assert!(first
            .arn()
            .unwrap()
            .starts_with("arn:aws:lightsail:us-east-1:123456789012:Bucket/"));
        token = page.next_page_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]);

    let regions = client.get_regions().send().await.unwrap();
    assert_eq!(regions.regions()[0].name().map(|n| n.as_str()), Some("us-east-1"));

    let unknown = client.get_instances().send().await.unwrap_err();
    let message = format!("{}", aws_sdk_lightsail::error::DisplayErrorContext(&unknown));
    assert!(
        message.contains("InvalidInputException") && message.contains("GetInstances"),
        "{message}"
    );
}
