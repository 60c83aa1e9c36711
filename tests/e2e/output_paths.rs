//! Where `--output FORMAT=PATH` and `plan --out` write: character devices and FIFOs in place,
//! `-` and `/dev/stdout` as standard output, existing files keeping their mode and owner,
//! read-only files and one file named twice refused before any AWS call, symbolic links
//! written through, and a failed write one line with exit 1.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{Account, FaultProxy};
use crate::{trail_only, IAM};

/// An account with a trail and nothing else: `plan --controls IAM` finds work to do (exit 2).
fn account() -> Account {
    let acct = Account::new();
    acct.build(&trail_only());
    acct
}

/// `plan --controls IAM` with `args`: (exit status, stdout, stderr).
fn plan(acct: &Account, args: &[&str]) -> (i32, String, String) {
    acct.run(&[&["plan", "--controls", IAM], args].concat())
}

/// A character device like `/dev/null` (1, 3) or `/dev/full` (1, 7), made in `dir` when this
/// user may (root, as in CI), else the system's own, which only root could have replaced.
fn device(dir: &Path, name: &str, minor: &str) -> PathBuf {
    let path = dir.join(name);
    let made = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", minor])
        .status()
        .is_ok_and(|s| s.success());
    match made {
        true => path,
        false => Path::new("/dev").join(name),
    }
}

fn is_char_device(path: &Path) -> bool {
    std::fs::metadata(path)
        .unwrap()
        .file_type()
        .is_char_device()
}

#[test]
fn a_device_is_written_in_place_and_a_full_one_fails_with_one_line() {
    let acct = account();
    let null = device(acct.path(), "null", "3");
    let (code, _, stderr) = plan(&acct, &["--output", &format!("sarif={}", null.display())]);
    assert_eq!(code, 2, "{stderr}");
    assert!(is_char_device(&null), "{} was replaced", null.display());

    let full = device(acct.path(), "full", "7");
    let (code, _, stderr) = plan(&acct, &["--output", &format!("junit={}", full.display())]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(is_char_device(&full), "{} was replaced", full.display());
}

#[test]
fn a_fifo_gets_the_document_in_place() {
    let acct = account();
    let fifo = acct.path().join("findings.pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let (code, _, stderr) = plan(&acct, &["--output", "sarif=findings.pipe"]);
    assert_eq!(code, 2, "{stderr}");
    let kind = std::fs::metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
    let sarif: Value = serde_json::from_str(&reader.join().unwrap()).expect("SARIF came through");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn a_dash_or_dev_stdout_is_standard_output() {
    let acct = account();
    for path in ["-", "/dev/stdout"] {
        let (code, stdout, stderr) = plan(&acct, &["--output", &format!("sarif={path}")]);
        assert_eq!(code, 2, "{path}: {stderr}");
        let sarif: Value = serde_json::from_str(&stdout).expect("SARIF on stdout");
        assert_eq!(sarif["version"], "2.1.0", "{path}");
    }
    assert!(!acct.path().join("-").exists(), "no file named `-`");
    let (code, _, stderr) = plan(&acct, &["--output", "sarif=-", "--json"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("sarif and json would both go to stdout"),
        "{stderr}"
    );
}

#[test]
fn an_existing_file_keeps_its_mode_and_owner() {
    let acct = account();
    let path = acct.path().join("report.csv");
    std::fs::write(&path, "old\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let other_owner = std::os::unix::fs::chown(&path, Some(4321), Some(8765)).is_ok();
    let (code, _, stderr) = plan(&acct, &["--output", "csv=report.csv"]);
    assert_eq!(code, 2, "{stderr}");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    if other_owner {
        assert_eq!((meta.uid(), meta.gid()), (4321, 8765));
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("account_id,"), "{text}");
}

#[test]
fn a_symbolic_link_is_written_through() {
    let acct = account();
    std::fs::create_dir(acct.path().join("reports")).unwrap();
    let target = acct.path().join("reports/latest.md");
    std::fs::write(&target, "old").unwrap();
    let link = acct.path().join("summary.md");
    std::os::unix::fs::symlink("reports/latest.md", &link).unwrap();
    let (code, _, stderr) = plan(&acct, &["--output", "markdown=summary.md"]);
    assert_eq!(code, 2, "{stderr}");
    let kind = std::fs::symlink_metadata(&link).unwrap().file_type();
    assert!(kind.is_symlink(), "the link was replaced by {kind:?}");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with("## trailwatch"), "{text}");
}

#[test]
fn a_read_only_file_or_one_file_named_twice_is_refused_before_any_aws_call() {
    let acct = account();
    let frozen = acct.path().join("frozen.xml");
    std::fs::write(&frozen, "keep me").unwrap();
    std::fs::set_permissions(&frozen, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::write(acct.path().join("plan.json"), "").unwrap();
    std::os::unix::fs::symlink("plan.json", acct.path().join("latest.json")).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--output", "junit=frozen.xml"],
            "`frozen.xml` is read-only",
        ),
        (
            &["--out", "plan.json", "--output", "json=plan.json"],
            "the plan file and --output json are both `plan.json`",
        ),
        (
            &["--out", "./new.json", "--output", "sarif=new.json"],
            "the plan file and --output sarif are both `new.json`",
        ),
        (
            &["--output", "csv=plan.json", "--output", "ocsf=latest.json"],
            "--output csv and --output ocsf both write `latest.json`",
        ),
    ];
    for (args, expected) in cases {
        let proxy = FaultProxy::recording();
        let out = acct
            .trailwatch_via(&proxy)
            .args(["plan", "--controls", IAM])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(proxy.calls().is_empty(), "{args:?} made AWS calls");
    }
    assert_eq!(std::fs::read_to_string(&frozen).unwrap(), "keep me");
    assert_eq!(
        std::fs::read_to_string(acct.path().join("plan.json")).unwrap(),
        ""
    );
    assert!(!acct.path().join("new.json").exists());
}

#[test]
fn apply_refuses_to_write_a_document_over_the_plan_it_applies() {
    let acct = account();
    std::fs::write(acct.path().join("cis.plan"), "{}").unwrap();
    let proxy = FaultProxy::recording();
    let out = acct
        .trailwatch_via(&proxy)
        .args(["apply", "cis.plan", "--output", "json=./cis.plan"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the plan file and --output json are both"),
        "{stderr}"
    );
    assert!(proxy.calls().is_empty(), "AWS calls were made");
    assert_eq!(
        std::fs::read_to_string(acct.path().join("cis.plan")).unwrap(),
        "{}"
    );
}
