//! The result of planning: per-control status with findings, and the actions that fix them.
//!
//! This is plain data: `apply` executes [`Action`]s without making choices, and the CLI renders
//! a [`Report`] as text or as the JSON document described in `docs/json.md`.

use crate::cloudwatch::{ComparisonOperator, Statistic, TreatMissingData};
use serde::{Deserialize, Serialize};

pub use crate::finding::FindingCode;

/// The version of the JSON document; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Whether a control holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Some qualifying trail's whole chain holds.
    Compliant,
    /// It does not; the findings say why.
    NonCompliant,
    /// The control cannot be judged in this account (the findings say why).
    NotApplicable,
    /// It cannot be judged: a read failed (the findings name the denied action), or a policy
    /// statement trailwatch cannot evaluate decides whether alarms are delivered (the findings
    /// name the statement).
    Error,
    /// Not compliant, but an unexpired waiver in the configuration covers it: its findings are
    /// kept for information, it gets no actions, and it does not count as a finding.
    Waived,
}

impl Status {
    /// The snake_case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Compliant => "compliant",
            Status::NonCompliant => "non_compliant",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
            Status::Waived => "waived",
        }
    }

    /// The symbol shown beside the status, so that no view tells it by colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Compliant => "✓",
            Status::NonCompliant => "✗",
            Status::NotApplicable => "-",
            Status::Error => "!",
            Status::Waived => "~",
        }
    }
}

/// Why a control does not hold, or a remark on how it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable code, listed in `docs/json.md`.
    pub code: FindingCode,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it, when trailwatch cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding without a hint.
    pub fn new(code: FindingCode, message: impl Into<String>) -> Self {
        Finding {
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// The same finding with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The audit result of one control in one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
    /// The account audited.
    pub account_id: String,
    /// The control slug.
    pub id: String,
    /// The control title.
    pub title: String,
    /// The CIS id in the benchmark version audited against; null for trailwatch's own
    /// controls, which are part of no CIS version.
    pub cis_id: Option<String>,
    /// The profile level in that version; null for trailwatch's own controls.
    pub level: Option<u8>,
    /// The status.
    pub status: Status,
    /// Why, in order of the audit steps.
    pub findings: Vec<Finding>,
    /// The chain that holds, or the one the plan completes: trail, log group, filter, alarm, topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
    /// The waiver that covers it (status `waived`), or that expired (finding `waiver-expired`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<crate::desired::Waiver>,
}

/// The resources that make up (or will make up) a control's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Chain {
    /// Which way the control's events reach a person.
    #[serde(default)]
    pub kind: ChainKind,
    /// The trail ARN.
    pub trail: String,
    /// The log group's region (for an EventBridge chain, the first region of its rules).
    pub region: String,
    /// The log group name (none for an EventBridge chain).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub log_group: String,
    /// The metric filter name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The alarm name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm: Option<String>,
    /// The topic ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The EventBridge rules (ARNs) of an EventBridge chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The step where it breaks; absent when it holds (and in plans saved before it was
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaks_at: Option<Step>,
}

/// The way a chain tells a person: CIS's metric filter and alarm, or EventBridge rules
/// (counted only with `--accept eventbridge`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainKind {
    /// Trail → log group → metric filter → alarm → topic.
    #[default]
    MetricFilter,
    /// Trail → default event bus → rule → topic.
    Eventbridge,
}

/// A step of a control's chain, in the order events travel: the trail, its log group, the
/// metric filter, the alarm, the topic, and the confirmed subscribers who are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// No trail qualifies.
    Trail,
    /// The trail's log group does not exist.
    LogGroup,
    /// No metric filter catches the control's events.
    Filter,
    /// No alarm watches the filter's metric, or it cannot notify.
    Alarm,
    /// CloudWatch cannot deliver to the topic, or trailwatch cannot tell whether it can.
    Topic,
    /// Nobody has confirmed a subscription, or SNS failed every delivery of the last day.
    Subscribers,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 6] = [
        Step::Trail,
        Step::LogGroup,
        Step::Filter,
        Step::Alarm,
        Step::Topic,
        Step::Subscribers,
    ];

    /// Its name in the JSON document, such as `log_group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Trail => "trail",
            Step::LogGroup => "log_group",
            Step::Filter => "filter",
            Step::Alarm => "alarm",
            Step::Topic => "topic",
            Step::Subscribers => "subscribers",
        }
    }

    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            Step::Trail => "trail",
            Step::LogGroup => "log group",
            Step::Filter => "metric filter",
            Step::Alarm => "alarm",
            Step::Topic => "topic",
            Step::Subscribers => "confirmed subscribers",
        }
    }
}

impl ControlResult {
    /// Where the control's chain breaks: its chain's step, else the trail for a control that
    /// fails (or is waived) with no chain (no trail qualifies); `None` when it holds or when
    /// trailwatch cannot tell (an error, or monitored in another account).
    pub fn breaks_at(&self) -> Option<Step> {
        match (&self.chain, self.status) {
            (Some(chain), _) => chain.breaks_at,
            (None, Status::NonCompliant | Status::Waived) => Some(Step::Trail),
            (None, _) => None,
        }
    }
}

/// Whether an action creates a resource or changes an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new resource.
    Create,
    /// An existing resource is replaced with the `after` settings.
    Update,
}

/// A metric filter as `PutMetricFilter` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterSpec {
    /// The log group.
    pub log_group: String,
    /// The filter name.
    pub name: String,
    /// The pattern.
    pub pattern: String,
    /// The metric name.
    pub metric_name: String,
    /// The metric namespace.
    pub namespace: String,
    /// The value published per match.
    pub metric_value: String,
    /// The default value, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
}

/// A topic as `CreateTopic` makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSpec {
    /// The topic name.
    pub name: String,
    /// The ARN the topic will have.
    pub arn: String,
    /// The access policy it is created with: the account's own rights, and `sns:Publish` for
    /// `cloudwatch.amazonaws.com` scoped with `aws:SourceArn` to the account's alarms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

/// A subscription as `Subscribe` makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionSpec {
    /// The topic ARN.
    pub topic_arn: String,
    /// The protocol.
    pub protocol: String,
    /// The endpoint.
    pub endpoint: String,
}

/// A metric alarm as `PutMetricAlarm` writes it: every setting, so an update keeps the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    /// The alarm name.
    pub name: String,
    /// The description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metric name.
    pub metric_name: String,
    /// The metric namespace.
    pub namespace: String,
    /// The statistic.
    pub statistic: Statistic,
    /// The period in seconds.
    pub period: i32,
    /// The evaluation periods.
    pub evaluation_periods: i32,
    /// The threshold.
    pub threshold: f64,
    /// The comparison operator.
    pub comparison_operator: ComparisonOperator,
    /// How missing data is treated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<TreatMissingData>,
    /// Whether actions run.
    pub actions_enabled: bool,
    /// `AlarmActions`.
    pub alarm_actions: Vec<String>,
    /// `OKActions`.
    pub ok_actions: Vec<String>,
    /// `InsufficientDataActions`.
    pub insufficient_data_actions: Vec<String>,
}

/// The call an action makes, with the resource before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
#[allow(clippy::large_enum_variant)] // a plan holds a handful of actions; boxing buys nothing
pub enum Operation {
    /// `logs:PutMetricFilter`.
    PutMetricFilter {
        /// The filter it replaces, for an update.
        before: Option<FilterSpec>,
        /// The filter as written.
        after: FilterSpec,
    },
    /// `sns:CreateTopic`.
    CreateTopic {
        /// The topic as created.
        after: TopicSpec,
    },
    /// `sns:Subscribe`.
    Subscribe {
        /// The subscription as requested.
        after: SubscriptionSpec,
    },
    /// `cloudwatch:PutMetricAlarm`.
    PutMetricAlarm {
        /// The alarm it replaces, for an update.
        before: Option<AlarmSpec>,
        /// The alarm as written.
        after: AlarmSpec,
    },
}

impl Operation {
    /// The action's name as in the JSON document, such as `put-metric-filter`.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::PutMetricFilter { .. } => "put-metric-filter",
            Operation::CreateTopic { .. } => "create-topic",
            Operation::Subscribe { .. } => "subscribe",
            Operation::PutMetricAlarm { .. } => "put-metric-alarm",
        }
    }

    /// The IAM action this call needs.
    pub fn iam_action(&self) -> &'static str {
        match self {
            Operation::PutMetricFilter { .. } => "logs:PutMetricFilter",
            Operation::CreateTopic { .. } => "sns:CreateTopic",
            Operation::Subscribe { .. } => "sns:Subscribe",
            Operation::PutMetricAlarm { .. } => "cloudwatch:PutMetricAlarm",
        }
    }

    /// The order in which kinds of action run: filters, topics, subscriptions, alarms.
    pub fn rank(&self) -> u8 {
        match self {
            Operation::PutMetricFilter { .. } => 0,
            Operation::CreateTopic { .. } => 1,
            Operation::Subscribe { .. } => 2,
            Operation::PutMetricAlarm { .. } => 3,
        }
    }
}

/// One planned call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// 1-based position in the plan; also the order of execution.
    pub number: usize,
    /// The account written to.
    pub account_id: String,
    /// The region written to.
    pub region: String,
    /// The call and its before/after.
    #[serde(flatten)]
    pub operation: Operation,
    /// Create or update.
    pub change: Change,
    /// The controls this action serves.
    pub control_ids: Vec<String>,
    /// Why the plan chose this action.
    pub reason: String,
    /// Numbers of the actions that must succeed first.
    pub depends_on: Vec<usize>,
}

/// One trail judged against the CIS trail requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailResult {
    /// The account audited.
    pub account_id: String,
    /// The trail ARN.
    pub arn: String,
    /// The trail name.
    pub name: String,
    /// The trail's home region.
    pub home_region: String,
    /// True when the trail meets every requirement and its log group is in this account.
    pub qualifies: bool,
    /// The log group ARN the trail delivers to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group_arn: Option<String>,
    /// Why it does not qualify (or why it could not be judged).
    pub findings: Vec<Finding>,
}

/// The whole result of `plan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The benchmark version audited against, such as `cis-7.0`.
    pub benchmark: String,
    /// Every trail visible in the account, qualifying or not.
    pub trails: Vec<TrailResult>,
    /// Per-control results.
    pub controls: Vec<ControlResult>,
    /// The actions, in order of execution.
    pub actions: Vec<Action>,
    /// Choices the plan made that the user should know about (such as which topic it reuses).
    pub notes: Vec<String>,
}

impl Report {
    /// True when every control is compliant (or waived) and there is nothing to do.
    pub fn is_clean(&self) -> bool {
        self.actions.is_empty()
            && self
                .controls
                .iter()
                .all(|c| matches!(c.status, Status::Compliant | Status::Waived))
    }

    /// How many controls have this status.
    pub fn count(&self, status: Status) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }

    /// True when some control could not be read.
    pub fn has_errors(&self) -> bool {
        self.controls.iter().any(|c| c.status == Status::Error)
    }
}

/// The accounts of a run that were read, with their plans, in order.
pub fn read_reports(results: &[AccountResult]) -> Vec<(&str, &Report)> {
    results
        .iter()
        .filter_map(|r| {
            r.report
                .as_ref()
                .ok()
                .map(|rep| (r.account_id.as_str(), rep))
        })
        .collect()
}

/// What happened in one account of a run: its plan, or why it could not be read.
#[derive(Debug, Clone)]
pub struct AccountResult {
    /// The account.
    pub account_id: String,
    /// Its plan, or why it could not be read (one line).
    pub report: Result<Report, String>,
    /// API calls made for it, by IAM action.
    pub calls: std::collections::BTreeMap<&'static str, u64>,
    /// How long it took.
    pub wall: std::time::Duration,
}

/// Where the run's configuration file is, as `config::located` finds it (SARIF points at it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFile {
    /// In a git repository: `root`, its top level, as an absolute path, and `path`, the file
    /// relative to it with `/` between the folders.
    InRepository {
        /// The repository's top level (absolute).
        root: String,
        /// The file, relative to `root`.
        path: String,
    },
    /// Outside any git repository: the file's absolute path.
    Outside {
        /// The absolute path.
        path: String,
    },
}
