//! The plain-text summary sent to people: short, and always within SNS's size limit.

use std::fmt::Write;

use super::contract::Report;
use crate::plan::Location;
use crate::rules::FindingCode;
use crate::text::clip;

/// SNS's limit on a message, in bytes of UTF-8.
pub(crate) const MAX_MESSAGE_BYTES: usize = 262_144;
/// Room kept for the closing lines, which are always sent.
const TRAILER_BYTES: usize = 2_048;
/// SNS's limit on a subject, in characters.
const MAX_SUBJECT_CHARS: usize = 100;
/// The longest a single listed line may be, so one huge error message cannot crowd out the rest.
const MAX_LINE_CHARS: usize = 1_000;

/// A subject and a message for SNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notification {
    pub(crate) subject: String,
    pub(crate) message: String,
}

/// True when people should hear of this report: it has findings or failures, or `always`.
pub(crate) fn worth_notifying(report: &Report, always: bool) -> bool {
    let summary = report.summary();
    always
        || summary.findings.total() > 0
        || summary.buckets_failed > 0
        || summary.buckets_skipped > 0
        || summary.scope_errors > 0
        || !summary.expired_suppressions.is_empty()
}

/// The summary of `report`: every finding as bucket / key id / verdict / days /
/// recommendation, every failed bucket and scope; past the size limit, a count of the rest.
pub(crate) fn compose_notification(report: &Report) -> Notification {
    let (finding_lines, failed_lines) = bucket_lines(report);
    let lists = Lists {
        findings: finding_lines,
        failed: failed_lines,
        scopes: scope_lines(report),
        expired: expired_lines(report),
    };
    Notification {
        subject: subject(report),
        message: message(head(report), lists),
    }
}

/// The subject: the counts, within SNS's limit in characters, cut on a character boundary.
fn subject(report: &Report) -> String {
    let summary = report.summary();
    let mut subject = format!(
        "Lightsail key audit: {} findings, {} buckets failed",
        summary.findings.total(),
        summary.buckets_failed
    );
    if summary.scope_errors > 0 {
        let _ = write!(subject, ", {} scopes failed", summary.scope_errors);
    }
    // clip adds "..." where it cuts.
    clip(&subject, MAX_SUBJECT_CHARS - 3)
}

/// The opening lines: when, the counts, the thresholds, what suppressions hide.
fn head(report: &Report) -> String {
    let (summary, policy) = (report.summary(), report.policy());
    let mut head = String::new();
    let _ = writeln!(
        head,
        "Lightsail bucket-key audit at {}",
        report
            .generated_at()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let _ = writeln!(
        head,
        "{} of {} buckets audited, {} failed; {} keys, {} with findings; {} accounts or regions not audited.",
        summary.buckets_audited,
        summary.buckets_requested,
        summary.buckets_failed,
        summary.keys,
        summary.keys_with_findings,
        summary.scope_errors
    );
    let _ = writeln!(
        head,
        "Thresholds: stale after {} days unused, never-used grace {} days, rotate after {} days.",
        policy.stale_after_days, policy.never_used_grace_days, policy.max_key_age_days
    );
    if summary.suppressed > 0 {
        let _ = writeln!(
            head,
            "{} suppressed findings are not listed (see the report for their reasons).",
            summary.suppressed
        );
    }
    head
}

/// One line per unsuppressed finding, and one per bucket that was not audited.
fn bucket_lines(report: &Report) -> (Vec<String>, Vec<String>) {
    let mut finding_lines = Vec::with_capacity(report.summary().findings.total());
    let mut failed_lines = Vec::new();
    for bucket in report.buckets() {
        let name = format!("{}{}", bucket.bucket_name, place(&bucket.location));
        for finding in bucket.findings.iter().filter(|f| f.counts()) {
            finding_lines.push(format!(
                "- {name} / - / {} / - / {}",
                finding.code.as_str(),
                finding.recommendation
            ));
        }
        for key in &bucket.keys {
            for finding in key.findings.iter().filter(|f| f.counts()) {
                let days = match finding.code {
                    FindingCode::Stale => key.days_since_last_use,
                    _ => key.age_days,
                };
                finding_lines.push(format!(
                    "- {name} / {} / {} / {} / {}",
                    key.access_key_id.as_deref().unwrap_or("(no id)"),
                    finding.code.as_str(),
                    days.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                    finding.recommendation
                ));
            }
        }
        if let Some(error) = &bucket.error {
            // Failed and skipped (deadline) buckets alike: neither was audited.
            failed_lines.push(format!("- {name}: {}: {}", error.code, error.message));
        }
    }
    (finding_lines, failed_lines)
}

/// One line per account or region that could not be audited.
fn scope_lines(report: &Report) -> Vec<String> {
    report
        .scope_errors()
        .iter()
        .map(|e| {
            let account = e.location.account_id.as_deref().unwrap_or("home account");
            let region = e
                .location
                .region
                .as_deref()
                .map_or(String::new(), |r| format!(" {r}"));
            format!("- {account}{region}: {}: {}", e.failure.code, e.failure.message)
        })
        .collect()
}

/// One line per suppression past its expiry.
fn expired_lines(report: &Report) -> Vec<String> {
    report
        .summary()
        .expired_suppressions
        .iter()
        .map(|s| {
            let target = match (&s.access_key_id, &s.bucket_name) {
                (Some(key), _) => format!("key {key}"),
                (None, Some(bucket)) => format!("bucket {bucket}"),
                (None, None) => "(nothing)".to_owned(),
            };
            format!("- {target}: expired {}: {}", s.expires, s.reason)
        })
        .collect()
}

/// The lines of each section, before they are fitted into the message.
struct Lists {
    findings: Vec<String>,
    failed: Vec<String>,
    scopes: Vec<String>,
    expired: Vec<String>,
}

/// `head` and the sections within SNS's limit, then a count of what did not fit.
fn message(head: String, lists: Lists) -> String {
    // Failures are few and urgent: they are budgeted first, so thousands of findings cannot
    // crowd them out; findings get the rest. They are still listed findings first.
    let budget = MAX_MESSAGE_BYTES - TRAILER_BYTES - head.len();
    let scope_title = format!("ACCOUNTS OR REGIONS NOT AUDITED ({})", lists.scopes.len());
    let (scopes, scopes_left) = section(&scope_title, lists.scopes, budget / 4);
    let failed_title = format!("FAILED BUCKETS ({})", lists.failed.len());
    let (failed, failed_left) = section(&failed_title, lists.failed, budget / 2 - scopes.len());
    let findings_title = format!(
        "FINDINGS ({}) - bucket / key id / verdict / days / recommendation",
        lists.findings.len()
    );
    let findings_budget = budget - scopes.len() - failed.len();
    let (listed, findings_left) = section(&findings_title, lists.findings, findings_budget);
    let expired_title = format!(
        "EXPIRED SUPPRESSIONS, NO LONGER APPLIED ({})",
        lists.expired.len()
    );
    let (expired, expired_left) = section(&expired_title, lists.expired, TRAILER_BYTES / 2);
    let left_out = scopes_left + failed_left + findings_left + expired_left;
    let mut message = head;
    for part in [listed, failed, scopes, expired] {
        message.push_str(&part);
    }
    message.push('\n');
    if left_out > 0 {
        let _ = writeln!(
            message,
            "... and {left_out} more lines not listed: SNS messages are limited to 256 KB."
        );
    }
    message.push_str("The full JSON report is delivered to the function's OnSuccess destination.\n");
    message
}

/// A titled list within `budget` bytes, and how many lines did not fit.
fn section(title: &str, lines: Vec<String>, budget: usize) -> (String, usize) {
    let mut text = String::new();
    if lines.is_empty() {
        return (text, 0);
    }
    let _ = writeln!(text, "\n{title}");
    if text.len() > budget {
        return (String::new(), lines.len());
    }
    let total = lines.len();
    let mut listed = 0;
    for line in lines {
        let line = clip(&line, MAX_LINE_CHARS);
        if text.len() + line.len() + 1 > budget {
            break;
        }
        text.push_str(&line);
        text.push('\n');
        listed += 1;
    }
    (text, total - listed)
}

fn place(location: &Location) -> String {
    match (&location.account_id, &location.region) {
        (Some(account), Some(region)) => format!(" ({account}, {region})"),
        (None, Some(region)) => format!(" ({region})"),
        (Some(account), None) => format!(" ({account})"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Failure;
    use crate::plan::ScopeError;
    use crate::report::BucketReport;
    use crate::rules::{Finding, KeyReport, Policy};
    use chrono::{TimeZone, Utc};

    fn stale_key(id: &str) -> KeyReport {
        KeyReport::sample(id, &[FindingCode::Stale, FindingCode::RotationDue])
    }

    fn report(buckets: Vec<BucketReport>, scope_errors: Vec<ScopeError>) -> Report {
        Report::new(
            Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap(),
            Policy::default(),
            buckets,
            scope_errors,
            &[],
        )
    }

    #[test]
    fn a_person_gets_every_finding_and_failure_in_plain_text() {
        let report = report(
            vec![
                BucketReport::audited(
                    "media-prod".into(),
                    Location::home(),
                    vec![Finding::new(FindingCode::MultipleActiveKeys, "m".into())],
                    vec![stale_key("AKIAMEDIAPROD0000OLD")],
                ),
                BucketReport::failed(
                    "ghost".into(),
                    Location::home(),
                    Failure::new("NotFoundException", "The bucket does not exist"),
                ),
            ],
            vec![ScopeError {
                location: Location {
                    account_id: Some("333333333333".into()),
                    region: None,
                },
                role_arn: None,
                failure: Failure::new("AssumeRoleFailed", "cannot assume"),
            }],
        );
        let n = compose_notification(&report);
        assert_eq!(
            n.subject,
            "Lightsail key audit: 3 findings, 1 buckets failed, 1 scopes failed"
        );
        let expected = format!(
            "Lightsail bucket-key audit at 2026-11-27T06:00:00Z\n\
             1 of 2 buckets audited, 1 failed; 1 keys, 1 with findings; 1 accounts or regions not audited.\n\
             Thresholds: stale after 45 days unused, never-used grace 7 days, rotate after 90 days.\n\
             \n\
             FINDINGS (3) - bucket / key id / verdict / days / recommendation\n\
             - media-prod (123456789012, us-east-1) / - / MULTIPLE_ACTIVE_KEYS / - / {}\n\
             - media-prod (123456789012, us-east-1) / AKIAMEDIAPROD0000OLD / STALE / 100 / {}\n\
             - media-prod (123456789012, us-east-1) / AKIAMEDIAPROD0000OLD / ROTATION_DUE / 200 / {}\n\
             \n\
             FAILED BUCKETS (1)\n\
             - ghost (123456789012, us-east-1): NotFoundException: The bucket does not exist\n\
             \n\
             ACCOUNTS OR REGIONS NOT AUDITED (1)\n\
             - 333333333333: AssumeRoleFailed: cannot assume\n\
             \n\
             The full JSON report is delivered to the function's OnSuccess destination.\n",
            FindingCode::MultipleActiveKeys.recommendation(),
            FindingCode::Stale.recommendation(),
            FindingCode::RotationDue.recommendation(),
        );
        assert_eq!(n.message, expected);
        assert!(worth_notifying(&report, false));
    }

    #[test]
    fn a_clean_report_is_sent_only_when_asked_to_always_send() {
        let clean = report(
            vec![BucketReport::audited(
                "a-b-c".into(),
                Location::home(),
                vec![],
                vec![],
            )],
            vec![],
        );
        assert!(!worth_notifying(&clean, false));
        assert!(worth_notifying(&clean, true));
        let n = compose_notification(&clean);
        assert_eq!(n.subject, "Lightsail key audit: 0 findings, 0 buckets failed");
        assert!(!n.message.contains("FINDINGS"));
    }

    #[test]
    fn a_huge_report_is_summarised_within_the_sns_limit() {
        // 20,000 buckets with two findings each: about 9 MB if listed in full.
        let buckets: Vec<BucketReport> = (0..20_000)
            .map(|i| {
                BucketReport::audited(
                    format!("bucket-{i:05}"),
                    Location::home(),
                    vec![],
                    vec![stale_key(&format!("AKIA{i:016}"))],
                )
            })
            .collect();
        let mut with_failure = buckets;
        with_failure.push(BucketReport::failed(
            "late-failure".into(),
            Location::home(),
            Failure {
                code: "AccessDeniedException".into(),
                message: "x".repeat(100_000),
            },
        ));
        let n = compose_notification(&report(with_failure, vec![]));
        assert!(n.message.len() <= MAX_MESSAGE_BYTES, "{} bytes", n.message.len());
        assert!(
            n.message.len() > MAX_MESSAGE_BYTES - 2 * TRAILER_BYTES,
            "the budget is used"
        );
        assert!(n.subject.chars().count() <= MAX_SUBJECT_CHARS);
        let listed = n.message.lines().filter(|l| l.starts_with("- ")).count();
        let trailer = format!("... and {} more lines not listed", 40_001 - listed);
        assert!(
            n.message.contains(&trailer),
            "{}",
            &n.message[n.message.len() - 300..]
        );
        assert!(n.message.ends_with("OnSuccess destination.\n"));
        assert!(
            n.message.contains("\nFAILED BUCKETS (1)\n- late-failure"),
            "failures are never crowded out"
        );
    }

    #[test]
    fn one_huge_error_message_is_clipped_not_allowed_to_crowd_out_the_rest() {
        let report = report(
            vec![BucketReport::failed(
                "a-b-c".into(),
                Location::home(),
                Failure {
                    code: "ServiceException".into(),
                    message: "y".repeat(10_000),
                },
            )],
            vec![],
        );
        let n = compose_notification(&report);
        let line = n.message.lines().find(|l| l.starts_with("- a-b-c")).unwrap();
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 3);
    }
}
