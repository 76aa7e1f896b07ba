//! The one failure shape: a code a person can search for and a message.
//!
//! A bucket that could not be audited, an account or region that could not be listed and a
//! failed AWS call all fail the same way, so they share one type: it serializes as the
//! report's `{"code", "message"}` and moves from the adapter to the report without copying
//! field by field. Every code the function itself gives is a constant of [`codes`]; the
//! docs/report.md's error tables list exactly these (a test holds them together).

use serde::Serialize;

/// Why something could not be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Failure {
    /// The service's error code, or one of [`codes`].
    pub(crate) code: String,
    /// What happened, for a person.
    pub(crate) message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Every error code the report can carry, by where it comes from.
pub(crate) mod codes {
    /// Lightsail's error codes docs/report.md documents. The adapter passes on whatever code
    /// Lightsail sends (these, and any it adds later); none is made up here.
    #[cfg(test)]
    pub(crate) const LIGHTSAIL: [&str; 7] = [
        "NotFoundException",
        "AccessDeniedException",
        "UnauthenticatedException",
        "InvalidInputException",
        "RegionSetupInProgressException",
        "ServiceException",
        "ThrottlingException",
    ];
    /// Organizations' error codes for `ListAccounts` docs/report.md documents (passed on as sent,
    /// in a scope error).
    #[cfg(test)]
    pub(crate) const ORGANIZATIONS: [&str; 4] = [
        "AWSOrganizationsNotInUseException",
        "AccessDeniedException",
        "TooManyRequestsException",
        "ServiceException",
    ];
    /// A bucket name found in no audited account and region: Lightsail's own code for it.
    pub(crate) const NOT_FOUND: &str = "NotFoundException";

    /// A call whose answer could not be understood, or that never completed.
    pub(crate) const MALFORMED_RESPONSE: &str = "MalformedResponse";
    pub(crate) const UNKNOWN_SERVICE_ERROR: &str = "UnknownServiceError";
    pub(crate) const TIMEOUT: &str = "Timeout";
    pub(crate) const CONNECTION_ERROR: &str = "ConnectionError";
    pub(crate) const DISPATCH_FAILURE: &str = "DispatchFailure";
    pub(crate) const REQUEST_CONSTRUCTION_FAILED: &str = "RequestConstructionFailed";
    /// An SDK error of a kind the SDK may add later.
    pub(crate) const SDK_ERROR: &str = "SdkError";

    /// The function's own verdicts on a bucket.
    pub(crate) const INVALID_BUCKET_NAME: &str = "InvalidBucketName";
    pub(crate) const DEADLINE_EXCEEDED: &str = "DeadlineExceeded";
    pub(crate) const SCOPE_UNAVAILABLE: &str = "ScopeUnavailable";
    /// A bucket whose scope has no client: cannot happen, reported rather than panicking.
    pub(crate) const INTERNAL_ERROR: &str = "InternalError";

    /// The archive's `state.json` is not a state this function wrote.
    pub(crate) const UNREADABLE_STATE: &str = "UnreadableState";
    /// A run with other thresholds than the configured ones: not compared, not written.
    pub(crate) const THRESHOLDS_OVERRIDDEN: &str = "ThresholdsOverridden";
    /// The summary of this run's changes was not sent: the state keeps them for the next run.
    pub(crate) const STATE_NOT_ADVANCED: &str = "StateNotAdvanced";

    /// An account or region that could not be listed.
    pub(crate) const ASSUME_ROLE_FAILED: &str = "AssumeRoleFailed";
    pub(crate) const REPEATED_PAGE_TOKEN: &str = "RepeatedPageToken";
    pub(crate) const TOO_MANY_PAGES: &str = "TooManyPages";

    /// Security Hub: findings without an account, Region or key id (no stable id), or an
    /// account this run holds no credentials for.
    pub(crate) const ACCOUNT_UNKNOWN: &str = "AccountUnknown";
    /// Security Hub: a finding over `BatchImportFindings`' 240 KB per finding.
    pub(crate) const FINDING_TOO_LARGE: &str = "FindingTooLarge";
    /// Remediation: Lightsail answered a deletion with a failed operation and no error code.
    pub(crate) const OPERATION_FAILED: &str = "OperationFailed";

    /// The codes this crate gives itself, beside Lightsail's.
    #[cfg(test)]
    pub(crate) const OWN: [&str; 20] = [
        ACCOUNT_UNKNOWN,
        FINDING_TOO_LARGE,
        OPERATION_FAILED,
        MALFORMED_RESPONSE,
        UNKNOWN_SERVICE_ERROR,
        TIMEOUT,
        CONNECTION_ERROR,
        DISPATCH_FAILURE,
        REQUEST_CONSTRUCTION_FAILED,
        SDK_ERROR,
        INVALID_BUCKET_NAME,
        DEADLINE_EXCEEDED,
        SCOPE_UNAVAILABLE,
        INTERNAL_ERROR,
        UNREADABLE_STATE,
        THRESHOLDS_OVERRIDDEN,
        STATE_NOT_ADVANCED,
        ASSUME_ROLE_FAILED,
        REPEATED_PAGE_TOKEN,
        TOO_MANY_PAGES,
    ];
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::codes;

    /// The codes in the first column of the tables under "## Errors" in docs/report.md.
    fn readme_codes() -> BTreeSet<String> {
        let readme = include_str!("../docs/report.md");
        let start = readme.find("\n## Errors\n").unwrap();
        let end = readme[start + 1..].find("\n## ").unwrap() + start + 1;
        let mut found = BTreeSet::new();
        for line in readme[start..end].lines().filter(|l| l.starts_with("| `")) {
            let cell = line.split('|').nth(1).unwrap();
            for code in cell.split('`').skip(1).step_by(2) {
                found.insert(code.to_owned());
            }
        }
        found
    }

    #[test]
    fn the_readme_error_tables_list_exactly_the_codes() {
        let ours: BTreeSet<String> = codes::LIGHTSAIL
            .iter()
            .chain(codes::OWN.iter())
            .chain(codes::ORGANIZATIONS.iter())
            .map(|c| (*c).to_owned())
            .collect();
        // The page's last table is of Lambda error types, a separate list.
        let lambda = ["InvalidRequest", "AuditFailed", "InvalidConfiguration"];
        let documented: BTreeSet<String> = readme_codes()
            .into_iter()
            .filter(|c| !lambda.contains(&c.as_str()))
            .collect();
        assert_eq!(documented, ours);
    }
}
