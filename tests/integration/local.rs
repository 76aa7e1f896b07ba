//! The function against `lightsail-local` through the real SDK HTTP stack: endpoint override,
//! SigV4 signing with dummy credentials, the concurrency bound, and what reaches the logs.
//! Injected faults at scale are in `resilience.rs`.

use crate::common::*;
use lightsail_key_audit::{AuditError, Config, Lightsail};
use serde_json::{json, Value};

#[tokio::test]
async fn the_demo_estate_shows_every_verdict() {
    let local = Local::start(demo(), &[]).await;
    let event: Value = serde_json::from_str(include_str!("../../events/audit-buckets.json")).unwrap();
    let report = local.audit(event).await.unwrap();
    // The summary's full shape is `handler.rs`'s documented contract; here, the demo's verdicts.
    let summary = &report["summary"];
    assert_eq!(
        summary["findings"],
        json!({"STALE": 1, "NEVER_USED": 1, "ROTATION_DUE": 2, "INACTIVE": 1, "MULTIPLE_ACTIVE_KEYS": 1,
               "PUBLIC_READ": 1, "PUBLIC_OBJECTS_ALLOWED": 0, "SHARED_OUTSIDE_ORGANIZATION": 0,
               "SHARED_WITH_ACCOUNTS": 1, "INSTANCE_ACCESS": 1, "ACCESS_LOGGING_OFF": 1})
    );
    assert_eq!(summary["bucketsRequested"], 6);
    assert_eq!(summary["bucketsAudited"], 5);
    assert_eq!(summary["bucketsFailed"], 1);
    assert_eq!(summary["keys"], 7);
    assert_eq!(summary["activeKeys"], 6);
    assert_eq!(summary["keysWithFindings"], 4);
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
    assert_eq!(local.calls()[1], 6, "one GetBucketAccessKeys per bucket");
    assert_eq!(
        local.calls()[0],
        1,
        "six named buckets in one region: one GetBuckets page, not six calls by name"
    );
    let static_site = &report["buckets"][3];
    assert_eq!(static_site["bucketName"], "static-site");
    assert_eq!(codes(&static_site["findings"]), ["PUBLIC_READ"]);
    let backups = &report["buckets"][1];
    assert_eq!(
        backups["access"]["readonlyAccessAccounts"],
        json!(["444455556666"])
    );
    assert_eq!(
        backups["findings"][0]["message"],
        "every object can be read by 1 other account: 444455556666; no trusted accounts are known to judge them"
    );
    assert!(
        backups["bucketArn"]
            .as_str()
            .is_some_and(|arn| arn.starts_with("arn:aws:lightsail:us-east-1:123456789012:Bucket/")),
        "{backups}"
    );
    assert_eq!(
        report["buckets"][0]["access"]["resourcesReceivingAccess"],
        json!([{"name": "web-1", "resourceType": "Instance"}]),
        "asked for with includeConnectedResources"
    );
}

#[tokio::test]
async fn buckets_are_routed_by_the_signed_region() {
    let local = Local::start(demo(), &[]).await;
    let event = json!({"bucketNames": ["eu-reports"]});
    let error = local.audit(event.clone()).await.unwrap_err();
    assert!(error.to_string().contains("NotFoundException"), "{error}");
    let report = audit(&lightsail(&local.server, "eu-west-2").await, &local.config, event)
        .await
        .unwrap();
    assert_eq!(report["buckets"][0]["region"], "eu-west-2");
    assert_eq!(report["buckets"][0]["keys"][0]["findings"][0]["code"], "STALE");
}

#[tokio::test]
async fn concurrent_calls_never_exceed_max_concurrency() {
    let names = numbered("slow", 20, 2);
    for limit in [1usize, 3, 4, 8] {
        let mut fixture = buckets(&names, &[key("AKIASLOW000000000001", 1.0, Some(1.0))], |_| vec![]);
        fixture.faults.push(latency(40));
        let local = Local::start(fixture, &[("MAX_CONCURRENCY", &limit.to_string())]).await;
        let report = local.audit(json!({ "bucketNames": names })).await.unwrap();
        assert_eq!(local.calls()[1], 20, "one GetBucketAccessKeys per bucket");
        assert_eq!(
            local.server.stats().peak_in_flight,
            limit,
            "MAX_CONCURRENCY={limit} bounds the calls in flight, and latency fills it"
        );
        assert_eq!(report["summary"]["bucketsAudited"], 20);
        assert_eq!(bucket_names(&report), names, "request order is kept");
    }
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
    let local = Local::start(leaky(key("AKIALEAKY00000000001", 100.0, Some(50.0)), secret), &[]).await;
    // Lambda's two log formats: text, and JSON for its log-level filter.
    for json in [false, true] {
        let (captured, _guard) = capture_logs(json);
        let report = local
            .audit(json!({"bucketNames": ["leaky", "ghost"]}))
            .await
            .unwrap();
        let logs = captured.text();
        for needle in [secret, ACCESS_KEY, CREDENTIAL_SECRET, SESSION_TOKEN] {
            assert!(!report.to_string().contains(needle), "report holds {needle}");
            assert!(!logs.contains(needle), "logs hold {needle}: {logs}");
        }
        assert_eq!(report["buckets"][0]["keys"][0]["findings"][0]["code"], "STALE");

        let warn = logs
            .lines()
            .find(|l| l.contains("bucket audit failed"))
            .expect("a WARN line");
        let info = logs
            .lines()
            .filter(|l| l.contains("audit complete"))
            .collect::<Vec<_>>();
        assert_eq!(info.len(), 1, "{logs}");
        if json {
            let warn: Value = serde_json::from_str(warn).unwrap();
            assert_eq!(warn["level"], "WARN", "{warn}");
            assert!(
                warn["fields"]["bucket"].as_str().unwrap().contains("ghost"),
                "{warn}"
            );
            assert_eq!(warn["fields"]["code"], "NotFoundException", "{warn}");
            let info: Value = serde_json::from_str(info[0]).unwrap();
            assert_eq!(info["fields"]["buckets_audited"], 1, "{info}");
            assert_eq!(info["fields"]["stale"], 1, "{info}");
        } else {
            assert!(
                warn.contains("WARN") && warn.contains("\"ghost\"") && warn.contains("NotFoundException"),
                "{warn}"
            );
            assert!(
                info[0].contains("buckets_audited=1") && info[0].contains("stale=1"),
                "{}",
                info[0]
            );
        }
    }
}

#[tokio::test]
async fn the_rust_sdk_reads_every_operation_of_the_stand_in() {
    let names = numbered("paged", 5, 1);
    let mut fixture = buckets(&names, &[key("AKIAPAGED00000000001", 1.0, None)], |_| vec![]);
    fixture.page_size = 2;
    let local = Local::start(fixture, &[]).await;
    let client = aws_sdk_lightsail::Client::new(&sdk_config(&local.server.url(), "us-east-1").await);

    let mut listed = vec![];
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client.get_buckets().set_page_token(token).send().await.unwrap();
        pages += 1;
        listed.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_owned)));
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
    assert_eq!(listed, ["paged-0", "paged-1", "paged-2", "paged-3", "paged-4"]);

    let regions = client.get_regions().send().await.unwrap();
    assert_eq!(regions.regions()[0].name().map(|n| n.as_str()), Some("us-east-1"));

    let unknown = client.get_instances().send().await.unwrap_err();
    let message = format!("{}", aws_sdk_lightsail::error::DisplayErrorContext(&unknown));
    assert!(
        message.contains("InvalidInputException") && message.contains("GetInstances"),
        "{message}"
    );
}
