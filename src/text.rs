//! Bounding text that came from outside before it goes into a message, so one huge value
//! cannot flood an error, a log line or a notification.

/// At most `max_chars` characters of `text`, with "..." where it was cut.
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
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
}
