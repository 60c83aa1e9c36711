//! The live state of one account as read from AWS: plain data, filled by the `aws` crate.
//!
//! Every read that can fail independently is a `Result<_, ReadError>`, so that one denied call
//! makes the controls that depend on it `error` instead of failing the whole audit.

use std::collections::{BTreeMap, BTreeSet};

use crate::arn::EventBusRef;
use crate::cloudwatch::{ComparisonOperator, Statistic, TreatMissingData};
use crate::report::{Action, Operation};
use serde::Serialize;

/// The error codes AWS services use when a call is refused for lack of permission.
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthorizationErrorException",
];

/// True when `code` says the call was refused for lack of permission.
pub fn is_access_denied_code(code: &str) -> bool {
    ACCESS_DENIED_CODES.contains(&code)
}

/// A read that failed, naming the API action (as IAM spells it) so the user knows what to grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    /// The IAM action, such as `cloudtrail:GetTrailStatus`.
    pub action: String,
    /// The error code, such as `AccessDenied`, when the service gave one.
    pub code: Option<String>,
    /// What went wrong, in one line.
    pub message: String,
}

impl ReadError {
    /// True when the service refused the call for lack of permission.
    pub fn is_access_denied(&self) -> bool {
        self.code.as_deref().is_some_and(is_access_denied_code)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} failed: {code}: {}", self.action, self.message),
            None => write!(f, "{} failed: {}", self.action, self.message),
        }
    }
}

/// Everything trailwatch reads from one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The account the credentials belong to.
    pub account_id: String,
    /// The region trails were listed in.
    pub region: String,
    /// The AWS partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
    /// The trails visible from the region, de-duplicated by ARN.
    pub trails: Result<Vec<Trail>, ReadError>,
    /// The metric filters of every log group a trail sends to, in this account.
    pub log_groups: Vec<LogGroup>,
    /// Alarms and topics of every region such a log group lives in.
    pub regions: Vec<RegionState>,
    /// The rules of the default event bus in every enabled region, when the planner asked.
    pub eventbridge: EventBridgeRead,
}

impl Snapshot {
    /// The state read for a log group, if it was read.
    pub fn log_group(&self, region: &str, name: &str) -> Option<&LogGroup> {
        self.log_groups
            .iter()
            .find(|g| g.region == region && g.name == name)
    }

    /// The alarms and topics read for a region, if they were read.
    pub fn region_state(&self, region: &str) -> Option<&RegionState> {
        self.regions.iter().find(|r| r.region == region)
    }
}

/// What the first read of an account fetches beyond the trails and their log groups' filters
/// (which are always read whole): the alarm names trailwatch may create, and the topics the user
/// named. Plain data, made by `plan::read_scope`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadScope {
    /// Alarms whose names start with this are read when a region holds more than a page of
    /// alarms: the names trailwatch may create.
    pub alarm_name_prefix: String,
    /// Topic names read in every region the audit reads, whether or not an alarm notifies them
    /// (the topic given with `--topic-name`).
    pub topic_names: Vec<String>,
    /// Topic ARNs read whether or not an alarm notifies them (the one given with `--topic-arn`,
    /// when it is this account's).
    pub topic_arns: Vec<String>,
    /// Read the default buses' EventBridge rules, beside the rest ([`EventBridgeRead`]).
    pub eventbridge: bool,
}

/// What the planner needs read before it can judge or plan (see `plan::plan_or_read`): the
/// alarms on some metrics of regions whose alarms were not all read, and topics not read yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadRequest {
    /// Alarms to read, per region.
    pub alarms: Vec<AlarmRequest>,
    /// Topics to read.
    pub topics: Vec<TopicRequest>,
}

impl ReadRequest {
    /// True when nothing more is needed.
    pub fn is_empty(&self) -> bool {
        self.alarms.is_empty() && self.topics.is_empty()
    }
}

/// What a plan's actions write, per region: read again after they ran (the verification), so
/// that what the account held just before writing need not be read a second time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Per region, the objects written there.
    pub regions: BTreeMap<String, WrittenInRegion>,
}

/// The objects actions write in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrittenInRegion {
    /// Log groups a metric filter is put into (`PutMetricFilter`).
    pub log_groups: BTreeSet<String>,
    /// Alarms put (`PutMetricAlarm`), by name.
    pub alarms: BTreeSet<String>,
    /// Topics created (`CreateTopic`) or subscribed to (`Subscribe`), by ARN.
    pub topics: BTreeSet<String>,
}

impl Written {
    /// The objects `actions` write, each under the region its action writes to.
    pub fn of(actions: &[Action]) -> Written {
        let mut written = Written::default();
        for action in actions {
            let region = written.regions.entry(action.region.clone()).or_default();
            match &action.operation {
                Operation::PutMetricFilter { after, .. } => {
                    region.log_groups.insert(after.log_group.clone())
                }
                Operation::PutMetricAlarm { after, .. } => region.alarms.insert(after.name.clone()),
                Operation::CreateTopic { after } => region.topics.insert(after.arn.clone()),
                Operation::Subscribe { after } => region.topics.insert(after.topic_arn.clone()),
            };
        }
        written
    }
}

/// The alarms to read in one region: those on these metrics, and those named with the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmRequest {
    /// The region.
    pub region: String,
    /// The metrics whose alarms matter (`DescribeAlarmsForMetric` each).
    pub metrics: Vec<MetricKey>,
    /// Alarms whose names start with this (`DescribeAlarms` by prefix), when not read yet.
    pub name_prefix: Option<String>,
}

/// A topic to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TopicRequest {
    /// Its region.
    pub region: String,
    /// Its ARN.
    pub arn: String,
}

/// A CloudWatch metric: name and namespace (a filter's metrics have no dimensions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MetricKey {
    /// The metric name.
    pub name: String,
    /// The namespace.
    pub namespace: String,
}

impl MetricKey {
    /// The metric `name` in `namespace`.
    pub fn new(name: impl Into<String>, namespace: impl Into<String>) -> Self {
        MetricKey {
            name: name.into(),
            namespace: namespace.into(),
        }
    }
}

/// Which of a region's alarms [`RegionState::alarms`] holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmsRead {
    /// Every alarm of the region (they fit one page of `DescribeAlarms`).
    #[default]
    All,
    /// The region holds more: only the alarms on these metrics and those named with this prefix
    /// were read.
    Only {
        /// The metrics whose alarms were read.
        metrics: std::collections::BTreeSet<MetricKey>,
        /// The name prefix whose alarms were read, if it was.
        name_prefix: Option<String>,
    },
}

impl AlarmsRead {
    /// True when the alarms on `metric` were read.
    pub fn covers(&self, metric: &MetricKey) -> bool {
        match self {
            AlarmsRead::All => true,
            AlarmsRead::Only { metrics, .. } => metrics.contains(metric),
        }
    }

    /// True when the alarms named with `prefix` were read.
    pub fn covers_prefix(&self, prefix: &str) -> bool {
        match self {
            AlarmsRead::All => true,
            AlarmsRead::Only { name_prefix, .. } => name_prefix.as_deref() == Some(prefix),
        }
    }
}

/// One CloudTrail trail and what the audit needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trail {
    /// The trail ARN.
    pub arn: String,
    /// The trail name.
    pub name: String,
    /// The region the trail was created in.
    pub home_region: String,
    /// `IsMultiRegionTrail`.
    pub is_multi_region: bool,
    /// `IsOrganizationTrail`.
    pub is_organization_trail: bool,
    /// `CloudWatchLogsLogGroupArn`, if the trail sends to CloudWatch Logs.
    pub log_group_arn: Option<String>,
    /// `GetTrailStatus.IsLogging`.
    pub is_logging: Result<bool, ReadError>,
    /// `GetEventSelectors`.
    pub selectors: Result<EventSelectors, ReadError>,
    /// How its delivery to CloudWatch Logs is going.
    pub logs_delivery: LogsDelivery,
    /// Where it archives its log files (`S3BucketName`, `S3KeyPrefix`, `KmsKeyId`): read by
    /// `backtest`; no verdict or plan depends on it, so it is not part of fingerprints.
    #[serde(skip)]
    pub archive: Option<Archive>,
}

/// A trail's archive of log files in S3.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Archive {
    /// The bucket.
    pub bucket: String,
    /// The key prefix, if any (without a trailing `/`).
    pub key_prefix: Option<String>,
    /// The KMS key the log files are encrypted with, if any (reading them needs `kms:Decrypt`).
    pub kms_key_id: Option<String>,
    /// The region the trail lives in, where its bucket is looked for.
    pub region: String,
}

/// One log file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedFile {
    /// Its key in the bucket.
    pub key: String,
    /// Its size in bytes, as stored (gzipped).
    pub size: u64,
}

/// A trail's delivery to CloudWatch Logs: its role (`DescribeTrails`) and what
/// `GetTrailStatus` says of the latest delivery. The status fields change all the time and
/// apply never depends on them, so they are left out of saved plans' fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LogsDelivery {
    /// `CloudWatchLogsRoleArn`: the role CloudTrail assumes to write to the log group.
    pub role_arn: Option<String>,
    /// `LatestCloudWatchLogsDeliveryError`.
    #[serde(skip)]
    pub latest_error: Option<String>,
    /// `LatestCloudWatchLogsDeliveryTime`, in seconds since the Unix epoch.
    #[serde(skip)]
    pub latest_delivery: Option<i64>,
    /// When `GetTrailStatus` answered, in seconds since the Unix epoch (the reader's clock), so
    /// the planner can tell a stalled delivery without reading a clock itself.
    #[serde(skip)]
    pub read_at: i64,
}

impl LogsDelivery {
    /// How long a trail may go without delivering to CloudWatch Logs before it counts as
    /// stalled: CloudTrail delivers about every five minutes while there is activity, and every
    /// account has some within a day.
    pub const STALL_SECONDS: i64 = 24 * 60 * 60;
}

/// A trail's event selectors, basic or advanced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EventSelectors {
    /// Basic event selectors.
    pub basic: Vec<BasicSelector>,
    /// Advanced event selectors.
    pub advanced: Vec<AdvancedSelector>,
}

/// A basic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BasicSelector {
    /// `ReadWriteType`: `All`, `ReadOnly` or `WriteOnly` (`All` when absent).
    pub read_write_type: String,
    /// `IncludeManagementEvents` (true when absent).
    pub include_management_events: bool,
}

/// An advanced event selector: its field selectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvancedSelector {
    /// The selector's name, if any.
    pub name: Option<String>,
    /// Its field selectors.
    pub fields: Vec<FieldSelector>,
}

/// One field selector of an advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSelector {
    /// The field, such as `eventCategory` or `readOnly`.
    pub field: String,
    /// `Equals` values.
    pub equals: Vec<String>,
    /// `NotEquals` values.
    pub not_equals: Vec<String>,
}

/// A CloudWatch Logs log group and its metric filters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogGroup {
    /// The region the group lives in.
    pub region: String,
    /// The group name.
    pub name: String,
    /// Its metric filters (`DescribeMetricFilters`, every page).
    pub filters: Result<Vec<MetricFilter>, ReadError>,
}

/// A metric filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricFilter {
    /// The filter name.
    pub name: String,
    /// The filter pattern text.
    pub pattern: String,
    /// Its metric transformations.
    pub metrics: Vec<MetricTransformation>,
}

/// One metric transformation of a filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricTransformation {
    /// The metric name.
    pub name: String,
    /// The metric namespace.
    pub namespace: String,
    /// The value published per match.
    pub value: String,
    /// The default value, if any.
    pub default_value: Option<f64>,
}

/// What was read in one region: alarms and SNS topics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionState {
    /// The region.
    pub region: String,
    /// The region's metric alarms when they fit one page of `DescribeAlarms` (100); beyond that,
    /// only those the planner asked for ([`ReadRequest`]): the alarms on the metrics of interest
    /// (`DescribeAlarmsForMetric`) and those whose names start with trailwatch's prefix, each once.
    pub alarms: Result<Vec<Alarm>, ReadError>,
    /// Which alarms `alarms` holds.
    pub alarms_read: AlarmsRead,
    /// The topics of interest that exist, with their subscriptions: the scope's topics and every
    /// topic of this account a read alarm notifies. Not every topic of the region.
    pub topics: Result<Vec<Topic>, ReadError>,
    /// The ARNs of every topic asked about, whether it exists or not: a topic outside this list
    /// was not read, which is not the same as absent (see `plan::plan_or_read`).
    pub topics_read: Vec<String>,
}

/// A CloudWatch metric alarm, with every setting trailwatch writes back on an update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    /// The alarm name.
    pub name: String,
    /// The alarm description.
    pub description: Option<String>,
    /// The metric name, if the alarm watches a single metric.
    pub metric_name: Option<String>,
    /// The metric namespace.
    pub namespace: Option<String>,
    /// True when the alarm has metric dimensions (a filter's metric has none).
    pub has_dimensions: bool,
    /// `ActionsEnabled`.
    pub actions_enabled: bool,
    /// `AlarmActions`.
    pub alarm_actions: Vec<String>,
    /// `OKActions`.
    pub ok_actions: Vec<String>,
    /// `InsufficientDataActions`.
    pub insufficient_data_actions: Vec<String>,
    /// `Statistic`, or `ExtendedStatistic`; `None` for metric math.
    pub statistic: Option<Statistic>,
    /// `Period` in seconds.
    pub period: Option<i32>,
    /// `EvaluationPeriods`.
    pub evaluation_periods: Option<i32>,
    /// `Threshold`.
    pub threshold: Option<f64>,
    /// `ComparisonOperator`.
    pub comparison_operator: Option<ComparisonOperator>,
    /// `TreatMissingData`.
    pub treat_missing_data: Option<TreatMissingData>,
    /// `DatapointsToAlarm` (M of the N evaluation periods), when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<i32>,
}

impl Alarm {
    /// True when the alarm watches exactly this metric (a filter's metric has no dimensions).
    pub fn watches(&self, metric: &MetricKey) -> bool {
        self.watches_name(&metric.name)
            && self.namespace.as_deref() == Some(metric.namespace.as_str())
            && !self.has_dimensions
    }

    /// True when the alarm watches a metric of this name, in any namespace.
    pub fn watches_name(&self, metric_name: &str) -> bool {
        self.metric_name.as_deref() == Some(metric_name)
    }

    /// The SNS topics among its `AlarmActions`.
    pub fn sns_actions(&self) -> impl Iterator<Item = &String> {
        self.alarm_actions
            .iter()
            .filter(|a| crate::arn::is_sns_arn(a))
    }

    /// True when it can notify someone: its actions are enabled and one of them is a topic.
    pub fn can_notify(&self) -> bool {
        self.actions_enabled && self.sns_actions().next().is_some()
    }
}

/// An SNS topic and its subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topic {
    /// The topic ARN.
    pub arn: String,
    /// Its subscriptions (`ListSubscriptionsByTopic`, every page).
    pub subscriptions: Result<Vec<Subscription>, ReadError>,
    /// What decides whether CloudWatch alarms can deliver to it (`GetTopicAttributes`).
    pub attributes: Result<TopicAttributes, ReadError>,
    /// What its deliveries did over the day before the read (`Deliveries`); `Ok(None)` when
    /// CloudWatch has no data (nothing was published). Not fingerprinted: it changes with
    /// every notification, not with the account's configuration. So a read again of an
    /// account (`Reader::read_again`) may keep, for a topic the earlier read found, what that
    /// read gave here, seconds before, instead of asking CloudWatch again: the one thing in
    /// which a read again may differ from a fresh read.
    #[serde(skip_serializing)]
    pub deliveries: DeliveriesRead,
}

/// A topic's deliveries as read: `Ok(None)` when CloudWatch has no data, `Err` when they could
/// not be read.
pub type DeliveriesRead = Result<Option<Deliveries>, ReadError>;

/// A topic's notifications over the 24 hours before the read, from CloudWatch's `AWS/SNS`
/// metrics `NumberOfNotificationsDelivered` and `NumberOfNotificationsFailed` (dimension
/// `TopicName`, summed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Deliveries {
    /// Notifications delivered to a subscriber.
    pub delivered: u64,
    /// Notifications SNS failed to deliver (after its retries).
    pub failed: u64,
}

/// The window `Deliveries` covers, ending at the read.
pub const DELIVERIES_WINDOW_HOURS: u64 = 24;

/// The attributes of a topic that decide whether CloudWatch alarms can publish to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TopicAttributes {
    /// The access policy (JSON text), if any.
    pub policy: Option<String>,
    /// `KmsMasterKeyId`: the key that encrypts it, if any.
    pub kms_master_key_id: Option<String>,
    /// That key, as KMS describes it (`DescribeKey`, `GetKeyPolicy`), when there is one.
    pub key: Option<Result<KmsKey, ReadError>>,
}

/// A KMS key that encrypts a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KmsKey {
    /// The key ARN.
    pub arn: String,
    /// `AWS` for an AWS-managed key, `CUSTOMER` for a customer-managed one.
    pub manager: String,
    /// The key policy (JSON text).
    pub policy: Option<String>,
}

/// One SNS subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation` while it awaits confirmation.
    pub arn: String,
    /// The protocol, such as `email`.
    pub protocol: String,
    /// The endpoint, such as an address.
    pub endpoint: String,
}

impl Subscription {
    /// True when the subscription is confirmed (its ARN is a real ARN).
    pub fn is_confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}

/// The EventBridge side of an account ([`Snapshot::eventbridge`]): read beside the first read
/// when the read scope asks for it (`ReadScope::eventbridge`, from `Desired::rules`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "regions")]
pub enum EventBridgeRead {
    /// Not read (not asked for: the planner then judges no rule, and a report with a control
    /// left open says in a note that the rules were not read).
    #[default]
    NotRead,
    /// Read: the default bus of every region the account has enabled (`account:ListRegions`),
    /// then the buses of this account their rules forward to, or why the regions could not be
    /// listed.
    Read(Result<Vec<BusRegion>, ReadError>),
}

/// The name of the bus CloudTrail sends events to.
pub const DEFAULT_BUS: &str = "default";

/// How many forwards from bus to bus are read and judged from CloudTrail's default bus (an
/// event forwarded further is named as not followed).
pub const FORWARD_HOPS: usize = 3;

/// The buses that rules of the buses `from` picks forward to and that are not among `buses`,
/// each once.
pub fn forwarded_unread(
    buses: &[BusRegion],
    from: impl Fn(&BusRegion) -> bool,
) -> BTreeSet<EventBusRef> {
    let read = |bus: &EventBusRef| buses.iter().any(|b| b.reference() == *bus);
    buses
        .iter()
        .filter(|b| from(b))
        .flat_map(|b| b.rules.iter().flatten())
        .flat_map(|r| r.targets.iter().flatten())
        .filter_map(|target| crate::arn::parse_event_bus_arn(target))
        .filter(|bus| !read(bus))
        .collect()
}

/// An event bus of one region (the default bus, or one a rule forwards to): the rules that can
/// match CloudTrail events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusRegion {
    /// The account that owns the bus: the account read, or another account of the run that one
    /// of its rules forwards to.
    pub account: String,
    /// The region.
    pub region: String,
    /// The bus's name ([`DEFAULT_BUS`] for CloudTrail's).
    pub bus: String,
    /// Its resource policy, read for a bus of another account (events forwarded from the
    /// account read arrive only when it lets that account put events).
    pub policy: BusPolicy,
    /// Rules of the bus whose pattern can match an event CloudTrail delivers (`ListRules`,
    /// every page), each with its targets.
    pub rules: Result<Vec<Rule>, ReadError>,
    /// The SNS topics of the bus's account in the region those rules target, with their
    /// subscriptions and policies (read as alarms' topics are).
    pub topics: Vec<Topic>,
}

impl BusRegion {
    /// The bus as a rule's target names it.
    pub fn reference(&self) -> EventBusRef {
        EventBusRef {
            region: self.region.clone(),
            account_id: self.account.clone(),
            name: self.bus.clone(),
        }
    }
}

/// An event bus's resource policy (`events:DescribeEventBus`), as far as it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "policy")]
pub enum BusPolicy {
    /// Not read: a bus of the account read, whose own rules forward to it.
    NotRead,
    /// Read: the policy's JSON text, `None` when the bus has none.
    Read(Option<String>),
    /// It could not be read.
    Unreadable(ReadError),
}

/// An EventBridge rule of a bus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// The rule's ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its state.
    pub state: RuleState,
    /// Its event pattern (JSON text).
    pub pattern: String,
    /// Its targets (`ListTargetsByRule`, every page): their ARNs.
    pub targets: Result<Vec<String>, ReadError>,
    /// Its `AWS/Events` invocations over the day before the read (not fingerprinted).
    #[serde(skip_serializing)]
    pub invocations: Result<Option<Invocations>, ReadError>,
}

/// A rule's state, as EventBridge names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RuleState {
    /// `ENABLED`: matches every event but CloudTrail's read-only management events.
    Enabled,
    /// `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: read-only management events too.
    EnabledWithAllManagementEvents,
    /// `DISABLED`.
    Disabled,
    /// A state this version does not know (kept as EventBridge wrote it).
    Unknown(String),
}

impl RuleState {
    /// The state as EventBridge writes it.
    pub fn parse(text: &str) -> RuleState {
        match text {
            "ENABLED" => RuleState::Enabled,
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => {
                RuleState::EnabledWithAllManagementEvents
            }
            "DISABLED" => RuleState::Disabled,
            other => RuleState::Unknown(other.to_string()),
        }
    }

    /// Whether a rule in this state receives a CloudTrail management event from CloudTrail
    /// (`read_only`: one CloudTrail marks read-only): `ENABLED` only the others, `DISABLED` and
    /// unknown states none.
    pub fn sees(&self, read_only: bool) -> bool {
        match self {
            RuleState::EnabledWithAllManagementEvents => true,
            RuleState::Enabled => !read_only,
            RuleState::Disabled | RuleState::Unknown(_) => false,
        }
    }

    /// EventBridge's name for the state.
    pub fn as_str(&self) -> &str {
        match self {
            RuleState::Enabled => "ENABLED",
            RuleState::EnabledWithAllManagementEvents => {
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
            }
            RuleState::Disabled => "DISABLED",
            RuleState::Unknown(text) => text,
        }
    }
}

/// A rule's invocations over the 24 hours before the read, from CloudWatch's `AWS/Events`
/// metrics `Invocations` and `FailedInvocations` (dimension `RuleName`, summed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Invocations {
    /// Times the rule invoked a target.
    pub invoked: u64,
    /// Invocations that failed for good.
    pub failed: u64,
}
