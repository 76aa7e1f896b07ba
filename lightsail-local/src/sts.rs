//! STS `AssumeRole` on the awsQuery protocol (form-encoded request, XML answer), enough for
//! the AWS SDKs' `AssumeRoleProvider`. Issued access key ids embed the role's account, so
//! later Lightsail calls signed with them are served that account's buckets.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::fixture::Fixture;
use crate::service::Reply;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// Issued keys: `ASIA` + 12-digit account + 4 characters = 20, like real temporary keys.
const ISSUED_PREFIX: &str = "ASIA";

/// The account embedded in an access key id this stand-in issued.
pub(crate) fn issued_account(access_key_id: &str) -> Option<&str> {
    let account = leading_account(access_key_id.strip_prefix(ISSUED_PREFIX)?)?;
    (access_key_id.len() == 20).then_some(account)
}

/// The 12-digit account id `text` starts with, as issued keys and IAM role ARNs carry it.
fn leading_account(text: &str) -> Option<&str> {
    text.get(..12).filter(|a| a.bytes().all(|b| b.is_ascii_digit()))
}

/// Answers one STS call.
pub(crate) fn answer(fixture: &Fixture, body: &[u8], now: DateTime<Utc>) -> Reply {
    let form = Form::parse(body);
    match form.get("Action") {
        Some("AssumeRole") => assume_role(fixture, &form, now),
        Some(other) => error(
            400,
            "InvalidAction",
            &format!("lightsail-local's STS serves AssumeRole only, not {other}"),
        ),
        None => error(400, "MissingAction", "the request has no Action"),
    }
}

/// `AssumeRole`: grants a role the fixture lists, if the external id matches, to a session
/// name STS would take.
fn assume_role(fixture: &Fixture, form: &Form<'_>, now: DateTime<Utc>) -> Reply {
    let Some(role_arn) = form.get("RoleArn") else {
        return error(400, "ValidationError", "RoleArn is required");
    };
    let session = form.get("RoleSessionName").unwrap_or("");
    let session_ok = (2..=64).contains(&session.len())
        && session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c));
    if !session_ok {
        return error(
            400,
            "ValidationError",
            "RoleSessionName must be 2 to 64 of [\\w+=,.@-]",
        );
    }
    let denied = || {
        error(
            403,
            "AccessDenied",
            &format!("User is not authorized to perform: sts:AssumeRole on resource: {role_arn}"),
        )
    };
    let Some(role) = fixture.roles.get(role_arn) else {
        return denied();
    };
    if role.external_id.is_some() && role.external_id.as_deref() != form.get("ExternalId") {
        return denied();
    }
    let Some(account) = role_arn.strip_prefix("arn:aws:iam::").and_then(leading_account) else {
        return error(400, "ValidationError", "RoleArn is not an IAM role ARN");
    };
    credentials(account, role_arn, session, now)
}

/// The `AssumeRole` answer: keys that embed `account`, so calls signed with them act as it,
/// expiring in an hour.
fn credentials(account: &str, role_arn: &str, session: &str, now: DateTime<Utc>) -> Reply {
    let role_name = role_arn.rsplit('/').next().unwrap_or("role");
    let expiration = (now + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let body = format!(
        r#"<AssumeRoleResponse xmlns="{XMLNS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::{account}:assumed-role/{role_name}/{session}</Arn>
      <AssumedRoleId>AROALOCAL{account}:{session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{ISSUED_PREFIX}{account}LCAL</AccessKeyId>
      <SecretAccessKey>lightsail-local/assumed/secret/{account}</SecretAccessKey>
      <SessionToken>lightsail-local-assumed-session-token-{account}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>0</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>00000000-0000-4000-8000-000000000000</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
"#
    );
    xml(200, None, body)
}

/// An STS error, in awsQuery's `ErrorResponse` shape.
fn error(status: u16, code: &'static str, message: &str) -> Reply {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    let body = format!(
        r#"<ErrorResponse xmlns="{XMLNS}">
  <Error>
    <Type>{kind}</Type>
    <Code>{code}</Code>
    <Message>{}</Message>
  </Error>
  <RequestId>00000000-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>
"#,
        escape(message)
    );
    xml(status, Some(code), body)
}

fn xml(status: u16, error_type: Option<&'static str>, body: String) -> Reply {
    Reply {
        status,
        error_type,
        content_type: "text/xml",
        body: body.into_bytes(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An awsQuery request's parameters: `application/x-www-form-urlencoded` pairs, decoded.
struct Form<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Form<'a> {
    fn parse(body: &'a [u8]) -> Self {
        Self(form_urlencoded::parse(body).collect())
    }

    /// The first value given for `name`.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::RoleFixture;

    fn fixture() -> Fixture {
        let mut fixture: Fixture = serde_json::from_str(r#"{"buckets": []}"#).unwrap();
        fixture.roles.insert(
            "arn:aws:iam::210987654321:role/Audit".into(),
            RoleFixture {
                external_id: Some("ext-1".into()),
            },
        );
        fixture
    }

    fn assume(body: &str) -> Reply {
        answer(
            &fixture(),
            body.as_bytes(),
            DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        )
    }

    #[test]
    fn a_listed_role_is_assumed_with_keys_of_its_account() {
        let reply = assume(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FAudit\
             &RoleSessionName=lightsail-key-audit&ExternalId=ext-1",
        );
        assert_eq!(reply.status, 200);
        let body = String::from_utf8(reply.body).unwrap();
        assert!(
            body.contains("<AccessKeyId>ASIA210987654321LCAL</AccessKeyId>"),
            "{body}"
        );
        assert!(
            body.contains("<Expiration>2027-01-15T09:00:00Z</Expiration>"),
            "{body}"
        );
        assert_eq!(issued_account("ASIA210987654321LCAL"), Some("210987654321"));
        assert_eq!(issued_account("AKIA210987654321LCAL"), None);
        assert_eq!(issued_account("ASIA21098765432"), None);
    }

    #[test]
    fn form_values_are_percent_decoded_and_bad_escapes_kept() {
        let form = Form::parse(b"a=a%3Ab+c%2F&b=100%&&c=%zz%4&d=%C3%A9&e&a=second");
        assert_eq!(form.get("a"), Some("a:b c/"), "the first value counts");
        assert_eq!(form.get("b"), Some("100%"));
        assert_eq!(form.get("c"), Some("%zz%4"));
        assert_eq!(form.get("d"), Some("é"));
        assert_eq!(form.get("e"), Some(""));
        assert_eq!(form.get("f"), None);
    }

    #[test]
    fn anything_else_is_refused_as_sts_refuses_it() {
        let role = "RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FAudit&RoleSessionName=s1";
        let cases = [
            (format!("Action=AssumeRole&{role}"), 403, "AccessDenied"),
            (
                format!("Action=AssumeRole&{role}&ExternalId=wrong"),
                403,
                "AccessDenied",
            ),
            (
                "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2FX&RoleSessionName=s1"
                    .into(),
                403,
                "AccessDenied",
            ),
            (format!("Action=GetCallerIdentity&{role}"), 400, "InvalidAction"),
            (
                "Action=AssumeRole&RoleSessionName=s1".into(),
                400,
                "ValidationError",
            ),
        ];
        for (body, status, code) in cases {
            let reply = assume(&body);
            assert_eq!((reply.status, reply.error_type), (status, Some(code)), "{body}");
            let xml = String::from_utf8(reply.body).unwrap();
            assert!(xml.contains(&format!("<Code>{code}</Code>")), "{xml}");
        }
    }
}
