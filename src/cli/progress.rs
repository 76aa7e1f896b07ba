//! The command line's progress: buckets done out of the total, counted as the audit goes and
//! shown on a terminal as `audited N of M buckets`.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::handler::ProgressSink;

/// Buckets done out of the total, counted as the audit goes.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// (buckets done, buckets to do); the total is 0 until the buckets are known.
    pub fn get(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

impl ProgressSink for Progress {
    fn planned(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    fn done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// After about a second, `audited N of M buckets` on one line of stderr, refreshed.
pub(super) async fn show(progress: Arc<Progress>) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    loop {
        let (done, total) = progress.get();
        if total > 0 {
            eprint!("\r\u{1b}[2Kaudited {done} of {total} buckets");
            let _ = std::io::stderr().flush();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_the_audit_reports() {
        let progress = Progress::default();
        assert_eq!(progress.get(), (0, 0));
        progress.planned(3);
        progress.done();
        progress.done();
        assert_eq!(progress.get(), (2, 3));
    }
}
