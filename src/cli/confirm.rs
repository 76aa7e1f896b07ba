//! `--remediate delete` at a terminal: the due keys listed on stderr, and a typed `yes`
//! before any is deleted. Deletion cannot be undone, so anything else is a no.

use std::io::{BufRead, Write};

use super::render::action_line;
use crate::handler::ConfirmDeletion;
use crate::report::Action;

/// Asks on stderr, reads the answer from stdin.
#[derive(Debug, Default)]
pub(crate) struct AskAtTerminal;

impl ConfirmDeletion for AskAtTerminal {
    fn confirm(&self, due: &[&Action]) -> bool {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "\r\u{1b}[2K{} keys are due for deletion. Each is read again first and deleted only if nothing changed (at most REMEDIATE_MAX_KEYS). Deletion cannot be undone:",
            due.len()
        );
        for action in due {
            let _ = writeln!(err, "  {}", action_line(action));
        }
        let _ = write!(err, "Type yes to delete them: ");
        let _ = err.flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(_) => is_yes(&answer),
            Err(_) => false,
        }
    }
}

/// Only `yes` (any case, surrounding blanks ignored) is a yes.
fn is_yes(answer: &str) -> bool {
    answer.trim().eq_ignore_ascii_case("yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_confirms() {
        assert!(is_yes("yes\n") && is_yes(" YES "));
        for no in ["y\n", "", "no", "yes please", "\n"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
