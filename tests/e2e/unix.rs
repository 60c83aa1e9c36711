//! Behaving like a Unix tool: quiet on a closed pipe, mistyped regions refused before any call
//! with a suggestion, `--version` naming the commit, completions, and a man page kept current.

use crate::support::Account;

fn trailwatch() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("trailwatch").unwrap()
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("trailwatch");
    let out = std::process::Command::new("bash")
        .args([
            "-o",
            "pipefail",
            "-c",
            &format!("'{}' controls | head -1", bin.display()),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{:?}", out.status);
}

#[test]
fn a_mistyped_region_is_refused_before_any_call_with_the_closest_suggested() {
    let acct = Account::new();
    for (region, suggestion) in [("us-east1", "us-east-1"), ("mars-north-9", "eu-north-1")] {
        // By flag, and by the AWS configuration (the environment), against a closed port: an
        // AWS call would fail with another error.
        let (code, _, stderr) = acct.run(&[
            "plan",
            "--region",
            region,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ]);
        assert_eq!(code, 1);
        assert!(
            stderr.contains(&format!(
                "unknown AWS region `{region}`; did you mean `{suggestion}`?"
            )),
            "{stderr}"
        );
        let out = acct
            .trailwatch()
            .env("AWS_REGION", region)
            .args(["plan", "--endpoint-url", "http://127.0.0.1:9"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr.contains(&format!("did you mean `{suggestion}`?")),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn version_names_the_commit() {
    let out = trailwatch().arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("trailwatch {} (", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.trim_end().ends_with(')'), "{text}");
}

#[test]
fn completions_cover_every_shell_and_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = trailwatch().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        for word in ["plan", "apply", "notify", "config"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
}

#[test]
fn the_man_page_in_docs_is_current() {
    let out = trailwatch().arg("man").output().unwrap();
    assert!(out.status.success());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/trailwatch.1");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &out.stdout).unwrap();
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "docs/trailwatch.1 is stale: run `UPDATE_DOCS=1 cargo test --test e2e unix::`"
    );
}

#[test]
fn a_fifo_or_device_given_as_a_plan_or_configuration_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("plan.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let cases: [&[&str]; 3] = [
        &["apply", fifo],
        &["apply", "/dev/zero"],
        &["plan", "--config", fifo],
    ];
    for args in cases {
        let out = trailwatch()
            .args(args)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("not a regular file") && stderr.contains("give the path of a file"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_plan_file_above_the_size_limit_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.plan");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: 300 MB on the file system's word, nothing on disk.
    file.set_len(300 << 20).unwrap();
    let out = trailwatch()
        .args(["apply", path.to_str().unwrap()])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("larger than 128 MiB"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
