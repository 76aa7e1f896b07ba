//! Where a report is archived, and what the report says of it (`summary.archive`).

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::failure::Failure;

/// `summary.archive`: whether the report was written to the archive, and any trouble with
/// the change-tracking state (unreadable: not overwritten; or not written).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum ArchiveStatus {
    /// The report is in the archive at `key`.
    Written {
        /// The object key.
        key: String,
        /// Why the state could not be read or written, if it could not.
        #[serde(rename = "stateError", skip_serializing_if = "Option::is_none")]
        state_error: Option<Failure>,
        /// Where the OCSF lines went, with `ARCHIVE_OCSF=true`.
        #[serde(skip_serializing_if = "Option::is_none")]
        ocsf: Option<OcsfStatus>,
    },
    /// The report could not be written; it is still returned and delivered.
    Failed {
        /// Why.
        error: Failure,
        /// Why the state could not be read or written, if it could not.
        #[serde(rename = "stateError", skip_serializing_if = "Option::is_none")]
        state_error: Option<Failure>,
        /// Where the OCSF lines went, with `ARCHIVE_OCSF=true`.
        #[serde(skip_serializing_if = "Option::is_none")]
        ocsf: Option<OcsfStatus>,
    },
    /// No `REPORT_BUCKET`: nothing is archived or tracked.
    #[default]
    Disabled,
}

/// `summary.archive.ocsf`: the key of the run's OCSF lines, and why they could not be
/// written, if they could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OcsfStatus {
    pub(crate) key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<Failure>,
}

impl ArchiveStatus {
    /// True when the report, its OCSF lines or the state could not be written or read: the
    /// `ArchiveFailures` metric.
    pub(crate) fn failed(&self) -> bool {
        let ocsf_failed = |ocsf: &Option<OcsfStatus>| ocsf.as_ref().is_some_and(|o| o.error.is_some());
        match self {
            Self::Written {
                state_error, ocsf, ..
            } => state_error.is_some() || ocsf_failed(ocsf),
            Self::Failed { .. } => true,
            Self::Disabled => false,
        }
    }
}

/// `<prefix>reports/<YYYY>/<MM>/<DD>/<generatedAt>.json`, the date being `generated_at`'s.
pub(crate) fn report_key(prefix: &str, generated_at: DateTime<Utc>) -> String {
    // The same text the report's `generatedAt` carries.
    let stamp = serde_json::to_value(generated_at)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| generated_at.to_rfc3339());
    format!(
        "{prefix}reports/{:04}/{:02}/{:02}/{stamp}.json",
        generated_at.year(),
        generated_at.month(),
        generated_at.day()
    )
}

/// `<prefix>ocsf/<YYYY>/<MM>/<DD>/<generatedAt>.jsonl`: the report's findings as OCSF, beside it.
pub(crate) fn ocsf_key(prefix: &str, generated_at: DateTime<Utc>) -> String {
    let report = report_key("", generated_at);
    let dated = report.strip_prefix("reports/").unwrap_or(&report);
    let dated = dated.strip_suffix(".json").unwrap_or(dated);
    format!("{prefix}ocsf/{dated}.jsonl")
}

/// `<prefix>state.json`.
pub(crate) fn state_key(prefix: &str) -> String {
    format!("{prefix}state.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reports_are_filed_by_their_utc_date() {
        let at = Utc.with_ymd_and_hms(2026, 3, 7, 23, 59, 1).unwrap();
        assert_eq!(
            report_key("audit/", at),
            "audit/reports/2026/03/07/2026-03-07T23:59:01Z.json"
        );
        assert_eq!(state_key(""), "state.json");
        assert_eq!(
            ocsf_key("audit/", at),
            "audit/ocsf/2026/03/07/2026-03-07T23:59:01Z.jsonl"
        );
    }

    #[test]
    fn the_status_reads_as_documented() {
        let written = ArchiveStatus::Written {
            key: "k".into(),
            state_error: None,
            ocsf: None,
        };
        assert_eq!(
            serde_json::to_value(&written).unwrap(),
            serde_json::json!({"status": "WRITTEN", "key": "k"})
        );
        let failed = ArchiveStatus::Failed {
            error: Failure::new("AccessDenied", "no"),
            state_error: None,
            ocsf: None,
        };
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            serde_json::json!({"status": "FAILED", "error": {"code": "AccessDenied", "message": "no"}})
        );
        assert_eq!(
            serde_json::to_value(ArchiveStatus::Disabled).unwrap(),
            serde_json::json!({"status": "DISABLED"})
        );
        assert!(failed.failed() && !written.failed() && !ArchiveStatus::Disabled.failed());
        let ocsf = |error: Option<Failure>| ArchiveStatus::Written {
            key: "k".into(),
            state_error: None,
            ocsf: Some(OcsfStatus {
                key: "o".into(),
                error,
            }),
        };
        assert_eq!(
            serde_json::to_value(ocsf(None)).unwrap(),
            serde_json::json!({"status": "WRITTEN", "key": "k", "ocsf": {"key": "o"}})
        );
        assert!(!ocsf(None).failed());
        assert!(ocsf(Some(Failure::new("AccessDenied", "no"))).failed());
    }
}
