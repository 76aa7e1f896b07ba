//! STS `AssumeRole` on the awsQuery protocol (form-encoded request, XML answer), enough for
//! the AWS SDKs' `AssumeRoleProvider`. Issued access key ids embed the role's account, so
//! later Lightsail calls signed with them are served that account's buckets.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::fixture::Fixture;
use crate::service::Reply;

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// Issued keys: `ASIA` + 12-digit account + 4 characters = 20, like real temporary keys.
const ISSUED_PREFIX: &str = "ASIA";

/// The account embedded in an access key id this stand-in issued.
pub(crate) fn issued_account(access_key_id: &str) -> Option<&str> {
    let account = access_key_id.strip_prefix(ISSUED_PREFIX)?.get(..12)?;
    (access_key_id.len() == 20 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// Answers one STS call.
pub(crate) fn answer(fixture: &Fixture, body: &[u8], now: DateTime<Utc>) -> Reply {
    let form = parse_form(body);
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match get("Action") {
        Some("AssumeRole") => {}
        Some(other) => {
            return error(
                400,
                "InvalidAction",
                &format!("lightsail-local's STS serves AssumeRole only, not {other}"),
            )
        }
        None => return error(400, "MissingAction", "the request has no Action"),
    }
    let Some(role_arn) = get("RoleArn") else {
        return error(400, "ValidationError", "RoleArn is required");
    };
    let session = get("RoleSessionName").unwrap_or("");
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
    if role.external_id.is_some() && role.external_id.as_deref() != get("ExternalId") {
        return denied();
    }
    let Some(account) = role_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.get(..12))
        .filter(|a| a.bytes().all(|b| b.is_ascii_digit()))
    else {
        return error(400, "ValidationError", "RoleArn is not an IAM role ARN");
    };
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
    Reply {
        status: 200,
        error_type: None,
        content_type: "text/xml",
        body: body.into_bytes(),
    }
}

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
    Reply {
        status,
        error_type: Some(code),
        content_type: "text/xml",
        body: body.into_bytes(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `application/x-www-form-urlencoded` pairs, percent-decoded.
fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while let Some(&byte) = text.as_bytes().get(i) {
        i += 1;
        match byte {
            b'+' => out.push(b' '),
            b'%' => match text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(decoded) => {
                    out.push(decoded);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            other => out.push(other),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
        assert_eq!(decode("a%3Ab+c%2F"), "a:b c/");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9"), "é");
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
