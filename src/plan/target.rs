//! What each report entry fetches: the buckets of every scope, named or discovered, and the
//! named buckets no audited scope holds.

use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};

use super::deadline::Deadline;
use super::discovery::list_bucket_names;
use super::limiter::Limiter;
use super::scope::Scope;
use crate::coverage::{Listed, ScopeError};
use crate::failure::{codes, Failure};

/// What to fetch for one report entry.
pub(crate) enum Target {
    /// `GetBucketAccessKeys` for `name` in scope number `scope`.
    Fetch { scope: usize, name: String },
    /// A named bucket that no audited scope holds.
    Missing { name: String, error: Failure },
}

/// The buckets to fetch, in report order: scope by scope, names as named or as listed; and the
/// scopes listed completely.
pub(crate) async fn plan_targets(
    scopes: &[Scope],
    names: Option<Vec<String>>,
    limiter: &Limiter,
    deadline: &Deadline,
    scope_errors: &mut Vec<ScopeError>,
) -> (Vec<Target>, Vec<Listed>) {
    // One scope and named buckets: fetch directly, no listing (and no GetBuckets permission).
    if let (Some(names), [_]) = (&names, scopes) {
        let targets = names.iter().map(|name| Target::Fetch {
            scope: 0,
            name: name.clone(),
        });
        return (targets.collect(), Vec::new());
    }
    let mut listed = Vec::new();
    let listings: Vec<Vec<String>> = stream::iter(scopes)
        .map(|scope| list_bucket_names(&scope.client, limiter, deadline))
        .buffered(limiter.width())
        .zip(stream::iter(scopes))
        .map(|(listing, scope)| {
            match listing.error {
                Some(error) => scope_errors.push(scope.error(error)),
                None => listed.push(Listed {
                    location: scope.location.clone(),
                    names: listing.names.iter().cloned().collect(),
                }),
            }
            listing.names
        })
        .collect()
        .await;

    let targets = match names {
        // Discovery: every bucket of every scope.
        None => listings
            .into_iter()
            .enumerate()
            .flat_map(|(scope, listed)| listed.into_iter().map(move |name| Target::Fetch { scope, name }))
            .collect(),
        Some(names) => locate(scopes, names, listings, scope_errors),
    };
    (targets, listed)
}

/// Named buckets across several scopes: each where it is listed, in scope order; a name found
/// nowhere is `Missing`, saying where it was looked for.
fn locate(
    scopes: &[Scope],
    names: Vec<String>,
    listings: Vec<Vec<String>>,
    scope_errors: &[ScopeError],
) -> Vec<Target> {
    let listings: Vec<HashSet<String>> = listings.into_iter().map(HashSet::from_iter).collect();
    let mut targets = Vec::with_capacity(names.len());
    for (scope, listed) in listings.iter().enumerate() {
        for name in names.iter().filter(|name| listed.contains(*name)) {
            targets.push(Target::Fetch {
                scope,
                name: name.clone(),
            });
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
    for name in names
        .into_iter()
        .filter(|name| !listings.iter().any(|l| l.contains(name)))
    {
        targets.push(Target::Missing {
            name,
            error: missing.clone(),
        });
    }
    targets
}

fn describe(scope: &Scope) -> String {
    let region = scope.location.region.as_deref().unwrap_or("unknown");
    match &scope.location.account_id {
        Some(account) => format!("{account}/{region}"),
        None => region.to_owned(),
    }
}
