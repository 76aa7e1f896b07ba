//! Entry points for the criterion benchmark (`benches/rules.rs`), another crate that cannot
//! reach the crate-private rules. Not part of the function's interface.

use chrono::{DateTime, Duration, Utc};

use crate::rules::{self, AccessKeyRecord, KeyStatus, LastUse, Policy};

/// Generated keys, two per bucket, covering every verdict.
pub struct Buckets(Vec<Vec<AccessKeyRecord>>);

impl Buckets {
    /// `keys` keys (rounded up to even) in buckets of two, ages spread over two years.
    pub fn generate(keys: usize, now: DateTime<Utc>) -> Self {
        let buckets = keys.div_ceil(2);
        Self(
            (0..buckets)
                .map(|b| {
                    (0..2)
                        .map(|k| {
                            let n = (b * 2 + k) as i64;
                            AccessKeyRecord {
                                access_key_id: Some(format!("AKIA{n:016}")),
                                status: Some(if n % 7 == 0 {
                                    KeyStatus::Inactive
                                } else {
                                    KeyStatus::Active
                                }),
                                created_at: Some(
                                    now - Duration::days(n % 730) - Duration::seconds(n % 86_400),
                                ),
                                last_used: (n % 5 != 0).then(|| LastUse {
                                    date: now - Duration::days(n % 120),
                                    region: Some("us-east-1".to_owned()),
                                    service: Some("s3".to_owned()),
                                }),
                            }
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// Runs every rule over every bucket; returns the number of findings.
    pub fn audit(&self, now: DateTime<Utc>) -> usize {
        let policy = Policy::default();
        self.0
            .iter()
            .map(|keys| {
                let (bucket_findings, reports) = rules::audit_bucket(keys.clone(), &policy, now);
                bucket_findings.len() + reports.iter().map(|r| r.findings.len()).sum::<usize>()
            })
            .sum()
    }
}
