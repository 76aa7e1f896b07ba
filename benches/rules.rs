//! CPU per key of the audit rules: 100,000 keys classified, as `make bench` reports it.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lightsail_key_audit::bench::Buckets;

const KEYS: usize = 100_000;

fn classify(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 6, 0, 0).unwrap();
    let buckets = Buckets::generate(KEYS, now);
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(KEYS as u64));
    group.sample_size(20);
    group.bench_function("classify_100k_keys", |b| {
        b.iter(|| std::hint::black_box(buckets.audit(now)))
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
