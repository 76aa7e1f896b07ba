//! Every example event in `events/` gives a report against the demo estate, or the documented
//! error for the invalid one.

use crate::common::*;
use serde_json::Value;

#[tokio::test]
async fn every_example_event_is_handled_as_documented() {
    // The scheduled event names nothing: it discovers every bucket of the home region.
    let local = Local::start(demo(), &[]).await;

    let mut seen = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/events")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let result = local.audit(event).await;
        match name.as_str() {
            "invalid-request.json" => {
                let error = result.expect_err(&name);
                assert_eq!(error.error_type(), "InvalidRequest", "{name}");
                assert!(
                    error.to_string().contains("did you mean `staleAfterDays`"),
                    "{name}: {error}"
                );
            }
            _ => {
                let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                let summary = &report["summary"];
                let expected = match name.as_str() {
                    "audit-buckets.json" => (6, 5),
                    "audit-with-overrides.json" => (3, 3),
                    "scheduled-event.json" => (5, 5),
                    // Home account, every region GetRegions lists: 5 + 1 + 0 buckets.
                    "discover-all.json" => (6, 6),
                    // Two accounts by role, two regions each.
                    "multi-account.json" => (8, 8),
                    "with-suppressions.json" => {
                        // STALE on the old media-prod key is suppressed; the static-site
                        // suppression has expired, so its ROTATION_DUE counts.
                        assert_eq!(summary["suppressed"], 1, "{name}");
                        assert_eq!(summary["findings"]["STALE"], 0, "{name}");
                        assert_eq!(summary["findings"]["ROTATION_DUE"], 2, "{name}");
                        assert_eq!(
                            summary["expiredSuppressions"][0]["bucketName"], "static-site",
                            "{name}"
                        );
                        let old_key = &report["buckets"][0]["keys"][0]["findings"][0];
                        assert_eq!(old_key["suppressed"], true, "{name}");
                        (3, 3)
                    }
                    other => panic!("{other}: add its expectation here"),
                };
                assert_eq!(
                    (
                        summary["bucketsRequested"].as_u64().unwrap(),
                        summary["bucketsAudited"].as_u64().unwrap()
                    ),
                    expected,
                    "{name}"
                );
                assert_eq!(summary["scopeErrors"], 0, "{name}: {}", report["scopeErrors"]);
            }
        }
        seen += 1;
    }
    assert_eq!(seen, 7, "events/ holds the seven documented examples");
}
