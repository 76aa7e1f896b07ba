//! The audit pipeline, from request to report: the event validated into a request, the scopes
//! and buckets planned, every bucket's keys and access read (at most `MAX_CONCURRENCY` calls
//! at once, within the deadline) and judged by the rules, and the outcome logged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use tracing::{info, warn};

use super::delivery::{comparable, read_history};
use super::hub::export;
use super::remediate::remediate;
use super::run::{Credentials, Invocation, Outputs, Reached, Run};
use crate::aws::{Lightsail, SecurityHub};
use crate::coverage::{Listed, Location};
use crate::error::AuditError;
use crate::failure::{codes, Failure};
use crate::plan::{look_up, plan_scopes, plan_targets, Deadline, Limiter, Lookups, Scope, ScopePlan, Target};
use crate::report::{BucketReport, BucketStatus, History, Report};
use crate::request::{AuditRequest, BucketName, Config, TrustBasis, INVALID_BUCKET_NAME_MESSAGE};
use crate::rules::{self, BucketRecord, FindingCode, GetObject, Policy, Trust};
use crate::text::loggable;

/// Audits what `event` asks for.
///
/// Fails only for a malformed request, or when not one bucket could be audited; any other
/// failure is reported in its bucket's entry or in `scopeErrors`.
pub async fn run_audit(
    lightsail: &Lightsail,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
) -> Result<Report, AuditError> {
    let run = Run::new(config, invocation, Outputs::default());
    conclude(audit(lightsail, &run, event).await?.report)
}

/// Audits `event` and exports the report to Security Hub with the same lifecycle as the
/// function, without an archive (the command line's `--security-hub`): `summary.securityHub`
/// says what went.
pub async fn run_audit_to_security_hub(
    lightsail: &Lightsail,
    hub: &SecurityHub,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
) -> Result<Report, AuditError> {
    let outputs = Outputs {
        security_hub: Some(hub),
        ..Outputs::default()
    };
    let run = Run::new(config, invocation, outputs);
    let Audited {
        mut report,
        listed,
        credentials,
    } = audit(lightsail, &run, event).await?;
    let summary = export(&report, &listed, hub, &credentials, &run).await;
    report.set_security_hub(summary);
    conclude(report)
}

/// Audits `event` and remediates as `config.remediation` says (the command line's
/// `--remediate`), with the change-tracking state read from `outputs.archive`, never
/// written; exports to Security Hub when `outputs.security_hub` is given. The report shows
/// `firstSeen` and the resolved findings as against that state.
pub async fn run_audit_and_remediate(
    lightsail: &Lightsail,
    outputs: Outputs<'_>,
    config: &Config,
    event: &Value,
    invocation: &Invocation,
) -> Result<Report, AuditError> {
    let run = Run::new(
        config,
        invocation,
        Outputs {
            notifier: None,
            ..outputs
        },
    );
    let (
        history,
        Audited {
            mut report,
            listed,
            credentials,
        },
    ) = audit_beside_history(lightsail, &run, event).await?;
    let history = comparable(history, &report, config);
    let reached = Reached {
        lightsail,
        listed: &listed,
        credentials: &credentials,
    };
    // The state is only read here, so no deletion date is announced.
    remediate(&mut report, &history, reached, false, &run).await;
    report.track(history, &listed);
    if let Some(hub) = outputs.security_hub {
        let summary = export(&report, &listed, hub, &credentials, &run).await;
        report.set_security_hub(summary);
    }
    conclude(report)
}

/// The audit of `event`, and the archive's state read while it runs (one call less on the
/// path). The state is read before anything is written, so this run's state is never
/// mistaken for the last's.
pub(super) async fn audit_beside_history(
    lightsail: &Lightsail,
    run: &Run<'_>,
    event: &Value,
) -> Result<(History, Audited), AuditError> {
    // Boxed: the audit's future is large, and on the stack it would be copied into this one.
    let (history, audited) = tokio::join!(read_history(run), Box::pin(audit(lightsail, run, event)));
    Ok((history, audited?))
}

/// A finished audit: the report, the scopes listed completely, and each account's
/// credentials as the audit reached it.
pub(super) struct Audited {
    pub(super) report: Report,
    pub(super) listed: Vec<Listed>,
    pub(super) credentials: Credentials,
}

/// The audit of `event`; fails only for a malformed request. Buckets not reached before the
/// deadline's cutoff are `SKIPPED`, and the report is
/// returned all the same.
pub(super) async fn audit(
    lightsail: &Lightsail,
    run: &Run<'_>,
    event: &Value,
) -> Result<Audited, AuditError> {
    let request = AuditRequest::from_event(event, run.config).inspect_err(|error| {
        warn!(error = %error, "invalid request");
    })?;
    let limiter = Limiter::new(run.config.max_concurrency);
    let deadline = &run.deadline;
    let home_account_id = home_account(lightsail, run.invocation, deadline).await;
    let ScopePlan {
        scopes,
        errors: mut scope_errors,
        organization,
        organization_accounts,
    } = Box::pin(plan_scopes(
        lightsail,
        &request,
        home_account_id.as_deref(),
        &limiter,
        deadline,
    ))
    .await;
    let access = request.policy.include_access_checks;
    let trust_basis = request.trust_basis();
    if trust_basis == TrustBasis::Organization && !request.trusted_account_ids.is_empty() {
        warn!("trustedAccountIds is not used in organization mode: the organization's accounts are the trusted ones");
    }
    // Named buckets in one scope are fetched without a listing: what GetBuckets says of them
    // is looked up beside the fetches.
    let lookup = match (&request.bucket_names, scopes.as_slice()) {
        (Some(names), [scope]) if access => Some((scope, names.clone())),
        _ => None,
    };
    let (targets, listed) = plan_targets(
        &scopes,
        request.bucket_names,
        access,
        &limiter,
        deadline,
        &mut scope_errors,
    )
    .await;
    let auditor = Auditor {
        scopes: &scopes,
        policy: request.policy,
        trust: trust(&trust_basis, organization_accounts),
        now: run.invocation.now,
        limiter: &limiter,
        deadline,
        margin: run.config.deadline_margin,
    };
    let buckets = auditor.audit_all(targets, lookup, run.invocation).await;
    warn_unknown_access(&buckets);
    let report = Report::new(
        auditor.now,
        auditor.policy,
        buckets,
        scope_errors,
        &request.suppressions,
    )
    .with_organization(organization)
    .with_trust_basis(trust_basis);
    log_outcome(&report);
    let credentials = scopes
        .iter()
        .filter_map(|s| Some((s.location.account_id.clone()?, s.client.credentials().cloned())))
        .collect();
    Ok(Audited {
        report,
        listed,
        credentials,
    })
}

/// The function's own account: from its ARN, else asked of STS (once per process: under
/// cargo lambda or from a terminal, where there is no ARN). Unknown only if STS cannot say.
async fn home_account(lightsail: &Lightsail, invocation: &Invocation, deadline: &Deadline) -> Option<String> {
    if let Some(id) = &invocation.home_account_id {
        return Some(id.clone());
    }
    match deadline.run(lightsail.caller_account()).await {
        Some(Ok(id)) => id,
        Some(Err(failure)) => {
            warn!(code = %failure.code, error_message = %loggable(&failure.message), "the function's own account is unknown: its buckets carry a null accountId");
            None
        }
        None => None,
    }
}

/// The invocation's result: the report, unless not one bucket could be audited.
pub(super) fn conclude(report: Report) -> Result<Report, AuditError> {
    let summary = report.summary();
    if summary.buckets_audited == 0 {
        if let Some((subject, code, message)) = report.first_failure() {
            return Err(AuditError::AuditFailed {
                requested: summary.buckets_requested,
                failed: summary.buckets_failed,
                scopes_failed: summary.scope_errors,
                subject,
                code: code.to_owned(),
                message: message.to_owned(),
            });
        }
    }
    Ok(report)
}

/// The accounts a bucket may be shared with: the organization's in organization mode, else
/// the request's `trustedAccountIds`.
fn trust(basis: &TrustBasis, organization: Option<std::collections::BTreeSet<String>>) -> Trust {
    match (basis, organization) {
        (TrustBasis::Organization, Some(accounts)) => Trust::Organization(accounts),
        (TrustBasis::Accounts(accounts), _) => Trust::Listed(accounts.iter().cloned().collect()),
        // Organization mode without a listing audits nothing.
        (TrustBasis::Organization | TrustBasis::Unnamed, _) => Trust::Unknown,
    }
}

/// One WARN per run for `getObject` values this version does not know: shown as sent in the
/// report, judged by no rule.
fn warn_unknown_access(buckets: &[BucketReport]) {
    let mut unknown: Vec<&str> = buckets
        .iter()
        .filter_map(|b| match b.access.as_ref()?.get_object.as_ref()? {
            GetObject::Other(value) => Some(value.as_str()),
            GetObject::Public | GetObject::Private => None,
        })
        .collect();
    if unknown.is_empty() {
        return;
    }
    let buckets = unknown.len();
    unknown.sort_unstable();
    unknown.dedup();
    let values: Vec<String> = unknown.iter().map(|v| loggable(v).to_string()).collect();
    warn!(
        values = %values.join(", "),
        buckets,
        "GetBuckets sent a getObject value this version does not know: it is reported as sent and judged by no rule"
    );
}

/// What reading and judging one bucket needs, the same for every bucket of a run.
struct Auditor<'a> {
    scopes: &'a [Scope],
    policy: Policy,
    trust: Trust,
    now: DateTime<Utc>,
    limiter: &'a Limiter,
    deadline: &'a Deadline,
    margin: Duration,
}

impl Auditor<'_> {
    /// Every target's entry, in target order, and with `lookup` (named buckets of one scope)
    /// their access read beside the key fetches, under the same concurrency limit.
    async fn audit_all(
        &self,
        targets: Vec<Target>,
        lookup: Option<(&Scope, Vec<String>)>,
        invocation: &Invocation,
    ) -> Vec<BucketReport> {
        let lookups = async {
            match &lookup {
                Some((scope, names)) => Some(look_up(scope, names, self.limiter, self.deadline).await),
                None => None,
            }
        };
        let (buckets, lookups) = futures_util::join!(self.audit_targets(targets, invocation), lookups);
        self.judge_lookups(buckets, lookups)
    }

    /// Every target's entry, in target order. Unordered while running, so one slow bucket
    /// never holds back the calls behind it, and only MAX_CONCURRENCY calls (each a sizeable
    /// future) exist at once, whatever the bucket count; order is restored by index after.
    async fn audit_targets(&self, targets: Vec<Target>, invocation: &Invocation) -> Vec<BucketReport> {
        let progress = invocation.progress.as_deref();
        if let Some(progress) = progress {
            progress.planned(targets.len());
        }
        let mut buckets: Vec<(usize, BucketReport)> = stream::iter(targets.into_iter().enumerate())
            .map(|(index, target)| async move {
                let report = self.audit_target(target).await;
                if let Some(progress) = progress {
                    progress.done();
                }
                (index, report)
            })
            .buffer_unordered(self.limiter.width())
            .collect()
            .await;
        buckets.sort_unstable_by_key(|(index, _)| *index);
        buckets.into_iter().map(|(_, report)| report).collect()
    }

    /// One target's entry: its keys judged, or why it could not be audited; and its access
    /// judged, where a listing gave it.
    async fn audit_target(&self, target: Target) -> BucketReport {
        let (scope, name, arn, record) = match target {
            Target::Missing { name, error } => return BucketReport::failed(name, Location::default(), error),
            Target::Fetch {
                scope,
                name,
                arn,
                record,
            } => (scope, name, arn, record),
        };
        let Some(scope) = self.scopes.get(scope) else {
            // Targets only index scopes that exist; keep the bucket visible even so.
            let error = Failure::new(codes::INTERNAL_ERROR, "no client for this bucket's scope");
            return BucketReport::failed(name, Location::default(), error);
        };
        let location = scope.location.clone();
        let Some(bucket) = BucketName::parse(&name) else {
            let error = Failure::new(codes::INVALID_BUCKET_NAME, INVALID_BUCKET_NAME_MESSAGE);
            return BucketReport::failed(name, location, error);
        };
        match self
            .deadline
            .run(self.limiter.run(scope.client.bucket_access_keys(&bucket)))
            .await
        {
            None => {
                let message = format!(
                    "not audited: less than {} ms of the invocation was left (DEADLINE_MARGIN_MS)",
                    self.margin.as_millis()
                );
                let error = Failure::new(codes::DEADLINE_EXCEEDED, message);
                BucketReport::skipped(name, location, error)
            }
            Some(Ok(keys)) => {
                let (findings, keys) = rules::audit_bucket(keys, &self.policy, self.now);
                let report = BucketReport::audited(name, location, findings, keys);
                match record {
                    Some(record) => self.judge_access(report, Ok(*record)),
                    None => BucketReport {
                        bucket_arn: arn,
                        ..report
                    },
                }
            }
            Some(Err(error)) => BucketReport::failed(name, location, error),
        }
    }

    /// The audited buckets' access, from the lookups of named buckets (when there were any).
    fn judge_lookups(&self, buckets: Vec<BucketReport>, lookups: Option<Lookups>) -> Vec<BucketReport> {
        let Some(mut lookups) = lookups else {
            return buckets;
        };
        buckets
            .into_iter()
            .map(|bucket| {
                if bucket.status != BucketStatus::Audited {
                    return bucket;
                }
                let record = lookups.remove(&bucket.bucket_name).unwrap_or_else(|| {
                    Err(Failure::new(
                        codes::INTERNAL_ERROR,
                        "this bucket was not looked up",
                    ))
                });
                self.judge_access(bucket, record)
            })
            .collect()
    }

    /// The bucket's access and the findings drawn from it; the bucket's account is always
    /// trusted.
    fn judge_access(&self, bucket: BucketReport, record: Result<BucketRecord, Failure>) -> BucketReport {
        let findings = match &record {
            Ok(record) => {
                let owner = bucket
                    .location
                    .account_id
                    .as_deref()
                    .or_else(|| record.arn.as_deref().and_then(rules::arn_account));
                rules::audit_access(&record.access, owner, &self.trust, &self.policy)
            }
            Err(_) => Vec::new(),
        };
        bucket.with_access(record, findings)
    }
}

/// One WARN for what could not be read of `bucket`.
fn warn_bucket(bucket: &BucketReport, error: &Failure, what: &str) {
    warn!(
        bucket = %loggable(&bucket.bucket_name),
        account = ?bucket.location.account_id,
        region = ?bucket.location.region,
        code = %error.code,
        error_message = %loggable(&error.message),
        "{what}"
    );
}

/// One WARN per failed scope and bucket, then one INFO with the summary counts.
fn log_outcome(report: &Report) {
    for error in report.scope_errors() {
        warn!(
            account = ?error.location.account_id,
            region = ?error.location.region,
            code = %error.failure.code,
            error_message = %loggable(&error.failure.message),
            "scope audit failed"
        );
    }
    for bucket in report.buckets() {
        if let Some(error) = &bucket.access_error {
            warn_bucket(
                bucket,
                error,
                "bucket access unknown: its keys were audited, its access was not",
            );
        }
        if let Some(error) = &bucket.error {
            warn_bucket(bucket, error, "bucket audit failed");
        }
    }
    let summary = report.summary();
    let count = |code: FindingCode| summary.findings.of(code);
    info!(
        buckets_requested = summary.buckets_requested,
        buckets_audited = summary.buckets_audited,
        buckets_failed = summary.buckets_failed,
        access_unknown = summary.access_unknown,
        scope_errors = summary.scope_errors,
        keys = summary.keys,
        active_keys = summary.active_keys,
        keys_with_findings = summary.keys_with_findings,
        stale = count(FindingCode::Stale),
        never_used = count(FindingCode::NeverUsed),
        rotation_due = count(FindingCode::RotationDue),
        inactive = count(FindingCode::Inactive),
        multiple_active_keys = count(FindingCode::MultipleActiveKeys),
        public_read = count(FindingCode::PublicRead),
        public_objects_allowed = count(FindingCode::PublicObjectsAllowed),
        shared_outside_organization = count(FindingCode::SharedOutsideOrganization),
        shared_with_accounts = count(FindingCode::SharedWithAccounts),
        instance_access = count(FindingCode::InstanceAccess),
        access_logging_off = count(FindingCode::AccessLoggingOff),
        "audit complete"
    );
}
