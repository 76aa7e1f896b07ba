//! The invocation's deadline, less a safety margin. Past the cutoff no call starts and calls in
//! flight are abandoned, so the report is returned before Lambda ends the run.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// How much of the remaining time delivery (SNS) may still use after the cutoff, at most.
const DELIVERY_GRACE: Duration = Duration::from_millis(1500);

/// How far in the past a runtime deadline may be and still be a real one (a late start).
const PAST_TOLERANCE: Duration = Duration::from_secs(60);
/// Lambda's longest timeout, 15 minutes, and a minute of clock skew.
const LONGEST_INVOCATION: Duration = Duration::from_secs(16 * 60);

/// The invocation's deadline from the Runtime API's `Lambda-Runtime-Deadline-Ms`: epoch
/// milliseconds. `None` for 0 (none sent) or a value that cannot be a deadline, such as the
/// bare duration `cargo lambda watch` sends (600000, in 1970): honouring it would skip every
/// bucket. Lambda never runs longer than 15 minutes, so nothing later is a deadline either.
pub(crate) fn runtime_deadline(deadline_ms: u64, now: SystemTime) -> Option<SystemTime> {
    let deadline = UNIX_EPOCH.checked_add(Duration::from_millis(deadline_ms))?;
    let latest = now.checked_add(LONGEST_INVOCATION)?;
    (deadline_ms > 0 && deadline + PAST_TOLERANCE >= now && deadline <= latest).then_some(deadline)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// When audit calls stop; `None`: no deadline (tests, local runs without one).
    cutoff: Option<Instant>,
    /// When delivery must be done: the cutoff plus at most [`DELIVERY_GRACE`].
    end: Option<Instant>,
}

impl Deadline {
    pub(crate) fn none() -> Self {
        Self {
            cutoff: None,
            end: None,
        }
    }

    /// From the invocation's deadline (wall clock, as Lambda gives it) and the margin.
    pub(crate) fn from_invocation(deadline: Option<SystemTime>, margin: Duration) -> Self {
        let Some(deadline) = deadline else {
            return Self::none();
        };
        let remaining = deadline.duration_since(SystemTime::now()).unwrap_or_default();
        let now = Instant::now();
        let cutoff = now + remaining.saturating_sub(margin);
        let end = (now + remaining).min(cutoff + DELIVERY_GRACE);
        Self {
            cutoff: Some(cutoff),
            end: Some(end),
        }
    }

    /// Runs `call` unless the cutoff has passed, abandoning it at the cutoff; `None` if cut.
    pub(crate) async fn run<F: Future>(&self, call: F) -> Option<F::Output> {
        within(self.cutoff, call).await
    }

    /// Whether `needed` fits before the cutoff; always, without a deadline.
    pub(crate) fn covers(&self, needed: Duration) -> bool {
        self.cutoff
            .is_none_or(|cutoff| cutoff.saturating_duration_since(Instant::now()) >= needed)
    }

    /// Like [`Self::run`], for delivery after the audit: bounded by the end, not the cutoff.
    pub(crate) async fn deliver<F: Future>(&self, call: F) -> Option<F::Output> {
        within(self.end, call).await
    }
}

async fn within<F: Future>(limit: Option<Instant>, call: F) -> Option<F::Output> {
    match limit {
        None => Some(call.await),
        Some(limit) if Instant::now() >= limit => None,
        Some(limit) => tokio::time::timeout_at(limit, call).await.ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_real_runtime_deadline_is_honoured() {
        let now = UNIX_EPOCH + Duration::from_millis(1_795_759_200_000);
        let at = |ms: u64| Some(UNIX_EPOCH + Duration::from_millis(ms));
        assert_eq!(runtime_deadline(0, now), None, "none sent");
        assert_eq!(runtime_deadline(600_000, now), None, "a duration, not a time");
        assert_eq!(
            runtime_deadline(1_795_759_260_000, now),
            at(1_795_759_260_000),
            "a minute ahead"
        );
        assert_eq!(
            runtime_deadline(1_795_759_150_000, now),
            at(1_795_759_150_000),
            "just past: a late start"
        );
        assert_eq!(runtime_deadline(1_795_759_000_000, now), None, "long past");
        assert_eq!(
            runtime_deadline(1_795_760_200_000, now),
            None,
            "over 15 minutes ahead"
        );
        assert_eq!(runtime_deadline(u64::MAX, now), None, "beyond any invocation");
    }

    #[tokio::test]
    async fn without_a_deadline_everything_runs() {
        assert_eq!(Deadline::none().run(async { 7 }).await, Some(7));
    }

    #[tokio::test]
    async fn calls_stop_at_the_margin_before_the_deadline() {
        let deadline = Deadline::from_invocation(
            Some(SystemTime::now() + Duration::from_millis(300)),
            Duration::from_millis(200),
        );
        assert_eq!(
            deadline.run(async { 1 }).await,
            Some(1),
            "100 ms remain before the cutoff"
        );
        let slow = deadline.run(tokio::time::sleep(Duration::from_millis(500))).await;
        assert_eq!(slow, None, "abandoned at the cutoff");
        assert_eq!(
            deadline.run(async { 2 }).await,
            None,
            "nothing starts after the cutoff"
        );
        assert_eq!(
            deadline.deliver(async { 3 }).await,
            Some(3),
            "delivery may still use the margin"
        );
    }

    #[test]
    fn what_remains_before_the_cutoff_covers_a_call_or_not() {
        assert!(Deadline::none().covers(Duration::from_secs(3600)));
        let deadline = Deadline::from_invocation(
            Some(SystemTime::now() + Duration::from_secs(10)),
            Duration::from_secs(2),
        );
        assert!(deadline.covers(Duration::from_secs(7)));
        assert!(
            !deadline.covers(Duration::from_secs(9)),
            "the margin is not the call's"
        );
    }

    #[tokio::test]
    async fn a_deadline_already_past_starts_nothing() {
        let deadline =
            Deadline::from_invocation(Some(SystemTime::now() - Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(deadline.run(async { 1 }).await, None);
        assert_eq!(deadline.deliver(async { 1 }).await, None);
    }
}
