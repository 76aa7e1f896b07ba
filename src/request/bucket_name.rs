//! A Lightsail bucket name, checked against the API's own pattern before any call.

use std::collections::HashSet;

use std::fmt;

/// A name that matches `^[a-z0-9][a-z0-9-]{1,52}[a-z0-9]$`, the pattern
/// `GetBucketAccessKeys` enforces. Anything else is reported, never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketName(String);

/// Why a name can never be a Lightsail bucket name.
pub(crate) const INVALID_BUCKET_NAME_MESSAGE: &str = "not a valid Lightsail bucket name: it must be 3 to 54 \
     characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit";

impl BucketName {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let valid = (3..=54).contains(&bytes.len())
            && bytes.first().is_some_and(edge_ok)
            && bytes.last().is_some_and(edge_ok)
            && bytes.iter().all(|b| edge_ok(b) || *b == b'-');
        valid.then(|| Self(raw.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The most unique bucket names one invocation audits.
pub(crate) const MAX_BUCKET_NAMES: usize = 1000;

/// Deduplicates names, first occurrence wins, and enforces [`MAX_BUCKET_NAMES`].
pub(crate) fn unique_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut seen = HashSet::new();
    let mut unique = Vec::new();
    for name in names {
        if seen.insert(name) {
            if unique.len() == MAX_BUCKET_NAMES {
                return Err(format!(
                    "has more than {MAX_BUCKET_NAMES} unique bucket names; at most \
                     {MAX_BUCKET_NAMES} per invocation, so split the audit"
                ));
            }
            unique.push(name.to_owned());
        }
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_api_pattern_accepts() {
        for name in ["abc", "media-prod", "0-9", "a1b2", &"a".repeat(54), "a--b"] {
            assert_eq!(
                BucketName::parse(name).map(|n| n.to_string()).as_deref(),
                Some(name)
            );
        }
    }

    #[test]
    fn rejects_everything_else() {
        let long = "a".repeat(55);
        for name in [
            "",
            "ab",
            long.as_str(),
            "-abc",
            "abc-",
            "Media-prod",
            "media_prod",
            "media.prod",
            "médiaprod",
            "media prod",
            "buck\u{0}et",
            "ａbc",
        ] {
            assert!(BucketName::parse(name).is_none(), "{name:?} must be rejected");
        }
    }
}
