//! The invocation's deadline, less a safety margin. Past the cutoff no call starts and calls in
//! flight are abandoned, so the report is returned before Lambda ends the run.

use std::future::Future;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

/// How much of the remaining time delivery (SNS) may still use after the cutoff, at most.
const DELIVERY_GRACE: Duration = Duration::from_millis(1500);

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

    #[tokio::test]
    async fn a_deadline_already_past_starts_nothing() {
        let deadline =
            Deadline::from_invocation(Some(SystemTime::now() - Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(deadline.run(async { 1 }).await, None);
        assert_eq!(deadline.deliver(async { 1 }).await, None);
    }
}
