//! The one error type of the function, and how each case reaches Lambda.
//!
//! Every variant maps to a [`Diagnostic`] whose `errorType` is stable and documented, so
//! alarms, OnFailure destinations and callers can tell a bad request from a failed audit.

use lambda_runtime::Diagnostic;

/// Why an invocation (or the function's start-up) failed.
///
/// A single bucket's failure is never one of these: it is reported in that bucket's entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuditError {
    /// The event is malformed; the message names the field and what it must be.
    #[error("{0}")]
    InvalidRequest(String),

    /// An environment variable holds a value the function cannot use.
    #[error("environment variable {variable}: {message}")]
    InvalidConfiguration {
        /// The variable's name, e.g. `MAX_CONCURRENCY`.
        variable: &'static str,
        /// What is wrong and what it must be.
        message: String,
    },

    /// Not one bucket could be audited; carries the first failure as the cause.
    #[error(
        "no bucket could be audited: {failed} of {requested} buckets failed, {scopes_failed} accounts \
         or regions failed; first: {subject}: {code}: {message}"
    )]
    AuditFailed {
        /// Buckets in the report.
        requested: usize,
        /// Buckets that failed.
        failed: usize,
        /// Entries in `scopeErrors`.
        scopes_failed: usize,
        /// What failed first: `bucket "name"`, or `account 123456789012 in eu-west-2`.
        subject: String,
        /// Its error code, e.g. `AccessDeniedException`.
        code: String,
        /// Its error message.
        message: String,
    },
}

impl AuditError {
    /// The `errorType` Lambda reports for this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "InvalidRequest",
            Self::InvalidConfiguration { .. } => "InvalidConfiguration",
            Self::AuditFailed { .. } => "AuditFailed",
        }
    }
}

impl From<AuditError> for Diagnostic {
    fn from(error: AuditError) -> Self {
        Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_has_its_own_error_type_and_a_message_naming_the_cause() {
        let invalid = Diagnostic::from(AuditError::InvalidRequest(
            "`staleAfterDays` must be a whole number from 0 to 3650; got -1".into(),
        ));
        assert_eq!(invalid.error_type, "InvalidRequest");
        assert!(invalid.error_message.contains("staleAfterDays"));

        let config = Diagnostic::from(AuditError::InvalidConfiguration {
            variable: "MAX_CONCURRENCY",
            message: "must be a whole number from 1 to 64; got \"0\"".into(),
        });
        assert_eq!(config.error_type, "InvalidConfiguration");
        assert!(config
            .error_message
            .starts_with("environment variable MAX_CONCURRENCY: "));

        let failed = Diagnostic::from(AuditError::AuditFailed {
            requested: 2,
            failed: 2,
            scopes_failed: 0,
            subject: "bucket \"media-prod\"".into(),
            code: "AccessDeniedException".into(),
            message: "not allowed".into(),
        });
        assert_eq!(failed.error_type, "AuditFailed");
        assert_eq!(
            failed.error_message,
            "no bucket could be audited: 2 of 2 buckets failed, 0 accounts or regions failed; first: \
             bucket \"media-prod\": AccessDeniedException: not allowed"
        );
    }
}
