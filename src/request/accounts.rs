//! Which accounts an audit covers: the function's own, a list (by account id or role ARN,
//! each with an optional external id), or every account of the organization; and the
//! settings that complete them (member role name, default external id, exclusions).

use serde_json::Value;

use super::fields::{describe, unknown_field};
use super::selection::{self, AccountRole};
use crate::text::clip;

/// The member role's name when neither the request nor `MEMBER_ROLE_NAME` gives one.
pub(crate) const DEFAULT_MEMBER_ROLE_NAME: &str = "LightsailKeyAuditMember";
/// The most account ids one list (excluded or trusted accounts) holds.
pub(crate) const MAX_LISTED_ACCOUNTS: usize = 1000;
/// What `accounts` (or `AUDIT_ACCOUNTS`) holds to audit the whole organization.
pub(crate) const ORGANIZATION: &str = "organization";

/// Which accounts an audit covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum AccountSelection {
    /// The function's own account, with its own credentials.
    #[default]
    Home,
    /// These accounts, in order, without duplicates (at most `MAX_ACCOUNTS`).
    Listed(Vec<Member>),
    /// Every ACTIVE account Organizations `ListAccounts` reports.
    Organization,
}

/// A listed account: by role ARN, or by id (reached through the member role name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) account_id: String,
    /// `None`: `arn:<partition>:iam::<account_id>:role/<member role name>`.
    pub(crate) role_arn: Option<String>,
    /// `None`: the default external id, if any.
    pub(crate) external_id: Option<String>,
}

impl Member {
    /// An account given by id.
    fn by_id(account_id: &str, external_id: Option<&str>) -> Result<Self, String> {
        if !is_account_id(account_id) {
            return Err(format!(
                "{:?} is not an account id (12 digits) such as \"123456789012\"",
                clip(account_id, 80)
            ));
        }
        check_external_id(external_id)?;
        Ok(Self {
            account_id: account_id.to_owned(),
            role_arn: None,
            external_id: external_id.map(str::to_owned),
        })
    }

    /// An account given by the role to assume in it.
    fn by_role(role_arn: &str, external_id: Option<&str>) -> Result<Self, String> {
        let role = AccountRole::parse(role_arn, external_id)?;
        Ok(Self {
            account_id: role.account_id,
            role_arn: Some(role.role_arn),
            external_id: role.external_id,
        })
    }

    /// `123456789012`, a role ARN, either optionally followed by `|externalId`: one entry of
    /// `AUDIT_ACCOUNTS`.
    pub(crate) fn parse_entry(entry: &str) -> Result<Self, String> {
        let (target, external_id) = match entry.split_once('|') {
            Some((target, external_id)) => (target.trim(), Some(external_id.trim())),
            None => (entry.trim(), None),
        };
        if target.starts_with("arn:") {
            Self::by_role(target, external_id)
        } else {
            Self::by_id(target, external_id)
        }
    }
}

/// Deduplicates members by account (first entry wins) and enforces `MAX_ACCOUNTS`.
pub(crate) fn unique_members(members: Vec<Member>) -> Result<Vec<Member>, String> {
    let mut unique: Vec<Member> = Vec::with_capacity(members.len());
    for member in members {
        if !unique.iter().any(|m| m.account_id == member.account_id) {
            unique.push(member);
        }
    }
    if unique.is_empty() {
        return Err("must list at least one account".to_owned());
    }
    if unique.len() > selection::MAX_ACCOUNTS {
        return Err(format!(
            "lists {} accounts; at most {} per invocation (use \"organization\" for more)",
            unique.len(),
            selection::MAX_ACCOUNTS
        ));
    }
    Ok(unique)
}

/// `AUDIT_ACCOUNTS`: `organization`, or entries separated by commas.
pub(crate) fn parse_audit_accounts(raw: &str) -> Result<AccountSelection, String> {
    if raw.trim() == ORGANIZATION {
        return Ok(AccountSelection::Organization);
    }
    let members = raw
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            Member::parse_entry(entry).map_err(|message| format!("{message} (entry {:?})", clip(entry, 80)))
        });
    Ok(AccountSelection::Listed(unique_members(
        members.collect::<Result<Vec<_>, _>>()?,
    )?))
}

/// The request's `accounts`: `"organization"` or a list of `{"accountId"}` / `{"roleArn"}`
/// objects, each with an optional `externalId`. `Err` is the message, naming the field.
pub(crate) fn parse_accounts(value: &Value, path: &str) -> Result<AccountSelection, String> {
    let items = match value {
        Value::String(text) if text == ORGANIZATION => return Ok(AccountSelection::Organization),
        Value::Array(items) => items,
        _ => {
            return Err(format!(
                "`{path}` must be \"organization\" or a list of {{\"accountId\": ...}} or {{\"roleArn\": ...}} objects, each with an optional \"externalId\"; got {}",
                describe(value)
            ))
        }
    };
    let mut members = Vec::with_capacity(items.len().min(selection::MAX_ACCOUNTS + 1));
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        members.push(member(item, &item_path)?);
    }
    unique_members(members)
        .map(AccountSelection::Listed)
        .map_err(|message| format!("`{path}` {message}"))
}

/// One entry of the request's `accounts` list.
fn member(item: &Value, path: &str) -> Result<Member, String> {
    const KNOWN: [&str; 3] = ["accountId", "roleArn", "externalId"];
    let Value::Object(fields) = item else {
        return Err(format!(
            "`{path}` must be an object with `accountId` or `roleArn`; got {}",
            describe(item)
        ));
    };
    let mut found: [Option<&str>; 3] = [None; 3];
    for (field, value) in fields {
        let Some(slot) = KNOWN.iter().position(|k| k == field) else {
            return Err(unknown_field(&format!("{path}.{field}"), field, &KNOWN));
        };
        if value.is_null() {
            continue;
        }
        let text = value
            .as_str()
            .ok_or_else(|| format!("`{path}.{field}` must be a string; got {}", describe(value)))?;
        if let Some(entry) = found.get_mut(slot) {
            *entry = Some(text);
        }
    }
    let [account_id, role_arn, external_id] = found;
    let parsed = match (account_id, role_arn) {
        (Some(_), Some(_)) => return Err(format!("`{path}` has both `accountId` and `roleArn`: give one")),
        (None, None) => return Err(format!("`{path}` needs `accountId` or `roleArn`")),
        (Some(id), None) => Member::by_id(id, external_id),
        (None, Some(arn)) => Member::by_role(arn, external_id),
    };
    parsed.map_err(|message| format!("`{path}`: {message}"))
}

/// A member role name (IAM's rule for role names).
pub(crate) fn parse_role_name(name: &str) -> Result<String, String> {
    let valid = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if (1..=64).contains(&name.len()) && name.chars().all(valid) {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "must be an IAM role name: 1 to 64 letters, digits and +=,.@_-; got {:?}",
            clip(name, 80)
        ))
    }
}

/// An external id (STS's rule).
pub(crate) fn parse_external_id(id: &str) -> Result<String, String> {
    AccountRole::check_external_id(Some(id)).map(|()| id.to_owned())
}

/// The external id of an entry; the message names the field.
fn check_external_id(id: Option<&str>) -> Result<(), String> {
    AccountRole::check_external_id(id).map_err(|m| format!("externalId {m}"))
}

/// A list of account ids (excluded or trusted): unique, each 12 digits.
pub(crate) fn parse_account_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut excluded: Vec<String> = Vec::new();
    for id in ids {
        if !is_account_id(id) {
            return Err(format!("{:?} is not an account id (12 digits)", clip(id, 80)));
        }
        if !excluded.iter().any(|e| e == id) {
            excluded.push(id.to_owned());
        }
    }
    if excluded.len() > MAX_LISTED_ACCOUNTS {
        return Err(format!(
            "lists {} accounts; at most {MAX_LISTED_ACCOUNTS}",
            excluded.len()
        ));
    }
    Ok(excluded)
}

/// Twelve ASCII digits.
pub(crate) fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_ids_or_role_arns_with_an_optional_external_id() {
        let by_id = Member::parse_entry(" 210987654321 | ext-1 ").unwrap();
        assert_eq!(
            (
                by_id.account_id.as_str(),
                by_id.role_arn,
                by_id.external_id.as_deref()
            ),
            ("210987654321", None, Some("ext-1"))
        );
        let by_role = Member::parse_entry("arn:aws:iam::210987654321:role/Audit").unwrap();
        assert_eq!(
            by_role.role_arn.as_deref(),
            Some("arn:aws:iam::210987654321:role/Audit")
        );
        assert_eq!(by_role.external_id, None);
        for bad in [
            "21098765432",
            "210987654321|",
            "arn:aws:iam::1:role/a",
            "organization|x",
        ] {
            assert!(Member::parse_entry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn members_are_deduplicated_by_account_and_bounded() {
        let member = |n: usize| Member::parse_entry(&format!("{n:012}")).unwrap();
        let unique = unique_members(vec![member(2), member(1), member(2)]).unwrap();
        let ids: Vec<&str> = unique.iter().map(|m| m.account_id.as_str()).collect();
        assert_eq!(ids, ["000000000002", "000000000001"]);
        assert!(unique_members(vec![]).is_err());
        let too_many = (0..=selection::MAX_ACCOUNTS).map(member).collect();
        assert!(unique_members(too_many)
            .unwrap_err()
            .contains("use \"organization\""));
    }

    #[test]
    fn names_ids_and_exclusions_follow_iam_and_sts_rules() {
        assert!(parse_role_name("Lightsail+Audit=1,.@_-").is_ok());
        assert!(parse_role_name(&"a".repeat(64)).is_ok());
        for bad in ["", "a/b", "a b", &"a".repeat(65)] {
            assert!(parse_role_name(bad).is_err(), "{bad}");
        }
        assert!(parse_external_id("ab").is_ok());
        assert!(parse_external_id("a").is_err());
        assert_eq!(
            parse_account_ids(["111111111111", "111111111111"]).unwrap(),
            ["111111111111"]
        );
        assert!(parse_account_ids(["11111111111a"]).is_err());
        let many: Vec<String> = (0..=MAX_LISTED_ACCOUNTS).map(|n| format!("{n:012}")).collect();
        assert!(parse_account_ids(many.iter().map(String::as_str)).is_err());
    }
}
