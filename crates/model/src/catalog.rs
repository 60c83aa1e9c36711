//! The control catalog: the fifteen CIS monitoring controls in every published benchmark version,
//! with their CIS ids, profile levels, published patterns and the CloudTrail events each exists
//! to catch, and trailwatch's own controls (part of no CIS version, selected by slug). Controls are data, not code: they live in `catalog.toml` (compiled in, parsed once;
//! see `data.rs`), and a control or a version is an entry there.

mod data;
mod entry;
#[cfg(test)]
mod tests;

use quoted::quoted;
use serde::Serialize;
use serde_json::{json, Value};

pub use entry::{
    Catches, DefectKind, Edition, Entry, KnownDefect, Numbering, Request, Service, Standard,
};

/// Every benchmark version trailwatch knows, oldest first.
pub fn benchmarks() -> &'static [&'static str] {
    &data::catalog().benchmarks
}

/// The version used when `--benchmark` is not given: the newest.
pub fn default_benchmark() -> &'static str {
    benchmarks()
        .last()
        .expect("the catalog file lists at least one benchmark")
}

/// Why a selection of controls was refused; each lists the valid choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// A benchmark version the catalog does not have.
    #[error("unknown benchmark {}; valid benchmarks: {valid}", quoted(.0), valid = benchmarks().join(", "))]
    UnknownBenchmark(String),
    /// A profile level other than 1 or 2.
    #[error("unknown level `{0}`; valid levels: 1, 2")]
    UnknownLevel(u8),
    /// A control of another benchmark version; `valid` lists this version's.
    #[error("control {} is not part of {benchmark}; its controls: {}", quoted(id), valid.join(", "))]
    NotInBenchmark {
        /// The slug or CIS id given.
        id: String,
        /// The version selected.
        benchmark: &'static str,
        /// Its controls, as `slug (CIS id)`.
        valid: Vec<String>,
    },
    /// A control no version has.
    #[error("unknown control {} in {benchmark}; valid controls: {}", quoted(id), valid.join(", "))]
    UnknownControl {
        /// The slug or CIS id given.
        id: String,
        /// The version selected.
        benchmark: &'static str,
        /// Its controls, as `slug (CIS id)`.
        valid: Vec<String>,
    },
    /// An `extras` entry that is not one of trailwatch's own controls.
    #[error(transparent)]
    NotExtra(NotExtra),
}

/// Why an `extras` entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not one of trailwatch's own controls; valid extras: {}", quoted(.0), extra_ids().join(", "))]
pub struct NotExtra(pub String);

/// The slugs of trailwatch's own controls (`extras`), in catalog order.
pub fn extra_ids() -> Vec<&'static str> {
    entries()
        .iter()
        .filter(|e| e.standard == Standard::Trailwatch)
        .map(|e| e.id)
        .collect()
}

/// Trailwatch's own controls named by `names` (slugs), as `benchmark` runs them; an unknown
/// name or a CIS control is refused, listing the valid extras.
pub fn extras(benchmark: &str, names: &[String]) -> Result<Vec<Control>, SelectError> {
    let benchmark = parse_benchmark(benchmark)?;
    let mut out: Vec<Control> = Vec::new();
    for name in names {
        let entry = entries()
            .iter()
            .find(|e| e.id == name.trim() && e.standard == Standard::Trailwatch)
            .ok_or_else(|| SelectError::NotExtra(NotExtra(name.clone())))?;
        if !out.iter().any(|c| c.id == entry.id) {
            out.extend(entry.resolve(benchmark));
        }
    }
    Ok(out)
}

/// The benchmark version named `name`, or an error that lists the valid ones. The one check of
/// a version's name: `select` and the command line both use it.
pub fn parse_benchmark(name: &str) -> Result<&'static str, SelectError> {
    benchmarks()
        .iter()
        .copied()
        .find(|b| *b == name)
        .ok_or_else(|| SelectError::UnknownBenchmark(name.to_string()))
}

/// Every control, in CIS order, across every benchmark version.
pub fn entries() -> &'static [Entry] {
    &data::catalog().entries
}

fn index(benchmark: &str) -> usize {
    benchmarks()
        .iter()
        .position(|b| *b == benchmark)
        .unwrap_or_else(|| panic!("unknown benchmark {benchmark}"))
}

/// Whether `at` (a position in [`benchmarks`]) lies in the range `from`..=`to`.
fn covers(from: &str, to: &str, at: usize) -> bool {
    index(from) <= at && at <= index(to)
}

/// A control as one benchmark version defines it: what the planner works with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Control {
    /// Stable slug.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The benchmark version, such as `cis-5.0`.
    pub benchmark: &'static str,
    /// Whose control it is: CIS's, or trailwatch's own.
    pub standard: Standard,
    /// The CIS id in that version, such as `4.4`; none for trailwatch's own controls.
    pub cis_id: Option<String>,
    /// The profile level in that version (1 or 2); none for trailwatch's own controls.
    pub level: Option<u8>,
    /// The AWS Security Hub control id, if any.
    pub security_hub_id: Option<&'static str>,
    /// The pattern `apply` writes (the first published variant).
    pub pattern: &'static str,
    /// Every published variant in that version (`--match strict` accepts these).
    pub variants: &'static [&'static str],
    /// The grouping CIS meant for `pattern`, when its published `&&`/`||` grouping is a
    /// precedence trap: what `apply` writes in the default (semantic) match mode.
    pub meant: Option<&'static str>,
    /// What the control exists to catch.
    pub catches: Catches,
    /// The metric name a new filter publishes to.
    pub default_metric_name: &'static str,
}

impl Control {
    /// How people call the control: `CIS 4.4` in the benchmark's numbering, or `trailwatch`
    /// for trailwatch's own (which no CIS version has).
    pub fn label(&self) -> String {
        match &self.cis_id {
            Some(id) => format!("CIS {id}"),
            None => self.number().to_string(),
        }
    }

    /// The control's number where a column of CIS ids shows it: its CIS id, or `trailwatch`
    /// for trailwatch's own controls.
    pub fn number(&self) -> &str {
        self.cis_id.as_deref().unwrap_or("trailwatch")
    }

    /// The control's title as a finding's or a rule's heading: `CIS 4.4 IAM policy changes are
    /// monitored`, or the title marked as trailwatch's own control, never as CIS.
    pub fn heading(&self) -> String {
        match &self.cis_id {
            Some(id) => format!("CIS {id} {}", self.title),
            None => format!("{} (trailwatch control, not part of CIS)", self.title),
        }
    }

    /// The pattern `apply` writes: in the default semantic mode the grouping CIS meant (the
    /// same judgement, without the precedence trap of the published text); with `--match
    /// strict`, the published text as it stands.
    pub fn written(&self, mode: crate::MatchMode) -> &'static str {
        match mode {
            crate::MatchMode::Semantic => self.meant.unwrap_or(self.pattern),
            crate::MatchMode::Strict => self.pattern,
        }
    }
}

impl Entry {
    /// The control as `benchmark` defines it, if that version has it. Panics if `benchmark` is
    /// not one of [`benchmarks`].
    pub fn resolve(&'static self, benchmark: &'static str) -> Option<Control> {
        let at = index(benchmark);
        let edition = self.editions.iter().find(|e| covers(e.from, e.to, at))?;
        let numbering = self.numbering.iter().find(|n| covers(n.from, n.to, at));
        if numbering.is_none() && self.standard == Standard::Cis {
            return None;
        }
        Some(Control {
            id: self.id,
            title: self.title,
            benchmark,
            standard: self.standard,
            cis_id: numbering.map(|n| n.cis_id.to_string()),
            level: numbering.map(|n| n.level),
            security_hub_id: self.security_hub_id,
            pattern: edition.patterns[0],
            variants: &edition.patterns,
            meant: edition.meant[0],
            catches: edition.catches(),
            default_metric_name: self.default_metric_name,
        })
    }
}

/// A realistic CloudTrail record of a management API call, as CloudTrail delivers it to
/// CloudWatch Logs.
pub fn cloudtrail_record(event_source: &str, event_name: &str, user_type: &str) -> Value {
    let account = "111122223333";
    let identity = match user_type {
        "Root" => json!({
            "type": "Root",
            "principalId": account,
            "arn": format!("arn:aws:iam::{account}:root"),
            "accountId": account,
        }),
        "AssumedRole" => json!({
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ops",
            "arn": format!("arn:aws:sts::{account}:assumed-role/Admin/ops"),
            "accountId": account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"}},
        }),
        _ => json!({
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::{account}:user/alice"),
            "accountId": account,
            "userName": "alice",
        }),
    };
    json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-11-01T12:00:00Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": {},
        "responseElements": null,
        "requestID": "6f1c0f1e-0000-4000-8000-000000000000",
        "eventID": "0e9c5b36-0000-4000-8000-000000000000",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
    })
}

fn with(mut record: Value, fields: Value) -> Value {
    if let (Value::Object(r), Value::Object(f)) = (&mut record, fields) {
        r.extend(f);
    }
    record
}

fn console_login(user_type: &str, fields: Value) -> Value {
    let record = cloudtrail_record("signin.amazonaws.com", "ConsoleLogin", user_type);
    with(
        record,
        with(
            json!({"eventType": "AwsConsoleSignIn", "readOnly": false}),
            fields,
        ),
    )
}

/// The control's positive corpus: labelled CloudTrail records of every event it exists to catch,
/// in the forms CloudTrail records them. A compliant filter matches all of them. Built once per
/// kind of catch and shared (every account audited in one run uses the same records).
pub fn corpus(control: &Control) -> std::sync::Arc<Vec<(&'static str, Value)>> {
    type Cache = std::sync::Mutex<Vec<(Catches, std::sync::Arc<Vec<(&'static str, Value)>>)>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut entries = cache.lock().expect("corpus cache");
    if let Some((_, built)) = entries.iter().find(|(c, _)| *c == control.catches) {
        return built.clone();
    }
    let built = std::sync::Arc::new(build_corpus(control.catches));
    entries.push((control.catches, built.clone()));
    built
}

fn build_corpus(catches: Catches) -> Vec<(&'static str, Value)> {
    match catches {
        Catches::Calls {
            services, requests, ..
        } => calls_corpus(services, requests),
        Catches::Unauthorized => unauthorized_corpus(),
        Catches::SigninWithoutMfa => vec![(
            "ConsoleLogin by an IAM user without MFA",
            console_login(
                "IAMUser",
                json!({"additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}, "responseElements": {"ConsoleLogin": "Success"}}),
            ),
        )],
        Catches::RootUsage => vec![
            (
                "ConsoleLogin by root",
                console_login(
                    "Root",
                    json!({"additionalEventData": {"MFAUsed": "Yes"}, "responseElements": {"ConsoleLogin": "Success"}}),
                ),
            ),
            (
                "CreateAccessKey by root",
                cloudtrail_record("iam.amazonaws.com", "CreateAccessKey", "Root"),
            ),
            (
                "ListBuckets by root",
                cloudtrail_record("s3.amazonaws.com", "ListBuckets", "Root"),
            ),
        ],
        Catches::ConsoleAuthFailures => vec![
            (
                "failed ConsoleLogin of an IAM user",
                console_login(
                    "IAMUser",
                    json!({"errorMessage": "Failed authentication", "responseElements": {"ConsoleLogin": "Failure"}}),
                ),
            ),
            (
                "failed ConsoleLogin of root",
                console_login(
                    "Root",
                    json!({"errorMessage": "Failed authentication", "responseElements": {"ConsoleLogin": "Failure"}}),
                ),
            ),
        ],
    }
}

/// Every API call of every service, by each kind of principal; an API with requests in the
/// catalog is called in those forms only.
fn calls_corpus(services: &[Service], requests: &[Request]) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for service in services {
        for event in &service.events {
            let forms: Vec<Value> = requests
                .iter()
                .filter(|r| r.event == *event)
                .map(parameters)
                .collect();
            let forms = if forms.is_empty() {
                vec![json!({})]
            } else {
                forms
            };
            for form in &forms {
                for user in ["IAMUser", "AssumedRole", "Root"] {
                    let record = cloudtrail_record(service.source, event, user);
                    out.push((*event, with(record, json!({"requestParameters": form}))));
                }
            }
        }
    }
    out
}

/// A request's parameters (valid JSON: the catalog's checks parsed them).
fn parameters(request: &Request) -> Value {
    serde_json::from_str(request.parameters).expect("the catalog checked the parameters")
}

/// Refused calls of several services, in the error codes each service uses.
fn unauthorized_corpus() -> Vec<(&'static str, Value)> {
    [
        (
            "RunInstances denied (Client.UnauthorizedOperation)",
            "ec2.amazonaws.com",
            "RunInstances",
            "AssumedRole",
            "Client.UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        ),
        (
            "GetObject denied (AccessDenied)",
            "s3.amazonaws.com",
            "GetObject",
            "IAMUser",
            "AccessDenied",
            "Access Denied",
        ),
        (
            "CreateUser denied (AccessDenied)",
            "iam.amazonaws.com",
            "CreateUser",
            "AssumedRole",
            "AccessDenied",
            "User is not authorized to perform: iam:CreateUser",
        ),
        (
            "Decrypt denied (AccessDeniedException)",
            "kms.amazonaws.com",
            "Decrypt",
            "AssumedRole",
            "AccessDeniedException",
            "not authorized",
        ),
    ]
    .into_iter()
    .map(|(label, source, name, user, code, message)| {
        let record = cloudtrail_record(source, name, user);
        (
            label,
            with(record, json!({"errorCode": code, "errorMessage": message})),
        )
    })
    .collect()
}

/// How many distinct things the corpus is about (event names, or labelled cases).
pub fn corpus_labels(control: &Control) -> usize {
    match control.catches {
        Catches::Calls { events, .. } => events.len(),
        _ => corpus(control).len(),
    }
}

/// Everyday events no monitoring control is about; a filter that matches most of them makes
/// an alarm that is noise. Built once: every filter of every account is judged against it.
pub fn noise_corpus() -> &'static [Value] {
    static NOISE: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    NOISE.get_or_init(build_noise_corpus)
}

fn build_noise_corpus() -> Vec<Value> {
    [
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("s3.amazonaws.com", "GetObject"),
        ("s3.amazonaws.com", "ListBuckets"),
        ("sts.amazonaws.com", "AssumeRole"),
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("logs.amazonaws.com", "PutLogEvents"),
        ("lambda.amazonaws.com", "Invoke"),
        ("dynamodb.amazonaws.com", "DescribeTable"),
        ("kms.amazonaws.com", "Decrypt"),
        ("monitoring.amazonaws.com", "GetMetricData"),
        ("iam.amazonaws.com", "ListRoles"),
        ("cloudtrail.amazonaws.com", "LookupEvents"),
    ]
    .iter()
    .map(|(source, name)| cloudtrail_record(source, name, "AssumedRole"))
    .collect()
}

/// Every control `benchmark` can run: its CIS controls in CIS order, then trailwatch's own.
pub fn all(benchmark: &str) -> Result<Vec<Control>, SelectError> {
    let mut out = select(benchmark, &[], None)?;
    out.extend(extras(
        benchmark,
        &extra_ids()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    )?);
    Ok(out)
}

/// The controls of `benchmark`, chosen by slug or by that version's CIS id, optionally only
/// those of one profile level (trailwatch's own controls have none and are kept when named).
/// No ids selects the version's CIS controls: trailwatch's own are selected by slug only. Errors name what was wrong and list the valid choices.
pub fn select(
    benchmark: &str,
    ids: &[String],
    level: Option<u8>,
) -> Result<Vec<Control>, SelectError> {
    let benchmark = parse_benchmark(benchmark)?;
    if let Some(l) = level {
        if !matches!(l, 1 | 2) {
            return Err(SelectError::UnknownLevel(l));
        }
    }
    let all: Vec<Control> = entries()
        .iter()
        .filter_map(|e| e.resolve(benchmark))
        .collect();
    let mut out: Vec<Control> = Vec::new();
    if ids.is_empty() {
        out = all
            .into_iter()
            .filter(|c| c.standard == Standard::Cis)
            .collect();
    } else {
        for id in ids {
            let control = find(&all, id.trim(), benchmark)?;
            if !out.iter().any(|c| c.id == control.id) {
                out.push(control.clone());
            }
        }
    }
    if let Some(l) = level {
        out.retain(|c| c.level.is_none_or(|at| at <= l));
    }
    Ok(out)
}

/// The control of `all` (one version's) with slug or CIS id `id`, or an error that says whether
/// the control exists in another version and lists the valid choices.
fn find<'a>(
    all: &'a [Control],
    id: &str,
    benchmark: &'static str,
) -> Result<&'a Control, SelectError> {
    all.iter()
        .find(|c| c.id == id || c.cis_id.as_deref() == Some(id))
        .ok_or_else(|| {
            let known = entries().iter().any(|e| e.id == id);
            let valid: Vec<String> = all
                .iter()
                .map(|c| match &c.cis_id {
                    Some(cis_id) => format!("{} ({cis_id})", c.id),
                    None => format!("{} (trailwatch)", c.id),
                })
                .collect();
            let id = id.to_string();
            if known {
                SelectError::NotInBenchmark {
                    id,
                    benchmark,
                    valid,
                }
            } else {
                SelectError::UnknownControl {
                    id,
                    benchmark,
                    valid,
                }
            }
        })
}

/// The catalog as Markdown: the content of `docs/controls.md` (a test keeps that file current).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Controls\n\n<!-- Generated from crates/model/src/catalog.toml; do not edit. Regenerate with `UPDATE_DOCS=1 cargo test -p model`. -->\n\n",
    );
    out.push_str("The fifteen CIS AWS Foundations Benchmark monitoring controls in every version trailwatch knows. `--benchmark` picks the version (default: the newest); `--controls` takes slugs or that version's CIS ids; `--level 1` keeps Level 1 controls only.\n\n");
    out.push_str("New resources are named `trailwatch-<id>` (metric filter and alarm) and publish the default metric in namespace `CISBenchmark`.\n\n");
    out.push_str("| id | ");
    out.push_str(&benchmarks().join(" | "));
    out.push_str(" | Security Hub | default metric |\n|---|");
    out.push_str(&"---|".repeat(benchmarks().len() + 2));
    out.push('\n');
    for entry in entries() {
        let cells: Vec<String> = benchmarks()
            .iter()
            .map(|b| match entry.resolve(b) {
                Some(Control {
                    cis_id: Some(id),
                    level: Some(level),
                    ..
                }) => format!("{id} (L{level})"),
                Some(_) => "trailwatch".into(),
                None => "—".into(),
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` |\n",
            entry.id,
            cells.join(" | "),
            entry.security_hub_id.unwrap_or("—"),
            entry.default_metric_name
        ));
    }
    out.push_str("\nProfile levels for v2.0 and v3.0 differ between the public transcriptions; trailwatch keeps the v1.5 levels there. Sources also disagree on whether v2.0 or v4.0 changed the unauthorized-calls pattern: v2.0 and v3.0 accept both forms.\n");
    out.push_str(&format!("\nA control marked `trailwatch` is trailwatch's own, part of no CIS version: it is selected by its slug (`--controls {0}`, or `extras = [\"{0}\"]` in the configuration file, which adds it to the CIS selection), never by default, and its results name no CIS id (see docs/outputs.md).\n", extra_ids().join(", ")));
    for entry in entries() {
        out.push_str(&format!("\n## `{}`: {}\n", entry.id, entry.title));
        if let Some(about) = entry.about {
            out.push_str(&format!("\n{}\n", about.trim()));
        }
        for e in &entry.editions {
            let range = if entry.standard == Standard::Trailwatch {
                "In every benchmark version".to_string()
            } else if e.from == e.to {
                e.from.to_string()
            } else {
                format!("{} to {}", e.from, e.to)
            };
            out.push_str(&format!(
                "\n{range}, catches {}:\n\n",
                describe(&e.catches())
            ));
            for (i, (p, meant)) in e.patterns.iter().zip(&e.meant).enumerate() {
                let label = match (i, meant) {
                    (0, None) => "written by apply",
                    (0, Some(_)) => "published, written by apply with `--match strict`",
                    _ => "also published",
                };
                out.push_str(&format!("- {label}: `{p}`\n"));
                if let (0, Some(meant)) = (i, meant) {
                    out.push_str(&format!("- the grouping CIS meant (`&&` binds tighter than `||` in the published text), written by apply by default: `{meant}`\n"));
                }
            }
        }
    }
    out
}

fn describe(catches: &Catches) -> String {
    match catches {
        Catches::Calls {
            services, requests, ..
        } => {
            let each: Vec<String> = services
                .iter()
                .map(|s| format!("{} from `{}`", s.events.join(", "), s.source))
                .collect();
            let forms: Vec<String> = requests
                .iter()
                .map(|r| format!("{} {}", r.event, r.label))
                .collect();
            match forms.is_empty() {
                true => each.join("; "),
                false => format!(
                    "{}; and of those, only {}",
                    each.join("; "),
                    forms.join(" or ")
                ),
            }
        }
        Catches::Unauthorized => {
            "calls refused with `*UnauthorizedOperation` or `AccessDenied*`".into()
        }
        Catches::SigninWithoutMfa => "successful console sign-ins of IAM users without MFA".into(),
        Catches::RootUsage => "calls by the root user itself".into(),
        Catches::ConsoleAuthFailures => "failed console sign-ins".into(),
    }
}
