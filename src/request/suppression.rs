//! Suppressions: known exceptions that keep a finding in the report, marked, but out of the
//! counts and alarms until a date. Reason and expiry are required: an exception with no end
//! date is how findings get hidden for ever.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::fields::unknown_field;
use crate::rules::FindingCode;

/// The most suppressions one request or `SUPPRESSIONS_JSON` may hold.
pub(crate) const MAX_SUPPRESSIONS: usize = 1000;
const MAX_REASON_CHARS: usize = 1000;

/// One known exception: a key or a whole bucket, some codes or all, until `expires` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Suppression {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bucket_name: Option<String>,
    /// `None`: every code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) codes: Option<Vec<FindingCode>>,
    pub(crate) reason: String,
    pub(crate) expires: NaiveDate,
}

impl Suppression {
    /// Applies on `today` and after? The expiry day itself still counts.
    pub(crate) fn active(&self, today: NaiveDate) -> bool {
        today <= self.expires
    }

    pub(crate) fn covers(&self, bucket: &str, key: Option<&str>, code: FindingCode) -> bool {
        let target = match (&self.access_key_id, &self.bucket_name) {
            (Some(id), _) => key == Some(id.as_str()),
            (None, Some(name)) => bucket == name,
            (None, None) => false,
        };
        target && self.codes.as_ref().is_none_or(|codes| codes.contains(&code))
    }
}

/// Reads a list of suppressions; errors name the field, under `path`.
pub(crate) fn parse_suppressions(value: &Value, path: &str) -> Result<Vec<Suppression>, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "`{path}` must be a list of {{\"accessKeyId\" or \"bucketName\", \"codes\", \"reason\", \"expires\"}} objects"
        ));
    };
    if items.len() > MAX_SUPPRESSIONS {
        return Err(format!(
            "`{path}` has {} entries; at most {MAX_SUPPRESSIONS}",
            items.len()
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_one(item, &format!("{path}[{i}]")))
        .collect()
}

fn parse_one(item: &Value, path: &str) -> Result<Suppression, String> {
    let Value::Object(fields) = item else {
        return Err(format!("`{path}` must be an object"));
    };
    let text = |field: &str| -> Result<Option<&str>, String> {
        match fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.as_str())),
            Some(_) => Err(format!("`{path}.{field}` must be a non-empty string")),
        }
    };
    const KNOWN: [&str; 5] = ["accessKeyId", "bucketName", "codes", "reason", "expires"];
    if let Some(field) = fields.keys().find(|f| !KNOWN.contains(&f.as_str())) {
        return Err(unknown_field(&format!("{path}.{field}"), field, &KNOWN));
    }
    let access_key_id = text("accessKeyId")?;
    let bucket_name = text("bucketName")?;
    if access_key_id.is_some() == bucket_name.is_some() {
        return Err(format!(
            "`{path}` must name exactly one of `accessKeyId` and `bucketName`"
        ));
    }
    let reason = text("reason")?
        .ok_or_else(|| format!("`{path}.reason` is required: say why this exception is accepted"))?;
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(format!(
            "`{path}.reason` is longer than {MAX_REASON_CHARS} characters"
        ));
    }
    let expires = text("expires")?
        .ok_or_else(|| format!("`{path}.expires` is required (YYYY-MM-DD): every exception must end"))?;
    let expires = NaiveDate::parse_from_str(expires, "%Y-%m-%d")
        .ok()
        .filter(|_| expires.len() == 10)
        .ok_or_else(|| format!("`{path}.expires` must be a date as YYYY-MM-DD; got {expires:?}"))?;
    let codes = match fields.get("codes") {
        None | Some(Value::Null) => None,
        Some(Value::Array(codes)) if !codes.is_empty() => Some(
            codes
                .iter()
                .enumerate()
                .map(|(i, code)| {
                    code.as_str().and_then(FindingCode::parse).ok_or_else(|| {
                        let names = FindingCode::ALL.map(FindingCode::as_str).join(", ");
                        format!("`{path}.codes[{i}]` must be one of {names}")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(format!(
                "`{path}.codes` must be a non-empty list of finding codes, or absent for all"
            ))
        }
    };
    Ok(Suppression {
        access_key_id: access_key_id.map(str::to_owned),
        bucket_name: bucket_name.map(str::to_owned),
        codes,
        reason: reason.to_owned(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_suppression_is_refused_naming_the_field() {
        let cases = [
            (json!({}), "`s` must be a list"),
            (json!(["x"]), "`s[0]` must be an object"),
            (
                json!([{"reason": "r", "expires": "2026-12-31"}]),
                "`s[0]` must name exactly one of `accessKeyId` and `bucketName`",
            ),
            (
                json!([{"accessKeyId": "A", "bucketName": "b", "reason": "r", "expires": "2026-12-31"}]),
                "exactly one of",
            ),
            (
                json!([{"accessKeyId": "A", "expires": "2026-12-31"}]),
                "`s[0].reason` is required",
            ),
            (
                json!([{"accessKeyId": "A", "reason": " ", "expires": "2026-12-31"}]),
                "`s[0].reason` must be a non-empty string",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r"}]),
                "`s[0].expires` is required (YYYY-MM-DD): every exception must end",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "31/12/2026"}]),
                "`s[0].expires` must be a date as YYYY-MM-DD",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "2026-02-30"}]),
                "must be a date",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "2026-1-5"}]),
                "must be a date",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "2026-12-31", "codes": []}]),
                "`s[0].codes` must be a non-empty list",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "2026-12-31", "codes": ["stale"]}]),
                "`s[0].codes[0]` must be one of",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "r", "expires": "2026-12-31", "until": "x"}]),
                "unknown field `s[0].until`",
            ),
            (
                json!([{"accessKeyId": 5, "reason": "r", "expires": "2026-12-31"}]),
                "`s[0].accessKeyId` must be a non-empty string",
            ),
            (
                json!([{"accessKeyId": "A", "reason": "x".repeat(1001), "expires": "2026-12-31"}]),
                "longer than 1000",
            ),
        ];
        for (value, expected) in cases {
            let message = parse_suppressions(&value, "s").unwrap_err();
            assert!(message.contains(expected), "{value}: {message}");
        }
        let too_many: Vec<Value> = (0..1001)
            .map(|_| json!({"accessKeyId": "A", "reason": "r", "expires": "2026-12-31"}))
            .collect();
        assert!(parse_suppressions(&Value::Array(too_many), "s")
            .unwrap_err()
            .contains("at most 1000"));
    }
}
