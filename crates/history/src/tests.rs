//! Reading local history: folders walked in name order, hidden entries skipped, every event of
//! every file tallied once whichever worker read it.

use std::path::PathBuf;

use super::*;

fn tally() -> Tally {
    let controls = model::catalog::select("cis-5.0", &["iam-policy-changes".into()], None)
        .expect("a known control");
    Tally::new(backtest::watch::published(&controls), None).expect("valid specs")
}

fn record(name: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-11-02T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}","eventID":"{name}-id","recipientAccountId":"111122223333"}}"#
    )
}

#[test]
fn folders_are_walked_in_name_order_without_hidden_entries() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for name in [
        "b.json",
        "a.json",
        ".hidden.json",
        "sub/c.json",
        ".git/d.json",
    ] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(&path, record("PutUserPolicy")).expect("a file");
    }
    let listing = files_under(&[dir.path().to_path_buf()]).expect("readable");
    let names: Vec<PathBuf> = listing
        .files
        .iter()
        .map(|f| f.strip_prefix(dir.path()).expect("under").to_path_buf())
        .collect();
    assert_eq!(names, ["a.json", "b.json", "sub/c.json"].map(PathBuf::from));
}

#[test]
fn every_event_of_every_file_is_counted_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for i in 0..9 {
        let lines = [record("PutUserPolicy"), record("ListUsers")].join("\n");
        std::fs::write(dir.path().join(format!("{i}.jsonl")), lines).expect("a file");
    }
    let read = read_files(
        tally(),
        &[dir.path().to_path_buf()],
        events::InputFormat::Auto,
    )
    .expect("readable");
    assert_eq!((read.input.files, read.input.events), (9, 18));
}

#[test]
fn a_missing_path_is_refused_by_name() {
    let error = files_under(&[PathBuf::from("/no/such/history")]).expect_err("missing");
    assert!(
        error
            .to_string()
            .starts_with("cannot read `/no/such/history`"),
        "{error}"
    );
}

#[test]
fn files_of_a_folder_that_are_not_logs_are_skipped_and_counted() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let names = [
        "README.md",
        "SOURCE.md",
        "a.json",
        "b.json.gz",
        "c.jsonl",
        "000000.gz",
    ];
    for name in names {
        std::fs::write(dir.path().join(name), record("PutUserPolicy")).expect("a file");
    }
    let listing = files_under(&[dir.path().to_path_buf()]).expect("readable");
    let skipped: Vec<_> = listing.skipped.iter().map(|p| p.file_name()).collect();
    assert_eq!(
        skipped,
        [Some("README.md".as_ref()), Some("SOURCE.md".as_ref())]
    );
    assert_eq!(listing.files.len(), 4);
}

#[test]
fn a_file_named_on_the_command_line_is_read_whatever_its_name() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("events.txt");
    std::fs::write(&path, record("PutUserPolicy")).expect("a file");
    let read = read_files(tally(), &[path], events::InputFormat::Auto).expect("readable");
    assert_eq!(
        (read.input.files, read.input.skipped, read.input.events),
        (1, 0, 1)
    );
}
