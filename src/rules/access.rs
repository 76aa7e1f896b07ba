//! The bucket's other ways in, beside its keys: public reads, public objects, read-only sharing
//! with other accounts, instances with access, and access logging. Judged from what `GetBuckets`
//! says of the bucket, against the accounts trusted, with each rule switched on or off.
//!
//! A value this version does not know (a new `getObject`) is kept as sent and raises nothing:
//! no rule guesses what it means.

use std::collections::BTreeSet;

use serde::Serialize;

use super::finding::{Finding, FindingCode};
use super::policy::Policy;

/// What `GetBuckets` says of one bucket: the crate's own record of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    /// `arn:aws:lightsail:<region>:<account>:Bucket/<id>`.
    pub(crate) arn: Option<String>,
    pub(crate) access: BucketAccess,
}

/// Every way into the bucket besides its keys, as the report's `access` object shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BucketAccess {
    /// `accessRules.getObject`: who may read every object.
    pub(crate) get_object: Option<GetObject>,
    /// `accessRules.allowPublicOverrides`: whether single objects may be made public.
    pub(crate) allow_public_overrides: Option<bool>,
    /// Accounts that may read every object.
    pub(crate) readonly_access_accounts: Vec<String>,
    /// Lightsail resources (instances) with read and write access.
    pub(crate) resources_receiving_access: Vec<ResourceAccess>,
    pub(crate) access_logging: AccessLogging,
}

#[cfg(test)]
impl BucketAccess {
    /// A clean bucket whose every access rule is settled: private, no public objects, logged.
    pub(crate) fn settled() -> Self {
        Self {
            get_object: Some(GetObject::Private),
            allow_public_overrides: Some(false),
            access_logging: AccessLogging {
                enabled: Some(true),
                destination: None,
            },
            ..Self::default()
        }
    }
}

/// `accessRules.getObject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GetObject {
    Public,
    Private,
    /// A value this version does not know: shown as sent, judged by no rule.
    #[serde(untagged)]
    Other(String),
}

/// A resource given access with `SetResourceAccessForBucket`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceAccess {
    pub(crate) name: Option<String>,
    pub(crate) resource_type: Option<String>,
}

/// `accessLogConfig`: `enabled` is `null` where Lightsail did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccessLogging {
    pub(crate) enabled: Option<bool>,
    pub(crate) destination: Option<String>,
}

/// The accounts a bucket may be shared with without a finding, besides its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// Every account of the organization, whatever its status.
    Organization(BTreeSet<String>),
    /// The request's `trustedAccountIds`.
    Listed(BTreeSet<String>),
    /// None named: sharing is reported, but not judged.
    Unknown,
}

impl Trust {
    fn accounts(&self) -> Option<&BTreeSet<String>> {
        match self {
            Self::Organization(accounts) | Self::Listed(accounts) => Some(accounts),
            Self::Unknown => None,
        }
    }

    /// What an untrusted account is outside of, as a finding says it.
    fn boundary(&self) -> &'static str {
        match self {
            Self::Organization(_) => "outside the organization",
            Self::Listed(_) | Self::Unknown => "not in trustedAccountIds",
        }
    }
}

/// The bucket's access findings, in code order, the switched-off codes left out. `owner` is
/// the bucket's account, always trusted.
pub(crate) fn audit_access(
    access: &BucketAccess,
    owner: Option<&str>,
    trust: &Trust,
    policy: &Policy,
) -> Vec<Finding> {
    [
        public_access(access),
        sharing(access, owner, trust),
        instances(access),
        logging(access),
    ]
    .into_iter()
    .flatten()
    .filter(|(code, _)| policy.checks(*code))
    .map(|(code, message)| Finding::new(code, message))
    .collect()
}

/// `PUBLIC_READ`, or else `PUBLIC_OBJECTS_ALLOWED`: public reads already cover every object.
fn public_access(access: &BucketAccess) -> Option<(FindingCode, String)> {
    match (access.get_object.as_ref()?, access.allow_public_overrides) {
        (GetObject::Public, _) => Some((
            FindingCode::PublicRead,
            "getObject is public: anyone on the internet can read every object".to_owned(),
        )),
        (GetObject::Private, Some(true)) => Some((
            FindingCode::PublicObjectsAllowed,
            "getObject is private, but allowPublicOverrides is true: single objects can be made \
             public through their ACLs"
                .to_owned(),
        )),
        _ => None,
    }
}

/// `SHARED_OUTSIDE_ORGANIZATION` naming the untrusted accounts, or, with no trusted accounts
/// known, `SHARED_WITH_ACCOUNTS` naming every account but the owner.
fn sharing(access: &BucketAccess, owner: Option<&str>, trust: &Trust) -> Option<(FindingCode, String)> {
    let shared = access
        .readonly_access_accounts
        .iter()
        .map(String::as_str)
        .filter(|account| Some(*account) != owner);
    match trust.accounts() {
        Some(trusted) => {
            let untrusted: Vec<&str> = shared.filter(|account| !trusted.contains(*account)).collect();
            (!untrusted.is_empty()).then(|| {
                let message = format!(
                    "every object can be read by {} {}: {}",
                    accounts(untrusted.len()),
                    trust.boundary(),
                    untrusted.join(", ")
                );
                (FindingCode::SharedOutsideOrganization, message)
            })
        }
        None => {
            let shared: Vec<&str> = shared.collect();
            (!shared.is_empty()).then(|| {
                let message = format!(
                    "every object can be read by {}: {}; no trusted accounts are known to judge them",
                    accounts(shared.len()),
                    shared.join(", ")
                );
                (FindingCode::SharedWithAccounts, message)
            })
        }
    }
}

/// `INSTANCE_ACCESS`, naming each resource and its type.
fn instances(access: &BucketAccess) -> Option<(FindingCode, String)> {
    let names: Vec<String> = access
        .resources_receiving_access
        .iter()
        .map(|r| {
            let name = r.name.as_deref().unwrap_or("(no name)");
            match &r.resource_type {
                Some(kind) => format!("{name} ({kind})"),
                None => name.to_owned(),
            }
        })
        .collect();
    let noun = match names.len() {
        0 => return None,
        1 => "resource has",
        _ => "resources have",
    };
    let message = format!(
        "{} Lightsail {noun} read and write access: {}",
        names.len(),
        names.join(", ")
    );
    Some((FindingCode::InstanceAccess, message))
}

/// `ACCESS_LOGGING_OFF`, only when Lightsail says logging is off.
fn logging(access: &BucketAccess) -> Option<(FindingCode, String)> {
    (access.access_logging.enabled == Some(false)).then(|| {
        let message = "access logging is off: nothing records who read or wrote which object";
        (FindingCode::AccessLoggingOff, message.to_owned())
    })
}

/// Whether `access` settles `code` either way: a value this version does not know, or one
/// Lightsail did not send, settles nothing, so an earlier finding of that code is neither
/// resolved nor forgotten.
pub(crate) fn settles(access: &BucketAccess, code: FindingCode) -> bool {
    match code {
        FindingCode::PublicRead => matches!(access.get_object, Some(GetObject::Public | GetObject::Private)),
        FindingCode::PublicObjectsAllowed => match access.get_object {
            Some(GetObject::Public) => true,
            Some(GetObject::Private) => access.allow_public_overrides.is_some(),
            Some(GetObject::Other(_)) | None => false,
        },
        FindingCode::AccessLoggingOff => access.access_logging.enabled.is_some(),
        FindingCode::SharedOutsideOrganization
        | FindingCode::SharedWithAccounts
        | FindingCode::InstanceAccess => true,
        // Not an access rule: decided by the keys.
        FindingCode::Stale
        | FindingCode::NeverUsed
        | FindingCode::RotationDue
        | FindingCode::Inactive
        | FindingCode::MultipleActiveKeys => false,
    }
}

fn accounts(count: usize) -> String {
    if count == 1 {
        "1 other account".to_owned()
    } else {
        format!("{count} other accounts")
    }
}

/// The account an ARN names (its fifth field), if it has one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|account| !account.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "123456789012";
    const MEMBER: &str = "210987654321";
    const OUTSIDER: &str = "444455556666";

    fn clean() -> BucketAccess {
        BucketAccess {
            get_object: Some(GetObject::Private),
            allow_public_overrides: Some(false),
            readonly_access_accounts: vec![],
            resources_receiving_access: vec![],
            access_logging: AccessLogging {
                enabled: Some(true),
                destination: Some("access-logs".into()),
            },
        }
    }

    fn judged(access: &BucketAccess, trust: &Trust) -> Vec<(FindingCode, String)> {
        audit_access(access, Some(OWNER), trust, &Policy::default())
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect()
    }

    fn codes(access: &BucketAccess, trust: &Trust) -> Vec<FindingCode> {
        judged(access, trust).into_iter().map(|(code, _)| code).collect()
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_private_logged_unshared_bucket_is_clean() {
        assert_eq!(codes(&clean(), &Trust::Unknown), []);
    }

    #[test]
    fn every_get_object_value_with_overrides_on_and_off() {
        let cases = [
            (
                Some(GetObject::Public),
                Some(false),
                vec![FindingCode::PublicRead],
            ),
            // Public already covers every object: the overrides add nothing to say.
            (Some(GetObject::Public), Some(true), vec![FindingCode::PublicRead]),
            (Some(GetObject::Private), Some(false), vec![]),
            (
                Some(GetObject::Private),
                Some(true),
                vec![FindingCode::PublicObjectsAllowed],
            ),
            (Some(GetObject::Private), None, vec![]),
            (None, Some(true), vec![]),
            (
                Some(GetObject::Other("authenticated-read".into())),
                Some(true),
                vec![],
            ),
            (Some(GetObject::Other("public-read".into())), Some(false), vec![]),
        ];
        for (get_object, overrides, expected) in cases {
            let access = BucketAccess {
                get_object: get_object.clone(),
                allow_public_overrides: overrides,
                ..clean()
            };
            assert_eq!(
                codes(&access, &Trust::Unknown),
                expected,
                "{get_object:?} {overrides:?}"
            );
        }
    }

    #[test]
    fn an_unknown_get_object_is_kept_as_sent() {
        let json = serde_json::to_value(GetObject::Other("authenticated-read".into())).unwrap();
        assert_eq!(json, "authenticated-read");
        assert_eq!(serde_json::to_value(GetObject::Public).unwrap(), "public");
        assert_eq!(serde_json::to_value(GetObject::Private).unwrap(), "private");
    }

    #[test]
    fn sharing_is_judged_against_the_organization_and_names_the_outsiders() {
        let org = Trust::Organization(set(&[OWNER, MEMBER]));
        let to_member = BucketAccess {
            readonly_access_accounts: vec![MEMBER.into()],
            ..clean()
        };
        assert_eq!(codes(&to_member, &org), [], "a member is trusted");
        let to_outsiders = BucketAccess {
            readonly_access_accounts: vec![MEMBER.into(), OUTSIDER.into(), "999988887777".into()],
            ..clean()
        };
        assert_eq!(
            judged(&to_outsiders, &org),
            [(
                FindingCode::SharedOutsideOrganization,
                "every object can be read by 2 other accounts outside the organization: \
                 444455556666, 999988887777"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn sharing_is_judged_against_the_listed_accounts() {
        let listed = Trust::Listed(set(&[MEMBER]));
        let access = BucketAccess {
            readonly_access_accounts: vec![MEMBER.into(), OUTSIDER.into()],
            ..clean()
        };
        assert_eq!(
            judged(&access, &listed),
            [(
                FindingCode::SharedOutsideOrganization,
                "every object can be read by 1 other account not in trustedAccountIds: 444455556666"
                    .to_owned()
            )]
        );
        let trusted_only = BucketAccess {
            readonly_access_accounts: vec![MEMBER.into()],
            ..clean()
        };
        assert_eq!(codes(&trusted_only, &listed), []);
    }

    #[test]
    fn without_trusted_accounts_sharing_is_reported_not_judged() {
        let access = BucketAccess {
            readonly_access_accounts: vec![OUTSIDER.into()],
            ..clean()
        };
        assert_eq!(
            judged(&access, &Trust::Unknown),
            [(
                FindingCode::SharedWithAccounts,
                "every object can be read by 1 other account: 444455556666; no trusted accounts \
                 are known to judge them"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn the_bucket_s_own_account_is_always_trusted_and_an_empty_list_is_clean() {
        let own = BucketAccess {
            readonly_access_accounts: vec![OWNER.into()],
            ..clean()
        };
        for trust in [
            Trust::Unknown,
            Trust::Listed(set(&[])),
            Trust::Organization(set(&[])),
        ] {
            assert_eq!(codes(&own, &trust), [], "{trust:?}");
            assert_eq!(codes(&clean(), &trust), [], "{trust:?}");
        }
    }

    #[test]
    fn instances_with_access_are_informational_and_named() {
        let access = BucketAccess {
            resources_receiving_access: vec![
                ResourceAccess {
                    name: Some("web-1".into()),
                    resource_type: Some("Instance".into()),
                },
                ResourceAccess {
                    name: None,
                    resource_type: None,
                },
            ],
            ..clean()
        };
        let findings = audit_access(&access, Some(OWNER), &Trust::Unknown, &Policy::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, FindingCode::InstanceAccess);
        assert_eq!(
            findings[0].message,
            "2 Lightsail resources have read and write access: web-1 (Instance), (no name)"
        );
    }

    #[test]
    fn logging_off_fires_only_when_lightsail_says_so() {
        for (enabled, expected) in [
            (Some(false), vec![FindingCode::AccessLoggingOff]),
            (Some(true), vec![]),
            (None, vec![]),
        ] {
            let access = BucketAccess {
                access_logging: AccessLogging {
                    enabled,
                    destination: None,
                },
                ..clean()
            };
            assert_eq!(codes(&access, &Trust::Unknown), expected, "{enabled:?}");
        }
    }

    #[test]
    fn a_switched_off_code_is_never_raised_and_the_others_still_are() {
        let open = BucketAccess {
            get_object: Some(GetObject::Public),
            readonly_access_accounts: vec![OUTSIDER.into()],
            resources_receiving_access: vec![ResourceAccess {
                name: Some("web-1".into()),
                resource_type: Some("Instance".into()),
            }],
            access_logging: AccessLogging::default(),
            ..clean()
        };
        let mut policy = Policy::default();
        policy.access_checks.set(FindingCode::PublicRead, false);
        let codes: Vec<_> = audit_access(&open, Some(OWNER), &Trust::Unknown, &policy)
            .into_iter()
            .map(|f| f.code)
            .collect();
        assert_eq!(
            codes,
            [FindingCode::SharedWithAccounts, FindingCode::InstanceAccess]
        );
    }

    #[test]
    fn what_lightsail_did_not_say_or_this_version_does_not_know_settles_nothing() {
        let unknown = BucketAccess {
            get_object: Some(GetObject::Other("authenticated-read".into())),
            allow_public_overrides: None,
            access_logging: AccessLogging::default(),
            ..clean()
        };
        for code in [
            FindingCode::PublicRead,
            FindingCode::PublicObjectsAllowed,
            FindingCode::AccessLoggingOff,
        ] {
            assert!(settles(&clean(), code), "{code:?}");
            assert!(!settles(&unknown, code), "{code:?}");
        }
        let public = BucketAccess {
            get_object: Some(GetObject::Public),
            allow_public_overrides: None,
            ..clean()
        };
        assert!(
            settles(&public, FindingCode::PublicObjectsAllowed),
            "public covers it"
        );
        let private_unsaid = BucketAccess {
            allow_public_overrides: None,
            ..clean()
        };
        assert!(!settles(&private_unsaid, FindingCode::PublicObjectsAllowed));
        assert!(settles(&unknown, FindingCode::SharedWithAccounts));
        assert!(!settles(&clean(), FindingCode::Stale), "keys settle key rules");
    }

    #[test]
    fn the_owner_comes_from_the_arn() {
        assert_eq!(
            arn_account("arn:aws:lightsail:us-east-1:123456789012:Bucket/abc"),
            Some("123456789012")
        );
        assert_eq!(arn_account("arn:aws:lightsail:us-east-1::Bucket/abc"), None);
        assert_eq!(arn_account("nonsense"), None);
    }
}
