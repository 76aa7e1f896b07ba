//! The part of Lightsail's state that calls change, over the fixture that never does: the
//! keys deleted (`DeleteBucketAccessKey`, with the log of each deletion), and the reads served
//! per bucket (`GetBucketAccessKeys`), which a key's `lastUsedAfterReads` counts.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::fixture::{BucketFixture, Fixture, KeyFixture};

/// One access key deleted by `DeleteBucketAccessKey`, as [`crate::Server::deletions`] lists
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deletion {
    /// The account that owns the bucket (the caller's).
    pub account_id: String,
    /// The bucket's region (the region the call was signed for).
    pub region: String,
    /// The bucket the key belonged to.
    pub bucket_name: String,
    /// The key deleted.
    pub access_key_id: String,
}

/// Deleted keys and reads served, by the bucket's index in the fixture.
#[derive(Debug)]
pub(crate) struct AccessKeys {
    /// `GetBucketAccessKeys` answers served per bucket.
    reads: Vec<AtomicU64>,
    deleted: Mutex<Deleted>,
}

#[derive(Debug, Default)]
struct Deleted {
    /// Bucket index to the ids of its keys that no longer exist.
    keys: HashMap<usize, HashSet<String>>,
    /// Every deletion, in order.
    log: Vec<Deletion>,
}

impl AccessKeys {
    /// No key deleted, no bucket read yet.
    pub(crate) fn new(fixture: &Fixture) -> Self {
        Self {
            reads: fixture.buckets.iter().map(|_| AtomicU64::new(0)).collect(),
            deleted: Mutex::default(),
        }
    }

    /// Serves one read of bucket `index`'s keys: those not deleted, in fixture order, with the
    /// reads served before this one (for each key's [`KeyFixture::last_used`]).
    pub(crate) fn read<'a>(&self, index: usize, bucket: &'a BucketFixture) -> (Vec<&'a KeyFixture>, u64) {
        let served = self
            .reads
            .get(index)
            .map_or(0, |reads| reads.fetch_add(1, Ordering::Relaxed));
        let deleted = self.lock();
        let gone = deleted.keys.get(&index);
        let keys = bucket
            .keys
            .iter()
            .filter(|key| gone.is_none_or(|gone| !gone.contains(&key.access_key_id)))
            .collect();
        (keys, served)
    }

    /// Deletes key `access_key_id` of bucket `index` and logs it; `false` if the bucket has no
    /// such key (never had, or it was deleted already).
    pub(crate) fn delete(&self, index: usize, bucket: &BucketFixture, access_key_id: &str) -> bool {
        if !bucket.keys.iter().any(|key| key.access_key_id == access_key_id) {
            return false;
        }
        let mut deleted = self.lock();
        if !deleted
            .keys
            .entry(index)
            .or_default()
            .insert(access_key_id.to_owned())
        {
            return false;
        }
        deleted.log.push(Deletion {
            account_id: bucket.account().to_owned(),
            region: bucket.region.clone(),
            bucket_name: bucket.name.clone(),
            access_key_id: access_key_id.to_owned(),
        });
        true
    }

    /// Every deletion so far, in order.
    pub(crate) fn deletions(&self) -> Vec<Deletion> {
        self.lock().log.clone()
    }

    /// The deleted keys. A panic while holding the lock cannot leave them half-written (each
    /// change is one insert and one push), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Deleted> {
        self.deleted.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
