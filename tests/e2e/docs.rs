//! The README's and docs/' console examples that need no account and no files (`pattern
//! explain`, `controls`) run as shown: each line of output they show (an elided `...` aside)
//! is printed, in that order.

use std::path::Path;

/// A `$ trailwatch …` line of a `console` block and the output shown under it.
struct Example {
    at: String,
    command: String,
    shown: Vec<String>,
}

fn examples(page: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(page).unwrap();
    let name = page.file_name().unwrap().to_string_lossy().into_owned();
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for (number, line) in text.lines().enumerate() {
        match line.trim() {
            "```console" => in_console = true,
            "```" => in_console = false,
            _ if !in_console => {}
            text => match text.strip_prefix("$ ") {
                Some(command) => out.push(Example {
                    at: format!("{name}:{}", number + 1),
                    command: command.to_string(),
                    shown: Vec::new(),
                }),
                None => {
                    if let Some(example) = out.last_mut() {
                        example.shown.push(line.trim_end().to_string());
                    }
                }
            },
        }
    }
    out
}

/// The words of a command as the shell splits them, quotes removed (the examples quote with
/// `'` and `"` only).
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, ' ') => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// Why the output does not hold the shown lines in order, if it does not.
fn missing(shown: &[String], printed: &str) -> Option<String> {
    let mut lines = printed.lines().map(str::trim_end);
    shown
        .iter()
        .filter(|l| !matches!(l.trim(), "..." | "…" | ""))
        .find(|want| !lines.any(|got| got == want.as_str()))
        .map(|want| format!("does not print {want:?} (in this order)"))
}

#[test]
fn console_examples_that_need_no_account_print_what_they_show() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    pages.extend(
        std::fs::read_dir(root.join("docs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    let runnable: Vec<Example> = pages
        .iter()
        .flat_map(|p| examples(p))
        .filter(|e| {
            e.command.starts_with("trailwatch pattern explain ")
                || e.command.starts_with("trailwatch controls")
        })
        .collect();
    assert!(runnable.len() >= 2, "{} examples", runnable.len());
    let mut problems = Vec::new();
    for example in &runnable {
        let words = words(&example.command);
        let out = assert_cmd::Command::cargo_bin("trailwatch")
            .unwrap()
            .args(&words[1..])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&out.stdout);
        let problem = match out.status.success() {
            false => Some(format!("fails: {}", String::from_utf8_lossy(&out.stderr))),
            true => missing(&example.shown, &printed),
        };
        if let Some(problem) = problem {
            problems.push(format!(
                "{}: `{}` {problem}\n{printed}",
                example.at, example.command
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
