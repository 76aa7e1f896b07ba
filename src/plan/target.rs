//! What each report entry fetches: the buckets of every scope, named or discovered, and the
//! named buckets no audited scope holds.

use std::collections::{HashMap, HashSet};

use futures_util::stream::{self, StreamExt};

use super::deadline::Deadline;
use super::discovery::{list_buckets, Listing, Wanted};
use super::limiter::Limiter;
use super::scope::Scope;
use crate::coverage::{Listed, ScopeError};
use crate::failure::{codes, Failure};
use crate::rules::BucketRecord;

/// What to fetch for one report entry.
pub(crate) enum Target {
    /// `GetBucketAccessKeys` for `name` in scope number `scope`; `record` is what a listing
    /// said of the bucket when access is checked, `arn` its ARN when not (the record has it).
    Fetch {
        scope: usize,
        name: String,
        arn: Option<String>,
        record: Option<Box<BucketRecord>>,
    },
    /// A named bucket that no audited scope holds.
    Missing { name: String, error: Failure },
}

/// The buckets to fetch, in report order: scope by scope, names as named or as listed; and the
/// scopes listed completely. With `with_access`, listings ask for the instances given access,
/// and each target keeps what its listing said of the bucket; without, no record is kept.
pub(crate) async fn plan_targets(
    scopes: &[Scope],
    names: Option<Vec<String>>,
    with_access: bool,
    limiter: &Limiter,
    deadline: &Deadline,
    scope_errors: &mut Vec<ScopeError>,
) -> (Vec<Target>, Vec<Listed>) {
    // One scope and named buckets: fetch directly, no listing (what GetBuckets says of them,
    // if wanted, is looked up beside the fetches: see `lookup`).
    if let (Some(names), [_]) = (&names, scopes) {
        let targets = names.iter().map(|name| Target::Fetch {
            scope: 0,
            name: name.clone(),
            arn: None,
            record: None,
        });
        return (targets.collect(), Vec::new());
    }
    let mut listed = Vec::new();
    let wanted = Wanted::All {
        with_resources: with_access,
    };
    let listings: Vec<Listing> = stream::iter(scopes)
        .map(|scope| list_buckets(&scope.client, wanted, limiter, deadline))
        .buffered(limiter.width())
        .zip(stream::iter(scopes))
        .map(|(mut listing, scope)| {
            match listing.error.take() {
                Some(error) => scope_errors.push(scope.error(error)),
                None => listed.push(Listed {
                    location: scope.location.clone(),
                    names: listing.names().map(str::to_owned).collect(),
                }),
            }
            listing
        })
        .collect()
        .await;

    let targets = match names {
        // Discovery: every bucket of every scope.
        None => listings
            .into_iter()
            .enumerate()
            .flat_map(|(scope, listing)| {
                listing
                    .buckets
                    .into_iter()
                    .map(move |record| fetch(scope, record, with_access))
            })
            .collect(),
        Some(names) => locate(scopes, names, listings, with_access, scope_errors),
    };
    (targets, listed)
}

/// Named buckets across several scopes: each where it is listed, in scope order; a name found
/// nowhere is `Missing`, saying where it was looked for.
fn locate(
    scopes: &[Scope],
    names: Vec<String>,
    listings: Vec<Listing>,
    with_access: bool,
    scope_errors: &[ScopeError],
) -> Vec<Target> {
    let mut targets = Vec::with_capacity(names.len());
    let mut found = HashSet::new();
    for (scope, listing) in listings.into_iter().enumerate() {
        let mut records: HashMap<String, BucketRecord> = listing
            .buckets
            .into_iter()
            .map(|record| (record.name.clone(), record))
            .collect();
        for name in &names {
            if let Some(record) = records.remove(name) {
                found.insert(name.clone());
                targets.push(fetch(scope, record, with_access));
            }
        }
    }
    // The same answer for every name found nowhere: it depends only on where was looked.
    let missing = if scopes.is_empty() {
        Failure::new(
            codes::SCOPE_UNAVAILABLE,
            "no account and region could be audited; see scopeErrors",
        )
    } else {
        let searched: Vec<String> = scopes.iter().map(describe).collect();
        let unlisted = if scope_errors.is_empty() {
            String::new()
        } else {
            format!("; {} could not be listed (see scopeErrors)", scope_errors.len())
        };
        let message = format!("no bucket of this name in {}{unlisted}", searched.join(", "));
        Failure::new(codes::NOT_FOUND, message)
    };
    for name in names.into_iter().filter(|name| !found.contains(name)) {
        targets.push(Target::Missing {
            name,
            error: missing.clone(),
        });
    }
    targets
}

/// A listed bucket's fetch: the listing's record for the access rules when access is
/// checked, else its ARN alone (Security Hub's resource id), which the record carries.
fn fetch(scope: usize, record: BucketRecord, with_access: bool) -> Target {
    let name = record.name.clone();
    if with_access {
        Target::Fetch {
            scope,
            name,
            arn: None,
            record: Some(Box::new(record)),
        }
    } else {
        Target::Fetch {
            scope,
            name,
            arn: record.arn,
            record: None,
        }
    }
}

fn describe(scope: &Scope) -> String {
    let region = scope.location.region.as_deref().unwrap_or("unknown");
    match &scope.location.account_id {
        Some(account) => format!("{account}/{region}"),
        None => region.to_owned(),
    }
}
