//! What every `--output` format is built from: a `Run` over accounts, one `Item` per control and
//! account, the resources of a control's chain, and the wording the formats share.

pub use model::report::ConfigFile;
use std::borrow::Cow;

use model::report::{AccountResult, Chain, ChainKind};
use model::{Action, Control, ControlResult, Finding, FindingCode, Report, Status};
use time::OffsetDateTime;

/// Where trailwatch documents each control (SARIF `helpUri`, ASFF `Remediation.Recommendation.Url`).
pub const CONTROLS_URL: &str =
    "https://github.com/trailwatch/trailwatch/blob/main/docs/controls.md";

/// What every document is built from: one run over one or more accounts.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// The benchmark version, such as `cis-5.0`.
    pub benchmark: &'a str,
    /// The region trails were listed in: where account-level findings are filed.
    pub region: &'a str,
    /// The selected controls, in catalog order.
    pub controls: &'a [Control],
    /// Every account of the run, read or not.
    pub results: &'a [AccountResult],
    /// When the run read the accounts.
    pub at: OffsetDateTime,
    /// trailwatch's version, such as `0.1.0`.
    pub version: &'a str,
    /// The configuration file the run read: SARIF results point at it, as code scanning wants
    /// a file.
    pub config_file: Option<&'a ConfigFile>,
}

/// One control in one account, with everything a format shows about it.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// The account.
    pub account: &'a str,
    /// The control as the catalog defines it.
    pub control: &'a Control,
    /// Its result (a `read-error` result when the account could not be read).
    pub result: Cow<'a, ControlResult>,
    /// The plan's actions for it.
    pub actions: Vec<&'a Action>,
}

impl<'a> Run<'a> {
    /// Every selected control of every account, accounts in the order given.
    pub fn items(&self) -> Vec<Item<'a>> {
        let mut items = Vec::new();
        for result in self.results {
            match &result.report {
                Ok(report) => items.extend(self.read(&result.account_id, report)),
                Err(why) => items.extend(self.unread(&result.account_id, why)),
            }
        }
        items
    }

    fn read(&self, account: &'a str, report: &'a Report) -> Vec<Item<'a>> {
        let controls = self.controls;
        report
            .controls
            .iter()
            .filter_map(|r| {
                let control = controls.iter().find(|c| c.id == r.id)?;
                let actions = report
                    .actions
                    .iter()
                    .filter(|a| a.control_ids.iter().any(|id| id == control.id))
                    .collect();
                Some(Item {
                    account,
                    control,
                    result: Cow::Borrowed(r),
                    actions,
                })
            })
            .collect()
    }

    /// An account that could not be read: every control is an error that says why.
    fn unread(&self, account: &'a str, why: &str) -> Vec<Item<'a>> {
        self.controls
            .iter()
            .map(|control| Item {
                account,
                control,
                result: Cow::Owned(ControlResult {
                    account_id: account.to_string(),
                    id: control.id.to_string(),
                    title: control.title.to_string(),
                    cis_id: control.cis_id.clone(),
                    level: control.level,
                    status: Status::Error,
                    findings: vec![Finding::new(FindingCode::ReadError, why)],
                    chain: None,
                    waiver: None,
                }),
                actions: Vec::new(),
            })
            .collect()
    }

    /// The run's time as RFC 3339, to the second.
    pub fn timestamp(&self) -> String {
        let at = self.at.replace_nanosecond(0).unwrap_or(self.at);
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    /// The benchmark as standards name it: `CIS AWS Foundations Benchmark v5.0.0`.
    pub fn standard(&self) -> String {
        standard(self.benchmark)
    }

    /// The standards of the run's controls, each once: the CIS version, trailwatch's own
    /// controls, or both (`… and …`).
    pub fn standards(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for control in self.controls {
            let name = standard_of(self.benchmark, control);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(" and ")
    }
}

/// The standard trailwatch's own controls name, in place of a CIS version.
pub const TRAILWATCH_STANDARD: &str = "trailwatch monitoring controls";

/// The standard a control's results name: the run's CIS version, or trailwatch's own controls.
pub fn standard_of(benchmark: &str, control: &Control) -> String {
    match control.standard {
        model::catalog::Standard::Cis => standard(benchmark),
        model::catalog::Standard::Trailwatch => TRAILWATCH_STANDARD.to_string(),
    }
}

/// `cis-5.0` → `CIS AWS Foundations Benchmark v5.0.0`.
pub fn standard(benchmark: &str) -> String {
    let version = benchmark.strip_prefix("cis-").unwrap_or(benchmark);
    format!("CIS AWS Foundations Benchmark v{version}.0")
}

impl Item<'_> {
    /// The region the control's chain lives in, else the run's.
    pub fn region<'r>(&'r self, run: &'r Run) -> &'r str {
        self.result
            .chain
            .as_ref()
            .map_or(run.region, |c| c.region.as_str())
    }

    /// The findings as one text: one line each, with its hint.
    pub fn findings_text(&self) -> String {
        self.findings().join("\n")
    }

    /// Each finding with its hint: `MESSAGE (hint: HINT)`.
    pub fn findings(&self) -> Vec<String> {
        self.result
            .findings
            .iter()
            .map(|f| match &f.hint {
                Some(hint) => format!("{} (hint: {hint})", f.message),
                None => f.message.clone(),
            })
            .collect()
    }

    /// One line per action: `put-metric-filter trailwatch-iam-policy-changes on log group … (create)`.
    pub fn actions_text(&self) -> Vec<String> {
        self.actions.iter().map(|a| action_line(a)).collect()
    }

    /// What to do about the control, in one text: the plan's actions, else the findings' hints,
    /// else what its status calls for.
    pub fn remediation(&self) -> String {
        let actions = self.actions_text();
        if !actions.is_empty() {
            return format!("Run `trailwatch apply`: {}", actions.join("; "));
        }
        let hints: Vec<&str> = self
            .result
            .findings
            .iter()
            .filter_map(|f| f.hint.as_deref())
            .collect();
        if !hints.is_empty() {
            return hints.join(" ");
        }
        match self.result.status {
            Status::Compliant => "Nothing to do.",
            Status::Waived => "Waived: nothing to do until the waiver expires.",
            Status::Error => "Cannot tell (a read failed, or a policy trailwatch cannot judge): see the findings, then run trailwatch again.",
            Status::NotApplicable => "Does not apply to this account (see the findings).",
            Status::NonCompliant => "See the findings: trailwatch cannot fix this with its calls.",
        }
        .to_string()
    }

    /// The control's chain resources, with ARNs where trailwatch can name them.
    pub fn resources(&self, run: &Run) -> Vec<Resource> {
        let mut out = self
            .result
            .chain
            .as_ref()
            .map(chain_resources)
            .unwrap_or_default();
        let partition = out.first().map_or("aws", |r| r.partition.as_str());
        let account = Resource::account(self.account, partition, run.region);
        out.push(account);
        out
    }

    /// A key stable across runs: account, region and control.
    pub fn key(&self, run: &Run) -> String {
        format!("{}/{}/{}", self.account, run.region, self.control.id)
    }
}

/// One action as a line of text.
pub fn action_line(action: &Action) -> String {
    use model::Operation;
    let subject = match &action.operation {
        Operation::PutMetricFilter { after, .. } => {
            format!("filter {} on log group {}", after.name, after.log_group)
        }
        Operation::CreateTopic { after } => format!("topic {}", after.arn),
        Operation::Subscribe { after } => {
            format!(
                "{}:{} to {}",
                after.protocol, after.endpoint, after.topic_arn
            )
        }
        Operation::PutMetricAlarm { after, .. } => format!("alarm {}", after.name),
    };
    let change = match action.change {
        model::Change::Create => "create",
        model::Change::Update => "update",
    };
    format!(
        "{}. {} {subject} in {} ({change})",
        action.number,
        action.operation.name(),
        action.region
    )
}

/// The kinds of resource a control's chain is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// The audited account itself.
    Account,
    /// A CloudTrail trail.
    Trail,
    /// A CloudWatch Logs log group.
    LogGroup,
    /// A metric filter on the log group.
    MetricFilter,
    /// A CloudWatch alarm.
    Alarm,
    /// An SNS topic.
    Topic,
    /// An EventBridge rule.
    EventRule,
}

impl ResourceKind {
    /// The CloudFormation type name (OCSF `resources[].type`).
    pub fn cloudformation(self) -> &'static str {
        match self {
            ResourceKind::Account => "AWS::::Account",
            ResourceKind::Trail => "AWS::CloudTrail::Trail",
            ResourceKind::LogGroup => "AWS::Logs::LogGroup",
            ResourceKind::MetricFilter => "AWS::Logs::MetricFilter",
            ResourceKind::Alarm => "AWS::CloudWatch::Alarm",
            ResourceKind::Topic => "AWS::SNS::Topic",
            ResourceKind::EventRule => "AWS::Events::Rule",
        }
    }

    /// The ASFF resource type (`Other` where ASFF has none).
    pub fn asff(self) -> &'static str {
        match self {
            ResourceKind::Account => "AwsAccount",
            ResourceKind::Trail => "AwsCloudTrailTrail",
            ResourceKind::Alarm => "AwsCloudWatchAlarm",
            ResourceKind::Topic => "AwsSnsTopic",
            ResourceKind::LogGroup | ResourceKind::MetricFilter | ResourceKind::EventRule => {
                "Other"
            }
        }
    }
}

/// One resource of a control's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// What it is.
    pub kind: ResourceKind,
    /// Its ARN (for a metric filter, which has none: the log group's ARN, `:metric-filter:`, its name).
    pub uid: String,
    /// Its name.
    pub name: String,
    /// Its partition.
    pub partition: String,
    /// Its region (empty for the account).
    pub region: String,
}

impl Resource {
    fn account(account: &str, partition: &str, region: &str) -> Self {
        Resource {
            kind: ResourceKind::Account,
            uid: format!("AWS::::Account:{account}"),
            name: account.to_string(),
            partition: partition.to_string(),
            region: region.to_string(),
        }
    }
}

/// The resources of a chain: the trail's ARN gives the partition and the account that owns
/// the log group, its filter and the alarm.
fn chain_resources(chain: &Chain) -> Vec<Resource> {
    let parts: Vec<&str> = chain.trail.splitn(6, ':').collect();
    let partition = parts.get(1).copied().unwrap_or("aws").to_string();
    let owner = parts.get(4).copied().unwrap_or_default();
    let region = chain.region.clone();
    let resource = |kind, uid: String, name: &str| Resource {
        kind,
        uid,
        name: name.to_string(),
        partition: partition.clone(),
        region: region.clone(),
    };
    let trail_name = chain.trail.rsplit('/').next().unwrap_or(&chain.trail);
    let mut out = vec![resource(
        ResourceKind::Trail,
        chain.trail.clone(),
        trail_name,
    )];
    if chain.kind == ChainKind::Eventbridge {
        for rule in &chain.rules {
            let name = rule.rsplit('/').next().unwrap_or(rule);
            out.push(resource(ResourceKind::EventRule, rule.clone(), name));
        }
        out.extend(chain.topic.iter().map(|topic| {
            let name = topic.rsplit(':').next().unwrap_or(topic);
            resource(ResourceKind::Topic, topic.clone(), name)
        }));
        return out;
    }
    let group_arn = format!(
        "arn:{partition}:logs:{region}:{owner}:log-group:{}",
        chain.log_group
    );
    out.push(resource(
        ResourceKind::LogGroup,
        group_arn.clone(),
        &chain.log_group,
    ));
    if let Some(filter) = &chain.filter {
        let uid = format!("{group_arn}:metric-filter:{filter}");
        out.push(resource(ResourceKind::MetricFilter, uid, filter));
    }
    if let Some(alarm) = &chain.alarm {
        let uid = format!("arn:{partition}:cloudwatch:{region}:{owner}:alarm:{alarm}");
        out.push(resource(ResourceKind::Alarm, uid, alarm));
    }
    if let Some(topic) = &chain.topic {
        let name = topic.rsplit(':').next().unwrap_or(topic);
        out.push(resource(ResourceKind::Topic, topic.clone(), name));
    }
    out
}
