//! The report for a terminal (a table) and for a spreadsheet (CSV), read from the report's
//! digest, as the email and chat are: the contract docs/report.md documents, so these views
//! cannot drift from it.

use crate::coverage::Location;
use crate::report::{Action, BucketDigest, Digest, HubStatus, HubSummary, Item, Report, Summary};
use crate::rules::{Finding, FindingCode, KeyStatus};
use crate::text::{loggable, printable};

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
pub(crate) fn table(digest: &Digest, colour: bool) -> String {
    let mut rows: Vec<[String; 8]> = Vec::new();
    for error in digest.scope_errors() {
        let message = format!("{}: {}", error.failure.code, error.failure.message);
        let [account, region] = place(&error.location);
        let dash = || "-".to_owned();
        rows.push([
            account,
            region,
            dash(),
            dash(),
            "SCOPE ERROR".into(),
            dash(),
            dash(),
            message,
        ]);
    }
    for bucket in &digest.buckets {
        rows.extend(bucket_rows(bucket));
    }
    let mut out = aligned(&rows, colour);
    out.push_str(&summary_line(digest.summary()));
    out.push('\n');
    out
}

/// A bucket's table rows: why it was not audited, then each of its findings.
fn bucket_rows(bucket: &BucketDigest) -> Vec<[String; 8]> {
    let [account, region] = place(bucket.location());
    let name = &bucket.bucket.bucket_name;
    let row = |key: String, verdict: String, severity: String, days: String, text: String| {
        [
            account.clone(),
            region.clone(),
            name.clone(),
            key,
            verdict,
            severity,
            days,
            text,
        ]
    };
    let mut rows = Vec::new();
    if let Some(error) = &bucket.bucket.error {
        let message = format!("{}: {}", error.code, error.message);
        let status = bucket.bucket.status.as_str().to_owned();
        rows.push(row("-".into(), status, "-".into(), "-".into(), message));
    }
    if let Some(error) = &bucket.bucket.access_error {
        let message = format!("{}: {}", error.code, error.message);
        rows.push(row(
            "-".into(),
            ACCESS_UNKNOWN.into(),
            "-".into(),
            "-".into(),
            message,
        ));
    }
    for item in &bucket.findings {
        let key = item
            .key
            .map_or_else(|| "-".to_owned(), |k| text(k.access_key_id.as_deref()));
        let days = match item.key {
            Some(_) => number(item.days()),
            None => "-".to_owned(),
        };
        let severity = item.finding.severity.as_str().to_owned();
        rows.push(row(
            key,
            verdict(item),
            severity,
            days,
            item.finding.recommendation.to_owned(),
        ));
    }
    rows
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

/// The verdict of an audited bucket whose access could not be read.
const ACCESS_UNKNOWN: &str = "ACCESS UNKNOWN";

/// The ANSI colour of a verdict: red for failures and findings of MEDIUM and above, yellow
/// for the rest.
fn paint(verdict: &str) -> Option<&'static str> {
    match verdict {
        v if v.ends_with("(suppressed)") => None,
        "ERROR"
        | "SKIPPED"
        | "SCOPE ERROR"
        | ACCESS_UNKNOWN
        | "STALE"
        | "NEVER_USED"
        | "PUBLIC_READ"
        | "SHARED_OUTSIDE_ORGANIZATION"
        | "PUBLIC_OBJECTS_ALLOWED" => Some("31"),
        _ => Some("33"),
    }
}

/// `12 buckets audited, 1 failed, 0 skipped; 24 keys; 5 findings (STALE 2, ...), 1 suppressed; 0 scope errors`
fn summary_line(summary: &Summary) -> String {
    let by_code: Vec<String> = FindingCode::ALL
        .into_iter()
        .filter(|c| summary.findings.of(*c) > 0)
        .map(|c| format!("{} {}", c.as_str(), summary.findings.of(c)))
        .collect();
    let by_code = if by_code.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_code.join(", "))
    };
    let access_unknown = match summary.access_unknown {
        0 => String::new(),
        n => format!(", {n} with access unknown"),
    };
    format!(
        "{} buckets audited{access_unknown}, {} failed, {} skipped; {} keys; {} findings{by_code}, {} suppressed; {} scope errors",
        summary.buckets_audited,
        summary.buckets_failed,
        summary.buckets_skipped,
        summary.keys,
        summary.findings.total(),
        summary.suppressed,
        summary.scope_errors,
    )
}

/// What `--remediate` planned or did, for stderr: the counts, then one line per action.
pub(crate) fn remediation(report: &Report) -> String {
    let remediation = report.remediation();
    let counts = &report.summary().remediation;
    let mut out = format!("Remediation ({}):", remediation.mode.as_str());
    for status in crate::report::ActionStatus::ALL {
        out.push_str(&format!(" {} {}", counts.get(status), status.as_str()));
    }
    for action in &remediation.actions {
        out.push_str(&format!(
            "\n  {} {}: {}",
            action.status.as_str(),
            action_line(action),
            printable(&action.reason)
        ));
    }
    out
}

/// `bucket (account region) key CODE`: one action's key, in full (the terminal is the
/// operator's own).
pub(crate) fn action_line(action: &Action) -> String {
    let [account, region] = place(&action.location);
    format!(
        "{} ({account} {region}) {} {}",
        printable(&action.bucket_name),
        printable(&action.access_key_id),
        action.code.as_str()
    )
}

/// What `--security-hub` did, for stderr: the counts, then each error.
pub(crate) fn security_hub(summary: &HubSummary) -> String {
    let status = match summary.status {
        HubStatus::Sent => "sent",
        HubStatus::Partial => "PARTIAL",
        HubStatus::Failed => "FAILED",
        HubStatus::Disabled => "disabled",
    };
    let mut out = format!(
        "Security Hub: {status}: {} imported, {} archived, {} failed",
        summary.imported, summary.archived, summary.failed
    );
    for error in &summary.errors {
        let place = match (&error.account_id, &error.region) {
            (Some(account), Some(region)) => format!("{account} {region}"),
            _ => "-".to_owned(),
        };
        // Security Hub's own text: escaped, so it cannot move the terminal's cursor.
        out.push_str(&format!(
            "\n  {place}: {}: {}",
            error.code,
            loggable(&error.message)
        ));
    }
    out
}

/// Header, then one row per key, bucket-level finding and failed or skipped bucket; quoted as
/// RFC 4180 requires, lines ending in CRLF.
pub(crate) fn csv(digest: &Digest) -> String {
    let mut out = String::new();
    push_row(&mut out, CSV_HEADER.iter().map(|h| (*h).to_owned()));
    for bucket in &digest.buckets {
        let [account, region] = place(bucket.location());
        let bucket_cells = [account, region, bucket.bucket.bucket_name.clone()];
        let status = bucket.bucket.status.as_str().to_owned();
        // Every row: where, six key columns, then the bucket's status and error.
        let mut row = |cells: [String; 6], error: [String; 2]| {
            let tail = [status.clone()].into_iter().chain(error);
            push_row(&mut out, bucket_cells.iter().cloned().chain(cells).chain(tail));
        };
        if let Some(error) = &bucket.bucket.error {
            row(Default::default(), [error.code.clone(), error.message.clone()]);
        }
        if let Some(error) = &bucket.bucket.access_error {
            let message = format!("access unknown (GetBuckets): {}", error.message);
            row(Default::default(), [error.code.clone(), message]);
        }
        for item in bucket.findings.iter().filter(|item| item.key.is_none()) {
            let (open, suppressed) = codes([item.finding]);
            let [id, key_status, age, since] = Default::default();
            row([id, key_status, age, since, open, suppressed], Default::default());
        }
        for key in &bucket.bucket.keys {
            let (open, suppressed) = codes(&key.findings);
            let cells = [
                text(key.access_key_id.as_deref()),
                text(key.status.as_ref().map(KeyStatus::as_str)),
                number(key.age_days),
                number(key.days_since_last_use),
                open,
                suppressed,
            ];
            row(cells, Default::default());
        }
    }
    out
}

/// The codes of `findings`, open and suppressed, each joined with `;`.
fn codes<'a>(findings: impl IntoIterator<Item = &'a Finding> + Clone) -> (String, String) {
    let pick = |open: bool| {
        let codes: Vec<&str> = findings
            .clone()
            .into_iter()
            .filter(|finding| finding.counts() == open)
            .map(|finding| finding.code.as_str())
            .collect();
        codes.join(";")
    };
    (pick(true), pick(false))
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

/// A finding's code, marked when suppressed.
fn verdict(item: &Item) -> String {
    let code = item.finding.code.as_str();
    if item.finding.counts() {
        code.to_owned()
    } else {
        format!("{code} (suppressed)")
    }
}

/// Account and region, `-` where unknown.
fn place(location: &Location) -> [String; 2] {
    [
        text(location.account_id.as_deref()),
        text(location.region.as_deref()),
    ]
}

/// A text as it is, `-` where absent.
fn text(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

/// A number, or nothing where absent.
fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::ScopeError;
    use crate::failure::Failure;
    use crate::report::{BucketReport, Report};
    use crate::rules::{KeyReport, Policy, SuppressionNote};
    use chrono::{NaiveDate, Utc};

    /// A bucket with a bucket-level finding and two keys (one stale with a suppressed
    /// ROTATION_DUE, one clean), a failed bucket and a failed account.
    fn report() -> Report {
        let mut old = KeyReport::sample("AKIAOLD", &[FindingCode::Stale, FindingCode::RotationDue]);
        let expires = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
        old.findings[1].suppression = Some(SuppressionNote::new("known".into(), expires));
        let mut new = KeyReport::sample("AKIANEW", &[]);
        (new.age_days, new.days_since_last_use) = (Some(1), Some(0));
        let multiple = Finding::new(FindingCode::MultipleActiveKeys, "m".into());
        let media = BucketReport::audited(
            "media-prod".into(),
            Location::home(),
            vec![multiple],
            vec![old, new],
        );
        let error = Failure::new("NotFoundException", "no bucket \"ghost\", here");
        let ghost = BucketReport::failed("ghost".into(), Location::home(), error);
        let scope = ScopeError {
            location: Location {
                account_id: Some("210987654321".into()),
                region: None,
            },
            role_arn: None,
            failure: Failure::new("AssumeRoleFailed", "cannot assume"),
        };
        Report::new(
            Utc::now(),
            Policy::default(),
            vec![media, ghost],
            vec![scope],
            &[],
        )
    }

    #[test]
    fn the_table_has_a_row_per_finding_and_failure_and_a_summary() {
        let report = report();
        let table = table(&Digest::of(&report), false);
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
        assert!(super::table(&Digest::of(&report), true).contains("\u{1b}[31mSTALE\u{1b}[0m"));
    }

    #[test]
    fn the_csv_has_a_row_per_key_bucket_finding_and_failed_bucket() {
        let report = report();
        let csv = csv(&Digest::of(&report));
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
