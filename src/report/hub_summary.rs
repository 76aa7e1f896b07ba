//! `summary.securityHub`: what the Security Hub export did, as the report says it.

use serde::Serialize;

/// `summary.securityHub.status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum HubStatus {
    /// Every finding imported and every archive done.
    Sent,
    /// Some went, some did not: see `failed` and `errors`.
    Partial,
    /// Nothing went.
    Failed,
    /// `SECURITY_HUB=off`.
    #[default]
    Disabled,
}

/// One account and Region that Security Hub failed in, or one finding it refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HubError {
    pub(crate) account_id: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) code: String,
    pub(crate) message: String,
}

/// `summary.securityHub`: what the export did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HubSummary {
    pub(crate) status: HubStatus,
    /// Active findings Security Hub took.
    pub(crate) imported: usize,
    /// Findings Security Hub took as `ARCHIVED`.
    pub(crate) archived: usize,
    /// Findings that were to be imported or archived and were not.
    pub(crate) failed: usize,
    pub(crate) errors: Vec<HubError>,
    /// Calls that failed (an account and Region, or a batch): not in the report, since
    /// `errors` says which; counted apart from refused findings, which `errors` lists too.
    #[serde(skip)]
    pub(crate) failed_calls: usize,
}

impl HubSummary {
    /// The status the counts give: `SENT` when nothing failed.
    pub(crate) fn settle(mut self) -> Self {
        let went = self.imported + self.archived > 0;
        let failed = self.failed > 0 || !self.errors.is_empty();
        self.status = match (went, failed) {
            (_, false) => HubStatus::Sent,
            (true, true) => HubStatus::Partial,
            (false, true) => HubStatus::Failed,
        };
        self
    }

    /// What the `SecurityHubFailures` metric counts: findings not sent, and calls that failed.
    pub(crate) fn failures(&self) -> usize {
        self.failed + self.failed_calls
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(imported: usize, archived: usize, failed: usize, errors: usize) -> HubSummary {
        let error = HubError {
            account_id: Some("123456789012".into()),
            region: Some("us-east-1".into()),
            code: "InvalidAccessException".into(),
            message: "not subscribed".into(),
        };
        HubSummary {
            status: HubStatus::Disabled,
            imported,
            archived,
            failed,
            errors: vec![error; errors],
            failed_calls: errors,
        }
        .settle()
    }

    #[test]
    fn the_status_says_whether_everything_some_or_nothing_went() {
        assert_eq!(
            summary(0, 0, 0, 0).status,
            HubStatus::Sent,
            "nothing to send is sent"
        );
        assert_eq!(summary(3, 1, 0, 0).status, HubStatus::Sent);
        assert_eq!(summary(3, 0, 1, 1).status, HubStatus::Partial);
        assert_eq!(summary(0, 2, 0, 1).status, HubStatus::Partial, "a failed call");
        assert_eq!(summary(0, 0, 5, 1).status, HubStatus::Failed);
        assert_eq!(summary(0, 0, 0, 1).status, HubStatus::Failed);
        assert_eq!(summary(0, 0, 2, 0).status, HubStatus::Failed);
        assert_eq!(summary(3, 0, 4, 2).failures(), 6);
        assert_eq!(HubSummary::default().status, HubStatus::Disabled);
    }

    #[test]
    fn the_summary_serialises_as_the_contract_names_it() {
        assert_eq!(
            serde_json::to_value(summary(2, 1, 1, 1)).unwrap(),
            json!({"status": "PARTIAL", "imported": 2, "archived": 1, "failed": 1,
                   "errors": [{"accountId": "123456789012", "region": "us-east-1",
                               "code": "InvalidAccessException", "message": "not subscribed"}]})
        );
        assert_eq!(serde_json::to_value(HubStatus::Disabled).unwrap(), "DISABLED");
        assert_eq!(serde_json::to_value(HubStatus::Sent).unwrap(), "SENT");
        assert_eq!(serde_json::to_value(HubStatus::Failed).unwrap(), "FAILED");
    }
}
