//! What a report covers: where each result belongs ([`Location`]), the accounts and regions
//! that could not be audited as a whole ([`ScopeError`]), the scopes listed completely
//! ([`Listed`]) and an organization's coverage ([`OrganizationCoverage`]).
//!
//! These are the report's own types. They live in a leaf, not in `report/`, because the
//! planner below the report produces them: so `plan/` and `report/` both use them and neither
//! imports the other.

use std::collections::HashSet;

use serde::Serialize;

use crate::failure::Failure;

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

/// The partition of a region: where role ARNs of its accounts live, and its
/// resources' ARNs.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
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

/// Organization mode's coverage, as the report's `organization` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrganizationCoverage {
    /// Every account `ListAccounts` reported, whatever its status.
    pub(crate) accounts_listed: usize,
    /// The accounts reached: ACTIVE, not excluded, and the role assumed (or the function's own).
    pub(crate) accounts_audited: usize,
}

/// A complete listing of one account and region: a bucket the archive knows there that is not
/// in it no longer exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) location: Location,
    pub(crate) names: HashSet<String>,
}
