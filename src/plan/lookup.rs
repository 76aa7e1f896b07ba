//! What `GetBuckets` says of named buckets in one account and region: the access the rules
//! judge and the bucket's ARN, for buckets fetched by name without a listing.
//!
//! Two ways cost different numbers of calls, for N named buckets in a region of B buckets,
//! P to a page:
//! - by name: N calls, one `GetBuckets` with `bucketName` each;
//! - by listing: at most ⌈B / P⌉ calls, stopping at the page that holds the last named bucket.
//!
//! One name costs one call by name and at least one by listing, so it goes by name. Two or more
//! cost N ≥ 2 by name against the pages up to the last of them by listing: a page holds many
//! buckets (Lightsail's quota keeps a region to a few dozen), so the listing is one call where
//! names would be N. Every call runs beside the key fetches, under the same concurrency limit.

use std::collections::{HashMap, HashSet};

use futures_util::stream::{self, StreamExt};

use super::deadline::Deadline;
use super::discovery::{list_buckets, Wanted};
use super::limiter::Limiter;
use super::scope::Scope;
use crate::failure::{codes, Failure};
use crate::request::BucketName;
use crate::rules::BucketRecord;

/// What became of each named bucket: its record, or why it is not known.
pub(crate) type Lookups = HashMap<String, Result<BucketRecord, Failure>>;

/// How a scope's named buckets are looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    ByName,
    Listing,
}

impl Strategy {
    /// The cheaper way for `named` buckets (see the module's note).
    pub(crate) fn for_names(named: usize) -> Self {
        if named <= 1 {
            Self::ByName
        } else {
            Self::Listing
        }
    }
}

/// Every named bucket's record in `scope`. A bucket `GetBuckets` does not know, or could not
/// be asked about (throttled, denied, the deadline near), has the failure instead.
pub(crate) async fn look_up(
    scope: &Scope,
    names: &[String],
    limiter: &Limiter,
    deadline: &Deadline,
) -> Lookups {
    match Strategy::for_names(names.len()) {
        Strategy::ByName => by_name(scope, names, limiter, deadline).await,
        Strategy::Listing => by_listing(scope, names, limiter, deadline).await,
    }
}

async fn by_name(scope: &Scope, names: &[String], limiter: &Limiter, deadline: &Deadline) -> Lookups {
    stream::iter(names)
        .map(|name| async move {
            let Some(bucket) = BucketName::parse(name) else {
                // Its key fetch fails with the name's error; nothing to ask here.
                return (name.clone(), Err(not_listed()));
            };
            let record = deadline
                .run(limiter.run(scope.client.bucket(&bucket)))
                .await
                .unwrap_or_else(|| Err(cut_short()));
            (name.clone(), record)
        })
        .buffer_unordered(limiter.width())
        .collect()
        .await
}

async fn by_listing(scope: &Scope, names: &[String], limiter: &Limiter, deadline: &Deadline) -> Lookups {
    // A name that cannot be a bucket is never listed: waiting for it would read every page.
    let wanted: HashSet<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| BucketName::parse(name).is_some())
        .collect();
    if wanted.is_empty() {
        return names
            .iter()
            .map(|name| (name.clone(), Err(not_listed())))
            .collect();
    }
    let listing = list_buckets(&scope.client, Wanted::Named(&wanted), limiter, deadline).await;
    let mut records: HashMap<String, BucketRecord> = listing
        .buckets
        .into_iter()
        .filter(|record| wanted.contains(record.name.as_str()))
        .map(|record| (record.name.clone(), record))
        .collect();
    let missing = listing.error.unwrap_or_else(not_listed);
    names
        .iter()
        .map(|name| {
            let record = records.remove(name).ok_or_else(|| missing.clone());
            (name.clone(), record)
        })
        .collect()
}

fn not_listed() -> Failure {
    Failure::new(
        codes::NOT_FOUND,
        "GetBuckets does not list this bucket in its account and region",
    )
}

fn cut_short() -> Failure {
    Failure::new(
        codes::DEADLINE_EXCEEDED,
        "GetBuckets was not called: the invocation's deadline was near",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_goes_by_name_and_more_by_listing() {
        assert_eq!(Strategy::for_names(0), Strategy::ByName);
        assert_eq!(Strategy::for_names(1), Strategy::ByName);
        assert_eq!(Strategy::for_names(2), Strategy::Listing);
        assert_eq!(Strategy::for_names(200), Strategy::Listing);
    }
}
