//! The report for a terminal (a table) and for a spreadsheet (CSV), read from the report's
//! JSON: the contract the README documents, so these views cannot drift from it.

use std::fmt::Write as _;

use serde_json::Value;

/// Columns of the table.
const TABLE_HEADER: [&str; 8] = [
    "ACCOUNT",
    "REGION",
    "BUCKET",
    "KEY",
    "VERDICT",
    "SEVERITY",
    "DAYS",
    "RECOMMENDATION",
];
/// Columns of the CSV.
const CSV_HEADER: [&str; 12] = [
    "accountId",
    "region",
    "bucketName",
    "accessKeyId",
    "keyStatus",
    "ageDays",
    "daysSinceLastUse",
    "findings",
    "suppressedFindings",
    "bucketStatus",
    "errorCode",
    "errorMessage",
];

/// One row per finding (key or bucket), per failed or skipped bucket and per scope error, then
/// a summary line. `colour`: ANSI colours for verdicts (a terminal without `NO_COLOR`).
pub(crate) fn table(report: &Value, colour: bool) -> String {
    let mut rows: Vec<[String; 8]> = Vec::new();
    for error in list(&report["scopeErrors"]) {
        let message = format!("{}: {}", text(&error["code"]), text(&error["message"]));
        rows.push([
            text(&error["accountId"]),
            text(&error["region"]),
            "-".into(),
            "-".into(),
            "SCOPE ERROR".into(),
            "-".into(),
            "-".into(),
            message,
        ]);
    }
    for bucket in list(&report["buckets"]) {
        let place = || {
            [
                text(&bucket["accountId"]),
                text(&bucket["region"]),
                text(&bucket["bucketName"]),
            ]
        };
        if let Some(error) = bucket.get("error") {
            let [account, region, name] = place();
            let message = format!("{}: {}", text(&error["code"]), text(&error["message"]));
            rows.push([
                account,
                region,
                name,
                "-".into(),
                text(&bucket["status"]),
                "-".into(),
                "-".into(),
                message,
            ]);
        }
        for finding in list(&bucket["findings"]) {
            let [account, region, name] = place();
            rows.push([
                account,
                region,
                name,
                "-".into(),
                verdict(finding),
                text(&finding["severity"]),
                "-".into(),
                text(&finding["recommendation"]),
            ]);
        }
        for key in list(&bucket["keys"]) {
            for finding in list(&key["findings"]) {
                let [account, region, name] = place();
                rows.push([
                    account,
                    region,
                    name,
                    text(&key["accessKeyId"]),
                    verdict(finding),
                    text(&finding["severity"]),
                    days(key, finding),
                    text(&finding["recommendation"]),
                ]);
            }
        }
    }
    let mut out = aligned(&rows, colour);
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// The rows under the header, each column as wide as its widest cell (the last not padded).
fn aligned(rows: &[[String; 8]], colour: bool) -> String {
    let mut widths = TABLE_HEADER.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = TABLE_HEADER.map(str::to_owned);
    for (i, row) in std::iter::once(&header).chain(rows).enumerate() {
        let mut line = String::new();
        for (column, (cell, width)) in row.iter().zip(widths).enumerate() {
            let pad = width.saturating_sub(cell.chars().count());
            let last = column + 1 == TABLE_HEADER.len();
            let painted = match (colour && i > 0 && column == 4, paint(cell)) {
                (true, Some(code)) => format!("\u{1b}[{code}m{cell}\u{1b}[0m"),
                _ => cell.clone(),
            };
            line.push_str(&painted);
            if !last {
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The ANSI colour of a verdict: red for failures and MEDIUM findings, yellow for LOW.
fn paint(verdict: &str) -> Option<&'static str> {
    match verdict {
        v if v.ends_with("(suppressed)") => None,
        "ERROR" | "SKIPPED" | "SCOPE ERROR" | "STALE" | "NEVER_USED" => Some("31"),
        _ => Some("33"),
    }
}

/// `12 buckets audited, 1 failed, 0 skipped; 24 keys; 5 findings (STALE 2, ...), 1 suppressed; 0 scope errors`
fn summary_line(report: &Value) -> String {
    let summary = &report["summary"];
    let count = |field: &str| summary[field].as_u64().unwrap_or(0);
    let findings = summary["findings"].as_object();
    let total: u64 = findings.map_or(0, |f| f.values().filter_map(Value::as_u64).sum());
    let mut by_code = String::new();
    for (code, n) in findings.into_iter().flatten() {
        if let Some(n) = n.as_u64().filter(|n| *n > 0) {
            let _ = write!(
                by_code,
                "{}{code} {n}",
                if by_code.is_empty() { "" } else { ", " }
            );
        }
    }
    let by_code = if by_code.is_empty() {
        String::new()
    } else {
        format!(" ({by_code})")
    };
    format!(
        "{} buckets audited, {} failed, {} skipped; {} keys; {total} findings{by_code}, {} suppressed; {} scope errors",
        count("bucketsAudited"),
        count("bucketsFailed"),
        count("bucketsSkipped"),
        count("keys"),
        count("suppressed"),
        count("scopeErrors"),
    )
}

/// Header, then one row per key, bucket-level finding and failed or skipped bucket; quoted as
/// RFC 4180 requires, lines ending in CRLF.
pub(crate) fn csv(report: &Value) -> String {
    let mut out = String::new();
    push_row(&mut out, CSV_HEADER.iter().map(|h| (*h).to_owned()));
    for bucket in list(&report["buckets"]) {
        let place = [
            text(&bucket["accountId"]),
            text(&bucket["region"]),
            text(&bucket["bucketName"]),
        ];
        let status = text(&bucket["status"]);
        // Every row: where, six key columns, then the bucket's status and error.
        let mut row = |cells: [String; 6], error: [String; 2]| {
            let tail = [status.clone()].into_iter().chain(error);
            push_row(&mut out, place.iter().cloned().chain(cells).chain(tail));
        };
        if let Some(error) = bucket.get("error") {
            row(
                Default::default(),
                [text(&error["code"]), text(&error["message"])],
            );
        }
        for finding in list(&bucket["findings"]) {
            let (open, suppressed) = codes(std::slice::from_ref(finding));
            let [id, key_status, age, since] = Default::default();
            row([id, key_status, age, since, open, suppressed], Default::default());
        }
        for key in list(&bucket["keys"]) {
            let (open, suppressed) = codes(list(&key["findings"]));
            let cells = [
                text(&key["accessKeyId"]),
                text(&key["status"]),
                number(&key["ageDays"]),
                number(&key["daysSinceLastUse"]),
                open,
                suppressed,
            ];
            row(cells, Default::default());
        }
    }
    out
}

/// The codes of `findings`, open and suppressed, each joined with `;`.
fn codes(findings: &[Value]) -> (String, String) {
    let pick = |suppressed: bool| {
        let codes: Vec<String> = findings
            .iter()
            .filter(|f| f["suppressed"].as_bool().unwrap_or(false) == suppressed)
            .map(|f| text(&f["code"]))
            .collect();
        codes.join(";")
    };
    (pick(false), pick(true))
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| quoted(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// A CSV field: quoted when it holds a comma, a quote or a line break, quotes doubled.
fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// The finding's days: since last use for STALE, the key's age otherwise.
fn days(key: &Value, finding: &Value) -> String {
    match finding["code"].as_str() {
        Some("STALE") => number(&key["daysSinceLastUse"]),
        _ => number(&key["ageDays"]),
    }
}

/// A finding's code, marked when suppressed.
fn verdict(finding: &Value) -> String {
    let code = text(&finding["code"]);
    if finding["suppressed"].as_bool().unwrap_or(false) {
        format!("{code} (suppressed)")
    } else {
        code
    }
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A string as it is, `-` for null or absent, anything else as JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

fn number(value: &Value) -> String {
    value.as_i64().map(|n| n.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Value {
        json!({
            "summary": {"bucketsAudited": 1, "bucketsFailed": 1, "bucketsSkipped": 0, "keys": 2,
                        "suppressed": 1, "scopeErrors": 1,
                        "findings": {"STALE": 1, "NEVER_USED": 0, "ROTATION_DUE": 0, "INACTIVE": 0, "MULTIPLE_ACTIVE_KEYS": 1}},
            "scopeErrors": [{"accountId": "210987654321", "region": null, "code": "AssumeRoleFailed", "message": "cannot assume"}],
            "buckets": [
                {"accountId": "123456789012", "region": "us-east-1", "bucketName": "media-prod", "status": "AUDITED",
                 "findings": [{"code": "MULTIPLE_ACTIVE_KEYS", "severity": "LOW", "recommendation": "Keep one"}],
                 "keys": [
                    {"accessKeyId": "AKIAOLD", "status": "Active", "ageDays": 200, "daysSinceLastUse": 100,
                     "findings": [{"code": "STALE", "severity": "MEDIUM", "recommendation": "Find out, then delete"},
                                  {"code": "ROTATION_DUE", "severity": "LOW", "recommendation": "Rotate", "suppressed": true}]},
                    {"accessKeyId": "AKIANEW", "status": "Active", "ageDays": 1, "daysSinceLastUse": 0, "findings": []}]},
                {"accountId": "123456789012", "region": "us-east-1", "bucketName": "ghost", "status": "ERROR",
                 "error": {"code": "NotFoundException", "message": "no bucket \"ghost\", here"}, "findings": [], "keys": []}]
        })
    }

    #[test]
    fn the_table_has_a_row_per_finding_and_failure_and_a_summary() {
        let table = table(&report(), false);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("ACCOUNT"), "{table}");
        assert_eq!(lines.len(), 7, "{table}");
        assert!(lines
            .iter()
            .any(|l| l.contains("AKIAOLD") && l.contains("STALE") && l.contains("100")));
        assert!(lines
            .iter()
            .any(|l| l.contains("ROTATION_DUE (suppressed)") && l.contains("200")));
        assert!(lines
            .iter()
            .any(|l| l.contains("ghost") && l.contains("ERROR") && l.contains("NotFoundException")));
        assert!(lines
            .iter()
            .any(|l| l.contains("SCOPE ERROR") && l.contains("AssumeRoleFailed")));
        assert_eq!(
            lines[6],
            "1 buckets audited, 1 failed, 0 skipped; 2 keys; 2 findings (STALE 1, MULTIPLE_ACTIVE_KEYS 1), 1 suppressed; 1 scope errors"
        );
        assert!(!table.contains('\u{1b}'), "no colour unless asked");
        assert!(super::table(&report(), true).contains("\u{1b}[31mSTALE\u{1b}[0m"));
    }

    #[test]
    fn the_csv_has_a_row_per_key_bucket_finding_and_failed_bucket() {
        let csv = csv(&report());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines.len(),
            6,
            "header, 4 rows, and the empty rest after the last CRLF: {csv:?}"
        );
        assert_eq!(
            lines[1],
            "123456789012,us-east-1,media-prod,,,,,MULTIPLE_ACTIVE_KEYS,,AUDITED,,"
        );
        assert_eq!(
            lines[2],
            "123456789012,us-east-1,media-prod,AKIAOLD,Active,200,100,STALE,ROTATION_DUE,AUDITED,,"
        );
        assert_eq!(
            lines[4],
            "123456789012,us-east-1,ghost,,,,,,,ERROR,NotFoundException,\"no bucket \"\"ghost\"\", here\""
        );
        assert_eq!(quoted("a\nb"), "\"a\nb\"");
    }
}
