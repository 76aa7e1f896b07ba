//! The scopes of an audit: every (account, region) pair to look in, each with its own client,
//! and the accounts or regions that failed as a whole.

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use super::deadline::Deadline;
use super::limiter::Limiter;
use crate::aws::{AssumedRole, Lightsail, RegionClient};
use crate::failure::{codes, Failure};
use crate::request::{AuditRequest, RegionSelection};

/// Where a bucket or a scope error is: account and region, `null` where unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    pub(crate) account_id: Option<String>,
    pub(crate) region: Option<String>,
}

#[cfg(test)]
impl Location {
    /// The home account in us-east-1: for the tests of what reads locations.
    pub(crate) fn home() -> Self {
        Self {
            account_id: Some("123456789012".into()),
            region: Some("us-east-1".into()),
        }
    }
}

/// An account or a region that could not be audited as a whole: a role that could not be
/// assumed, a region still being set up, `GetBuckets` denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScopeError {
    #[serde(flatten)]
    pub(crate) location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) role_arn: Option<String>,
    #[serde(flatten)]
    pub(crate) failure: Failure,
}

/// One account in one region, with the client built for it.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub(crate) location: Location,
    pub(crate) client: RegionClient,
}

/// An account to audit: the function's own, or one reached through a role.
struct Account {
    id: Option<String>,
    role_arn: Option<String>,
    credentials: Option<AssumedRole>,
}

/// Resolves the request into scopes, in order: accounts as requested, then regions as named
/// (or as `GetRegions` lists them). A role that cannot be assumed, or an account whose regions
/// cannot be listed, becomes a scope error and the rest goes on.
pub(crate) async fn plan_scopes(
    lightsail: &Lightsail,
    request: &AuditRequest,
    home_account_id: Option<&str>,
    limiter: &Limiter,
    deadline: &Deadline,
) -> (Vec<Scope>, Vec<ScopeError>) {
    let accounts: Vec<Result<Account, ScopeError>> = match &request.accounts {
        None => vec![Ok(Account {
            id: home_account_id.map(str::to_owned),
            role_arn: None,
            credentials: None,
        })],
        Some(roles) => {
            stream::iter(roles)
                .map(|role| async move {
                    let assumed = deadline
                        .run(limiter.run(lightsail.assume_role(role)))
                        .await
                        .unwrap_or_else(|| Err(cut_short("assuming the role")));
                    let account = Account {
                        id: Some(role.account_id.clone()),
                        role_arn: Some(role.role_arn.clone()),
                        credentials: None,
                    };
                    match assumed {
                        Ok(credentials) => Ok(Account {
                            credentials: Some(credentials),
                            ..account
                        }),
                        Err(error) => Err(scope_error(&account, None, error)),
                    }
                })
                .buffered(limiter.width())
                .collect()
                .await
        }
    };

    let per_account: Vec<Result<Vec<Scope>, ScopeError>> = stream::iter(accounts)
        .map(|account| async move {
            let account = account?;
            let regions = match &request.regions {
                RegionSelection::Home => vec![lightsail.home_region().to_owned()],
                RegionSelection::Named(regions) => regions.clone(),
                RegionSelection::All => {
                    let home = lightsail.region_client(account.credentials.as_ref(), lightsail.home_region());
                    deadline
                        .run(limiter.run(home.region_names()))
                        .await
                        .unwrap_or_else(|| Err(cut_short("listing the regions")))
                        .map_err(|error| scope_error(&account, Some(lightsail.home_region()), error))?
                }
            };
            Ok(regions
                .iter()
                .map(|region| Scope {
                    location: Location {
                        account_id: account.id.clone(),
                        region: Some(region.clone()),
                    },
                    client: lightsail.region_client(account.credentials.as_ref(), region),
                })
                .collect())
        })
        .buffered(limiter.width())
        .collect()
        .await;

    let mut scopes = Vec::new();
    let mut errors = Vec::new();
    for result in per_account {
        match result {
            Ok(found) => scopes.extend(found),
            Err(error) => errors.push(error),
        }
    }
    (scopes, errors)
}

fn cut_short(what: &str) -> Failure {
    Failure::new(
        codes::DEADLINE_EXCEEDED,
        format!("{what} did not finish before the invocation's deadline"),
    )
}

fn scope_error(account: &Account, region: Option<&str>, error: Failure) -> ScopeError {
    ScopeError {
        location: Location {
            account_id: account.id.clone(),
            region: region.map(str::to_owned),
        },
        role_arn: account.role_arn.clone(),
        failure: error,
    }
}

impl Scope {
    /// A scope error for this scope, e.g. a region whose buckets cannot be listed.
    pub(crate) fn error(&self, error: Failure) -> ScopeError {
        ScopeError {
            location: self.location.clone(),
            role_arn: None,
            failure: error,
        }
    }
}
