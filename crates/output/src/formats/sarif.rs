//! SARIF 2.1.0 for code scanning: one run, a rule per selected control, a result per control
//! that fails, cannot be judged or is waived (as a suppressed result), in every account.

use serde::Serialize;

use std::collections::BTreeMap;

use super::run::{standard_of, ConfigFile, Item, Run, CONTROLS_URL};
use model::{Control, Status};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base of artifact locations in the repository: its top level, as GitHub code scanning
/// and SARIF viewers name the source root.
const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log of a run, as pretty JSON.
pub fn document(run: &Run) -> String {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![sarif_run(run)],
    };
    serde_json::to_string_pretty(&log).expect("a SARIF log serializes") + "\n"
}

fn sarif_run<'a>(run: &'a Run<'a>) -> SarifRun<'a> {
    let results = run
        .items()
        .iter()
        .filter(|item| is_result(item.result.status))
        .map(|item| result(run, item))
        .collect();
    SarifRun {
        tool: Tool {
            driver: Driver {
                name: "trailwatch",
                version: run.version,
                information_uri: "https://github.com/trailwatch/trailwatch",
                rules: run.controls.iter().map(|c| rule(run, c)).collect(),
            },
        },
        automation_details: AutomationDetails {
            id: format!("trailwatch/{}/", run.benchmark),
        },
        invocations: vec![invocation(run)],
        original_uri_base_ids: base_ids(run.config_file),
        results,
    }
}

/// Compliant and not-applicable controls are not results; everything else is.
fn is_result(status: Status) -> bool {
    matches!(
        status,
        Status::NonCompliant | Status::Error | Status::Waived
    )
}

fn rule<'a>(run: &Run, control: &'a Control) -> Rule<'a> {
    Rule {
        id: control.id,
        name: pascal(control.id),
        short_description: Text {
            text: control.heading(),
        },
        full_description: Text {
            text: format!(
                "{} ({}): a multi-region trail's log group has a metric filter for these events, an alarm on its metric, and an SNS topic with a confirmed subscriber.",
                control.title,
                requirement(run, control),
            ),
        },
        help_uri: format!("{CONTROLS_URL}#{}", control.id),
        default_configuration: Configuration { level: "error" },
        properties: RuleProperties {
            standard: control.standard,
            cis_id: control.cis_id.clone(),
            level: control.level,
            benchmark: control.cis_id.as_ref().map(|_| control.benchmark),
            security_hub_id: control.security_hub_id,
            tags: match control.standard {
                model::catalog::Standard::Cis => vec!["security", "CIS", "monitoring"],
                model::catalog::Standard::Trailwatch => vec!["security", "monitoring"],
            },
        },
    }
}

/// What the rule is a requirement of: `CIS AWS Foundations Benchmark v5.0.0 4.4, Level 1`, or
/// trailwatch's own controls.
fn requirement(run: &Run, control: &Control) -> String {
    match (&control.cis_id, control.level) {
        (Some(id), Some(level)) => format!("{} {id}, Level {level}", run.standard()),
        _ => format!(
            "{}, part of no CIS version",
            standard_of(run.benchmark, control)
        ),
    }
}

fn result<'a>(run: &Run, item: &Item<'a>) -> SarifResult {
    let status = item.result.status;
    let region = item.region(run).to_string();
    let log_group = item
        .result
        .chain
        .as_ref()
        .filter(|c| !c.log_group.is_empty())
        .map(|c| c.log_group.clone());
    let mut message = format!(
        "{} in account {} ({}): {}",
        item.control.title,
        item.account,
        region,
        item.findings_text().replace('\n', "; ")
    );
    if !item.actions.is_empty() {
        message.push_str(&format!(
            "; trailwatch apply would run: {}",
            item.actions_text().join("; ")
        ));
    }
    SarifResult {
        rule_id: item.control.id.to_string(),
        rule_index: run
            .controls
            .iter()
            .position(|c| c.id == item.control.id)
            .unwrap_or_default(),
        kind: "fail",
        level: if status == Status::Error {
            "warning"
        } else {
            "error"
        },
        message: Text { text: message },
        locations: vec![location(run, item.account, &region, log_group)],
        partial_fingerprints: Fingerprints {
            control: item.key(run),
            line_hash: item.key(run),
        },
        suppressions: item
            .result
            .waiver
            .as_ref()
            .filter(|_| status == Status::Waived)
            .map(|w| {
                vec![Suppression {
                    kind: "external",
                    status: "accepted",
                    justification: w.reason.clone(),
                    properties: SuppressionProperties {
                        expires: w.expires.clone(),
                        ticket: w.ticket.clone(),
                    },
                }]
            }),
        properties: ResultProperties {
            account_id: item.account.to_string(),
            region,
            status: status.as_str(),
            findings: item
                .result
                .findings
                .iter()
                .map(|f| f.code.to_string())
                .collect(),
            actions: item.actions.len(),
        },
    }
}

/// The account, region and log group as logical locations, and the physical location code
/// scanning needs: line 1 of the configuration file when the run read one, else of the
/// account's pseudo-file (`account_artifact`).
fn location(run: &Run, account: &str, region: &str, log_group: Option<String>) -> Location {
    let mut logical = vec![
        LogicalLocation {
            name: account.to_string(),
            fully_qualified_name: account.to_string(),
            kind: "account",
        },
        LogicalLocation {
            name: region.to_string(),
            fully_qualified_name: format!("{account}/{region}"),
            kind: "region",
        },
    ];
    if let Some(group) = log_group {
        logical.push(LogicalLocation {
            fully_qualified_name: format!("{account}/{region}/{group}"),
            name: group,
            kind: "logGroup",
        });
    }
    let artifact_location = match run.config_file {
        Some(file) => artifact(file),
        None => account_artifact(account, run.region),
    };
    Location {
        physical_location: PhysicalLocation {
            artifact_location,
            region: LineRegion { start_line: 1 },
        },
        logical_locations: logical,
    }
}

/// Without a configuration file, a result names its account and the run's region as a path
/// relative to the repository, `aws/ACCOUNT/REGION`: code scanning refuses a result without a
/// physical location, and any URI scheme but `file`, but takes a path no file of the
/// repository has (it shows the alert without a code preview), as container scanners do for an
/// image. The path does not change between runs, so alerts are tracked.
fn account_artifact(account: &str, region: &str) -> ArtifactLocation {
    ArtifactLocation {
        uri: format!("aws/{}/{}", encode(account, false), encode(region, false)),
        uri_base_id: Some(SRCROOT),
    }
}

/// The configuration file as SARIF names an artifact: in a repository, its path relative to the
/// top level with the base `%SRCROOT%` (a relative reference, as code scanning maps files);
/// outside any, an absolute `file` URI without a base (SARIF allows a base only on relative
/// references).
fn artifact(file: &ConfigFile) -> ArtifactLocation {
    match file {
        ConfigFile::InRepository { path, .. } => ArtifactLocation {
            uri: encode(path, false),
            uri_base_id: Some(SRCROOT),
        },
        ConfigFile::Outside { path } => ArtifactLocation {
            uri: file_uri(path),
            uri_base_id: None,
        },
    }
}

/// `%SRCROOT%` resolved to the repository's top level (a `file` URI ending in `/`, as SARIF
/// requires of a base), when the configuration file is in one.
fn base_ids(file: Option<&ConfigFile>) -> Option<BTreeMap<&'static str, BaseUri>> {
    match file? {
        ConfigFile::InRepository { root, .. } => {
            let mut uri = file_uri(root);
            if !uri.ends_with('/') {
                uri.push('/');
            }
            Some(BTreeMap::from([(SRCROOT, BaseUri { uri })]))
        }
        ConfigFile::Outside { .. } => None,
    }
}

/// An absolute path as a `file` URI: `/srv/a b` → `file:///srv/a%20b`, `C:\x` → `file:///C:/x`.
fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let slash = if path.starts_with('/') { "" } else { "/" };
    format!("file://{slash}{}", encode(&path, true))
}

/// A path as a URI path: every byte but RFC 3986's unreserved characters and `/` percent-encoded
/// (`:` kept only in an absolute path, where it cannot be read as a scheme).
fn encode(path: &str, absolute: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            b':' if absolute => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Accounts that could not be read are notifications of an unsuccessful run.
fn invocation(run: &Run) -> Invocation {
    let notifications: Vec<Notification> = run
        .results
        .iter()
        .filter_map(|r| r.report.as_ref().err().map(|e| (&r.account_id, e)))
        .map(|(account, why)| Notification {
            level: "error",
            message: Text {
                text: format!("account {account} could not be read: {why}"),
            },
        })
        .collect();
    Invocation {
        execution_successful: notifications.is_empty(),
        end_time_utc: run.timestamp(),
        tool_execution_notifications: notifications,
    }
}

/// `iam-policy-changes` → `IamPolicyChanges`.
fn pascal(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<SarifRun<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, BaseUri>>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    standard: model::catalog::Standard,
    #[serde(skip_serializing_if = "Option::is_none")]
    cis_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    benchmark: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_hub_id: Option<&'a str>,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(rename = "endTimeUtc")]
    end_time_utc: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    kind: &'static str,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<Suppression>>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: LineRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineRegion {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "trailwatchControl/v1")]
    control: String,
    /// What GitHub code scanning identifies an alert by (it would otherwise hash the line the
    /// result points at, the same for every control): the account, region and control.
    #[serde(rename = "primaryLocationLineHash")]
    line_hash: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    properties: SuppressionProperties,
}

/// When the waiver lapses, and its ticket.
#[derive(Serialize)]
struct SuppressionProperties {
    expires: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<String>,
}

#[derive(Serialize)]
struct ResultProperties {
    account_id: String,
    region: String,
    status: &'static str,
    findings: Vec<String>,
    actions: usize,
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_become_rule_names() {
        assert_eq!(super::pascal("iam-policy-changes"), "IamPolicyChanges");
        assert_eq!(super::pascal("vpc-changes"), "VpcChanges");
    }
}
