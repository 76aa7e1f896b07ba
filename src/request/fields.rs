//! Unknown fields and unexpected values, answered the same way wherever JSON input is read:
//! the event, its account entries, suppressions.

use serde_json::Value;

use crate::text::clip;

/// The most characters of a field name or value an error message repeats.
pub(super) const MAX_ECHO_CHARS: usize = 64;

/// The message for the unknown field `field` at `path` (its full path, e.g.
/// `accounts[0].externalID`), among the `known` fields: a hint when one is near, and the list.
pub(super) fn unknown_field(path: &str, field: &str, known: &[&str]) -> String {
    let hint = known
        .iter()
        .find(|known| is_near(field, known))
        .map(|known| format!("did you mean `{known}`? "))
        .unwrap_or_default();
    format!(
        "unknown field `{}`; {hint}accepted fields: {}",
        clip(path, MAX_ECHO_CHARS),
        known.join(", ")
    )
}

/// True for a likely typo: same letters ignoring case and separators, or within two edits.
pub(super) fn is_near(field: &str, known: &str) -> bool {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (fold(field), fold(known));
    if a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    // Levenshtein distance, one row at a time: each cell from the one above, the one to its
    // upper left, and the one to its left.
    let mut above: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (cb, pair) in b.iter().zip(above.windows(2)) {
            if let (&[upper_left, upper], Some(&left)) = (pair, row.last()) {
                row.push((upper_left + usize::from(ca != cb)).min(upper + 1).min(left + 1));
            }
        }
        above = row;
    }
    above.last().is_some_and(|distance| *distance <= 2)
}

/// A short description of a JSON value for an error message; long text is clipped.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", clip(s, MAX_ECHO_CHARS)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_detection_is_neither_too_eager_nor_too_shy() {
        assert!(is_near("maxKeyAgeDay", "maxKeyAgeDays"));
        assert!(is_near("MAX_KEY_AGE_DAYS", "maxKeyAgeDays"));
        assert!(is_near("bucketname", "bucketNames"));
        assert!(!is_near("regions", "bucketNames"));
        assert!(!is_near("", "bucketNames"));
    }

    #[test]
    fn every_unknown_field_gets_the_hint_and_the_list() {
        let message = unknown_field("suppressions[0].reson", "reson", &["reason", "expires"]);
        assert_eq!(
            message,
            "unknown field `suppressions[0].reson`; did you mean `reason`? accepted fields: reason, expires"
        );
    }
}
