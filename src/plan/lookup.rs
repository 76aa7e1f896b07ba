//! What `GetBuckets` says of named buckets in one account and region: the access the rules
//! judge and the bucket's ARN, for buckets fetched by name without a listing.
//!
//! Two ways cost different numbers of calls, for N named buckets in a region of B buckets,
//! P to a page:
//! - by name: N calls, one `GetBuckets` with `bucketName` each, all at once;
//! - by listing: one call per page, in order, up to the page that holds the last named
//!   bucket: at most ⌈B / P⌉, and usually 1, since a page holds many buckets.
//!
//! One name costs one call by name and at least one by listing, so it goes by name. Two or
//! more go by listing, which stops early once it has read as many pages as names are still
//! missing and asks for those by name: so it never costs more than about 2N calls, where an
//! unbounded listing could cost ⌈B / P⌉. Names that cannot be buckets are not counted: their
//! key fetch fails first. Every call runs beside the key fetches, under the same concurrency
//! limit.

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
    /// The cheaper way for `named` valid bucket names (see the module's note).
    pub(crate) fn for_names(named: usize) -> Self {
        if named <= 1 {
            Self::ByName
        } else {
            Self::Listing
        }
    }
}

/// Every valid named bucket's record in `scope`. A bucket `GetBuckets` does not know, or
/// could not be asked about (throttled, denied, the deadline near), has the failure instead.
pub(crate) async fn look_up(
    scope: &Scope,
    names: &[String],
    limiter: &Limiter,
    deadline: &Deadline,
) -> Lookups {
    let valid: Vec<BucketName> = names.iter().filter_map(|name| BucketName::parse(name)).collect();
    match Strategy::for_names(valid.len()) {
        Strategy::ByName => by_name(scope, &valid, limiter, deadline).await,
        Strategy::Listing => by_listing(scope, &valid, limiter, deadline).await,
    }
}

async fn by_name(scope: &Scope, names: &[BucketName], limiter: &Limiter, deadline: &Deadline) -> Lookups {
    stream::iter(names)
        .map(|bucket| async move {
            let record = deadline
                .run(limiter.run(scope.client.bucket(bucket)))
                .await
                .unwrap_or_else(|| Err(cut_short()))
                .map_err(explained);
            (bucket.as_str().to_owned(), record)
        })
        .buffer_unordered(limiter.width())
        .collect()
        .await
}

async fn by_listing(scope: &Scope, names: &[BucketName], limiter: &Limiter, deadline: &Deadline) -> Lookups {
    let wanted: HashSet<&str> = names.iter().map(BucketName::as_str).collect();
    let listing = list_buckets(&scope.client, Wanted::Named(&wanted), limiter, deadline).await;
    let mut lookups: Lookups = listing
        .buckets
        .into_iter()
        .filter(|record| wanted.contains(record.name.as_str()))
        .map(|record| (record.name.clone(), Ok(record)))
        .collect();
    let missing: Vec<BucketName> = names
        .iter()
        .filter(|name| !lookups.contains_key(name.as_str()))
        .cloned()
        .collect();
    if listing.more {
        lookups.extend(by_name(scope, &missing, limiter, deadline).await);
    } else {
        let error = listing.error.map_or_else(not_listed, explained);
        lookups.extend(
            missing
                .iter()
                .map(|name| (name.as_str().to_owned(), Err(error.clone()))),
        );
    }
    lookups
}

/// The failure, with what to do where it is a permission: the fix is the grant, or keys only.
fn explained(failure: Failure) -> Failure {
    if failure.code != "AccessDeniedException" {
        return failure;
    }
    let message = format!(
        "{}; grant lightsail:GetBuckets (template.yaml and member-role.yaml do), or set \
         includeAccessChecks false (ACCESS_CHECKS=false) to audit keys only",
        failure.message
    );
    Failure::new(&failure.code, message)
}

fn not_listed() -> Failure {
    Failure::new(
        codes::NOT_FOUND,
        "GetBuckets did not return this bucket, though GetBucketAccessKeys read its keys (created \
         or deleted during the run?): run the audit again",
    )
}

fn cut_short() -> Failure {
    Failure::new(
        codes::DEADLINE_EXCEEDED,
        "GetBuckets did not answer before the invocation's deadline (DEADLINE_MARGIN_MS before \
         the timeout): raise FunctionTimeout, or audit fewer buckets per run",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{PageAnswer, RegionClient};
    use crate::coverage::Location;

    fn page(names: &[&'static str], next: Option<&'static str>) -> PageAnswer {
        Ok((names.to_vec(), next))
    }

    #[tokio::test]
    async fn a_later_page_refused_keeps_what_was_found_and_explains_the_rest() {
        let (client, calls) = RegionClient::listing(|token| match token {
            None => page(&["a-1", "a-2"], Some("t1")),
            _ => Err("AccessDeniedException"),
        });
        let scope = Scope {
            location: Location::default(),
            client,
        };
        let names: Vec<String> = ["a-1", "a-3", "a-4", "Not A Bucket"].map(String::from).to_vec();
        let lookups = look_up(&scope, &names, &Limiter::new(1), &Deadline::none()).await;
        assert_eq!(calls(), 2);
        assert!(lookups.get("a-1").is_some_and(Result::is_ok));
        for name in ["a-3", "a-4"] {
            let Some(Err(error)) = lookups.get(name) else {
                panic!("{name}: {lookups:?}")
            };
            assert_eq!(error.code, "AccessDeniedException");
            assert!(
                error.message.contains("grant lightsail:GetBuckets"),
                "{}",
                error.message
            );
        }
        assert!(!lookups.contains_key("Not A Bucket"), "its key fetch fails first");
    }

    #[test]
    fn one_name_goes_by_name_and_more_by_listing() {
        assert_eq!(Strategy::for_names(0), Strategy::ByName);
        assert_eq!(Strategy::for_names(1), Strategy::ByName);
        assert_eq!(Strategy::for_names(2), Strategy::Listing);
        assert_eq!(Strategy::for_names(200), Strategy::Listing);
    }
}
