//! Which accounts there are: the organization's (Organizations `ListAccounts`, one page at a
//! time) and the function's own (STS `GetCallerIdentity`, when no function ARN names it).

use aws_config::SdkConfig;
use aws_sdk_organizations::types::{AccountState, AccountStatus};

use super::error::api_error;
use super::lightsail::Lightsail;
use crate::failure::{codes, Failure};

/// One account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrganizationAccount {
    pub(crate) id: String,
    /// ACTIVE: the only accounts audited.
    pub(crate) active: bool,
}

/// One page of `ListAccounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountPage {
    pub(crate) accounts: Vec<OrganizationAccount>,
    pub(crate) next_token: Option<String>,
}

impl Lightsail {
    /// One page of the organization's accounts: callable from the management account or a
    /// delegated administrator only.
    pub(crate) async fn account_page(&self, next_token: Option<String>) -> Result<AccountPage, Failure> {
        let sdk_config = self.sdk_config_for("list the organization's accounts")?;
        let client = self
            .organizations
            .get_or_init(|| aws_sdk_organizations::Client::new(sdk_config));
        let output = client
            .list_accounts()
            .set_next_token(next_token)
            .send()
            .await
            .map_err(api_error)?;
        let accounts = output
            .accounts()
            .iter()
            .filter_map(|account| {
                Some(OrganizationAccount {
                    id: account.id()?.to_owned(),
                    active: is_active(account.state(), account.status()),
                })
            })
            .collect();
        Ok(AccountPage {
            accounts,
            next_token: output.next_token().filter(|t| !t.is_empty()).map(str::to_owned),
        })
    }

    /// The account of the function's own credentials: asked of STS once per process. `None`
    /// for a client built without an AWS configuration (tests with a mocked client).
    pub(crate) async fn caller_account(&self) -> Result<Option<String>, Failure> {
        let Some(sdk_config) = &self.sdk_config else {
            return Ok(None);
        };
        self.caller_account
            .get_or_try_init(|| async {
                let output = aws_sdk_sts::Client::new(sdk_config)
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(api_error)?;
                output.account().map(str::to_owned).ok_or_else(|| {
                    Failure::new(codes::SDK_ERROR, "GetCallerIdentity answered without an account")
                })
            })
            .await
            .map(|id| Some(id.clone()))
    }

    fn sdk_config_for(&self, what: &str) -> Result<&SdkConfig, Failure> {
        self.sdk_config.as_ref().ok_or_else(|| {
            Failure::new(
                codes::SDK_ERROR,
                format!("cannot {what}: this client was built without an AWS configuration"),
            )
        })
    }
}

/// `State` is the newer field and wins; `Status` is read when it is absent.
fn is_active(state: Option<&AccountState>, status: Option<&AccountStatus>) -> bool {
    match state {
        Some(state) => *state == AccountState::Active,
        None => status == Some(&AccountStatus::Active),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newer_state_wins_over_the_status() {
        let active = (Some(&AccountState::Active), Some(&AccountStatus::Suspended));
        assert!(is_active(active.0, active.1));
        assert!(!is_active(
            Some(&AccountState::Closed),
            Some(&AccountStatus::Active)
        ));
        assert!(!is_active(Some(&AccountState::PendingActivation), None));
        assert!(is_active(None, Some(&AccountStatus::Active)));
        assert!(!is_active(None, Some(&AccountStatus::PendingClosure)));
        assert!(!is_active(None, None));
    }
}
