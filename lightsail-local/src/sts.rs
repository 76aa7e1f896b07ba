//! STS `AssumeRole` and `GetCallerIdentity` on the awsQuery protocol (form-encoded request,
//! XML answer), enough for the AWS SDKs' `AssumeRoleProvider`. Issued access key ids embed the
//! role's account, so later calls signed with them act as that account.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::fixture::{FaultKind, Fixture, DEFAULT_ACCOUNT_ID};
use crate::protocol::{html_page, Caller, Reply};

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// Issued keys: `ASIA` + 12-digit account + 4 characters = 20, like real temporary keys.
const ISSUED_PREFIX: &str = "ASIA";

/// The account embedded in an access key id this stand-in issued.
pub(crate) fn issued_account(access_key_id: &str) -> Option<&str> {
    let account = leading_account(access_key_id.strip_prefix(ISSUED_PREFIX)?)?;
    (access_key_id.len() == 20).then_some(account)
}

/// The account a signing access key id acts as: as listed in the fixture's `credentials`, the
/// account embedded in a key this stand-in's STS issued, or else the default account.
pub(crate) fn account_of<'a>(fixture: &'a Fixture, access_key_id: &'a str) -> &'a str {
    if let Some(account) = fixture.credentials.get(access_key_id) {
        return account;
    }
    issued_account(access_key_id).unwrap_or(DEFAULT_ACCOUNT_ID)
}

/// The 12-digit account id `text` starts with, as issued keys and IAM role ARNs carry it.
fn leading_account(text: &str) -> Option<&str> {
    text.get(..12).filter(|a| a.bytes().all(|b| b.is_ascii_digit()))
}

/// The sessions this STS issued: access key id to (role name, session name). Issued keys are
/// one per account, so an account's last session wins.
#[derive(Debug, Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, (String, String)>>);

impl Sessions {
    fn record(&self, access_key_id: String, role_name: &str, session: &str) {
        // A poisoned lock only means another answer panicked; the map is still whole.
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.insert(access_key_id, (role_name.to_owned(), session.to_owned()));
    }

    fn get(&self, access_key_id: &str) -> Option<(String, String)> {
        let sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.get(access_key_id).cloned()
    }
}

/// What an STS call is answered from.
pub(crate) struct Context<'a> {
    pub(crate) fixture: &'a Fixture,
    pub(crate) sessions: &'a Sessions,
    pub(crate) caller: &'a Caller<'a>,
}

/// Answers one STS call.
pub(crate) fn answer(context: &Context<'_>, form: &Form<'_>, now: DateTime<Utc>) -> Reply {
    match form.get("Action") {
        Some("AssumeRole") => assume_role(context, form, now),
        Some("GetCallerIdentity") => get_caller_identity(context),
        Some(other) => error(
            400,
            "InvalidAction",
            &format!(
                "lightsail-local's STS serves AssumeRole and GetCallerIdentity, not {}",
                escape(other)
            ),
        ),
        None => error(400, "MissingAction", "the request has no Action"),
    }
}

/// `GetCallerIdentity`: the caller's account, and who it is: the assumed role of a session
/// this STS issued, or else a local IAM user.
fn get_caller_identity(context: &Context<'_>) -> Reply {
    let account = context.caller.account;
    let (arn, user_id) = match context.sessions.get(context.caller.access_key_id) {
        Some((role, session)) => (
            format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            format!("AROALOCAL{account}:{session}"),
        ),
        None => (
            format!("arn:aws:iam::{account}:user/local"),
            format!("AIDALOCAL{account}"),
        ),
    };
    let body = format!(
        r#"<GetCallerIdentityResponse xmlns="{XMLNS}">
  <GetCallerIdentityResult>
    <Arn>{}</Arn>
    <UserId>{}</UserId>
    <Account>{}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>00000000-0000-4000-8000-000000000000</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
"#,
        escape(&arn),
        escape(&user_id),
        escape(account)
    );
    xml(200, None, body)
}

/// An STS call's answer to a terminal fault, in awsQuery's shapes.
pub(crate) fn fault_reply(kind: FaultKind, operation: &str) -> Reply {
    match kind {
        FaultKind::AccessDenied => error(
            403,
            "AccessDenied",
            &format!("User is not authorized to perform: sts:{}", escape(operation)),
        ),
        FaultKind::Throttle => error(400, "Throttling", "Rate exceeded"),
        FaultKind::Unauthenticated => error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        FaultKind::MalformedBody => xml(
            200,
            None,
            format!(
                "<{0}Response xmlns=\"{XMLNS}\">\n  <{0}Result>\n    <Cred",
                escape(operation)
            ),
        ),
        FaultKind::HtmlBody => html_page(),
        // Server errors, and the kinds that never reach STS (see `faults`).
        FaultKind::ServerError
        | FaultKind::NotFound
        | FaultKind::RegionSetupInProgress
        | FaultKind::Latency
        | FaultKind::RepeatPageToken => error(500, "InternalFailure", "An internal error occurred"),
    }
}

/// `AssumeRole`: grants a role the fixture lists, if the external id matches, to a session
/// name STS would take.
fn assume_role(context: &Context<'_>, form: &Form<'_>, now: DateTime<Utc>) -> Reply {
    let fixture = context.fixture;
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
    let role_name = role_arn.rsplit('/').next().unwrap_or("role");
    context
        .sessions
        .record(format!("{ISSUED_PREFIX}{account}LCAL"), role_name, session);
    credentials(account, role_name, session, now)
}

/// The `AssumeRole` answer: keys that embed `account`, so calls signed with them act as it,
/// expiring in an hour.
fn credentials(account: &str, role_name: &str, session: &str, now: DateTime<Utc>) -> Reply {
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
pub(crate) struct Form<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Form<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Self {
        Self(form_urlencoded::parse(body).collect())
    }

    /// The first value given for `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
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
        call(&fixture(), &Sessions::default(), "AKIDLOCAL", body)
    }

    /// One call signed with `key`, answered from `fixture` and `sessions`.
    fn call(fixture: &Fixture, sessions: &Sessions, key: &str, body: &str) -> Reply {
        let caller = Caller {
            access_key_id: key,
            account: account_of(fixture, key),
            region: "us-east-1",
        };
        let context = Context {
            fixture,
            sessions,
            caller: &caller,
        };
        answer(
            &context,
            &Form::parse(body.as_bytes()),
            DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        )
    }

    /// The text of `element` in an XML answer.
    fn element<'a>(xml: &'a str, element: &str) -> &'a str {
        let open = format!("<{element}>");
        let start = xml.find(&open).unwrap() + open.len();
        let end = xml[start..].find('<').unwrap();
        &xml[start..start + end]
    }

    #[test]
    fn the_caller_is_identified_by_its_key() {
        let mut fixture = fixture();
        fixture
            .credentials
            .insert("AKIDLISTED".into(), "333333333333".into());
        let sessions = Sessions::default();
        let identity = |key: &str| {
            let reply = call(
                &fixture,
                &sessions,
                key,
                "Action=GetCallerIdentity&Version=2011-06-15",
            );
            assert_eq!(reply.status, 200);
            let xml = String::from_utf8(reply.body).unwrap();
            assert!(xml.starts_with("<GetCallerIdentityResponse xmlns="), "{xml}");
            let fields = ["Account", "Arn", "UserId"].map(|name| element(&xml, name).to_owned());
            fields
        };
        assert_eq!(
            identity("AKIDANYTHING"),
            [
                "123456789012",
                "arn:aws:iam::123456789012:user/local",
                "AIDALOCAL123456789012"
            ]
        );
        assert_eq!(
            identity("AKIDLISTED")[..2],
            ["333333333333", "arn:aws:iam::333333333333:user/local"]
        );
        // Issued by an earlier run: the account is in the key, the role is not.
        assert_eq!(
            identity("ASIA210987654321LCAL")[1],
            "arn:aws:iam::210987654321:user/local"
        );
        let assumed = call(
            &fixture,
            &sessions,
            "AKIDANYTHING",
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FAudit\
             &RoleSessionName=audit-run&ExternalId=ext-1",
        );
        assert_eq!(assumed.status, 200);
        assert_eq!(
            identity("ASIA210987654321LCAL"),
            [
                "210987654321",
                "arn:aws:sts::210987654321:assumed-role/Audit/audit-run",
                "AROALOCAL210987654321:audit-run"
            ]
        );
    }

    #[test]
    fn faults_answer_in_awsquery_shapes() {
        for (kind, status, code) in [
            (FaultKind::Throttle, 400, Some("Throttling")),
            (FaultKind::AccessDenied, 403, Some("AccessDenied")),
            (FaultKind::Unauthenticated, 403, Some("InvalidClientTokenId")),
            (FaultKind::ServerError, 500, Some("InternalFailure")),
            (FaultKind::MalformedBody, 200, None),
        ] {
            let reply = fault_reply(kind, "AssumeRole");
            assert_eq!((reply.status, reply.error_type), (status, code), "{kind:?}");
            let xml = String::from_utf8(reply.body).unwrap();
            if let Some(code) = code {
                assert!(xml.contains(&format!("<Code>{code}</Code>")), "{xml}");
            }
        }
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
            (
                format!("Action=DecodeAuthorizationMessage&{role}"),
                400,
                "InvalidAction",
            ),
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
