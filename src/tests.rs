//! The binary's unit tests; its behaviour is tested end to end (`tests/e2e`).

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};

use crate::Cli;

#[test]
fn the_command_line_definition_is_consistent() {
    Cli::command().debug_assert();
}

/// README.md and every page of docs/.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    std::iter::once(root.join("README.md"))
        .chain(docs)
        .collect()
}

/// The shell command lines of a page's `sh` and `console` blocks (in a `console` block, the
/// lines after `$ `), continuation lines joined, each with where it starts.
fn command_lines(page: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(page).expect("a readable page");
    let name = page.file_name().expect("a file").to_string_lossy();
    let mut out: Vec<(String, String)> = Vec::new();
    let (mut block, mut continued) = (None, false);
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(kind) = trimmed.strip_prefix("```") {
            block = if block.is_none() {
                Some(kind.to_string())
            } else {
                None
            };
            continue;
        }
        let command = match (block.as_deref(), continued) {
            (Some(_), true) => {
                out.last_mut()
                    .expect("a line continued")
                    .1
                    .push_str(trimmed);
                continued = trimmed.ends_with('\\');
                continue;
            }
            (Some("sh"), false) => Some(trimmed),
            (Some("console"), false) => trimmed.strip_prefix("$ "),
            _ => None,
        };
        if let Some(command) = command.filter(|c| !c.is_empty()) {
            continued = command.ends_with('\\');
            out.push((format!("{name}:{}", number + 1), command.to_string()));
        }
    }
    for (_, command) in &mut out {
        *command = command.replace('\\', " ");
    }
    out
}

/// A command line's words as a POSIX shell splits them, without expansions, each command of a
/// list or pipeline apart; a comment, and a redirection with its target, left out.
fn commands(line: &str) -> Vec<Vec<String>> {
    let mut split = Split::default();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                let word = split.word.get_or_insert_with(String::new);
                word.extend(chars.by_ref().take_while(|inner| *inner != c));
            }
            '#' if split.word.is_none() => break,
            ' ' | '\t' => split.end_word(),
            '>' | '<' => {
                split.end_word();
                split.redirected = true;
            }
            '|' | '&' | ';' => {
                split.end_word();
                while chars.peek().is_some_and(|n| "|&".contains(*n)) {
                    chars.next();
                }
                split.commands.push(Vec::new());
            }
            c => split.word.get_or_insert_with(String::new).push(c),
        }
    }
    split.end_word();
    split.commands
}

/// The commands split so far, and the word being read.
struct Split {
    commands: Vec<Vec<String>>,
    word: Option<String>,
    /// The word being read is a redirection's target.
    redirected: bool,
}

impl Default for Split {
    fn default() -> Split {
        Split {
            commands: vec![Vec::new()],
            word: None,
            redirected: false,
        }
    }
}

impl Split {
    fn end_word(&mut self) {
        if let Some(word) = self.word.take() {
            if !std::mem::take(&mut self.redirected) {
                self.commands.last_mut().expect("a command").push(word);
            }
        }
    }
}

/// A synopsis's placeholder, such as `FORMAT` or `FORMAT=PATH`, rather than a value.
fn is_placeholder(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_ascii_uppercase() || "=_".contains(c))
}

#[test]
fn every_trailwatch_command_the_docs_show_is_accepted_as_written() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for page in pages() {
        for (at, line) in command_lines(&page) {
            for words in commands(&line) {
                if words.first().map(String::as_str) != Some("trailwatch")
                    || words.iter().any(|w| is_placeholder(w))
                {
                    continue;
                }
                checked += 1;
                match Cli::try_parse_from(&words) {
                    Ok(_) => {}
                    Err(e) if !e.use_stderr() => {}
                    Err(e) => problems.push(format!("{at}: {}: {}", words.join(" "), e.kind())),
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} commands found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
