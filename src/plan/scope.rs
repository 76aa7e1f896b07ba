//! The scopes of an audit: every (account, region) pair to look in, each with its own client,
//! and the accounts or regions that failed as a whole.

use std::collections::BTreeSet;

use futures_util::stream::{self, StreamExt};

use super::deadline::Deadline;
use super::limiter::Limiter;
use crate::aws::{AssumedRole, Lightsail, OrganizationAccount, RegionClient};
use crate::coverage::{partition, Location, OrganizationCoverage, ScopeError};
use crate::failure::{codes, Failure};
use crate::request::{AccountRole, AccountSelection, AuditRequest, Member, RegionSelection};

/// The most `ListAccounts` pages read (20 accounts each): 200,000 accounts, far beyond
/// Organizations' quotas, so a token that never ends cannot loop for ever.
const MAX_ACCOUNT_PAGES: usize = 10_000;

/// One account in one region, with the client built for it.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    pub(crate) location: Location,
    pub(crate) client: RegionClient,
}

/// What planning found: the scopes to audit, the accounts and regions that failed as a
/// whole, and in organization mode its coverage.
#[derive(Debug)]
pub(crate) struct ScopePlan {
    pub(crate) scopes: Vec<Scope>,
    pub(crate) errors: Vec<ScopeError>,
    pub(crate) organization: Option<OrganizationCoverage>,
    /// In organization mode, every account `ListAccounts` gave, whatever its status: the
    /// accounts a bucket may be shared with.
    pub(crate) organization_accounts: Option<BTreeSet<String>>,
}

/// An account to audit: the function's own (no role), or one reached through a role.
struct Account {
    id: Option<String>,
    role: Option<AccountRole>,
}

/// An account whose credentials are in hand.
struct Reached {
    id: Option<String>,
    credentials: Option<AssumedRole>,
}

/// Resolves the request into scopes, in order: accounts as requested (or as the organization
/// lists them), then regions as named (or as `GetRegions` lists them, asked once). A role that
/// cannot be assumed becomes a scope error and the rest goes on.
pub(crate) async fn plan_scopes(
    lightsail: &Lightsail,
    request: &AuditRequest,
    home_account_id: Option<&str>,
    limiter: &Limiter,
    deadline: &Deadline,
) -> ScopePlan {
    let mut errors = Vec::new();
    let mut organization_accounts = None;
    let (accounts, listed) = match &request.accounts {
        AccountSelection::Organization => match list_organization(lightsail, limiter, deadline).await {
            Ok(found) => {
                let listed = found.len();
                organization_accounts = Some(found.iter().map(|a| a.id.clone()).collect());
                // An organization's account is one given by id: reached like one.
                let active: Vec<Member> = found
                    .into_iter()
                    .filter(|a| a.active)
                    .map(|a| Member {
                        account_id: a.id,
                        role_arn: None,
                        external_id: None,
                    })
                    .collect();
                (
                    accounts(request, home_account_id, &active, lightsail),
                    Some(listed),
                )
            }
            Err(error) => {
                errors.push(organization_error(home_account_id, error));
                (Vec::new(), Some(0))
            }
        },
        AccountSelection::Listed(listed) => (accounts(request, home_account_id, listed, lightsail), None),
        AccountSelection::Home => (
            vec![Account {
                id: home_account_id.map(str::to_owned),
                role: None,
            }],
            None,
        ),
    };
    let reached = reach(lightsail, accounts, limiter, deadline, &mut errors).await;
    let organization = listed.map(|accounts_listed| OrganizationCoverage {
        accounts_listed,
        accounts_audited: reached.len(),
    });
    let regions = match region_names(lightsail, request, reached.first(), limiter, deadline).await {
        Ok(regions) => regions,
        Err(error) => {
            errors.push(error);
            Vec::new()
        }
    };
    let scopes = reached
        .iter()
        .flat_map(|account| {
            regions.iter().map(move |region| Scope {
                location: Location {
                    account_id: account.id.clone(),
                    region: Some(region.clone()),
                },
                client: lightsail.region_client(account.credentials.as_ref(), region),
            })
        })
        .collect();
    ScopePlan {
        scopes,
        errors,
        organization,
        organization_accounts,
    }
}

/// The one decision of how each account is reached, excluded ones left out: one given by id
/// (or listed by the organization) through the member role, unless it is the function's own,
/// which keeps its own credentials; one given by role ARN through that role.
fn accounts(
    request: &AuditRequest,
    home_account_id: Option<&str>,
    listed: &[Member],
    lightsail: &Lightsail,
) -> Vec<Account> {
    let partition = partition(lightsail.home_region());
    listed
        .iter()
        .filter(|m| !request.exclude_account_ids.contains(&m.account_id))
        .map(|member| {
            let external_id = member.external_id.clone().or_else(|| request.external_id.clone());
            let role = match &member.role_arn {
                Some(role_arn) => Some(AccountRole {
                    role_arn: role_arn.clone(),
                    external_id,
                    account_id: member.account_id.clone(),
                }),
                None if Some(member.account_id.as_str()) == home_account_id => None,
                None => Some(AccountRole::member(
                    partition,
                    &member.account_id,
                    &request.member_role_name,
                    external_id,
                )),
            };
            Account {
                id: Some(member.account_id.clone()),
                role,
            }
        })
        .collect()
}

/// Every account of the organization, page by page (`ListAccounts` pages must be read in
/// order), within the deadline.
async fn list_organization(
    lightsail: &Lightsail,
    limiter: &Limiter,
    deadline: &Deadline,
) -> Result<Vec<OrganizationAccount>, Failure> {
    let mut accounts = Vec::new();
    let mut next_token = None;
    let mut tokens = std::collections::HashSet::new();
    for _ in 0..MAX_ACCOUNT_PAGES {
        let page = deadline
            .run(limiter.run(lightsail.account_page(next_token.take())))
            .await
            .unwrap_or_else(|| Err(cut_short("listing the organization's accounts")))?;
        accounts.extend(page.accounts);
        let Some(token) = page.next_token else {
            return Ok(accounts);
        };
        // A partial list would silently leave accounts out: the organization fails instead.
        if !tokens.insert(token.clone()) {
            return Err(Failure::new(
                codes::REPEATED_PAGE_TOKEN,
                format!("ListAccounts gave a page token a second time after {} accounts: the organization was not audited", accounts.len()),
            ));
        }
        next_token = Some(token);
    }
    Err(Failure::new(
        codes::TOO_MANY_PAGES,
        format!("ListAccounts gave more than {MAX_ACCOUNT_PAGES} pages: the organization was not audited"),
    ))
}

/// The organization that could not be listed, as a scope error of the function's account.
fn organization_error(home_account_id: Option<&str>, failure: Failure) -> ScopeError {
    ScopeError {
        location: Location {
            account_id: home_account_id.map(str::to_owned),
            region: None,
        },
        role_arn: None,
        failure,
    }
}

/// Assumes every account's role, `MAX_CONCURRENCY` at a time, in order; an account whose role
/// cannot be assumed becomes a scope error.
async fn reach(
    lightsail: &Lightsail,
    accounts: Vec<Account>,
    limiter: &Limiter,
    deadline: &Deadline,
    errors: &mut Vec<ScopeError>,
) -> Vec<Reached> {
    let outcomes: Vec<Result<Reached, ScopeError>> = stream::iter(accounts)
        .map(|account| async move {
            let Some(role) = &account.role else {
                return Ok(Reached {
                    id: account.id,
                    credentials: None,
                });
            };
            let assumed = deadline
                .run(limiter.run(lightsail.assume_role(role)))
                .await
                .unwrap_or_else(|| Err(cut_short("assuming the role")));
            match assumed {
                Ok(credentials) => Ok(Reached {
                    id: account.id,
                    credentials: Some(credentials),
                }),
                Err(error) => Err(scope_error(&account, None, error)),
            }
        })
        .buffered(limiter.width())
        .collect()
        .await;
    let mut reached = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(account) => reached.push(account),
            Err(error) => errors.push(error),
        }
    }
    reached
}

/// The regions to audit. `all` asks `GetRegions` once, with the first reached account's
/// credentials: Lightsail's regions are the same for every account of a partition.
async fn region_names(
    lightsail: &Lightsail,
    request: &AuditRequest,
    first: Option<&Reached>,
    limiter: &Limiter,
    deadline: &Deadline,
) -> Result<Vec<String>, ScopeError> {
    let home = lightsail.home_region();
    match &request.regions {
        RegionSelection::Home => Ok(vec![home.to_owned()]),
        RegionSelection::Named(regions) => Ok(regions.clone()),
        RegionSelection::All => {
            let Some(account) = first else {
                return Ok(Vec::new());
            };
            let client = lightsail.region_client(account.credentials.as_ref(), home);
            deadline
                .run(limiter.run(client.region_names()))
                .await
                .unwrap_or_else(|| Err(cut_short("listing the regions")))
                .map_err(|failure| ScopeError {
                    location: Location {
                        account_id: account.id.clone(),
                        region: Some(home.to_owned()),
                    },
                    role_arn: None,
                    failure,
                })
        }
    }
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
        role_arn: account.role.as_ref().map(|r| r.role_arn.clone()),
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
