//! What people read: a plain-text summary for email and an Amazon Q Developer in chat
//! applications custom notification for chat, published together as one SNS message with
//! `MessageStructure: json`. Both lead with what changed, show access key ids only masked, and
//! stay within SNS's 256 KB, counting what did not fit.

use std::fmt::Write;

use serde_json::json;

use super::changes::Changes;
use super::contract::Report;
use super::digest::{Digest, Item};
use super::hub_summary::HubStatus;
use super::remediation::{Action, ActionStatus};
use crate::coverage::Location;
use crate::request::{NotifyWhen, RemediationMode};
use crate::rules::FindingCode;
use crate::text::clip;

/// SNS's limit on a message, in bytes of UTF-8: here the whole JSON of both variants.
pub(crate) const MAX_MESSAGE_BYTES: usize = 262_144;
/// Room kept for the closing lines, which are always sent.
const TRAILER_BYTES: usize = 2_048;
/// SNS's limit on a subject, in characters.
const MAX_SUBJECT_CHARS: usize = 100;
/// The longest a single listed line may be, so one huge error message cannot crowd out the rest.
const MAX_LINE_CHARS: usize = 1_000;
/// Chat clients cut long messages (Slack, a section's text at 3,000 characters; a header at
/// 150): the chat variant keeps within them and points to the email and the report for more.
const MAX_CHAT_TITLE_CHARS: usize = 150;
const MAX_CHAT_DESCRIPTION_CHARS: usize = 3_000;
const MAX_CHAT_LINES: usize = 20;

/// What is published: the subject (email), the email text and the chat notification (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notification {
    pub(crate) subject: String,
    pub(crate) email: String,
    pub(crate) chat: String,
}

impl Notification {
    /// The SNS message with `MessageStructure: json`: the chat notification as `default`
    /// (every protocol without its own key, Amazon Q Developer among them), the text as `email`.
    pub(crate) fn message(&self) -> String {
        json!({"default": self.chat, "email": self.email}).to_string()
    }
}

/// True when people should hear of this report, as `NOTIFY_WHEN` says.
pub(crate) fn worth_notifying(report: &Report, when: NotifyWhen) -> bool {
    let summary = report.summary();
    // Failed, skipped, access unknown, scopes: whatever was not audited is news.
    let failures = summary.not_audited() > 0
        || !summary.expired_suppressions.is_empty()
        || summary.security_hub.failures() > 0;
    // A key deleted, a deletion that failed, or a deletion date announced is always news:
    // the warning must reach people before the date.
    let remediated =
        summary.remediation.get(ActionStatus::Deleted) + summary.remediation.get(ActionStatus::Failed) > 0
            || report.remediation().announces_news();
    if remediated {
        return true;
    }
    // Without a known past, changes cannot be told from findings: anything open is news.
    match when {
        NotifyWhen::Always => true,
        NotifyWhen::Changes if summary.changes.is_tracked() => {
            failures || summary.new_findings > 0 || !summary.resolved_findings.is_empty()
        }
        NotifyWhen::Changes | NotifyWhen::Findings => failures || summary.findings.total() > 0,
    }
}

/// The notification of `report`; `thread_id` groups a function's messages in one chat thread.
pub(crate) fn compose_notification(report: &Report, thread_id: &str) -> Notification {
    let digest = Digest::of(report);
    let chat = chat(&digest, thread_id);
    let lines = Lines::of(&digest);
    // JSON escaping grows the text (a line break is two bytes): shrink its budget until the
    // whole message fits.
    let mut budget = MAX_MESSAGE_BYTES.saturating_sub(chat.len() + 512);
    loop {
        let notification = Notification {
            subject: subject(report),
            email: email(report, lines.clone(), budget),
            chat: chat.clone(),
        };
        let size = notification.message().len();
        if size <= MAX_MESSAGE_BYTES || budget == 0 {
            return notification;
        }
        budget = budget.saturating_sub(size - MAX_MESSAGE_BYTES + 1_024);
    }
}

/// An access key id as people see it: the first four and last four characters
/// (`AKIA…0OLD`); too short to show any of it safely, just the ellipsis.
pub(crate) fn mask(access_key_id: &str) -> String {
    let chars: Vec<char> = access_key_id.chars().collect();
    match (
        chars.get(..4),
        chars.len().checked_sub(4).and_then(|i| chars.get(i..)),
    ) {
        (Some(head), Some(tail)) if chars.len() > 8 => {
            format!(
                "{}…{}",
                head.iter().collect::<String>(),
                tail.iter().collect::<String>()
            )
        }
        _ => "…".to_owned(),
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
    if summary.new_findings > 0 || !summary.resolved_findings.is_empty() {
        let _ = write!(
            subject,
            ", {} new, {} resolved",
            summary.new_findings,
            summary.resolved_findings.len()
        );
    }
    let deleted = summary.remediation.get(ActionStatus::Deleted);
    if deleted > 0 {
        let _ = write!(subject, ", {deleted} keys deleted");
    }
    if summary.access_unknown > 0 {
        let _ = write!(subject, ", {} with access unknown", summary.access_unknown);
    }
    if summary.scope_errors > 0 {
        let _ = write!(subject, ", {} scopes failed", summary.scope_errors);
    }
    // clip adds "..." where it cuts.
    clip(&subject, MAX_SUBJECT_CHARS - 3)
}

/// The opening lines: when, what changed, the counts, the thresholds, what suppressions hide.
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
    let _ = writeln!(head, "{}", changes_line(report));
    if let Some(line) = security_hub_line(report) {
        let _ = writeln!(head, "{line}");
    }
    let _ = writeln!(
        head,
        "{} of {} buckets audited{}, {} failed; {} keys, {} with findings; {} accounts or regions not audited.",
        summary.buckets_audited,
        summary.buckets_requested,
        match summary.access_unknown {
            0 => String::new(),
            n => format!(" ({n} with access unknown)"),
        },
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
    if let Some(line) = remediation_line(report) {
        let _ = writeln!(head, "{line}");
    }
    if summary.suppressed > 0 {
        let _ = writeln!(
            head,
            "{} suppressed findings are not listed (see the report for their reasons).",
            summary.suppressed
        );
    }
    head
}

/// Remediation's outcome in one sentence, when it is on.
fn remediation_line(report: &Report) -> Option<String> {
    let remediation = report.remediation();
    if remediation.mode == RemediationMode::Off {
        return None;
    }
    let counts = &report.summary().remediation;
    let listed: Vec<String> = ActionStatus::ALL
        .into_iter()
        .map(|status| format!("{} {}", counts.get(status), status.as_str().to_ascii_lowercase()))
        .collect();
    Some(format!(
        "Remediation ({}): {} (see the report's remediation.actions).",
        remediation.mode.as_str(),
        listed.join(", ")
    ))
}

/// What changed since the last run, in one sentence.
fn changes_line(report: &Report) -> String {
    let summary = report.summary();
    let (new, resolved) = (summary.new_findings, summary.resolved_findings.len());
    match summary.changes {
        Changes::Tracked => format!("Since the last audit: {new} new findings, {resolved} resolved."),
        Changes::FirstRun => format!("First audit with change tracking: all {new} findings are new."),
        Changes::Disabled => "Changes are not tracked (no REPORT_BUCKET).".to_owned(),
        Changes::Unknown => {
            "Changes unknown: the archive's state could not be read (see summary.archive).".to_owned()
        }
    }
}

/// When the Security Hub export did not send everything: how it went, and the first error;
/// or why a run that is not the schedule's sent nothing.
fn security_hub_line(report: &Report) -> Option<String> {
    let hub = &report.summary().security_hub;
    let status = match hub.status {
        HubStatus::Partial => "PARTIAL",
        HubStatus::Failed => "FAILED",
        HubStatus::Disabled => {
            return hub.errors.first().map(|e| {
                format!(
                    "Security Hub: nothing sent: {}.",
                    clip(&e.message, MAX_LINE_CHARS)
                )
            })
        }
        HubStatus::Sent => return None,
    };
    let first = hub.errors.first().map_or(String::new(), |e| {
        let place = match (&e.account_id, &e.region) {
            (Some(account), Some(region)) => format!("{account} {region}: "),
            _ => String::new(),
        };
        format!("; first error {place}`{}`", e.code)
    });
    Some(format!(
        "Security Hub export {status}: {} imported, {} archived, {} not sent{first} (see summary.securityHub).",
        hub.imported, hub.archived, hub.failed
    ))
}

/// The lines of each section, before they are fitted into the message.
#[derive(Clone)]
struct Lines {
    new: Vec<String>,
    resolved: Vec<String>,
    deleted: Vec<String>,
    deletions_failed: Vec<String>,
    /// Deletion dates announced by this run: budgeted first, as the state keeps each date
    /// only because this message carries it (at most `MAX_NEW_ANNOUNCEMENTS` lines).
    announced: Vec<String>,
    findings: Vec<String>,
    failed: Vec<String>,
    scopes: Vec<String>,
    expired: Vec<String>,
}

impl Lines {
    fn of(digest: &Digest) -> Self {
        let report = digest.report;
        let (findings, failed, new) = bucket_lines(digest);
        let (deleted, deletions_failed, announced) = remediation_lines(report);
        Self {
            new,
            resolved: resolved_lines(report),
            deleted,
            deletions_failed,
            announced,
            findings,
            failed,
            scopes: scope_lines(report),
            expired: expired_lines(report),
        }
    }
}

/// One line per unsuppressed finding, one per bucket not audited, and the new findings' lines.
fn bucket_lines(digest: &Digest) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut findings, mut failed, mut new) = (Vec::new(), Vec::new(), Vec::new());
    for bucket in &digest.buckets {
        let name = format!("{}{}", bucket.bucket.bucket_name, place(bucket.location()));
        for item in bucket.open() {
            let line = finding_line(&name, item, item.warning(bucket, digest.report).as_deref());
            if item.finding.new == Some(true) {
                new.push(line.clone());
            }
            findings.push(line);
        }
        if let Some(error) = &bucket.bucket.error {
            // Failed and skipped (deadline) buckets alike: neither was audited.
            failed.push(format!("- {name}: {}: {}", error.code, error.message));
        }
        if let Some(error) = &bucket.bucket.access_error {
            // Its keys were audited, its access was not: unknown, never clean.
            failed.push(format!(
                "- {name}: access unknown (GetBuckets): {}: {}",
                error.code, error.message
            ));
        }
    }
    (findings, failed, new)
}

/// `- bucket / key id (masked) / verdict / days / recommendation`; an access finding's
/// verdict carries its message, which names the accounts and instances (no key id is in it).
fn finding_line(name: &str, item: Item, warning: Option<&str>) -> String {
    let id = item.key.map_or_else(
        || "-".to_owned(),
        |k| k.access_key_id.as_deref().map_or("(no id)".to_owned(), mask),
    );
    let code = item.finding.code;
    let verdict = if code.is_access() {
        format!("{} ({})", code.as_str(), item.finding.message)
    } else {
        code.as_str().to_owned()
    };
    let mut line = format!(
        "- {name} / {id} / {verdict} / {} / {}",
        item.days().map_or_else(|| "-".to_owned(), |d| d.to_string()),
        item.finding.recommendation
    );
    if let Some(warning) = warning {
        let _ = write!(line, " / {warning}");
    }
    line
}

/// One line per key remediation deleted, and per deletion that failed with the API's code
/// only (its message may name the key in full).
fn remediation_lines(report: &Report) -> (Vec<String>, Vec<String>, Vec<String>) {
    let line = |a: &Action, outcome: &str| {
        format!(
            "- {}{} / {} / {} / {outcome}",
            a.bucket_name,
            place(&a.location),
            mask(&a.access_key_id),
            a.code.as_str()
        )
    };
    let remediation = report.remediation();
    let deleted = remediation
        .with_status(ActionStatus::Deleted)
        .map(|a| line(a, "deleted"))
        .collect();
    let failed = remediation
        .with_status(ActionStatus::Failed)
        .map(|a| line(a, &format!("not deleted: {}", failure_code(a))))
        .collect();
    let announced = remediation
        .newly_announced()
        .map(|a| line(a, &a.reason))
        .collect();
    (deleted, failed, announced)
}

/// The API's code a failed action's reason starts with.
fn failure_code(action: &Action) -> &str {
    action.reason.split(':').next().unwrap_or_default()
}

/// One line per resolved finding.
fn resolved_lines(report: &Report) -> Vec<String> {
    report
        .summary()
        .resolved_findings
        .iter()
        .map(|r| {
            let id = r.access_key_id.as_deref().map_or("-".to_owned(), mask);
            let since = r.first_seen.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            format!(
                "- {}{} / {id} / {} / open since {since}",
                r.bucket_name,
                place(&r.location),
                r.code.as_str()
            )
        })
        .collect()
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
                (Some(key), _) => format!("key {}", mask(key)),
                (None, Some(bucket)) => format!("bucket {bucket}"),
                (None, None) => "(nothing)".to_owned(),
            };
            format!("- {target}: expired {}: {}", s.expires, s.reason)
        })
        .collect()
}

/// The email text: the head and the sections within `budget` bytes, then a count of the rest.
fn email(report: &Report, lines: Lines, budget: usize) -> String {
    let head = head(report);
    let budget = budget.saturating_sub(TRAILER_BYTES + head.len());
    // Announced deletion dates come first: at most MAX_NEW_ANNOUNCEMENTS short lines, a
    // quarter of the budget holds them all. Failures are few and urgent: they come next, so
    // thousands of findings cannot crowd them out; then what changed; the open findings get
    // the rest. Listed as read: changes first, then findings, failures.
    let titled = |title: &str, lines: &Vec<String>| format!("{title} ({})", lines.len());
    let (announced, announced_left) = section(
        &titled("DELETIONS ANNOUNCED", &lines.announced),
        lines.announced,
        budget / 4,
    );
    let budget = budget - announced.len();
    let (scopes, scopes_left) = section(
        &titled("ACCOUNTS OR REGIONS NOT AUDITED", &lines.scopes),
        lines.scopes,
        budget / 4,
    );
    let (failed, failed_left) = section(
        &titled("FAILED BUCKETS", &lines.failed),
        lines.failed,
        budget / 2 - scopes.len(),
    );
    let (deletions_failed, deletions_failed_left) = section(
        &titled("KEY DELETIONS THAT FAILED", &lines.deletions_failed),
        lines.deletions_failed,
        (budget / 2).saturating_sub(scopes.len() + failed.len()),
    );
    let (deleted, deleted_left) = section(
        &titled("KEYS DELETED BY REMEDIATION", &lines.deleted),
        lines.deleted,
        (budget / 2).saturating_sub(scopes.len() + failed.len() + deletions_failed.len()),
    );
    let rest = budget.saturating_sub(scopes.len() + failed.len() + deletions_failed.len() + deleted.len());
    let (new, new_left) = section(&titled("NEW FINDINGS", &lines.new), lines.new, rest / 3);
    let (resolved, resolved_left) = section(
        &titled("RESOLVED FINDINGS", &lines.resolved),
        lines.resolved,
        rest / 3,
    );
    let findings_title =
        titled("OPEN FINDINGS", &lines.findings) + " - bucket / key id / verdict / days / recommendation";
    let findings_budget = rest - new.len() - resolved.len();
    let (listed, findings_left) = section(&findings_title, lines.findings, findings_budget);
    let (expired, expired_left) = section(
        &titled("EXPIRED SUPPRESSIONS, NO LONGER APPLIED", &lines.expired),
        lines.expired,
        TRAILER_BYTES / 2,
    );
    let left_out = announced_left
        + scopes_left
        + failed_left
        + deletions_failed_left
        + deleted_left
        + new_left
        + resolved_left
        + findings_left
        + expired_left;
    let parts = [
        deleted,
        deletions_failed,
        announced,
        new,
        resolved,
        listed,
        failed,
        scopes,
        expired,
    ];
    assemble(head, &parts, left_out, report.summary().changes)
}

/// The email from its head and sections, in reading order, then what was left out and
/// where the whole report is.
fn assemble(head: String, parts: &[String], left_out: usize, changes: Changes) -> String {
    let mut text = head;
    for part in parts {
        text.push_str(part);
    }
    text.push('\n');
    if left_out > 0 {
        let _ = writeln!(
            text,
            "... and {left_out} more lines not listed: SNS messages are limited to 256 KB."
        );
    }
    text.push_str(match changes {
        Changes::Disabled => "The full JSON report, whole key ids included, went to the function's caller (no archive is set).\n",
        _ => "The full JSON report, whole key ids included, is in the report archive (REPORT_BUCKET).\n",
    });
    text
}

/// The chat notification: Amazon Q Developer in chat applications' custom-notification schema.
fn chat(digest: &Digest, thread_id: &str) -> String {
    let report = digest.report;
    let summary = report.summary();
    let title = clip(&chat_title(digest), MAX_CHAT_TITLE_CHARS - 3);
    let mut keywords = vec!["LightsailKeyAudit".to_owned()];
    keywords.extend(
        FindingCode::ALL
            .into_iter()
            .filter(|c| summary.findings.of(*c) > 0)
            .map(|c| c.as_str().to_owned()),
    );
    json!({
        "version": "1.0",
        "source": "custom",
        "content": {
            "textType": "client-markdown",
            "title": title,
            "description": chat_description(digest),
            "nextSteps": next_steps(digest),
            "keywords": keywords,
        },
        "metadata": {
            "threadId": thread_id,
            "summary": title,
            "eventType": "LightsailKeyAudit",
            "keywords": keywords,
        },
    })
    .to_string()
}

fn chat_title(digest: &Digest) -> String {
    let summary = digest.summary();
    let open = summary.findings.total();
    let mut title = if summary.changes.is_tracked() {
        format!(
            "Lightsail key audit: {} new, {} resolved, {open} open",
            summary.new_findings,
            summary.resolved_findings.len()
        )
    } else {
        format!("Lightsail key audit: {open} open findings")
    };
    let failed = digest.summary().not_audited();
    if failed > 0 {
        let _ = write!(title, ", {failed} not audited");
    }
    title
}

/// Markdown: what changed (or, untracked, what is open), then the counts; within the chat
/// clients' limits, with a count of what is only in the email and the report.
fn chat_description(digest: &Digest) -> String {
    let report = digest.report;
    let mut text = format!("{}\n", changes_line(report));
    if let Some(line) = security_hub_line(report) {
        let _ = writeln!(text, "{line}");
    }
    let (mut shown, mut left) = (0, 0);
    for (title, items) in chat_sections(digest)
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
    {
        let _ = writeln!(text, "{title} ({})", items.len());
        for item in items {
            let line = format!("• {item}\n");
            let fits = text.chars().count() + line.chars().count() < MAX_CHAT_DESCRIPTION_CHARS - 200;
            if shown < MAX_CHAT_LINES && fits {
                text.push_str(&line);
                shown += 1;
            } else {
                left += 1;
            }
        }
    }
    text.push_str(&open_counts(report));
    if left > 0 {
        let _ = write!(text, "\n…and {left} more in the email summary and the report.");
    }
    clip(&text, MAX_CHAT_DESCRIPTION_CHARS - 3)
}

/// The chat's sections: what changed when changes are tracked, else what is open; then what
/// was not audited. Short lines: the recommendations are the notification's next steps.
fn chat_sections(digest: &Digest) -> Vec<(&'static str, Vec<String>)> {
    let report = digest.report;
    let mut new = Vec::new();
    let mut open = Vec::new();
    let mut failed = Vec::new();
    for bucket in &digest.buckets {
        let name = format!(
            "{}{}",
            markdown_safe(&bucket.bucket.bucket_name),
            place(bucket.location())
        );
        for item in bucket.open() {
            let id = item
                .key
                .and_then(|k| k.access_key_id.as_deref())
                .map_or_else(String::new, |id| format!(" `{}`", mask(id)));
            let mut line = format!("{name}{id} `{}`", item.finding.code.as_str());
            if let Some(warning) = item.warning(bucket, report) {
                let _ = write!(line, ": {warning}");
            }
            if item.finding.new == Some(true) {
                new.push(line.clone());
            }
            open.push(line);
        }
        if let Some(error) = &bucket.bucket.error {
            failed.push(format!("{name}: `{}`", error.code));
        }
        if let Some(error) = &bucket.bucket.access_error {
            failed.push(format!("{name}: access unknown, `{}`", error.code));
        }
    }
    let resolved = report.summary().resolved_findings.iter().map(|r| {
        let id = r
            .access_key_id
            .as_deref()
            .map_or_else(String::new, |id| format!(" `{}`", mask(id)));
        format!(
            "{}{}{id} `{}`",
            markdown_safe(&r.bucket_name),
            place(&r.location),
            r.code.as_str()
        )
    });
    let scopes = report.scope_errors().iter().map(|e| {
        let account = e.location.account_id.as_deref().unwrap_or("home account");
        format!(
            "{account} {}: `{}`",
            e.location.region.as_deref().unwrap_or(""),
            e.failure.code
        )
    });
    failed.extend(scopes);
    let mut sections = remediation_sections(report);
    if report.summary().changes.is_tracked() {
        sections.push(("*New findings*", new));
        sections.push(("*Resolved*", resolved.collect()));
    } else {
        sections.push(("*Open findings*", open));
    }
    sections.push(("*Not audited*", failed));
    sections.push((
        "*Expired suppressions*",
        expired_lines(report)
            .iter()
            .map(|l| markdown_safe(l.trim_start_matches("- ")))
            .collect(),
    ));
    sections
}

/// The chat's lines for the keys remediation deleted, and the deletions that failed (by
/// their code only: a message may name the key in full).
fn remediation_sections(report: &Report) -> Vec<(&'static str, Vec<String>)> {
    let lines = |status: ActionStatus, outcome: &dyn Fn(&Action) -> String| -> Vec<String> {
        report
            .remediation()
            .with_status(status)
            .map(|a| {
                format!(
                    "{}{} `{}` `{}`{}",
                    markdown_safe(&a.bucket_name),
                    place(&a.location),
                    mask(&a.access_key_id),
                    a.code.as_str(),
                    outcome(a)
                )
            })
            .collect()
    };
    vec![
        ("*Keys deleted*", lines(ActionStatus::Deleted, &|_| String::new())),
        (
            "*Key deletions failed*",
            lines(ActionStatus::Failed, &|a| format!(": `{}`", failure_code(a))),
        ),
    ]
}

/// `*Open*: 5 findings (STALE 2, ...); 9 of 10 buckets audited`.
fn open_counts(report: &Report) -> String {
    let summary = report.summary();
    let by_code: Vec<String> = FindingCode::ALL
        .into_iter()
        .filter(|c| summary.findings.of(*c) > 0)
        .map(|c| format!("{} {}", c.as_str(), summary.findings.of(c)))
        .collect();
    format!(
        "*Open*: {} findings{}; {} of {} buckets audited.",
        summary.findings.total(),
        if by_code.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_code.join(", "))
        },
        summary.buckets_audited,
        summary.buckets_requested
    )
}

/// Text from outside set in chat markdown: no code spans or emphasis it did not mean.
fn markdown_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '`' | '*' | '_' | '~') {
                '\''
            } else {
                c
            }
        })
        .collect()
}

/// What to do: the recommendation of each code among the findings people should act on
/// (the new ones when changes are tracked), and a pointer to what was not audited.
fn next_steps(digest: &Digest) -> Vec<String> {
    let summary = digest.summary();
    let tracked = summary.changes.is_tracked();
    let relevant = |code: FindingCode| {
        digest
            .open()
            .any(|(_, item)| item.finding.code == code && (!tracked || item.finding.new == Some(true)))
    };
    let mut steps: Vec<String> = FindingCode::ALL
        .into_iter()
        .filter(|c| relevant(*c))
        .map(|c| format!("{}: {}", c.as_str(), c.recommendation()))
        .collect();
    if digest.summary().not_audited() > 0 {
        steps.push("Not audited: read each failed bucket's and scope's error (and accessError) in the report, fix access or quotas, then run the audit again.".to_owned());
    }
    if !summary.expired_suppressions.is_empty() {
        steps.push("Expired suppressions no longer apply: renew them with a new expiry date, or remove them (SUPPRESSIONS_JSON or the request's suppressions).".to_owned());
    }
    steps
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
    use crate::coverage::ScopeError;
    use crate::failure::Failure;
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

    /// [`crate::report::remediation::sample`] in this module's report.
    fn remediated() -> Report {
        let bucket = BucketReport::audited("media-prod".into(), Location::home(), vec![], vec![]);
        let mut report = report(vec![bucket], vec![]);
        crate::report::remediation::sample(&mut report);
        report
    }

    #[test]
    fn planned_deletions_are_warned_of_and_deletions_listed_masked_in_both_channels() {
        let report = remediated();
        assert!(
            worth_notifying(&report, NotifyWhen::Changes),
            "a deletion is news"
        );
        let notification = compose_notification(&report, "t");
        assert!(
            notification.subject.ends_with(", 1 keys deleted"),
            "{}",
            notification.subject
        );
        let email = &notification.email;
        assert!(
            email.contains("Remediation (delete): 1 planned, 1 deleted, 0 skipped, 0 deferred, 1 failed"),
            "{email}"
        );
        assert!(
            email.contains("- media-prod (123456789012, us-east-1) / AKIA…0001 / INACTIVE / 200 / Delete the inactive key (DeleteBucketAccessKey): it frees one of the bucket's two key slots and removes a credential that could be reactivated. / will be deleted on 2026-12-11 unless suppressed or used"),
            "{email}"
        );
        assert!(
            email.contains("DELETIONS ANNOUNCED (1)\n- media-prod (123456789012, us-east-1) / AKIA…0001 / INACTIVE / will be deleted on 2026-12-11 unless suppressed or used\n"),
            "{email}"
        );
        assert!(email.contains("KEYS DELETED BY REMEDIATION (1)\n- media-prod (123456789012, us-east-1) / AKIA…0002 / INACTIVE / deleted"), "{email}");
        assert!(
            email.contains("KEY DELETIONS THAT FAILED (1)\n- media-prod (123456789012, us-east-1) / AKIA…0003 / INACTIVE / not deleted: AccessDeniedException\n"),
            "{email}"
        );
        let chat: serde_json::Value = serde_json::from_str(&notification.chat).unwrap();
        let description = chat["content"]["description"].as_str().unwrap();
        assert!(
            description.contains(
                "*Keys deleted* (1)\n• media-prod (123456789012, us-east-1) `AKIA…0002` `INACTIVE`"
            ),
            "{description}"
        );
        assert!(
            description.contains("`AKIA…0003` `INACTIVE`: `AccessDeniedException`"),
            "{description}"
        );
        assert!(
            description
                .contains("`AKIA…0001` `INACTIVE`: will be deleted on 2026-12-11 unless suppressed or used"),
            "{description}"
        );
        for id in [
            "AKIAPLANNED000000001",
            "AKIADELETED000000002",
            "AKIAFAILED0000000003",
        ] {
            assert!(!notification.message().contains(id), "{id} in full");
        }
    }

    #[test]
    fn a_security_hub_export_that_did_not_send_everything_is_news_in_both_channels() {
        use crate::report::{HubError, HubSummary};
        let mut report = report(vec![], vec![]);
        assert!(!worth_notifying(&report, NotifyWhen::Findings));
        let notification = compose_notification(&report, "t");
        assert!(!notification.email.contains("Security Hub"));
        report.set_security_hub(
            HubSummary {
                imported: 3,
                failed: 1,
                errors: vec![HubError {
                    account_id: Some("210987654321".into()),
                    region: Some("us-east-1".into()),
                    code: "InvalidAccessException".into(),
                    message: "not subscribed".into(),
                }],
                ..HubSummary::default()
            }
            .settle(),
        );
        assert!(worth_notifying(&report, NotifyWhen::Findings));
        let notification = compose_notification(&report, "t");
        let line = "Security Hub export PARTIAL: 3 imported, 0 archived, 1 not sent; first error \
                    210987654321 us-east-1: `InvalidAccessException` (see summary.securityHub).";
        assert!(notification.email.contains(line), "{}", notification.email);
        assert!(
            notification.chat.contains("Security Hub export PARTIAL"),
            "{}",
            notification.chat
        );
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
        let n = compose_notification(&report, "thread");
        assert_eq!(
            n.subject,
            "Lightsail key audit: 3 findings, 1 buckets failed, 1 scopes failed"
        );
        let expected = format!(
            "Lightsail bucket-key audit at 2026-11-27T06:00:00Z\n\
             Changes are not tracked (no REPORT_BUCKET).\n\
             1 of 2 buckets audited, 1 failed; 1 keys, 1 with findings; 1 accounts or regions not audited.\n\
             Thresholds: stale after 45 days unused, never-used grace 7 days, rotate after 90 days.\n\
             \n\
             OPEN FINDINGS (3) - bucket / key id / verdict / days / recommendation\n\
             - media-prod (123456789012, us-east-1) / - / MULTIPLE_ACTIVE_KEYS / - / {}\n\
             - media-prod (123456789012, us-east-1) / AKIA…0OLD / STALE / 100 / {}\n\
             - media-prod (123456789012, us-east-1) / AKIA…0OLD / ROTATION_DUE / 200 / {}\n\
             \n\
             FAILED BUCKETS (1)\n\
             - ghost (123456789012, us-east-1): NotFoundException: The bucket does not exist\n\
             \n\
             ACCOUNTS OR REGIONS NOT AUDITED (1)\n\
             - 333333333333: AssumeRoleFailed: cannot assume\n\
             \n\
             The full JSON report, whole key ids included, went to the function's caller (no archive is set).\n",
            FindingCode::MultipleActiveKeys.recommendation(),
            FindingCode::Stale.recommendation(),
            FindingCode::RotationDue.recommendation(),
        );
        assert_eq!(n.email, expected);
        assert!(worth_notifying(&report, NotifyWhen::Findings));
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
        assert!(!worth_notifying(&clean, NotifyWhen::Findings));
        assert!(!worth_notifying(&clean, NotifyWhen::Changes));
        assert!(worth_notifying(&clean, NotifyWhen::Always));
        let n = compose_notification(&clean, "thread");
        assert_eq!(n.subject, "Lightsail key audit: 0 findings, 0 buckets failed");
        assert!(!n.email.contains("FINDINGS"));
    }

    #[test]
    fn a_bucket_whose_access_is_unknown_is_news_and_listed_as_not_audited() {
        let throttled = Failure::new("ThrottlingException", "Rate exceeded");
        let bucket = BucketReport::audited("a-b-c".into(), Location::home(), vec![], vec![])
            .with_access(Err(throttled), vec![]);
        let unknown = report(vec![bucket], vec![]);
        assert!(worth_notifying(&unknown, NotifyWhen::Findings));
        assert!(worth_notifying(&unknown, NotifyWhen::Changes));
        let n = compose_notification(&unknown, "thread");
        assert_eq!(
            n.subject,
            "Lightsail key audit: 0 findings, 0 buckets failed, 1 with access unknown"
        );
        assert!(
            n.email.contains("- a-b-c (123456789012, us-east-1): access unknown (GetBuckets): ThrottlingException: Rate exceeded"),
            "{}",
            n.email
        );
        assert!(n.chat.contains("access unknown"), "{}", n.chat);
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
        let n = compose_notification(&report(with_failure, vec![]), "thread");
        let size = n.message().len();
        assert!(size <= MAX_MESSAGE_BYTES, "{size} bytes");
        assert!(size > MAX_MESSAGE_BYTES - 4 * TRAILER_BYTES, "the budget is used");
        assert!(n.subject.chars().count() <= MAX_SUBJECT_CHARS);
        let listed = n.email.lines().filter(|l| l.starts_with("- ")).count();
        let trailer = format!("... and {} more lines not listed", 40_001 - listed);
        assert!(n.email.contains(&trailer), "{}", &n.email[n.email.len() - 300..]);
        assert!(n
            .email
            .ends_with("went to the function's caller (no archive is set).\n"));
        assert!(
            n.email.contains("\nFAILED BUCKETS (1)\n- late-failure"),
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
        let n = compose_notification(&report, "thread");
        let line = n.email.lines().find(|l| l.starts_with("- a-b-c")).unwrap();
        assert_eq!(line.chars().count(), MAX_LINE_CHARS + 3);
    }

    /// Two runs over one bucket: day 1 a stale key, day 2 that key resolved and another key
    /// newly never used, the second tracked against the first's state.
    fn tracked_second_run() -> Report {
        use crate::report::History;
        let day = |d| Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap();
        let bucket =
            |keys: Vec<KeyReport>| BucketReport::audited("media-prod".into(), Location::home(), vec![], keys);
        let mut first = Report::new(
            day(1),
            Policy::default(),
            vec![bucket(vec![stale_key("AKIAMEDIAPROD0000OLD")])],
            vec![],
            &[],
        );
        let state = first.track(History::FirstRun, &[]).unwrap();
        let fresh = KeyReport::sample("AKIAMEDIAPROD0000NEW", &[FindingCode::NeverUsed]);
        let mut second = Report::new(day(2), Policy::default(), vec![bucket(vec![fresh])], vec![], &[]);
        second.track(History::Known(state), &[]);
        second
    }

    #[test]
    fn key_ids_are_masked_to_their_first_and_last_four() {
        assert_eq!(mask("AKIAMEDIAPROD0000OLD"), "AKIA…0OLD");
        assert_eq!(mask("AKIA12345"), "AKIA…2345");
        for short in ["AKIA1234", "AKIA1", ""] {
            assert_eq!(mask(short), "…", "{short}");
        }
    }

    #[test]
    fn the_email_leads_with_what_is_new_and_what_was_resolved() {
        let n = compose_notification(&tracked_second_run(), "thread");
        let email = &n.email;
        assert!(
            email.contains("Since the last audit: 1 new findings, 2 resolved."),
            "{email}"
        );
        let new = email
            .find("NEW FINDINGS (1)\n- media-prod (123456789012, us-east-1) / AKIA…0NEW / NEVER_USED")
            .unwrap();
        let resolved = email.find("RESOLVED FINDINGS (2)\n- media-prod (123456789012, us-east-1) / AKIA…0OLD / STALE / open since 2026-11-01T06:00:00Z").unwrap();
        let open = email.find("OPEN FINDINGS (1)").unwrap();
        assert!(new < resolved && resolved < open, "{email}");
        assert!(
            !n.message().contains("AKIAMEDIAPROD0000"),
            "no whole key id: {}",
            n.message()
        );
        assert_eq!(
            n.subject,
            "Lightsail key audit: 1 findings, 0 buckets failed, 1 new, 2 resolved"
        );
    }

    #[test]
    fn the_chat_variant_is_an_amazon_q_developer_custom_notification() {
        let n = compose_notification(&tracked_second_run(), "lightsail-key-audit/123456789012/f");
        let message: serde_json::Value = serde_json::from_str(&n.message()).unwrap();
        assert_eq!(message["email"], n.email.as_str());
        let chat: serde_json::Value = serde_json::from_str(message["default"].as_str().unwrap()).unwrap();
        assert_eq!(chat["version"], "1.0");
        assert_eq!(chat["source"], "custom");
        let content = &chat["content"];
        assert_eq!(content["textType"], "client-markdown");
        assert_eq!(content["title"], "Lightsail key audit: 1 new, 2 resolved, 1 open");
        let description = content["description"].as_str().unwrap();
        assert!(
            description.starts_with(
                "Since the last audit: 1 new findings, 2 resolved.\n*New findings* (1)\n• media-prod"
            ),
            "{description}"
        );
        assert!(description.contains("AKIA…0NEW") && !description.contains("AKIAMEDIAPROD0000NEW"));
        assert!(description.contains("*Resolved* (2)"));
        assert!(
            description.ends_with("*Open*: 1 findings (NEVER_USED 1); 1 of 1 buckets audited."),
            "{description}"
        );
        let steps = content["nextSteps"].as_array().unwrap();
        assert_eq!(steps.len(), 1, "the new finding's remedy: {steps:?}");
        assert!(steps[0]
            .as_str()
            .unwrap()
            .starts_with("NEVER_USED: Delete the key"));
        assert_eq!(chat["metadata"]["threadId"], "lightsail-key-audit/123456789012/f");
        assert_eq!(chat["metadata"]["summary"], content["title"]);
        assert_eq!(
            chat["metadata"]["keywords"],
            serde_json::json!(["LightsailKeyAudit", "NEVER_USED"])
        );
        assert!(description.chars().count() <= MAX_CHAT_DESCRIPTION_CHARS);
    }

    #[test]
    fn with_changes_tracked_people_hear_of_changes_not_of_the_same_open_findings() {
        use crate::report::History;
        let day = |d| Utc.with_ymd_and_hms(2026, 11, d, 6, 0, 0).unwrap();
        let bucket = || {
            BucketReport::audited(
                "media-prod".into(),
                Location::home(),
                vec![],
                vec![stale_key("AKIAMEDIAPROD0000OLD")],
            )
        };
        let mut first = Report::new(day(1), Policy::default(), vec![bucket()], vec![], &[]);
        let state = first.track(History::FirstRun, &[]).unwrap();
        assert!(
            worth_notifying(&first, NotifyWhen::Changes),
            "the first run: all new"
        );
        let mut same = Report::new(day(2), Policy::default(), vec![bucket()], vec![], &[]);
        same.track(History::Known(state), &[]);
        assert!(!worth_notifying(&same, NotifyWhen::Changes), "nothing changed");
        assert!(
            worth_notifying(&same, NotifyWhen::Findings),
            "but findings are open"
        );
        assert!(worth_notifying(&tracked_second_run(), NotifyWhen::Changes));
        let mut unknown = Report::new(day(2), Policy::default(), vec![bucket()], vec![], &[]);
        unknown.track(History::Unknown(Failure::new("AccessDenied", "no")), &[]);
        assert!(
            worth_notifying(&unknown, NotifyWhen::Changes),
            "unknown changes: open findings are news"
        );
    }

    #[test]
    fn a_huge_chat_description_stays_within_the_chat_limits() {
        let buckets: Vec<BucketReport> = (0..500)
            .map(|i| {
                BucketReport::audited(
                    format!("bucket-{i:03}"),
                    Location::home(),
                    vec![],
                    vec![stale_key(&format!("AKIA{i:016}"))],
                )
            })
            .collect();
        let n = compose_notification(&report(buckets, vec![]), "thread");
        let message: serde_json::Value = serde_json::from_str(&n.message()).unwrap();
        let chat: serde_json::Value = serde_json::from_str(message["default"].as_str().unwrap()).unwrap();
        let description = chat["content"]["description"].as_str().unwrap();
        assert!(
            description.chars().count() <= MAX_CHAT_DESCRIPTION_CHARS,
            "{}",
            description.chars().count()
        );
        assert!(
            description.contains("…and 980 more in the email summary and the report."),
            "{description}"
        );
        assert!(chat["content"]["title"].as_str().unwrap().chars().count() <= MAX_CHAT_TITLE_CHARS);
    }
}
