//! The Security Hub export of a finished report: each account's findings imported with that
//! account's credentials, and what Security Hub holds open that this run resolved archived.
//!
//! One account and Security Hub Region at a time is a [`Target`]: its open findings are read
//! (paged `GetFindings`), then this run's findings and the archivals are imported in batches
//! of at most 100 findings and 6 MB, paced within Security Hub's rates (imports 10 a second,
//! reads 3). Targets run side by side. Every call and every pause stops at the audit's
//! cutoff, so the archive and the notification keep the delivery's grace after it. A failure
//! is reported in `summary.securityHub`; it never changes the rest of the report.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use tokio::time::Instant;
use tracing::{info, warn};

use super::run::{not_the_schedules, Credentials, Run};
use crate::aws::{HubPlace, SecurityHub};
use crate::coverage::Listed;
use crate::failure::{codes, Failure};
use crate::report::{
    archived_finding, asff_findings, generator_prefix, product_arn, to_archive, HubError, HubSummary, Report,
};
use crate::text::loggable;

/// `BatchImportFindings`' limits: findings and bytes per call, bytes per finding.
const MAX_BATCH_FINDINGS: usize = 100;
const MAX_BATCH_BYTES: usize = 6_000_000;
const MAX_FINDING_BYTES: usize = 240_000;
/// The bytes of a call's body around its findings: they count towards the 6 MB too.
const ENVELOPE_BYTES: usize = r#"{"Findings":[]}"#.len();
/// Security Hub's rates per account and Region: `BatchImportFindings` 10 a second (bursts to
/// 30), `GetFindings` 3 a second (bursts to 6).
const IMPORT_SPACING: Duration = Duration::from_millis(100);
const READ_SPACING: Duration = Duration::from_millis(334);
/// `GetFindings` pages of 100: 100,000 open findings at most, so a token that never ends
/// cannot loop for ever.
const MAX_PAGES: usize = 1000;
/// Security Hub's answer where it is not enabled for the account and Region.
const NOT_ENABLED: &str = "InvalidAccessException";
/// Targets exported at once.
const MAX_TARGETS_AT_ONCE: usize = 4;
/// The most errors the summary lists; `failed` counts every one.
const MAX_ERRORS: usize = 100;

/// One account in one Security Hub Region, and this run's findings for it.
struct Target {
    account_id: String,
    hub_region: String,
    findings: Vec<Value>,
}

/// Exports `report` to Security Hub and returns what `summary.securityHub` says of it.
///
/// A run whose thresholds, suppressions or trusted accounts are not the configured ones (an
/// on-demand run with overrides) sends nothing: Security Hub holds the schedule's findings,
/// and such a run would archive some and bring back others, resetting their workflow.
pub(super) async fn export(
    report: &Report,
    listed: &[Listed],
    hub: &SecurityHub,
    credentials: &Credentials,
    run: &Run<'_>,
) -> HubSummary {
    if let Some(why) = not_the_schedules(report, run.config) {
        warn!("{why}: nothing is sent to Security Hub, whose findings are the schedule's");
        return HubSummary {
            errors: vec![HubError {
                account_id: None,
                region: None,
                code: codes::THRESHOLDS_OVERRIDDEN.to_owned(),
                message: format!(
                    "{why}: nothing was sent to Security Hub, whose findings are the schedule's"
                ),
            }],
            ..HubSummary::default()
        };
    }
    let (targets, unplaced) = targets(report, listed, run.config.security_hub_region.as_deref());
    let mut summary = HubSummary::default();
    if unplaced > 0 {
        summary.failed += unplaced;
        summary.errors.push(HubError {
            account_id: None,
            region: None,
            code: codes::ACCOUNT_UNKNOWN.to_owned(),
            message: format!(
                "{unplaced} findings have no known account, Region or key id, so no stable id: they were not sent"
            ),
        });
    }
    let exporter = Exporter {
        report,
        listed,
        hub,
        credentials,
        run,
    };
    let outcomes: Vec<HubSummary> = stream::iter(targets)
        .map(|target| exporter.export(target))
        .buffer_unordered(MAX_TARGETS_AT_ONCE)
        .collect()
        .await;
    for outcome in outcomes {
        summary.imported += outcome.imported;
        summary.archived += outcome.archived;
        summary.failed += outcome.failed;
        summary.failed_calls += outcome.failed_calls;
        summary.errors.extend(outcome.errors);
    }
    // Targets finish in any order: the errors are listed, and cut, in a stable one.
    summary
        .errors
        .sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    summary.errors.truncate(MAX_ERRORS);
    let summary = summary.settle();
    info!(
        status = ?summary.status,
        imported = summary.imported,
        archived = summary.archived,
        failed = summary.failed,
        "Security Hub export done"
    );
    summary
}

/// Every account and Security Hub Region this run covered, with its findings; and how many
/// findings could not be placed. An account and Region is covered when a bucket of it was
/// audited or it was listed completely: only there can a finding be resolved.
fn targets(report: &Report, listed: &[Listed], aggregation: Option<&str>) -> (Vec<Target>, usize) {
    let hub_region = |region: &str| aggregation.unwrap_or(region).to_owned();
    let mut by_place: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let audited = report
        .buckets()
        .iter()
        .filter(|b| b.status == crate::report::BucketStatus::Audited)
        .map(|b| &b.location);
    for location in audited.chain(listed.iter().map(|l| &l.location)) {
        if let (Some(account), Some(region)) = (&location.account_id, &location.region) {
            by_place.entry((account.clone(), hub_region(region))).or_default();
        }
    }
    let (findings, unplaced) = asff_findings(report, aggregation);
    for placed in findings {
        by_place
            .entry((placed.account_id, placed.hub_region))
            .or_default()
            .push(placed.finding);
    }
    let targets = by_place
        .into_iter()
        .map(|((account_id, hub_region), findings)| Target {
            account_id,
            hub_region,
            findings,
        })
        .collect();
    (targets, unplaced)
}

/// What exporting any target reads.
struct Exporter<'a> {
    report: &'a Report,
    listed: &'a [Listed],
    hub: &'a SecurityHub,
    credentials: &'a Credentials,
    run: &'a Run<'a>,
}

impl Exporter<'_> {
    /// One target: its open findings read, then this run's findings and the archivals sent.
    async fn export(&self, mut target: Target) -> HubSummary {
        let findings = std::mem::take(&mut target.findings);
        let mut summary = HubSummary::default();
        let fail = |summary: &mut HubSummary, failure: Failure, unsent: usize| {
            warn!(account_id = %target.account_id, region = %target.hub_region, code = %failure.code,
                  error_message = %loggable(&failure.message), "Security Hub export failed");
            summary.failed += unsent;
            summary.failed_calls += 1;
            summary.errors.push(HubError {
                account_id: Some(target.account_id.clone()),
                region: Some(target.hub_region.clone()),
                code: failure.code,
                message: failure.message,
            });
        };
        let Some(credentials) = self.credentials.get(&target.account_id) else {
            let failure = Failure::new(
                codes::ACCOUNT_UNKNOWN,
                "this run holds no credentials for the account",
            );
            fail(&mut summary, failure, findings.len());
            return summary;
        };
        let place = HubPlace {
            region: &target.hub_region,
            credentials: credentials.as_ref(),
        };
        let mut pace = Pace::default();
        let mut findings = findings;
        let archivals = match self.open_findings(place, &target, &mut pace).await {
            Ok(held) => {
                keep_first_seen(&mut findings, &held);
                self.archivals(&held)
            }
            // Nothing to send where Security Hub is not enabled (a listed Region without
            // buckets): nothing can be held there either, so nothing failed.
            Err(failure) if findings.is_empty() && failure.code == NOT_ENABLED => {
                info!(account_id = %target.account_id, region = %target.hub_region, "Security Hub is not enabled here, and there is nothing to send");
                return summary;
            }
            Err(failure) => {
                // Without knowing what is open nothing is archived; the findings still go.
                fail(&mut summary, failure, 0);
                Vec::new()
            }
        };
        let batches = batches(findings, archivals);
        // Every finding not yet sent or counted, oversized ones included: a failed call
        // fails them all.
        let mut remaining: usize = batches.iter().map(|b| b.findings.len() + b.oversized).sum();
        for batch in batches {
            remaining -= batch.findings.len() + batch.oversized;
            // Only findings too large to send: counted, and no call.
            let sent = if batch.findings.is_empty() {
                Ok(Vec::new())
            } else {
                self.send(place, &batch, &mut pace).await
            };
            match sent {
                Ok(refused) => summary.add(&batch, &refused, &target),
                Err(failure) => {
                    fail(
                        &mut summary,
                        failure,
                        batch.findings.len() + batch.oversized + remaining,
                    );
                    break;
                }
            }
        }
        summary
    }

    /// This tool's open findings for the target's account, every page.
    async fn open_findings(
        &self,
        place: HubPlace<'_>,
        target: &Target,
        pace: &mut Pace,
    ) -> Result<Vec<Value>, Failure> {
        let product = product_arn(&target.account_id, &target.hub_region);
        let prefix = generator_prefix();
        let filters = json!({
            "ProductArn": [{"Value": product, "Comparison": "EQUALS"}],
            "GeneratorId": [{"Value": prefix, "Comparison": "PREFIX"}],
            "AwsAccountId": [{"Value": target.account_id, "Comparison": "EQUALS"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        });
        let mut held = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let body = match &token {
                Some(token) => {
                    json!({"Filters": filters, "MaxResults": MAX_BATCH_FINDINGS, "NextToken": token})
                }
                None => json!({"Filters": filters, "MaxResults": MAX_BATCH_FINDINGS}),
            };
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let call = self.hub.findings_page(place, bytes);
            let page = self
                .paced(pace, Call::Read, call, "reading the open findings")
                .await?;
            // The filters say this already; a finding that does not match them is not ours
            // to archive, whatever the endpoint answered.
            held.extend(page.findings.into_iter().filter(|f| {
                f.get("ProductArn").and_then(Value::as_str) == Some(product.as_str())
                    && f.get("AwsAccountId").and_then(Value::as_str) == Some(target.account_id.as_str())
                    && f.get("RecordState").and_then(Value::as_str) == Some("ACTIVE")
                    && f.get("GeneratorId")
                        .and_then(Value::as_str)
                        .is_some_and(|g| g.starts_with(&prefix))
            }));
            match page.next_token {
                Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                Some(_) => {
                    return Err(Failure::new(
                        codes::REPEATED_PAGE_TOKEN,
                        "GetFindings repeated its page token",
                    ))
                }
                None => return Ok(held),
            }
        }
        Err(Failure::new(
            codes::TOO_MANY_PAGES,
            format!("GetFindings gave more than {MAX_PAGES} pages of open findings"),
        ))
    }

    /// The open findings this run archives, as they are sent.
    fn archivals(&self, held: &[Value]) -> Vec<Value> {
        to_archive(self.report, self.listed, held)
            .into_iter()
            .map(|a| archived_finding(a.held, a.key.code, a.why, self.report.generated_at()))
            .collect()
    }

    /// One `BatchImportFindings` call; the ids of the findings Security Hub refused, with why.
    async fn send(
        &self,
        place: HubPlace<'_>,
        batch: &Batch,
        pace: &mut Pace,
    ) -> Result<Vec<(String, Failure)>, Failure> {
        let body = json!({"Findings": batch.findings});
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let call = self.hub.import(place, bytes);
        let refused = self.paced(pace, Call::Import, call, "importing findings").await?;
        Ok(refused.into_iter().map(|r| (r.id, r.failure)).collect())
    }

    /// `call` after its pause, the two within the audit's cutoff: pacing never outlasts it.
    /// Cut short, it is `DeadlineExceeded` for `what`.
    async fn paced<T>(
        &self,
        pace: &mut Pace,
        kind: Call,
        call: impl Future<Output = Result<T, Failure>>,
        what: &str,
    ) -> Result<T, Failure> {
        self.run
            .deadline
            .run(async {
                pace.wait(kind).await;
                call.await
            })
            .await
            .unwrap_or_else(|| Err(cut_short(what)))
    }
}

/// Gives each of `findings` that Security Hub already holds open the `CreatedAt` and
/// `FirstObservedAt` it holds: Security Hub, not the archive, knows when it was first seen.
fn keep_first_seen(findings: &mut [Value], held: &[Value]) {
    let first_seen: BTreeMap<&str, &Value> = held
        .iter()
        .filter_map(|h| Some((h.get("Id")?.as_str()?, h)))
        .collect();
    for finding in findings.iter_mut() {
        let Some(held) = finding
            .get("Id")
            .and_then(Value::as_str)
            .and_then(|id| first_seen.get(id))
        else {
            continue;
        };
        let times: Vec<(&str, Value)> = ["CreatedAt", "FirstObservedAt"]
            .into_iter()
            .filter_map(|field| Some((field, held.get(field)?.clone())))
            .collect();
        if let Some(object) = finding.as_object_mut() {
            for (field, time) in times {
                object.insert(field.to_owned(), time);
            }
        }
    }
}

/// At most [`MAX_BATCH_FINDINGS`] findings and [`MAX_BATCH_BYTES`] in one call.
#[derive(Default)]
struct Batch {
    findings: Vec<Value>,
    /// How many of `findings` are archivals.
    archivals: usize,
    /// Findings over [`MAX_FINDING_BYTES`], which Security Hub would refuse: not sent.
    oversized: usize,
}

/// This run's findings, then the archivals, in batches within the call's limits.
fn batches(findings: Vec<Value>, archivals: Vec<Value>) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut bytes = ENVELOPE_BYTES;
    let tagged = findings
        .into_iter()
        .map(|f| (f, false))
        .chain(archivals.into_iter().map(|f| (f, true)));
    for (finding, archival) in tagged {
        let size = serde_json::to_vec(&finding).map_or(usize::MAX, |b| b.len());
        // A finding too large to send is counted where it would have gone: it never opens a
        // call of its own.
        let oversized = size > MAX_FINDING_BYTES;
        let fits = |last: &Batch| {
            oversized || (last.findings.len() < MAX_BATCH_FINDINGS && bytes + size <= MAX_BATCH_BYTES)
        };
        if !out.last().is_some_and(fits) {
            out.push(Batch::default());
            bytes = ENVELOPE_BYTES;
        }
        let Some(batch) = out.last_mut() else { continue };
        if oversized {
            batch.oversized += 1;
            continue;
        }
        bytes += size + 1;
        batch.archivals += usize::from(archival);
        batch.findings.push(finding);
    }
    out
}

impl HubSummary {
    /// Counts a sent batch: what Security Hub took, and each finding it refused.
    fn add(&mut self, batch: &Batch, refused: &[(String, Failure)], target: &Target) {
        let archival_ids: Vec<&str> = batch
            .findings
            .iter()
            .filter(|f| f.get("RecordState").and_then(Value::as_str) == Some("ARCHIVED"))
            .filter_map(|f| f.get("Id").and_then(Value::as_str))
            .collect();
        let refused_archivals = refused
            .iter()
            .filter(|(id, _)| archival_ids.contains(&id.as_str()))
            .count();
        let refused_active = refused.len().saturating_sub(refused_archivals);
        self.archived += batch.archivals.saturating_sub(refused_archivals);
        self.imported += batch
            .findings
            .len()
            .saturating_sub(batch.archivals)
            .saturating_sub(refused_active);
        self.failed += refused.len() + batch.oversized;
        for (id, failure) in refused {
            self.errors.push(HubError {
                account_id: Some(target.account_id.clone()),
                region: Some(target.hub_region.clone()),
                code: failure.code.clone(),
                message: format!("finding {id}: {}", failure.message),
            });
        }
        if batch.oversized > 0 {
            self.errors.push(HubError {
                account_id: Some(target.account_id.clone()),
                region: Some(target.hub_region.clone()),
                code: codes::FINDING_TOO_LARGE.to_owned(),
                message: format!("{} findings were over 240 KB and were not sent", batch.oversized),
            });
        }
    }
}

/// The two calls, which Security Hub throttles apart.
#[derive(Debug, Clone, Copy)]
enum Call {
    Read,
    Import,
}

/// Spaces one target's calls within Security Hub's rates for each. Waited on inside the
/// deadline's bound, so pacing never outlasts the cutoff.
#[derive(Default)]
struct Pace {
    next_read: Option<Instant>,
    next_import: Option<Instant>,
}

impl Pace {
    async fn wait(&mut self, call: Call) {
        let (next, spacing) = match call {
            Call::Read => (&mut self.next_read, READ_SPACING),
            Call::Import => (&mut self.next_import, IMPORT_SPACING),
        };
        if let Some(at) = *next {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(Instant::now() + spacing);
    }
}

fn cut_short(what: &str) -> Failure {
    Failure::new(
        codes::DEADLINE_EXCEEDED,
        format!("{what} in Security Hub did not finish before the invocation's deadline"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::run::{Invocation, Outputs};
    use crate::report::HubStatus;
    use crate::request::Config;

    fn finding(id: &str, state: &str) -> Value {
        json!({"Id": id, "RecordState": state})
    }

    fn active(n: usize) -> Vec<Value> {
        (0..n).map(|i| finding(&format!("f{i:03}"), "ACTIVE")).collect()
    }

    /// A finding of `id` whose JSON is exactly `bytes` long.
    fn sized(id: &str, bytes: usize) -> Value {
        let empty = serde_json::to_vec(&json!({"Id": id, "Pad": ""})).unwrap().len();
        let value = json!({"Id": id, "Pad": "x".repeat(bytes - empty)});
        assert_eq!(serde_json::to_vec(&value).unwrap().len(), bytes);
        value
    }

    /// (findings, archivals, oversized) of each batch.
    fn shape(batches: &[Batch]) -> Vec<(usize, usize, usize)> {
        batches
            .iter()
            .map(|b| (b.findings.len(), b.archivals, b.oversized))
            .collect()
    }

    /// The `BatchImportFindings` body a batch is sent as, in bytes.
    fn body_bytes(batch: &Batch) -> usize {
        serde_json::to_vec(&json!({"Findings": batch.findings}))
            .unwrap()
            .len()
    }

    #[test]
    fn two_hundred_and_fifty_findings_go_in_three_calls() {
        let batches = batches(active(250), vec![]);
        assert_eq!(shape(&batches), [(100, 0, 0), (100, 0, 0), (50, 0, 0)]);
        let ids: Vec<&Value> = batches
            .iter()
            .flat_map(|b| &b.findings)
            .map(|f| &f["Id"])
            .collect();
        assert_eq!(ids.len(), 250);
        assert_eq!((ids[0], ids[249]), (&json!("f000"), &json!("f249")), "in order");
        assert!(
            super::batches(vec![], vec![]).is_empty(),
            "nothing to send, no call"
        );
    }

    #[test]
    fn archivals_follow_the_findings_and_are_counted() {
        let archivals: Vec<Value> = (0..30).map(|i| finding(&format!("a{i}"), "ARCHIVED")).collect();
        let batches = batches(active(90), archivals);
        assert_eq!(shape(&batches), [(100, 10, 0), (20, 20, 0)]);
        assert_eq!(batches[0].findings[89]["Id"], "f089");
        assert_eq!(batches[0].findings[90]["Id"], "a0");
    }

    #[test]
    fn six_megabytes_bound_a_call() {
        // 100,022 bytes each: 59 fit in 6,000,000 bytes with their commas and the envelope.
        let big: Vec<Value> = (0..150).map(|i| sized(&format!("f{i:03}"), 100_022)).collect();
        let batches = batches(big, vec![]);
        assert_eq!(shape(&batches), [(59, 0, 0), (59, 0, 0), (32, 0, 0)]);
        for batch in &batches {
            assert!(body_bytes(batch) <= MAX_BATCH_BYTES, "{}", body_bytes(batch));
        }
    }

    #[test]
    fn a_call_filled_to_the_byte_stays_within_six_megabytes_with_its_envelope() {
        // 29 findings of 200,000 bytes and one that fills the 6 MB exactly, commas included:
        // the body's `{"Findings":[...]}` must still fit.
        let mut findings: Vec<Value> = (0..29).map(|i| sized(&format!("f{i:02}"), 200_000)).collect();
        findings.push(sized("filler", MAX_BATCH_BYTES - 29 * 200_001));
        let batches = batches(findings, vec![]);
        let sizes: Vec<usize> = batches.iter().map(|b| b.findings.len()).collect();
        assert_eq!(sizes, [29, 1], "the filler goes in a second call");
        for batch in &batches {
            assert!(
                body_bytes(batch) <= MAX_BATCH_BYTES,
                "{} bytes",
                body_bytes(batch)
            );
        }
    }

    #[test]
    fn a_finding_over_240_kb_is_counted_and_not_sent() {
        let mut findings = active(3);
        findings.insert(1, sized("huge", MAX_FINDING_BYTES + 1));
        findings.push(sized("limit", MAX_FINDING_BYTES));
        let batches = batches(findings, vec![]);
        assert_eq!(shape(&batches), [(4, 0, 1)]);
        let ids: Vec<&Value> = batches[0].findings.iter().map(|f| &f["Id"]).collect();
        assert_eq!(
            ids,
            [&json!("f000"), &json!("f001"), &json!("f002"), &json!("limit")]
        );
    }

    #[test]
    fn an_oversized_finding_never_makes_a_call_of_its_own() {
        // After a full call: counted on it, no call of its own.
        let mut findings: Vec<Value> = (0..100).map(|i| json!({"Id": format!("f{i:03}")})).collect();
        findings.push(sized("huge", MAX_FINDING_BYTES + 1));
        let after_full = batches(findings, vec![]);
        let shape: Vec<(usize, usize)> = after_full
            .iter()
            .map(|b| (b.findings.len(), b.oversized))
            .collect();
        assert_eq!(shape, [(100, 1)]);
        // Alone: one batch carries the count, with nothing to send.
        let alone = batches(vec![sized("huge", MAX_FINDING_BYTES + 1)], vec![]);
        let shape: Vec<(usize, usize)> = alone.iter().map(|b| (b.findings.len(), b.oversized)).collect();
        assert_eq!(shape, [(0, 1)]);
    }

    #[test]
    fn first_seen_is_kept_from_the_held_finding_of_the_same_id_only() {
        let fresh = |id: &str| {
            json!({"Id": id, "CreatedAt": "2026-11-27T06:00:00.000Z",
                   "FirstObservedAt": "2026-11-27T06:00:00.000Z", "UpdatedAt": "2026-11-27T06:00:00.000Z"})
        };
        let mut findings = vec![fresh("a"), fresh("b"), fresh("c")];
        let held = vec![
            json!({"Id": "a", "CreatedAt": "2026-10-01T00:00:00.000Z",
                   "FirstObservedAt": "2026-10-02T00:00:00.000Z", "UpdatedAt": "2026-11-26T06:00:00.000Z"}),
            json!({"Id": "c", "CreatedAt": "2026-09-01T00:00:00.000Z"}),
            json!({"Id": "z", "CreatedAt": "2026-01-01T00:00:00.000Z"}),
        ];
        keep_first_seen(&mut findings, &held);
        assert_eq!(
            findings,
            [
                json!({"Id": "a", "CreatedAt": "2026-10-01T00:00:00.000Z",
                       "FirstObservedAt": "2026-10-02T00:00:00.000Z", "UpdatedAt": "2026-11-27T06:00:00.000Z"}),
                fresh("b"),
                json!({"Id": "c", "CreatedAt": "2026-09-01T00:00:00.000Z",
                       "FirstObservedAt": "2026-11-27T06:00:00.000Z", "UpdatedAt": "2026-11-27T06:00:00.000Z"}),
            ]
        );
    }

    fn target() -> Target {
        Target {
            account_id: "123456789012".into(),
            hub_region: "eu-west-1".into(),
            findings: vec![],
        }
    }

    #[test]
    fn a_batch_counts_what_went_and_each_refusal_as_active_or_archived() {
        let batch = Batch {
            findings: vec![
                finding("a", "ACTIVE"),
                finding("b", "ACTIVE"),
                finding("c", "ACTIVE"),
                finding("x", "ARCHIVED"),
                finding("y", "ARCHIVED"),
            ],
            archivals: 2,
            oversized: 1,
        };
        let refused = vec![
            ("b".to_owned(), Failure::new("InvalidInput", "bad Types")),
            ("y".to_owned(), Failure::new("InvalidInput", "bad UpdatedAt")),
        ];
        let mut summary = HubSummary::default();
        summary.add(&batch, &refused, &target());
        assert_eq!((summary.imported, summary.archived, summary.failed), (2, 1, 3));
        let errors: Vec<(&str, &str)> = summary
            .errors
            .iter()
            .map(|e| (e.code.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                ("InvalidInput", "finding b: bad Types"),
                ("InvalidInput", "finding y: bad UpdatedAt"),
                (
                    codes::FINDING_TOO_LARGE,
                    "1 findings were over 240 KB and were not sent"
                ),
            ]
        );
        assert!(summary
            .errors
            .iter()
            .all(|e| e.account_id.as_deref() == Some("123456789012")
                && e.region.as_deref() == Some("eu-west-1")));

        // Only archivals refused: every active one went.
        let mut summary = HubSummary::default();
        summary.add(&batch, &refused[1..], &target());
        assert_eq!((summary.imported, summary.archived, summary.failed), (3, 1, 2));
    }

    /// media-prod in the home account: `keys` keys, each STALE; the last one's facts over
    /// 240 KB when `oversized`.
    fn report(keys: usize, oversized: bool) -> Report {
        use crate::coverage::Location;
        use crate::report::BucketReport;
        use crate::rules::{FindingCode, KeyReport, Policy};
        use chrono::TimeZone;
        let mut keys: Vec<KeyReport> = (0..keys)
            .map(|i| KeyReport::sample(&format!("AKIA{i:04}"), &[FindingCode::Stale]))
            .collect();
        // Every text of a finding is clipped but the bucket's ARN, as Lightsail sends it: the
        // last key's finding is on a bucket whose ARN alone is over the limit.
        let huge = match oversized {
            true => keys.pop().map(|key| {
                let mut bucket = BucketReport::audited("huge".into(), Location::home(), vec![], vec![key]);
                bucket.bucket_arn = Some("a".repeat(MAX_FINDING_BYTES));
                bucket
            }),
            false => None,
        };
        let bucket = BucketReport::audited("media-prod".into(), Location::home(), vec![], keys);
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        let buckets = std::iter::once(bucket).chain(huge).collect();
        Report::new(now, Policy::default(), buckets, vec![], &[])
    }

    /// `report` exported with the function's own credentials to a Security Hub answering
    /// `answer`; the summary and the requests.
    async fn exported(
        report: &Report,
        answer: impl Fn(&str, &Value) -> (u16, String) + Send + Sync + 'static,
    ) -> (HubSummary, Vec<(String, Value)>) {
        exported_with(report, &[], &Config::default(), None, answer).await
    }

    /// As [`exported`], with complete listings, a configuration and an invocation deadline.
    async fn exported_with(
        report: &Report,
        listed: &[Listed],
        config: &Config,
        deadline: Option<std::time::SystemTime>,
        answer: impl Fn(&str, &Value) -> (u16, String) + Send + Sync + 'static,
    ) -> (HubSummary, Vec<(String, Value)>) {
        let (hub, received) = SecurityHub::answering(answer);
        let mut invocation = Invocation::at(report.generated_at());
        invocation.deadline = deadline;
        let run = Run::new(config, &invocation, Outputs::default());
        let credentials: Credentials = [("123456789012".to_owned(), None)].into();
        let summary = export(report, listed, &hub, &credentials, &run).await;
        (summary, received())
    }

    fn listed(region: &str) -> Listed {
        Listed {
            location: crate::coverage::Location {
                account_id: Some("123456789012".into()),
                region: Some(region.into()),
            },
            names: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_run_that_is_not_the_schedules_sends_nothing_and_says_why() {
        let mut config = Config::default();
        config.defaults.policy.stale_after_days = 30;
        let (summary, received) = exported_with(&report(2, false), &[], &config, None, |_, _| {
            (200, r#"{"Findings":[]}"#.to_owned())
        })
        .await;
        assert!(received.is_empty(), "no call at all");
        assert_eq!(summary.status, HubStatus::Disabled);
        assert_eq!(
            (summary.imported, summary.failures()),
            (0, 0),
            "not a failure: no alarm"
        );
        assert_eq!(summary.errors[0].code, codes::THRESHOLDS_OVERRIDDEN);
        assert!(
            summary.errors[0].message.contains("thresholds"),
            "{}",
            summary.errors[0].message
        );
    }

    /// Home-account findings in `regions`, one stale key in each.
    fn spread(regions: &[String]) -> Report {
        use crate::coverage::Location;
        use crate::report::BucketReport;
        use crate::rules::{FindingCode, KeyReport, Policy};
        use chrono::TimeZone;
        let buckets = regions
            .iter()
            .map(|region| {
                let location = Location {
                    account_id: Some("123456789012".into()),
                    region: Some(region.clone()),
                };
                let key = KeyReport::sample("AKIA0000", &[FindingCode::Stale]);
                BucketReport::audited("media".into(), location, vec![], vec![key])
            })
            .collect();
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
        Report::new(now, Policy::default(), buckets, vec![], &[])
    }

    /// On tokio's paused clock, which moves only when everything waits: a pause between
    /// calls past the cutoff would move it (paced, 40 places cost a second), nothing else can.
    #[tokio::test(start_paused = true)]
    async fn past_the_cutoff_nothing_is_called_and_nothing_waits() {
        let regions: Vec<String> = (1..=40).map(|i| format!("eu-west-{i}")).collect();
        let started = tokio::time::Instant::now();
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        let (summary, received) =
            exported_with(&spread(&regions), &[], &Config::default(), Some(past), |_, _| {
                (200, r#"{"Findings":[]}"#.to_owned())
            })
            .await;
        assert_eq!(
            started.elapsed(),
            std::time::Duration::ZERO,
            "the export paused past its cutoff"
        );
        assert!(received.is_empty());
        assert_eq!(summary.status, HubStatus::Failed);
        assert_eq!(summary.failed, 40);
        assert_eq!(
            summary.errors.len(),
            80,
            "each place's read and import, cut short"
        );
        assert!(summary.errors.iter().all(|e| e.code == codes::DEADLINE_EXCEEDED));
    }

    #[tokio::test]
    async fn a_listed_place_is_read_and_one_where_security_hub_is_off_with_nothing_to_send_is_no_failure() {
        let places = [listed("eu-west-1"), listed("ap-south-1")];
        let not_enabled = r#"{"Code":"InvalidAccessException","Message":"not subscribed"}"#;
        let (summary, received) = exported_with(
            &report(1, false),
            &places,
            &Config::default(),
            None,
            move |path, body| {
                let region = body["Filters"]["ProductArn"][0]["Value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                match (path, region.contains(":ap-south-1:")) {
                    ("/findings", true) => (401, not_enabled.to_owned()),
                    ("/findings", false) => (200, r#"{"Findings":[]}"#.to_owned()),
                    _ => (
                        200,
                        r#"{"FailedCount":0,"SuccessCount":1,"FailedFindings":[]}"#.to_owned(),
                    ),
                }
            },
        )
        .await;
        let reads = received.iter().filter(|(p, _)| p == "/findings").count();
        assert_eq!(reads, 3, "us-east-1 (the bucket's), and both listed Regions");
        assert_eq!(summary.status, HubStatus::Sent, "{summary:?}");
        assert_eq!((summary.imported, summary.failures()), (1, 0));
    }

    const HELD: &str = "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIAGONE/STALE";

    #[tokio::test]
    async fn a_target_reads_what_is_open_then_imports_its_findings_and_the_archivals() {
        let product = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default";
        let held = json!({"Findings": [{
            "Id": HELD, "ProductArn": product, "GeneratorId": "lightsail-key-audit/STALE",
            "AwsAccountId": "123456789012", "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"}}]});
        let (summary, received) = exported(&report(1, false), move |path, _| match path {
            "/findings" => (200, held.to_string()),
            _ => (200, r#"{"FailedFindings":[]}"#.to_owned()),
        })
        .await;
        assert_eq!(
            (summary.status, summary.imported, summary.archived, summary.failed),
            (HubStatus::Sent, 1, 1, 0)
        );
        let paths: Vec<&str> = received.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["/findings", "/findings/import"]);
        assert_eq!(
            received[0].1["Filters"],
            json!({
                "ProductArn": [{"Value": product, "Comparison": "EQUALS"}],
                "GeneratorId": [{"Value": "lightsail-key-audit/", "Comparison": "PREFIX"}],
                "AwsAccountId": [{"Value": "123456789012", "Comparison": "EQUALS"}],
                "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
            })
        );
        let sent: Vec<(&str, &str)> = received[1].1["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["Id"].as_str().unwrap(), f["RecordState"].as_str().unwrap()))
            .collect();
        assert_eq!(
            sent,
            [
                (
                    "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIA0000/STALE",
                    "ACTIVE"
                ),
                (HELD, "ARCHIVED"),
            ]
        );
        assert!(received[1].1["Findings"][1].get("Workflow").is_none());
    }

    #[tokio::test]
    async fn only_oversized_findings_make_no_import_call() {
        let (summary, received) =
            exported(&report(1, true), |_, _| (200, r#"{"Findings":[]}"#.to_owned())).await;
        let paths: Vec<&str> = received.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["/findings"], "no BatchImportFindings without findings");
        assert_eq!(
            (summary.status, summary.imported, summary.failed),
            (HubStatus::Failed, 0, 1)
        );
        assert_eq!(summary.errors[0].code, codes::FINDING_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_failed_call_counts_every_finding_not_sent_after_it_too() {
        // 101 findings and an oversized one: two calls, the first refused as a whole.
        let denied = r#"{"Code":"AccessDeniedException","Message":"not authorized"}"#;
        let (summary, received) = exported(&report(102, true), move |path, _| match path {
            "/findings" => (200, r#"{"Findings":[]}"#.to_owned()),
            _ => (403, denied.to_owned()),
        })
        .await;
        assert_eq!(
            received.len(),
            2,
            "GetFindings, then one refused import: the rest is not tried"
        );
        assert_eq!(
            (summary.status, summary.imported, summary.failed),
            (HubStatus::Failed, 0, 102)
        );
        let codes: Vec<&str> = summary.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["AccessDeniedException"]);
    }
}
