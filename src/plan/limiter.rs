//! The one bound on calls in flight (`MAX_CONCURRENCY`), shared by every account, region and
//! bucket of an invocation, so fanning out wider never means calling faster.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    permits: Arc<Semaphore>,
    width: usize,
}

impl Limiter {
    /// A limiter for `width` calls at once (at least 1).
    pub(crate) fn new(width: usize) -> Self {
        let width = width.max(1);
        Self {
            permits: Arc::new(Semaphore::new(width)),
            width,
        }
    }

    /// How many calls may be in flight; also a sensible width for streams that feed it.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Runs `call` once a permit is free.
    pub(crate) async fn run<F: Future>(&self, call: F) -> F::Output {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.permits.acquire().await.ok();
        call.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn never_more_than_width_calls_run_at_once() {
        let limiter = Limiter::new(3);
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let calls = (0..12).map(|_| {
            let (limiter, now, peak) = (limiter.clone(), now.clone(), peak.clone());
            tokio::spawn(async move {
                limiter
                    .run(async {
                        peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(Limiter::new(0).width(), 1);
    }
}
