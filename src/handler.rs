//! The Lambda handler: one invocation, from event to report.

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::{info, warn};

use crate::audit;
use crate::bucket_name::{BucketName, INVALID_BUCKET_NAME};
use crate::config::Config;
use crate::error::AuditError;
use crate::lightsail::Lightsail;
use crate::policy::Policy;
use crate::report::{BucketError, BucketReport, Report};
use crate::request::AuditRequest;

/// Handles one invocation: the entry point `main` registers with the runtime.
pub async fn handle(
    lightsail: &Lightsail,
    config: &Config,
    event: LambdaEvent<Value>,
) -> Result<Report, AuditError> {
    run_audit(lightsail, config, &event.payload, Utc::now()).await
}

/// Audits what `event` asks for, judging ages against `now`.
///
/// Fails only for a malformed request, or when not one bucket could be audited; any other
/// bucket failure is reported in that bucket's entry.
pub async fn run_audit(
    lightsail: &Lightsail,
    config: &Config,
    event: &Value,
    now: DateTime<Utc>,
) -> Result<Report, AuditError> {
    let request = AuditRequest::from_event(event, config).inspect_err(|error| {
        warn!(error = %error, "invalid request");
    })?;
    let policy = request.policy;
    // `buffered` keeps request order while bounding the calls in flight.
    let buckets: Vec<BucketReport> = stream::iter(request.bucket_names)
        .map(|name| audit_named_bucket(lightsail, name, &policy, now))
        .buffered(config.max_concurrency)
        .collect()
        .await;
    let report = Report::new(now, policy, buckets);
    log_outcome(&report);

    let summary = report.summary();
    if summary.buckets_audited == 0 {
        if let Some((bucket, error)) = report.first_failure() {
            return Err(AuditError::AuditFailed {
                requested: summary.buckets_requested,
                failed: summary.buckets_failed,
                bucket: bucket.to_owned(),
                code: error.code.clone(),
                message: error.message.clone(),
            });
        }
    }
    Ok(report)
}

async fn audit_named_bucket(
    lightsail: &Lightsail,
    name: String,
    policy: &Policy,
    now: DateTime<Utc>,
) -> BucketReport {
    let region = lightsail.region().to_owned();
    let Some(bucket) = BucketName::parse(&name) else {
        let error = BucketError {
            code: "InvalidBucketName".to_owned(),
            message: INVALID_BUCKET_NAME.to_owned(),
        };
        return BucketReport::failed(name, region, error);
    };
    match lightsail.bucket_access_keys(&bucket).await {
        Ok(keys) => {
            let (findings, keys) = audit::audit_bucket(keys, policy, now);
            BucketReport::audited(name, region, findings, keys)
        }
        Err(error) => BucketReport::failed(
            name,
            region,
            BucketError {
                code: error.code,
                message: error.message,
            },
        ),
    }
}

/// One WARN per failed bucket, then one INFO with the summary counts.
fn log_outcome(report: &Report) {
    for bucket in report.buckets() {
        if let Some(error) = &bucket.error {
            // Debug formatting escapes control characters a crafted name could carry.
            warn!(
                bucket = ?bucket.bucket_name,
                region = %bucket.region,
                code = %error.code,
                message = ?error.message,
                "bucket audit failed"
            );
        }
    }
    let summary = report.summary();
    let findings = &summary.findings;
    info!(
        buckets_requested = summary.buckets_requested,
        buckets_audited = summary.buckets_audited,
        buckets_failed = summary.buckets_failed,
        keys = summary.keys,
        active_keys = summary.active_keys,
        keys_with_findings = summary.keys_with_findings,
        stale = findings.stale,
        never_used = findings.never_used,
        rotation_due = findings.rotation_due,
        inactive = findings.inactive,
        multiple_active_keys = findings.multiple_active_keys,
        "audit complete"
    );
}
