//! Fault injection, shared by the three services: which faults fire on a call and how many
//! times they have fired. A fault that ends a call is returned as its [`FaultKind`]; each
//! service writes its own answer for it (`fault_reply` in `service`, `sts`, `organizations`).
//!
//! Every fault kind applies to Lightsail. STS and Organizations take the kinds that mean
//! something there: `latency`, `accessDenied`, `throttle`, `serverError`, `unauthenticated`,
//! `malformedBody`, `htmlBody`, and for Organizations `repeatPageToken` (`ListAccounts` repeats
//! its `NextToken`). `notFound` and `regionSetupInProgress` are Lightsail's only; elsewhere they
//! neither fire nor count towards `times`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::fixture::{BucketFixture, Fault, FaultKind, Fixture};
use crate::protocol::{Api, Caller};

/// Calls matched so far, per fault, for faults limited to their first `times` calls.
#[derive(Debug)]
pub(crate) struct Faults {
    global: Vec<AtomicU64>,
    per_bucket: Vec<Vec<AtomicU64>>,
}

/// What a call is, as faults see it.
pub(crate) struct Target<'a> {
    pub(crate) api: Api,
    pub(crate) operation: &'a str,
    /// The region of the credential scope.
    pub(crate) region: &'a str,
    /// The named bucket, with its index, if the caller can see one by that name.
    pub(crate) bucket: Option<(usize, &'a BucketFixture)>,
}

impl<'a> Target<'a> {
    /// A call to `operation` of `api` by `caller`, naming no bucket.
    pub(crate) fn of(api: Api, operation: &'a str, caller: &Caller<'a>) -> Self {
        Self {
            api,
            operation,
            region: caller.region,
            bucket: None,
        }
    }
}

impl Faults {
    /// Zeroed counters for the fixture's faults and its buckets'.
    pub(crate) fn new(fixture: &Fixture) -> Self {
        let counters = |faults: &[Fault]| faults.iter().map(|_| AtomicU64::new(0)).collect();
        Self {
            global: counters(&fixture.faults),
            per_bucket: fixture.buckets.iter().map(|b| counters(&b.faults)).collect(),
        }
    }

    /// Applies the faults that fire on `target`, the fixture's before the bucket's: waits out
    /// latency, and returns the kind of the first fault that answers in the call's place.
    /// `Ok(true)` if a `repeatPageToken` fault fired.
    pub(crate) async fn apply(&self, fixture: &Fixture, target: &Target<'_>) -> Result<bool, FaultKind> {
        let bucket_faults = target
            .bucket
            .iter()
            .flat_map(|(i, b)| b.faults.iter().zip(self.per_bucket.get(*i).into_iter().flatten()));
        let faults = fixture.faults.iter().zip(&self.global);
        let mut repeat_page_token = false;
        for (fault, calls) in faults.chain(bucket_faults) {
            if !applies(target.api, fault.kind) || !fires(fault, calls, target.operation, target.region) {
                continue;
            }
            match fault.kind {
                FaultKind::Latency => delay(Duration::from_millis(fault.latency_ms.unwrap_or(0))).await,
                FaultKind::RepeatPageToken => repeat_page_token = true,
                kind => return Err(kind),
            }
        }
        Ok(repeat_page_token)
    }
}

/// Whether a fault of `kind` means something to `api`'s calls.
fn applies(api: Api, kind: FaultKind) -> bool {
    match kind {
        FaultKind::NotFound | FaultKind::RegionSetupInProgress => api == Api::Lightsail,
        FaultKind::RepeatPageToken => api != Api::Sts,
        FaultKind::Latency
        | FaultKind::AccessDenied
        | FaultKind::Throttle
        | FaultKind::ServerError
        | FaultKind::Unauthenticated
        | FaultKind::MalformedBody
        | FaultKind::HtmlBody => true,
    }
}

/// Whether `fault` fires on a call: it matches the operation and region, and has not yet
/// fired its `times`. Only matching calls count towards `times`.
fn fires(fault: &Fault, calls: &AtomicU64, operation: &str, region: &str) -> bool {
    let applies = fault
        .operations
        .as_ref()
        .is_none_or(|ops| ops.iter().any(|op| op == operation))
        && fault
            .regions
            .as_ref()
            .is_none_or(|regions| regions.iter().any(|r| r == region));
    applies
        && fault
            .times
            .is_none_or(|times| calls.fetch_add(1, Ordering::Relaxed) < times)
}

/// Waits `duration`, accurately. tokio's timer works in whole milliseconds and fires up to
/// 2 ms late, which a benchmark at 50 ms per call would count as the client's overhead; so the
/// last few milliseconds are waited on a blocking-pool thread: a sleep, then a short spin past
/// the kernel's wake-up delay.
pub(crate) async fn delay(duration: Duration) {
    const TIMER_SLACK: Duration = Duration::from_millis(3);
    const WAKE_UP: Duration = Duration::from_micros(300);
    let Some(until) = std::time::Instant::now().checked_add(duration) else {
        // Past any clock (a fixture's latencyMs near u64::MAX): tokio caps it at 30 years.
        return tokio::time::sleep(duration).await;
    };
    if duration > TIMER_SLACK {
        tokio::time::sleep(duration - TIMER_SLACK).await;
    }
    if until > std::time::Instant::now() {
        let _ = tokio::task::spawn_blocking(move || {
            std::thread::sleep(
                until
                    .saturating_duration_since(std::time::Instant::now())
                    .saturating_sub(WAKE_UP),
            );
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightsail_only_kinds_do_not_reach_the_other_services() {
        for api in [Api::Sts, Api::Organizations] {
            assert!(!applies(api, FaultKind::NotFound));
            assert!(!applies(api, FaultKind::RegionSetupInProgress));
            assert!(applies(api, FaultKind::Latency));
            assert!(applies(api, FaultKind::Throttle));
        }
        assert!(applies(Api::Organizations, FaultKind::RepeatPageToken));
        assert!(!applies(Api::Sts, FaultKind::RepeatPageToken));
    }

    #[tokio::test]
    async fn no_latency_overflows() {
        let endless = tokio::time::timeout(Duration::from_millis(20), delay(Duration::MAX)).await;
        assert!(
            endless.is_err(),
            "a latency past any clock waits, as long as it can"
        );
    }
}
