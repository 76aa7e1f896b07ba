//! CloudWatch metrics from the logs: one Embedded Metric Format record per run.
//!
//! EMF needs each record to be a top-level JSON object on its own log line; CloudWatch
//! extracts nothing nested inside a tracing event, so the record is written straight to
//! stdout, not logged. No API call and no permission are needed.
//!
//! With JSON logs, Lambda's log-level filter drops a line whose `level` is below the
//! function's `ApplicationLogLevel`, and takes a line without a valid `level` and RFC 3339
//! `timestamp` as INFO. So the record carries both, its level being the configured one (at
//! least INFO): no log level can silence the metrics, and the alarms that read them.

use std::io::Write;

use serde_json::{json, Map, Value};

use super::contract::Report;
use super::remediation::ActionStatus;
use crate::rules::FindingCode;

/// The namespace every metric is published under.
pub(crate) const NAMESPACE: &str = "LightsailKeyAudit";

/// The metric of each finding code: keys with it, or buckets for a bucket-level code.
fn finding_metric(code: FindingCode) -> &'static str {
    match code {
        FindingCode::Stale => "StaleKeys",
        FindingCode::NeverUsed => "NeverUsedKeys",
        FindingCode::RotationDue => "RotationDueKeys",
        FindingCode::Inactive => "InactiveKeys",
        FindingCode::MultipleActiveKeys => "MultipleActiveKeyBuckets",
        FindingCode::PublicRead => "PublicReadBuckets",
        FindingCode::PublicObjectsAllowed => "PublicObjectsAllowedBuckets",
        FindingCode::SharedOutsideOrganization => "SharedOutsideOrganizationBuckets",
        FindingCode::SharedWithAccounts => "SharedWithAccountsBuckets",
        FindingCode::InstanceAccess => "InstanceAccessBuckets",
        FindingCode::AccessLoggingOff => "AccessLoggingOffBuckets",
    }
}

/// The metrics after the findings', in the order they are declared.
const RUN_METRICS: [&str; 11] = [
    "BucketsFailed",
    "BucketsSkipped",
    // Audited buckets whose access (GetBuckets) could not be read.
    "BucketsAccessUnknown",
    "ScopeErrors",
    "KeysAudited",
    "NotificationsFailed",
    // 1 when the report or the change-tracking state could not be written or read.
    "ArchiveFailures",
    // Findings not imported or archived in Security Hub, plus its calls that failed.
    "SecurityHubFailures",
    // Keys remediation deleted, and deletions that failed (the RemediationFailures alarm).
    "KeysDeleted",
    "RemediationFailures",
    // 1 on every run that produced a report: the missed-audit alarm fires on its absence.
    "AuditsCompleted",
];

/// Lambda's level names that filter out INFO: the record takes the configured one.
const FILTERING_LEVELS: [&str; 3] = ["WARN", "ERROR", "FATAL"];

/// The level the record carries for Lambda's application log level `configured`
/// (`AWS_LAMBDA_LOG_LEVEL`): the configured level where it is above INFO, else INFO.
pub(crate) fn metrics_level(configured: Option<&str>) -> &'static str {
    configured
        .and_then(|c| {
            FILTERING_LEVELS
                .into_iter()
                .find(|l| l.eq_ignore_ascii_case(c.trim()))
        })
        .unwrap_or("INFO")
}

/// Whether the run's SNS summary failed (1) or not (0, also when none was due).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotificationFailed(pub(crate) bool);

/// The EMF record for `report`, labelled `level` for the log. With a function name, metrics
/// carry a `FunctionName` dimension, so two deployments in one account do not mix.
pub(crate) fn metrics_record(
    report: &Report,
    function_name: Option<&str>,
    level: &str,
    notification: NotificationFailed,
) -> Value {
    let summary = report.summary();
    let run_values = [
        summary.buckets_failed,
        summary.buckets_skipped,
        summary.access_unknown,
        summary.scope_errors,
        summary.keys,
        usize::from(notification.0),
        usize::from(summary.archive.failed()),
        summary.security_hub.failures(),
        summary.remediation.get(ActionStatus::Deleted),
        summary.remediation.get(ActionStatus::Failed),
        1,
    ];
    let findings = FindingCode::ALL.map(|code| (finding_metric(code), summary.findings.of(code)));
    let metrics: Vec<(&str, usize)> = findings
        .into_iter()
        .chain(RUN_METRICS.into_iter().zip(run_values))
        .collect();
    let dimensions: Vec<&str> = function_name.iter().map(|_| "FunctionName").collect();
    let mut root = Map::new();
    root.insert("level".to_owned(), json!(level));
    root.insert(
        "timestamp".to_owned(),
        json!(report
            .generated_at()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    );
    root.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": report.generated_at().timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dimensions],
                "Metrics": metrics.iter().map(|(name, _)| json!({"Name": name, "Unit": "Count"})).collect::<Vec<_>>(),
            }],
        }),
    );
    if let Some(name) = function_name {
        root.insert("FunctionName".to_owned(), json!(name));
    }
    for (name, value) in metrics {
        root.insert(name.to_owned(), json!(value));
    }
    Value::Object(root)
}

/// Writes the record as one line.
pub(crate) fn write_metrics(
    out: &mut impl Write,
    report: &Report,
    function_name: Option<&str>,
    level: &str,
    notification: NotificationFailed,
) -> std::io::Result<()> {
    let mut line = metrics_record(report, function_name, level, notification).to_string();
    line.push('\n');
    // One write of the whole line, so it cannot interleave with a log line.
    out.write_all(line.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::Location;
    use crate::failure::Failure;
    use crate::report::BucketReport;
    use crate::rules::{FindingCode, KeyReport, Policy};
    use chrono::{TimeZone, Utc};

    fn report() -> Report {
        let key = KeyReport::sample(
            "AKIAEXAMPLE000000001",
            &[FindingCode::Stale, FindingCode::RotationDue],
        );
        let buckets = vec![
            BucketReport::audited("a-b-c".into(), Location::default(), vec![], vec![key]),
            BucketReport::failed(
                "ghost".into(),
                Location::default(),
                Failure::new("NotFoundException", "m"),
            ),
        ];
        Report::new(
            Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap(),
            Policy::default(),
            buckets,
            vec![],
            &[],
        )
    }

    /// Checks a record against the EMF specification's rules, as CloudWatch applies them.
    fn assert_valid_emf(record: &Value) {
        let aws = &record["_aws"];
        assert!(aws["Timestamp"].is_i64(), "Timestamp is epoch milliseconds");
        let directives = aws["CloudWatchMetrics"].as_array().expect("CloudWatchMetrics");
        assert_eq!(directives.len(), 1);
        let directive = &directives[0];
        assert_eq!(directive["Namespace"], NAMESPACE);
        for set in directive["Dimensions"].as_array().unwrap() {
            let set = set.as_array().unwrap();
            assert!(set.len() <= 30);
            for dimension in set {
                let name = dimension.as_str().unwrap();
                assert!(
                    record[name].is_string(),
                    "dimension {name} has a string value at the root"
                );
            }
        }
        let metrics = directive["Metrics"].as_array().unwrap();
        assert!(metrics.len() <= 100);
        for metric in metrics {
            let name = metric["Name"].as_str().unwrap();
            assert_eq!(metric["Unit"], "Count");
            assert!(record[name].is_u64(), "metric {name} has a number at the root");
        }
    }

    #[test]
    fn the_record_is_valid_emf_with_every_metric() {
        let record = metrics_record(
            &report(),
            Some("lightsail-key-audit-prod"),
            "INFO",
            NotificationFailed(true),
        );
        assert_valid_emf(&record);
        assert_eq!(record["_aws"]["Timestamp"], 1_795_759_200_000i64);
        assert_eq!(
            record["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["FunctionName"]])
        );
        assert_eq!(record["FunctionName"], "lightsail-key-audit-prod");
        let names: Vec<&str> = record["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        // Every metric, in declaration order, with its value for this report.
        let expected = [
            ("StaleKeys", 1),
            ("NeverUsedKeys", 0),
            ("RotationDueKeys", 1),
            ("InactiveKeys", 0),
            ("MultipleActiveKeyBuckets", 0),
            ("PublicReadBuckets", 0),
            ("PublicObjectsAllowedBuckets", 0),
            ("SharedOutsideOrganizationBuckets", 0),
            ("SharedWithAccountsBuckets", 0),
            ("InstanceAccessBuckets", 0),
            ("AccessLoggingOffBuckets", 0),
            ("BucketsFailed", 1),
            ("BucketsSkipped", 0),
            ("BucketsAccessUnknown", 0),
            ("ScopeErrors", 0),
            ("KeysAudited", 1),
            ("NotificationsFailed", 1),
            ("ArchiveFailures", 0),
            ("SecurityHubFailures", 0),
            ("KeysDeleted", 0),
            ("RemediationFailures", 0),
            ("AuditsCompleted", 1),
        ];
        assert_eq!(names, expected.map(|(name, _)| name));
        for (name, value) in expected {
            assert_eq!(record[name], value, "{name}");
        }
    }

    #[test]
    fn deletions_and_failed_deletions_are_counted() {
        let mut report = report();
        crate::report::remediation::sample(&mut report);
        let record = metrics_record(&report, Some("f"), "INFO", NotificationFailed(false));
        assert_eq!(
            (&record["KeysDeleted"], &record["RemediationFailures"]),
            (&json!(1), &json!(1))
        );
    }

    #[test]
    fn without_a_function_name_there_is_one_empty_dimension_set() {
        let record = metrics_record(&report(), None, "INFO", NotificationFailed(false));
        assert_eq!(record["NotificationsFailed"], 0);
        assert_valid_emf(&record);
        assert_eq!(record["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
    }

    #[test]
    fn the_record_is_exactly_one_line_of_json() {
        let mut out = Vec::new();
        write_metrics(&mut out, &report(), Some("f"), "WARN", NotificationFailed(false)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches('\n').count(), 1);
        assert!(text.ends_with('\n'));
        let parsed: Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_valid_emf(&parsed);
        assert_eq!(parsed["level"], "WARN");
    }

    #[test]
    fn the_record_carries_what_lambdas_log_level_filter_reads() {
        let record = metrics_record(&report(), Some("f"), "ERROR", NotificationFailed(false));
        assert_eq!(record["level"], "ERROR");
        assert_eq!(record["timestamp"], "2026-11-27T06:00:00.000Z");
        let timestamp = record["timestamp"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
    }

    #[test]
    fn an_archive_or_state_that_failed_counts_one() {
        use crate::failure::Failure;
        use crate::report::ArchiveStatus;
        let failed = |status| {
            let mut report = report();
            report.set_archive(status);
            metrics_record(&report, None, "INFO", NotificationFailed(false))["ArchiveFailures"].clone()
        };
        let error = || Failure::new("NoSuchBucket", "gone");
        assert_eq!(
            failed(ArchiveStatus::Failed {
                error: error(),
                state_error: None,
                ocsf: None
            }),
            1
        );
        assert_eq!(
            failed(ArchiveStatus::Written {
                key: "k".into(),
                state_error: Some(error()),
                ocsf: None
            }),
            1
        );
        assert_eq!(
            failed(ArchiveStatus::Written {
                key: "k".into(),
                state_error: None,
                ocsf: None
            }),
            0
        );
        assert_eq!(failed(ArchiveStatus::Disabled), 0);
    }

    #[test]
    fn the_record_level_is_the_configured_level_at_least_info() {
        for (configured, level) in [
            (None, "INFO"),
            (Some("TRACE"), "INFO"),
            (Some("DEBUG"), "INFO"),
            (Some("INFO"), "INFO"),
            (Some("WARN"), "WARN"),
            (Some("error"), "ERROR"),
            (Some("FATAL"), "FATAL"),
            (Some("LOUD"), "INFO"),
        ] {
            assert_eq!(metrics_level(configured), level, "{configured:?}");
        }
    }
}
