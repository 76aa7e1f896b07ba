//! How one raw value becomes a typed one: an environment variable's text, or a request
//! field's JSON value. Each reader names what the value must be; the settings table
//! (`settings.rs`) says which variable and field each one reads.

use std::time::Duration;

use serde_json::Value;

use super::accounts::parse_account_ids;
use super::bucket_name::{unique_names, MAX_BUCKET_NAMES};
use super::fields::describe;
use super::selection::RegionSelection;
use crate::error::AuditError;

/// The largest threshold accepted, in days (ten years).
pub(super) const MAX_THRESHOLD_DAYS: u64 = 3650;

// A variable's text.

/// The non-empty, trimmed items of a comma-separated value.
pub(super) fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|item| !item.is_empty())
}

/// `raw` as a whole number from `min` to `max`.
pub(super) fn bounded(raw: &str, min: usize, max: usize) -> Result<usize, String> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number from {min} to {max}; got {raw:?}"))
}

/// `raw` as milliseconds from `min` to `max`.
pub(super) fn millis(raw: &str, min: usize, max: usize) -> Result<Duration, String> {
    bounded(raw, min, max).map(|n| Duration::from_millis(n as u64))
}

/// `raw` as a threshold in days.
pub(super) fn threshold(raw: &str) -> Result<u32, String> {
    // At most 3650, so it fits.
    bounded(raw, 0, MAX_THRESHOLD_DAYS as usize).map(|days| days as u32)
}

/// `raw` as a switch: `true` or `false`, in any case.
pub(super) fn switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("must be true or false; got {raw:?}")),
    }
}

/// `arn:<partition>:sns:<region>:<12 digits>:<name>`.
pub(super) fn is_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "sns", region, account, name]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !name.is_empty())
}

/// An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at
/// each end.
pub(super) fn is_bucket_name(name: &str) -> bool {
    let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && ends(name.chars().next())
        && ends(name.chars().last())
}

// A field's JSON value; `path` is the field as the request spells it (`detail.regions`).

/// The request's rejection with `message`, which names the field.
pub(super) fn invalid(message: String) -> AuditError {
    AuditError::InvalidRequest(message)
}

/// A threshold in whole days.
pub(super) fn days(value: &Value, path: &str) -> Result<u32, AuditError> {
    value
        .as_u64()
        .filter(|d| *d <= MAX_THRESHOLD_DAYS)
        // At most 3650, so it fits.
        .map(|d| d as u32)
        .ok_or_else(|| {
            invalid(format!(
                "`{path}` must be a whole number of days from 0 to {MAX_THRESHOLD_DAYS}; got {}",
                describe(value)
            ))
        })
}

/// A switch: JSON `true` or `false`.
pub(super) fn boolean(value: &Value, path: &str) -> Result<bool, AuditError> {
    value
        .as_bool()
        .ok_or_else(|| invalid(format!("`{path}` must be true or false; got {}", describe(value))))
}

/// `bucketNames`: a non-empty list of names, deduplicated.
pub(super) fn bucket_names(value: &Value, path: &str) -> Result<Vec<String>, AuditError> {
    let Value::Array(items) = value else {
        return Err(invalid(format!(
            "`{path}` must be a list of bucket names; got {}",
            describe(value)
        )));
    };
    if items.is_empty() {
        return Err(invalid(format!(
            "`{path}` must not be empty; omit it to use BUCKET_NAMES or to discover every bucket"
        )));
    }
    let mut names = Vec::with_capacity(items.len().min(MAX_BUCKET_NAMES));
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(name) => names.push(name.as_str()),
            other => {
                return Err(invalid(format!(
                    "`{path}[{i}]` must be a bucket name (a string); got {}",
                    describe(other)
                )))
            }
        }
    }
    unique_names(names).map_err(|message| invalid(format!("`{path}` {message}")))
}

/// `regions`: a list of region names, or `"all"`.
pub(super) fn region_selection(value: &Value, path: &str) -> Result<RegionSelection, AuditError> {
    let names: Vec<&str> = match value {
        Value::String(one) => vec![one.as_str()],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().ok_or_else(|| {
                    invalid(format!(
                        "`{path}[{i}]` must be a region name (a string); got {}",
                        describe(item)
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(invalid(format!(
                "`{path}` must be a list of region names or \"all\"; got {}",
                describe(other)
            )))
        }
    };
    RegionSelection::parse(names).map_err(|message| invalid(format!("`{path}`: {message}")))
}

/// A string field's text, checked by `check`, whose message is prefixed with the field.
pub(super) fn checked_text<T>(
    value: &Value,
    path: &str,
    check: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, AuditError> {
    check(text(value, path)?).map_err(|message| invalid(format!("`{path}` {message}")))
}

/// A string field's text.
fn text<'a>(value: &'a Value, path: &str) -> Result<&'a str, AuditError> {
    value
        .as_str()
        .ok_or_else(|| invalid(format!("`{path}` must be a string; got {}", describe(value))))
}

/// `excludeAccountIds` or `trustedAccountIds`: a list of account ids.
pub(super) fn account_ids(value: &Value, path: &str) -> Result<Vec<String>, AuditError> {
    let Value::Array(items) = value else {
        return Err(invalid(format!(
            "`{path}` must be a list of account ids; got {}",
            describe(value)
        )));
    };
    let ids = items
        .iter()
        .enumerate()
        .map(|(i, item)| text(item, &format!("{path}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    parse_account_ids(ids).map_err(|m| invalid(format!("`{path}`: {m}")))
}
