//! The audit request: the raw event validated into a typed value before anything runs.
//!
//! Parsing is by hand over the JSON value rather than through a derived `Deserialize`, so that
//! every rejection names the exact field (`bucketNames[3]`, `detail.maxKeyAgeDays`) and says
//! what it must be. Which fields there are, and how each is read, is the settings table's.

use serde_json::{Map, Value};

use super::config::{AuditRequest, Config};
use super::fields::{describe, unknown_field};
use super::settings::{field, field_names};
use super::values::invalid;
use crate::error::AuditError;

impl AuditRequest {
    /// Validates an event, filling what it leaves out from `config`.
    ///
    /// Accepts the request object itself, or an EventBridge event (an object with `source`
    /// and `detail-type`) whose `detail` is the request.
    pub(crate) fn from_event(event: &Value, config: &Config) -> Result<Self, AuditError> {
        let Value::Object(object) = event else {
            return Err(invalid(format!(
                "the event must be a JSON object such as {{\"bucketNames\": [\"media-prod\"]}}; got {}",
                describe(event)
            )));
        };
        let is_eventbridge = object.contains_key("source") && object.contains_key("detail-type");
        if !is_eventbridge {
            return Self::from_fields(object, "", config);
        }
        match object.get("detail") {
            None | Some(Value::Null) => Self::from_fields(&Map::new(), "detail.", config),
            Some(Value::Object(detail)) => Self::from_fields(detail, "detail.", config),
            Some(other) => Err(invalid(format!(
                "`detail` of the EventBridge event must be an object holding the request; got {}",
                describe(other)
            ))),
        }
    }

    /// The configuration's defaults, each field the request gives read over its default.
    fn from_fields(fields: &Map<String, Value>, prefix: &str, config: &Config) -> Result<Self, AuditError> {
        let mut request = config.defaults.clone();
        for (name, value) in fields {
            let path = format!("{prefix}{name}");
            match field(name) {
                // An explicit null means "not given", as docs/request.md documents.
                Some(_) if value.is_null() => {}
                Some(field) => (field.read)(&mut request, value, &path)?,
                None => return Err(invalid(unknown_field(&path, name, &field_names()))),
            }
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{AccountSelection, RegionSelection};
    use crate::rules::{AccessSwitches, FindingCode, Policy};
    use serde_json::json;

    fn parse(event: Value) -> Result<AuditRequest, AuditError> {
        AuditRequest::from_event(&event, &Config::default())
    }

    fn rejection(event: Value) -> String {
        match parse(event) {
            Err(AuditError::InvalidRequest(message)) => message,
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }

    #[test]
    fn a_full_request_is_read() {
        let request = parse(
            json!({"bucketNames": ["media-prod", "backups"], "staleAfterDays": 30,
                                   "neverUsedGraceDays": 0, "maxKeyAgeDays": 3650,
                                   "includeAccessChecks": false, "checkInstanceAccess": false,
                                   "trustedAccountIds": ["444455556666", "444455556666"]}),
        )
        .unwrap();
        assert_eq!(request.bucket_names.unwrap(), ["media-prod", "backups"]);
        let mut access_checks = AccessSwitches::default();
        access_checks.set(FindingCode::InstanceAccess, false);
        assert_eq!(
            request.policy,
            Policy {
                stale_after_days: 30,
                never_used_grace_days: 0,
                max_key_age_days: 3650,
                include_access_checks: false,
                access_checks,
            }
        );
        assert_eq!(request.trusted_account_ids, ["444455556666"]);
    }

    #[test]
    fn omitted_and_null_fields_take_the_configured_defaults() {
        let config = Config {
            defaults: AuditRequest {
                policy: Policy {
                    stale_after_days: 60,
                    ..Policy::default()
                },
                bucket_names: Some(vec!["from-env".into()]),
                ..AuditRequest::default()
            },
            ..Config::default()
        };
        for event in [json!({}), json!({"bucketNames": null, "staleAfterDays": null})] {
            let request = AuditRequest::from_event(&event, &config).unwrap();
            assert_eq!(request.bucket_names.unwrap(), ["from-env"]);
            assert_eq!(request.policy.stale_after_days, 60);
            assert_eq!(request.policy.max_key_age_days, 90);
        }
        let request = AuditRequest::from_event(&json!({"bucketNames": ["mine"]}), &config).unwrap();
        assert_eq!(
            request.bucket_names.unwrap(),
            ["mine"],
            "the event wins over BUCKET_NAMES"
        );
    }

    #[test]
    fn names_are_deduplicated_first_occurrence_wins() {
        let request = parse(json!({"bucketNames": ["b-1", "a-1", "b-1", "c-1", "a-1"]})).unwrap();
        assert_eq!(request.bucket_names.unwrap(), ["b-1", "a-1", "c-1"]);
        let many = vec!["same-name"; 10_000];
        assert_eq!(
            parse(json!({"bucketNames": many})).unwrap().bucket_names.unwrap(),
            ["same-name"]
        );
    }

    #[test]
    fn invalid_names_pass_parsing_so_they_fail_only_their_own_bucket() {
        let request = parse(json!({"bucketNames": ["UPPER", "", "ok-name"]})).unwrap();
        assert_eq!(request.bucket_names.unwrap(), ["UPPER", "", "ok-name"]);
    }

    #[test]
    fn an_eventbridge_envelope_is_read_through_its_detail() {
        let scheduled = json!({"version": "0", "id": "x", "detail-type": "Scheduled Event",
                               "source": "aws.events", "detail": {}});
        let config = Config {
            defaults: AuditRequest {
                bucket_names: Some(vec!["from-env".into()]),
                ..AuditRequest::default()
            },
            ..Config::default()
        };
        let request = AuditRequest::from_event(&scheduled, &config).unwrap();
        assert_eq!(request.bucket_names.unwrap(), ["from-env"]);
        assert_eq!(request.policy, Policy::default());

        let with_detail = json!({"detail-type": "x", "source": "custom",
                                 "detail": {"bucketNames": ["a-b-c"], "maxKeyAgeDays": 30}});
        let request = parse(with_detail).unwrap();
        assert_eq!(request.bucket_names.unwrap(), ["a-b-c"]);
        assert_eq!(request.policy.max_key_age_days, 30);

        let no_detail = json!({"detail-type": "x", "source": "custom"});
        assert!(AuditRequest::from_event(&no_detail, &config).is_ok());

        let message = rejection(json!({"detail-type": "x", "source": "s", "detail": {"stalAfterDays": 1}}));
        assert!(
            message.starts_with("unknown field `detail.stalAfterDays`"),
            "{message}"
        );
        let message = rejection(json!({"detail-type": "x", "source": "s", "detail": "text"}));
        assert!(
            message.starts_with("`detail` of the EventBridge event must be an object"),
            "{message}"
        );
    }

    #[test]
    fn every_bad_shape_is_rejected_naming_the_field() {
        let too_many: Vec<String> = (0..1001).map(|i| format!("bucket-{i}")).collect();
        let cases = [
            (json!([]), "the event must be a JSON object"),
            (json!("media-prod"), "got the string \"media-prod\""),
            (json!(null), "the event must be a JSON object"),
            (json!(42), "got the number 42"),
            (json!({"bucketNames": []}), "`bucketNames` must not be empty"),
            (json!({"bucketNames": "media-prod"}), "`bucketNames` must be a list of bucket names"),
            (json!({"bucketNames": {"a": 1}}), "`bucketNames` must be a list of bucket names; got an object"),
            (json!({"bucketNames": ["ok-name", 7]}), "`bucketNames[1]` must be a bucket name (a string); got the number 7"),
            (json!({"bucketNames": [null]}), "`bucketNames[0]` must be a bucket name (a string); got null"),
            (json!({"bucketNames": too_many}), "`bucketNames` has more than 1000 unique bucket names"),
            (json!({"bucketNames": ["a-b-c"], "staleAfterDays": -1}), "`staleAfterDays` must be a whole number of days from 0 to 3650; got the number -1"),
            (json!({"bucketNames": ["a-b-c"], "staleAfterDays": 3651}), "`staleAfterDays` must be a whole number of days from 0 to 3650"),
            (json!({"bucketNames": ["a-b-c"], "neverUsedGraceDays": 4.5}), "`neverUsedGraceDays` must be a whole number of days from 0 to 3650; got the number 4.5"),
            (json!({"bucketNames": ["a-b-c"], "maxKeyAgeDays": "90"}), "`maxKeyAgeDays` must be a whole number of days from 0 to 3650; got the string \"90\""),
            (json!({"bucketNames": ["a-b-c"], "maxKeyAgeDays": true}), "got the boolean true"),
            (json!({"bucketNames": ["a-b-c"], "maxKeyAgeDays": 1e300}), "`maxKeyAgeDays` must be a whole number"),
            (json!({"bucketNames": ["a-b-c"], "stalAfterDays": 45}), "unknown field `stalAfterDays`; did you mean `staleAfterDays`?"),
            (json!({"bucket_names": ["a-b-c"]}), "unknown field `bucket_names`; did you mean `bucketNames`?"),
            (json!({"bucketNames": ["a-b-c"], "zone": "x"}), "unknown field `zone`; accepted fields: bucketNames, regions, accounts, memberRoleName, externalId, excludeAccountIds, suppressions, staleAfterDays, neverUsedGraceDays, maxKeyAgeDays"),
            (json!({"region": "x"}), "unknown field `region`; did you mean `regions`?"),
            (json!({"regions": []}), "`regions`: must name at least one region"),
            (json!({"regions": 5}), "`regions` must be a list of region names or \"all\"; got the number 5"),
            (json!({"regions": ["us-east-1", 5]}), "`regions[1]` must be a region name (a string)"),
            (json!({"regions": ["US-EAST-1"]}), "`regions`: \"US-EAST-1\" is not a region name"),
            (json!({"regions": ["all", "us-east-1"]}), "`regions`: \"all\" cannot be combined"),
            (json!({"accounts": []}), "`accounts` must list at least one account"),
            (json!({"suppressions": [{"accessKeyId": "AKIA1", "reason": "r"}]}), "`suppressions[0].expires` is required"),
            (json!({"detail-type": "x", "source": "s", "detail": {"suppressions": {}}}), "`detail.suppressions` must be a list"),
            (json!({"accounts": "arn:aws:iam::210987654321:role/a"}), "`accounts` must be \"organization\" or a list of {\"accountId\": ...} or {\"roleArn\": ...} objects"),
            (json!({"accounts": "Organization"}), "`accounts` must be \"organization\" or a list"),
            (json!({"accounts": ["arn:aws:iam::210987654321:role/a"]}), "`accounts[0]` must be an object with `accountId` or `roleArn`"),
            (json!({"accounts": [{}]}), "`accounts[0]` needs `accountId` or `roleArn`"),
            (json!({"accounts": [{"accountId": "210987654321", "roleArn": "arn:aws:iam::210987654321:role/a"}]}), "`accounts[0]` has both `accountId` and `roleArn`: give one"),
            (json!({"accounts": [{"accountId": "21098765432"}]}), "`accounts[0]`: \"21098765432\" is not an account id (12 digits)"),
            (json!({"accounts": [{"accountId": 210987654321u64}]}), "`accounts[0].accountId` must be a string; got the number 210987654321"),
            (json!({"accounts": [{"accountId": "210987654321", "externalId": "x"}]}), "`accounts[0]`: externalId must be 2 to 1224 characters"),
            (json!({"accounts": [{"accountid": "210987654321"}]}), "unknown field `accounts[0].accountid`; did you mean `accountId`? accepted fields: accountId, roleArn, externalId"),
            (json!({"memberRoleName": "a/b"}), "`memberRoleName` must be an IAM role name: 1 to 64 letters, digits and +=,.@_-; got \"a/b\""),
            (json!({"memberRoleName": 5}), "`memberRoleName` must be a string; got the number 5"),
            (json!({"externalId": "x"}), "`externalId` must be 2 to 1224 characters"),
            (json!({"excludeAccountIds": "210987654321"}), "`excludeAccountIds` must be a list of account ids; got the string"),
            (json!({"excludeAccountIds": ["210987654321", 5]}), "`excludeAccountIds[1]` must be a string; got the number 5"),
            (json!({"excludeAccountIds": ["2109876543210"]}), "`excludeAccountIds`: \"2109876543210\" is not an account id (12 digits)"),
            (json!({"accounts": [{"roleArn": 7}]}), "`accounts[0].roleArn` must be a string"),
            (json!({"accounts": [{"roleArn": "arn:aws:iam::1:role/a"}]}), "`accounts[0]`: \"arn:aws:iam::1:role/a\" is not an IAM role ARN"),
            (json!({"accounts": [{"roleArn": "arn:aws:iam::210987654321:role/a", "externalID": "x"}]}), "unknown field `accounts[0].externalID`; did you mean `externalId`? accepted fields: accountId, roleArn, externalId"),
            (json!({"accounts": [{"roleArn": "arn:aws:iam::210987654321:role/a", "externalId": 5}]}), "`accounts[0].externalId` must be a string"),
            (json!({"bucketNames": ["a-b-c"], "extra": null}), "unknown field `extra`"),
        ];
        for (event, expected) in cases {
            let message = rejection(event.clone());
            assert!(
                message.contains(expected),
                "{event}: {message:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn without_names_every_bucket_is_discovered_in_the_scopes_asked_for() {
        let request = parse(json!({})).unwrap();
        assert_eq!(request.bucket_names, None);
        assert_eq!(request.regions, RegionSelection::Home);
        assert_eq!(request.accounts, AccountSelection::Home);

        let request = parse(json!({"regions": "all", "accounts": [
            {"roleArn": "arn:aws:iam::210987654321:role/Audit", "externalId": "ext-123"},
            {"roleArn": "arn:aws:iam::123456789012:role/Audit", "externalId": null},
            {"accountId": "210987654321"},
            {"accountId": "111111111111", "externalId": "ext-111"}]}))
        .unwrap();
        assert_eq!(request.regions, RegionSelection::All);
        let AccountSelection::Listed(accounts) = request.accounts else {
            panic!("not a list")
        };
        assert_eq!(accounts.len(), 3, "one entry per account, the first wins");
        assert_eq!(accounts[0].account_id, "210987654321");
        assert_eq!(accounts[0].external_id.as_deref(), Some("ext-123"));
        assert_eq!(accounts[1].external_id, None);
        assert_eq!(accounts[2].role_arn, None, "by id");
        assert_eq!(accounts[2].external_id.as_deref(), Some("ext-111"));

        let request = parse(json!({"accounts": "organization", "memberRoleName": "Auditor",
            "externalId": "ext-org", "excludeAccountIds": ["111111111111", "111111111111"]}))
        .unwrap();
        assert_eq!(request.accounts, AccountSelection::Organization);
        assert_eq!(request.member_role_name, "Auditor");
        assert_eq!(request.external_id.as_deref(), Some("ext-org"));
        assert_eq!(request.exclude_account_ids, ["111111111111"]);

        let request = parse(json!({"regions": ["eu-west-2", "us-east-1"]})).unwrap();
        assert_eq!(
            request.regions,
            RegionSelection::Named(vec!["eu-west-2".into(), "us-east-1".into()])
        );
    }

    #[test]
    fn scope_defaults_come_from_the_environment() {
        let config = Config::from_lookup(|name| match name {
            "AUDIT_REGIONS" => Some("all".into()),
            "AUDIT_ROLE_ARNS" => Some("arn:aws:iam::210987654321:role/Audit".into()),
            _ => None,
        })
        .unwrap();
        let request = AuditRequest::from_event(&json!({}), &config).unwrap();
        assert_eq!(request.regions, RegionSelection::All);
        let AccountSelection::Listed(accounts) = &request.accounts else {
            panic!("not a list")
        };
        assert_eq!(accounts[0].account_id, "210987654321");
        assert_eq!(request.member_role_name, "LightsailKeyAuditMember");
        let request = AuditRequest::from_event(&json!({"regions": ["us-east-1"]}), &config).unwrap();
        assert_eq!(request.regions, RegionSelection::Named(vec!["us-east-1".into()]));
    }

    #[test]
    fn a_huge_unknown_field_name_is_clipped_in_the_message() {
        let name = "x".repeat(10_000);
        let message = rejection(json!({ name: 1 }));
        assert!(message.len() < 600, "{}", message.len());
    }
}

#[cfg(test)]
mod properties {
    //! Any JSON value gives a request or an `InvalidRequest` naming what is wrong; never a panic.

    use super::*;
    use crate::request::fields::MAX_ECHO_CHARS;
    use crate::text::clip;
    use proptest::prelude::*;
    use serde_json::json;

    /// Names a request may carry beside FIELDS, and some that are close: typos, cases,
    /// envelope fields, the fields of account entries and suppressions.
    const OTHER_KEYS: [&str; 14] = [
        "source",
        "detail-type",
        "detail",
        "accountId",
        "roleArn",
        "externalId",
        "accessKeyId",
        "bucketName",
        "codes",
        "reason",
        "expires",
        "stalAfterDays",
        "BucketNames",
        "",
    ];

    fn keys() -> Vec<&'static str> {
        crate::request::settings::field_names()
            .into_iter()
            .chain(OTHER_KEYS)
            .collect()
    }
    /// Values that pass some checks, so the parser gets past its first test.
    const STRINGS: [&str; 10] = [
        "all",
        "us-east-1",
        "media-prod",
        "arn:aws:iam::210987654321:role/Audit",
        "2026-12-31",
        "STALE",
        "AKIAIOSFODNN7EXAMPLE",
        "",
        "é\u{0}\n",
        "45",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (0u64..4000).prop_map(|n| json!(n)),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
            proptest::sample::select(&STRINGS[..]).prop_map(|s| json!(s)),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![proptest::sample::select(keys()).prop_map(str::to_owned), ".{0,8}"];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn object_with_known_keys() -> impl Strategy<Value = Value> {
        let key = proptest::sample::select(crate::request::settings::field_names()).prop_map(str::to_owned);
        proptest::collection::btree_map(key, json_value(), 0..5)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
    }

    /// The error must be InvalidRequest and name a field (in backticks) or the event itself.
    fn check(event: &Value, result: Result<AuditRequest, AuditError>) -> Result<(), TestCaseError> {
        match result {
            Ok(_) => Ok(()),
            Err(AuditError::InvalidRequest(message)) => {
                let names_field = message.contains('`');
                let about_event = message.starts_with("the event must be a JSON object");
                prop_assert!(names_field || about_event, "{event}: {message}");
                if let Value::Object(fields) = event {
                    if names_field && !fields.contains_key("detail-type") {
                        let named = fields
                            .keys()
                            .any(|k| message.contains(&format!("`{}", clip(k, MAX_ECHO_CHARS))));
                        prop_assert!(named, "{event}: the message names none of its fields: {message}");
                    }
                }
                Ok(())
            }
            Err(other) => Err(TestCaseError::fail(format!(
                "{event}: not InvalidRequest: {other:?}"
            ))),
        }
    }

    proptest! {
        #[test]
        fn any_json_value_is_a_request_or_a_named_rejection(event in json_value()) {
            check(&event, AuditRequest::from_event(&event, &Config::default()))?;
        }

        #[test]
        fn near_valid_requests_are_read_or_rejected_by_field(event in object_with_known_keys()) {
            check(&event, AuditRequest::from_event(&event, &Config::default()))?;
        }

        #[test]
        fn an_eventbridge_detail_of_any_shape_is_handled(detail in json_value()) {
            let event = json!({"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": detail});
            check(&event, AuditRequest::from_event(&event, &Config::default()))?;
        }
    }
}
