//! Every configuration file the README and docs/ show is valid as written: each fenced `toml`
//! block parses as `trailwatch.toml` and, with no flags, describes a run that can start (every
//! account of a multi-account run has a role to assume).

use std::path::{Path, PathBuf};

use crate::file::parse;
use crate::settings::{Flags, Settings};

/// A fenced `toml` block: where it starts and its text, dedented to its fence.
struct Example {
    at: String,
    text: String,
}

/// README.md and every page of docs/.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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

/// The `toml` blocks of one page.
fn examples(page: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(page).expect("a readable page");
    let name = page.file_name().expect("a file").to_string_lossy();
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, Vec<&str>)> = None;
    for (number, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        match (&mut open, line.trim()) {
            (None, "```toml") => open = Some((number + 1, indent, Vec::new())),
            (Some((start, _, lines)), "```") => {
                out.push(Example {
                    at: format!("{name}:{start}"),
                    text: lines.join("\n"),
                });
                open = None;
            }
            (Some((_, fence, lines)), _) => lines.push(line.get(*fence..).unwrap_or("")),
            (None, _) => {}
        }
    }
    out
}

/// Why an example cannot be used as written, if it cannot.
fn problem(example: &Example) -> Option<String> {
    let file = match parse(Path::new(&example.at), &example.text, None, crate::today()) {
        Ok(file) => file,
        Err(e) => return Some(e.to_string()),
    };
    let settings = Settings::merge(Flags::default(), file);
    let roles = settings.targets(&settings.accounts).err()?;
    Some(format!("{}: {roles}", example.at))
}

#[test]
fn every_configuration_file_the_docs_show_is_valid_as_written() {
    let examples: Vec<Example> = pages().iter().flat_map(|p| examples(p)).collect();
    assert!(
        examples.iter().any(|e| e.at.starts_with("README.md:"))
            && examples.iter().any(|e| e.at.starts_with("config.md:")),
        "the README's and docs/config.md's examples were not found: {:?}",
        examples.iter().map(|e| &e.at).collect::<Vec<_>>()
    );
    let problems: Vec<String> = examples.iter().filter_map(problem).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_account_table_without_a_role_takes_the_run_s() {
    let text = "assume_role = \"SecurityAudit\"\n[accounts.\"111122223333\"]\n[accounts.\"222233334444\"]\nassume_role = \"Sandbox\"\n";
    let file = parse(Path::new("trailwatch.toml"), text, None, super::today()).unwrap();
    let settings = Settings::merge(Flags::default(), file);
    assert_eq!(settings.role_of("111122223333"), Some("SecurityAudit"));
    assert_eq!(settings.role_of("222233334444"), Some("Sandbox"));
    assert!(settings.targets(&settings.accounts).is_ok());

    let file = parse(
        Path::new("t.toml"),
        "[accounts.\"111122223333\"]\n",
        None,
        super::today(),
    );
    let settings = Settings::merge(Flags::default(), file.unwrap());
    assert_eq!(
        settings.targets(&settings.accounts).unwrap_err().to_string(),
        "--accounts and --organization need --assume-role NAME (or `assume_role` in the configuration file): no role to assume in account 111122223333"
    );
}
