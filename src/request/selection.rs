//! What an audit covers beyond bucket names: which regions, and which accounts (by role).

use crate::text::clip;

/// The most regions one request may name (Lightsail has about 15).
pub(crate) const MAX_REGIONS: usize = 50;
/// The most accounts one invocation audits.
pub(crate) const MAX_ACCOUNTS: usize = 200;

/// The regions to audit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum RegionSelection {
    /// The function's own region (`AWS_REGION`).
    #[default]
    Home,
    /// Every region `GetRegions` reports, asked per account.
    All,
    /// These regions, in this order, without duplicates.
    Named(Vec<String>),
}

/// A member account, reached by assuming a role in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountRole {
    pub(crate) role_arn: String,
    pub(crate) external_id: Option<String>,
    /// The account id, read from the ARN.
    pub(crate) account_id: String,
}

impl RegionSelection {
    /// Reads a list of region names, where the single value `all` means every region.
    pub(crate) fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut regions: Vec<String> = Vec::new();
        let mut all = false;
        for value in values {
            if value == "all" {
                all = true;
            } else if !is_region_name(value) {
                return Err(format!(
                    "{value:?} is not a region name such as \"us-east-1\" (or \"all\" for every region)"
                ));
            } else if !regions.iter().any(|r| r == value) {
                regions.push(value.to_owned());
            }
        }
        match (all, regions.len()) {
            (true, 0) => Ok(Self::All),
            (true, _) => Err("\"all\" cannot be combined with named regions".to_owned()),
            (false, 0) => Err("must name at least one region, or \"all\"".to_owned()),
            (false, n) if n > MAX_REGIONS => Err(format!("names {n} regions; at most {MAX_REGIONS}")),
            (false, _) => Ok(Self::Named(regions)),
        }
    }
}

impl AccountRole {
    /// Checks a role ARN (`arn:aws:iam::123456789012:role/Name`) and an optional external id.
    pub(crate) fn parse(role_arn: &str, external_id: Option<&str>) -> Result<Self, String> {
        let account_id = role_account(role_arn).ok_or_else(|| {
            format!(
                "{:?} is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/LightsailKeyAudit\"",
                clip(role_arn, 80)
            )
        })?;
        Self::check_external_id(external_id).map_err(|m| format!("externalId {m}"))?;
        Ok(Self {
            role_arn: role_arn.to_owned(),
            external_id: external_id.map(str::to_owned),
            account_id: account_id.to_owned(),
        })
    }
}

impl AccountRole {
    /// STS's rule for an external id; `None` passes.
    pub(crate) fn check_external_id(external_id: Option<&str>) -> Result<(), String> {
        let Some(id) = external_id else {
            return Ok(());
        };
        let valid_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/-_".contains(c);
        if (2..=1224).contains(&id.len()) && id.chars().all(valid_char) {
            Ok(())
        } else {
            Err("must be 2 to 1224 characters of letters, digits and +=,.@:/-_".into())
        }
    }

    /// `arn:<partition>:iam::<account_id>:role/<role_name>`: a member role named by its
    /// account and the member role name, both already checked.
    pub(crate) fn member(
        partition: &str,
        account_id: &str,
        role_name: &str,
        external_id: Option<String>,
    ) -> Self {
        Self {
            role_arn: format!("arn:{partition}:iam::{account_id}:role/{role_name}"),
            external_id,
            account_id: account_id.to_owned(),
        }
    }
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: letters, hyphens, a final number.
pub(super) fn is_region_name(name: &str) -> bool {
    let mut parts = name.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// The account id of `arn:<partition>:iam::<12 digits>:role/<path/name>`.
fn role_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?;
    let name_ok = !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c));
    let ok = matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && name_ok;
    ok.then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked_and_deduplicated() {
        assert_eq!(
            RegionSelection::parse(["us-east-1", "eu-west-2", "us-east-1", "us-gov-west-1"]),
            Ok(RegionSelection::Named(vec![
                "us-east-1".into(),
                "eu-west-2".into(),
                "us-gov-west-1".into()
            ]))
        );
        assert_eq!(RegionSelection::parse(["all"]), Ok(RegionSelection::All));
        for bad in [
            vec![],
            vec!["US-EAST-1"],
            vec!["useast1"],
            vec!["us-east"],
            vec!["all", "us-east-1"],
            vec![""],
        ] {
            assert!(RegionSelection::parse(bad.clone()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn role_arns_give_their_account() {
        let role = AccountRole::parse(
            "arn:aws:iam::210987654321:role/audit/LightsailKeyAudit",
            Some("ext-1"),
        )
        .unwrap();
        assert_eq!(role.account_id, "210987654321");
        assert_eq!(role.external_id.as_deref(), Some("ext-1"));
        for bad in [
            "arn:aws:iam::21098765432:role/x",
            "arn:aws:iam::210987654321:user/x",
            "arn:aws:sts::210987654321:role/x",
            "arn:aws:iam::210987654321:role/",
            "arn:other:iam::210987654321:role/x",
            "210987654321",
        ] {
            assert!(AccountRole::parse(bad, None).is_err(), "{bad}");
        }
        assert!(AccountRole::parse("arn:aws:iam::210987654321:role/x", Some("a")).is_err());
    }
}
