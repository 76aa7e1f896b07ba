//! Bounding text that came from outside before it goes into a message, so one huge value
//! cannot flood an error, a log line or a notification.

/// At most `max_chars` characters of `text`, with "..." where it was cut.
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The most characters of outside text one log field repeats: a 100,000-character bucket name
/// must not make a 100 KB log line, nor a 6 MB event one larger than CloudWatch Logs accepts.
const MAX_LOGGED_CHARS: usize = 256;

/// `text` as a log field shows it: clipped, then `Debug`-quoted so control characters a
/// crafted name could carry are escaped.
pub(crate) fn loggable(text: &str) -> String {
    format!("{:?}", clip(text, MAX_LOGGED_CHARS))
}

/// `text` as it is when every character is printable, else as [`loggable`] shows it: what a
/// terminal may print without a crafted value moving its cursor.
pub(crate) fn printable(text: &str) -> String {
    if text.chars().all(|c| !c.is_control()) && text.chars().count() <= MAX_LOGGED_CHARS {
        text.to_owned()
    } else {
        loggable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_characters_not_bytes() {
        assert_eq!(clip("short", 64), "short");
        assert_eq!(clip("abcdef", 3), "abc...");
        assert_eq!(clip("ééé", 2), "éé...");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn a_logged_value_is_clipped_and_escaped() {
        assert_eq!(loggable("ghost"), "\"ghost\"");
        assert_eq!(loggable("a\nb"), "\"a\\nb\"");
        assert!(loggable(&"x".repeat(100_000)).len() < 300);
    }

    #[test]
    fn printable_text_is_kept_and_the_rest_escaped() {
        assert_eq!(printable("media-prod: deleted"), "media-prod: deleted");
        assert_eq!(printable("a\u{1b}[2Jb"), "\"a\\u{1b}[2Jb\"");
    }
}
