//! Test support: one local AWS API server per test process, one fresh AWS account per test, and
//! the real `trailwatch` binary pointed at that account through an assume-role profile.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

/// The running server. Its stdin is held open for the life of the test process: when the process
/// exits, the pipe closes and the server stops itself.
struct Server {
    url: String,
    _child: Mutex<(Child, ChildStdin)>,
}

/// The access key id of the `base` profile's static credentials, which every test account's
/// `audit` profile assumes its role with (see [`Account::new`]).
pub const SOURCE_KEY: &str = "testing";

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that has the pinned test server installed (`scripts/test` makes it).
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("TRAILWATCH_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join(".tools/venv/bin/python");
    assert!(
        venv.exists(),
        "{} is missing: run `scripts/test`, which installs the local AWS API server the tests need",
        venv.display()
    );
    venv
}

/// Starts one of the Python test servers and returns it with its address.
fn spawn(script: &str, args: &[&str]) -> (Child, ChildStdin, String) {
    let mut child = Command::new(python())
        .arg(root().join("tests/support").join(script))
        .args(args)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let stdin = child.stdin.take().expect("server stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("server stdout"))
        .read_line(&mut line)
        .expect("read the server's address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected output from {script}: {line:?}"))
        .to_string();
    (child, stdin, url)
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let (child, stdin, url) = spawn("moto_server.py", &[]);
        Server {
            url,
            _child: Mutex::new((child, stdin)),
        }
    })
}

/// A proxy in front of the shared server (tests/support/fault_proxy.py) that records every
/// request it gets (see [`Call`]) and can fail some; it stops when dropped.
pub struct FaultProxy {
    pub url: String,
    child: Child,
    _stdin: ChildStdin,
    record: tempfile::TempDir,
}

/// One request a [`FaultProxy`] got, as it recorded it.
#[derive(Debug, Clone)]
pub struct Call {
    /// The IAM action the request needs, `service:Operation`.
    pub action: String,
    /// The access key id that signed it: which identity made the call.
    pub key: String,
    /// The error the proxy answered with instead of forwarding the request, if any.
    pub fault: Option<String>,
    /// For `sts:AssumeRole`: the access key id of the credentials it returned.
    pub issued: Option<String>,
}

impl FaultProxy {
    /// A proxy whose first `times` calls of `operation` fail with `error`.
    pub fn new(operation: &str, times: usize, error: &str) -> FaultProxy {
        let times = times.to_string();
        FaultProxy::start(&["--fail", operation, "--times", &times, "--error", error])
    }

    /// A proxy that forwards the first `skip` calls of `operation` (the assume-role profile's
    /// own `AssumeRole`, say), then fails the next `times` with `error`.
    pub fn after(operation: &str, skip: usize, times: usize, error: &str) -> FaultProxy {
        let (skip, times) = (skip.to_string(), times.to_string());
        FaultProxy::start(&[
            "--fail", operation, "--skip", &skip, "--times", &times, "--error", error,
        ])
    }

    /// A proxy that merges `fields` into every successful JSON answer of `operation`.
    pub fn rewriting(operation: &str, fields: &Value) -> FaultProxy {
        FaultProxy::start(&["--rewrite", operation, &fields.to_string()])
    }

    /// A proxy that fails nothing and only records.
    pub fn recording() -> FaultProxy {
        FaultProxy::start(&[])
    }

    /// A proxy that fails nothing, records, and makes every request wait `ms` first.
    pub fn slow(ms: u32) -> FaultProxy {
        FaultProxy::start(&["--delay-ms", &ms.to_string()])
    }

    fn start(args: &[&str]) -> FaultProxy {
        let record = tempfile::tempdir().expect("temp dir");
        let file = record.path().join("calls.jsonl");
        let mut all = vec!["--upstream", endpoint(), "--record", file.to_str().unwrap()];
        all.extend_from_slice(args);
        let (child, stdin, url) = spawn("fault_proxy.py", &all);
        FaultProxy {
            url,
            child,
            _stdin: stdin,
            record,
        }
    }

    /// Every request so far, in the order the proxy answered them. The proxy records a request
    /// before it answers it, so once a client has exited, all of its requests are here.
    pub fn calls(&self) -> Vec<Call> {
        let text =
            std::fs::read_to_string(self.record.path().join("calls.jsonl")).unwrap_or_default();
        text.lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("bad record line ({e}): {line}"));
                let text = |field: &str| v[field].as_str().map(str::to_string);
                Call {
                    action: text("action").expect("action"),
                    key: text("key").expect("key"),
                    fault: text("fault"),
                    issued: text("issued"),
                }
            })
            .collect()
    }

    /// How many requests the proxy failed on purpose.
    pub fn faults(&self) -> usize {
        self.calls().iter().filter(|c| c.fault.is_some()).count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The endpoint of the shared local server.
pub fn endpoint() -> &'static str {
    &server().url
}

/// A fresh, empty account on the local server, reached through `sts:AssumeRole`.
pub struct Account {
    pub id: String,
    dir: tempfile::TempDir,
}

impl Account {
    pub fn new() -> Account {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        // Distinct per process and per test, so reruns never see an earlier run's state.
        let id = format!(
            "{:06}{:06}",
            std::process::id() % 1_000_000,
            (n * 7919 + 100_000) % 1_000_000
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("config"),
            format!(
                "[profile audit]\nrole_arn = arn:aws:iam::{id}:role/trailwatch-audit\nsource_profile = base\nregion = us-east-1\n\n[profile base]\nregion = us-east-1\n"
            ),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            format!("[base]\naws_access_key_id = {SOURCE_KEY}\naws_secret_access_key = testing\n"),
        )
        .unwrap();
        let _ = server();
        Account { id, dir }
    }

    fn spec(&self, spec: &Value) -> Value {
        let mut spec = spec.clone();
        spec["endpoint"] = json!(endpoint());
        spec["account"] = json!(self.id);
        if spec.get("region").is_none() {
            spec["region"] = json!("us-east-1");
        }
        spec
    }

    fn fixture(&self, verb: &str, spec: &Value) -> String {
        let mut child = Command::new(python())
            .arg(root().join("tests/support/fixture.py"))
            .arg(verb)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the fixture builder");
        serde_json::to_writer(child.stdin.take().unwrap(), &self.spec(spec)).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "fixture.py {verb} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Creates what the spec describes (see tests/support/fixture.py).
    pub fn build(&self, spec: &Value) -> &Self {
        self.fixture("build", spec);
        self
    }

    /// Like [`Account::build`], returning what the fixture reports it created (such as the ids
    /// of the organization's new accounts).
    pub fn build_reporting(&self, spec: &Value) -> Value {
        serde_json::from_str(&self.fixture("build", spec)).unwrap()
    }

    /// The account's filters, alarms, topics and subscriptions, for before/after comparisons.
    pub fn dump(&self, regions: &[&str]) -> Value {
        let text = self.fixture("dump", &json!({ "dump_regions": regions }));
        serde_json::from_str(&text).unwrap()
    }

    /// Sends ASFF findings to the account's Security Hub with the AWS SDK for Python, which
    /// validates them against the Security Hub API model first; returns its answer.
    pub fn import_findings(&self, findings: &Value) -> Value {
        let text = self.fixture("import", &json!({ "findings": findings }));
        serde_json::from_str(&text).unwrap()
    }

    /// Writes CloudTrail log files to S3: `objects` is `[{"bucket", "key", "records"}]`.
    pub fn archive(&self, objects: &Value) {
        self.fixture("archive", &json!({ "objects": objects }));
    }

    /// The local server's `TestEventPattern` answer for each `{"pattern", "event"}`: `true`,
    /// `false`, or `{"error": message}`.
    pub fn test_event_patterns(&self, cases: &[Value]) -> Vec<Value> {
        let text = self.fixture("test_event_pattern", &json!({ "cases": cases }));
        serde_json::from_str(&text).unwrap()
    }

    /// Each alarm's state and state reason, by name (us-east-1).
    pub fn alarm_states(&self) -> Value {
        serde_json::from_str(&self.fixture("alarm_states", &json!({}))).unwrap()
    }

    /// The account's Security Hub findings (`GetFindings`, every page).
    pub fn hub_findings(&self) -> Vec<Value> {
        let text = self.fixture("findings", &json!({}));
        serde_json::from_str(&text).unwrap()
    }

    /// Points a command's AWS environment at this account and nothing else.
    pub fn configure(&self, cmd: &mut Command) {
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_")
                || key == "RUST_LOG"
                || key == "NO_COLOR"
                || key == "TRAILWATCH_CONFIG"
            {
                cmd.env_remove(key);
            }
        }
        cmd.env("AWS_CONFIG_FILE", self.dir.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("credentials"),
            )
            .env("AWS_PROFILE", "audit")
            .env("AWS_ENDPOINT_URL", endpoint())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(self.dir.path());
    }

    /// `trailwatch` with the environment pointed at this account and nothing else.
    pub fn trailwatch(&self) -> assert_cmd::Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("trailwatch"));
        self.configure(&mut cmd);
        assert_cmd::Command::from_std(cmd)
    }

    /// `trailwatch` for this account, with every call going through `proxy`.
    pub fn trailwatch_via(&self, proxy: &FaultProxy) -> assert_cmd::Command {
        let mut cmd = self.trailwatch();
        cmd.env("AWS_ENDPOINT_URL", &proxy.url);
        cmd
    }

    /// Runs `trailwatch ARGS --json` and returns (exit code, document).
    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        json_of(self.trailwatch().args(args).arg("--json"))
    }

    /// Runs `trailwatch ARGS` and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.trailwatch().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The status of a control in a plan document.
pub fn status<'a>(doc: &'a Value, control: &str) -> &'a str {
    control_of(doc, control)["status"].as_str().unwrap()
}

pub fn control_of<'a>(doc: &'a Value, control: &str) -> &'a Value {
    doc["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == control)
        .unwrap_or_else(|| panic!("no control {control} in {doc:#}"))
}

/// The finding codes of a control.
pub fn codes(doc: &Value, control: &str) -> Vec<String> {
    control_of(doc, control)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The finding messages of a control, joined.
pub fn messages(doc: &Value, control: &str) -> String {
    control_of(doc, control)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The action names of a plan, in order.
pub fn actions(doc: &Value) -> Vec<&str> {
    each(doc, "actions", "action")
}

/// The actions of a plan of one kind, such as every `put-metric-filter`.
pub fn actions_of<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == kind)
        .collect()
}

/// One string field of every entry of an array in a document, such as every action's region.
pub fn each<'a>(doc: &'a Value, array: &str, field: &str) -> Vec<&'a str> {
    doc[array]
        .as_array()
        .unwrap_or_else(|| panic!("no array `{array}` in {doc:#}"))
        .iter()
        .map(|e| e[field].as_str().unwrap())
        .collect()
}

/// Runs a prepared command whose stdout must be one JSON document; returns (exit code, document).
pub fn json_of(cmd: &mut assert_cmd::Command) -> (i32, Value) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

/// Checks a document with tests/support/validate.py (`sarif` against the SARIF schema, `ocsf`
/// with the OCSF models); returns what it printed, and fails the test when it found a problem.
pub fn validate(kind: &str, path: &Path) -> String {
    let out = Command::new(python())
        .arg(root().join("tests/support/validate.py"))
        .arg(kind)
        .arg(path)
        .output()
        .expect("run validate.py");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{kind} document {} is not valid:\n{printed}{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    printed
}

/// The date `days` from today (UTC) as `YYYY-MM-DD`: waivers must expire within a year of the
/// run, so tests date them from the day they run.
pub fn in_days(days: i64) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let date = today + time::Duration::days(days);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
