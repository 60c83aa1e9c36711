//! Which account a run audits and where its credentials come from: a named profile wins over
//! environment keys as in the AWS CLI, a profile that is not defined is refused by name, and
//! `--endpoint-url` carries every call, the profile's own `sts:AssumeRole` included.

use crate::support::{json_of, Account, FaultProxy, SOURCE_KEY};
use crate::{trail_only, IAM};

/// Static keys in the environment: the local server puts them in its default account, never
/// in a test's own account.
fn with_env_keys(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENTKEYS1")
        .env("AWS_SECRET_ACCESS_KEY", "environment-secret")
}

/// The account `plan ARGS` audits.
fn audited(cmd: &mut assert_cmd::Command, args: &[&str]) -> String {
    let (_, doc) = json_of(cmd.args(["plan", "--controls", IAM, "--json"]).args(args));
    account_of(&doc)
}

/// The account a plan document says it audited.
fn account_of(doc: &serde_json::Value) -> String {
    let account = &doc["summary"]["accounts"][0]["account_id"];
    account
        .as_str()
        .unwrap_or_else(|| panic!("no account in {doc}"))
        .to_string()
}

#[test]
fn profile_flag_wins_over_environment_keys() {
    let acct = Account::new();
    acct.build(&trail_only());
    let by_keys = audited(
        with_env_keys(&mut acct.trailwatch()).env_remove("AWS_PROFILE"),
        &["--region", "us-east-1"],
    );
    assert_ne!(
        by_keys, acct.id,
        "the environment's keys are another account"
    );
    let by_flag = audited(
        with_env_keys(&mut acct.trailwatch()).env_remove("AWS_PROFILE"),
        &["--profile", "audit"],
    );
    assert_eq!(by_flag, acct.id, "--profile audits the profile's account");
}

#[test]
fn aws_profile_yields_to_environment_keys_as_in_the_aws_cli_and_says_so() {
    let acct = Account::new();
    acct.build(&trail_only());
    let out = with_env_keys(&mut acct.trailwatch())
        .args(["plan", "--controls", IAM, "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(account_of(&doc), acct.id);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not profile `audit` of AWS_PROFILE")
            && stderr.contains("pass `--profile audit`"),
        "{stderr}"
    );
}

#[test]
fn a_profile_that_is_not_defined_is_refused_by_name_before_any_call() {
    let acct = Account::new();
    let proxy = FaultProxy::recording();
    for named in [&["--profile", "nope"][..], &[]] {
        let out = with_env_keys(&mut acct.trailwatch_via(&proxy))
            .env("AWS_PROFILE", "nope")
            .args(["plan", "--region", "us-east-1"])
            .args(named)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains("AWS profile `nope` is not defined")
                && stderr.contains("check its name"),
            "{stderr}"
        );
    }
    assert!(proxy.calls().is_empty(), "{:?}", proxy.calls());
}

#[test]
fn endpoint_url_carries_the_profiles_assume_role() {
    let acct = Account::new();
    acct.build(&trail_only());
    let proxy = FaultProxy::recording();
    let (code, doc) = json_of(acct.trailwatch().env_remove("AWS_ENDPOINT_URL").args([
        "plan",
        "--controls",
        IAM,
        "--json",
        "--endpoint-url",
        &proxy.url,
    ]));
    assert_eq!(account_of(&doc), acct.id, "exit {code}");
    let calls = proxy.calls();
    let assumed = calls
        .iter()
        .find(|c| c.action == "sts:AssumeRole")
        .unwrap_or_else(|| panic!("no sts:AssumeRole through --endpoint-url: {calls:?}"));
    assert_eq!(
        assumed.key, SOURCE_KEY,
        "signed with the source profile's keys"
    );
    let issued = assumed.issued.clone().expect("the role's keys");
    assert!(
        calls
            .iter()
            .filter(|c| c.action != "sts:AssumeRole")
            .all(|c| c.key == issued),
        "every other call signed with the assumed role's keys: {calls:?}"
    );
}
