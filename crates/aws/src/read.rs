//! Reading an account into a [`Snapshot`], in dependent round trips: who we are and the trails;
//! then each trail's status and selectors, each log group's filters, the first page of alarms
//! and the scope's topics; then the topics those alarms notify (and the keys of encrypted
//! topics); beside all that, the EventBridge rules when the scope asks for them. When a region
//! has more alarms than a page, only what the planner asks for is read ([`ReadRequest`]: the
//! alarms on the metrics that matter and those named like trailwatch's, and the topics they
//! notify): in the first read as soon as the region's first page says so ([`FollowUp`]), or
//! later by [`Aws::read_more`]. Calls that do not depend on each other run at once.

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use futures::StreamExt;
use model::arn;
use model::cloudwatch::{ComparisonOperator, Statistic, TreatMissingData};
use model::live::{
    AdvancedSelector, Alarm, AlarmRequest, AlarmsRead, Archive, BasicSelector, Deliveries,
    DeliveriesRead, EventSelectors, FieldSelector, KmsKey, LogGroup, LogsDelivery, MetricFilter,
    MetricKey, MetricTransformation, ReadError, ReadRequest, ReadScope, RegionState, Snapshot,
    Subscription, Topic, TopicAttributes, Trail,
};
use survey::FollowUp;

use crate::early::{Early, FirstPage, TrailDetails};
use crate::errors;
use crate::{Aws, AwsError};

/// Two CloudWatch metrics of one dimension, each with the id its sum is returned under.
pub(crate) struct MetricQuery<'a> {
    /// The namespace, such as `AWS/SNS`.
    pub namespace: &'a str,
    /// The dimension's name and value.
    pub dimension: (&'a str, &'a str),
    /// The metrics: `(id, metric name)`.
    pub metrics: [(&'a str, &'a str); 2],
}

/// Which alarms a `DescribeAlarms` read asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AlarmsWanted<'a> {
    /// Those whose names start with this.
    Prefix(&'a str),
    /// Those of these names (100 at most).
    Names(&'a [String]),
}

/// The largest page `DescribeAlarms` gives.
const PAGE: i32 = 100;

/// How many reads of one kind (alarms of a metric, topics) one account has in flight per region.
const IN_FLIGHT: usize = 16;

impl Aws {
    /// Reads what the audit needs from the account: everything about the trails and their log
    /// groups' filters, the alarms and topics `scope` names, and in a region with more than a
    /// page of alarms what `follow_up` asks; and, when `scope` asks, the EventBridge rules
    /// (`eventbridge.rs`), whose reads run beside those and end at most one round trip after
    /// them (their topics wait for the account id). Individual read failures are kept in the
    /// snapshot (so the controls that depend on them are reported as `error`); only what no call
    /// gets past (no or expired credentials, a role that cannot be assumed, no endpoint) fails
    /// the whole read.
    pub async fn read_snapshot(
        &self,
        scope: &ReadScope,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        self.read_knowing(scope, None, follow_up).await
    }

    /// [`Aws::read_snapshot`], with the reads an earlier read of the account (`before`) made
    /// started at once beside the first round trip (`early.rs`): the same snapshot (but for the
    /// deliveries of the topics `before` found, kept from it), in one round trip when nothing
    /// that decides what is read has changed (then, in a region with more than a page of alarms,
    /// those the follow-up asks for and their topics: they are not read early).
    pub async fn read_knowing(
        &self,
        scope: &ReadScope,
        before: Option<&Snapshot>,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        let rules = async {
            match scope.eventbridge {
                true => Some(self.default_buses().await),
                false => None,
            }
        };
        let chain = self.read_chain(scope, before, follow_up);
        let (snapshot, rules) = futures::join!(chain, rules);
        let mut snapshot = snapshot?;
        if let Some(rules) = rules {
            snapshot.eventbridge = self.finish_eventbridge(rules, &snapshot.account_id).await;
        }
        Ok(snapshot)
    }

    /// The trails, their log groups' filters, and the alarms and topics of `scope`, with what
    /// `follow_up` asks in each region.
    async fn read_chain(
        &self,
        scope: &ReadScope,
        before: Option<&Snapshot>,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        let partition = arn::partition_of(&self.region).to_string();
        // Round trip 1: the account and the trails, at once (and the early reads).
        let ((account_id, listed), early) = futures::join!(
            async { futures::join!(self.account_id(), self.describe_trails()) },
            self.read_early(before),
        );
        let account_id = account_id?;
        let listed = listed.map_err(|e| self.explain(e))?;
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Ok(trails) = &listed {
            for trail in trails {
                let Some(group) = trail
                    .cloud_watch_logs_log_group_arn()
                    .and_then(|a| arn::parse_log_group_arn(a).ok())
                else {
                    continue;
                };
                // A log group in another account (an organization trail) is read there.
                if group.is_in(&account_id) {
                    let names = groups.entry(group.region).or_default();
                    if !names.contains(&group.name) {
                        names.push(group.name);
                    }
                }
            }
        }
        let details = async {
            match listed {
                Ok(trails) => {
                    Ok(join_all(trails.into_iter().map(|t| self.read_trail(t, &early))).await)
                }
                Err(e) => Err(e),
            }
        };
        let (trails, regions) = futures::join!(
            details,
            join_all(groups.iter().map(|(region, names)| self.read_region(
                region,
                names,
                (scope, &early),
                follow_up,
                &account_id,
                &partition
            ))),
        );
        let mut log_groups = Vec::new();
        let mut region_states = Vec::new();
        for (groups, state) in regions {
            log_groups.extend(groups);
            region_states.push(state);
        }
        Ok(Snapshot {
            account_id,
            region: self.region.clone(),
            partition,
            trails,
            log_groups,
            regions: region_states,
            eventbridge: Default::default(),
        })
    }

    /// `DescribeTrails`, de-duplicated by ARN. Fails outright when no call can succeed (for an
    /// assumed role, this is the first call, so it is where a role that cannot be assumed shows).
    async fn describe_trails(
        &self,
    ) -> Result<Result<Vec<aws_sdk_cloudtrail::types::Trail>, ReadError>, AwsError> {
        let ct = self.clients(&self.region).cloudtrail();
        self.count("cloudtrail:DescribeTrails");
        let out = match ct
            .describe_trails()
            .include_shadow_trails(true)
            .customize()
            .config_override(self.identity())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => return errors::read_or_fatal("cloudtrail:DescribeTrails", e).map(Err),
        };
        let mut seen = BTreeMap::new();
        for t in out.trail_list() {
            let Some(arn) = t.trail_arn() else { continue };
            seen.entry(arn.to_string()).or_insert_with(|| t.clone());
        }
        Ok(Ok(seen.into_values().collect()))
    }

    async fn read_trail(&self, t: aws_sdk_cloudtrail::types::Trail, early: &Early) -> Trail {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        let home = t
            .home_region()
            .map(str::to_string)
            .unwrap_or_else(|| self.region.clone());
        let (status, selectors) = match early.trail(&arn, &home) {
            Some(details) => details,
            None => self.trail_details(&arn, &home).await,
        };
        let (is_logging, logs_delivery) = match status {
            Ok(s) => (
                Ok(s.is_logging().unwrap_or(false)),
                LogsDelivery {
                    role_arn: t.cloud_watch_logs_role_arn().map(str::to_string),
                    latest_error: s
                        .latest_cloud_watch_logs_delivery_error()
                        .filter(|e| !e.is_empty())
                        .map(str::to_string),
                    latest_delivery: s.latest_cloud_watch_logs_delivery_time().map(|t| t.secs()),
                    read_at: now_seconds(),
                },
            ),
            Err(e) => (
                Err(errors::read("cloudtrail:GetTrailStatus", e)),
                LogsDelivery {
                    role_arn: t.cloud_watch_logs_role_arn().map(str::to_string),
                    ..LogsDelivery::default()
                },
            ),
        };
        Trail {
            arn,
            name: t.name().unwrap_or_default().to_string(),
            home_region: home.clone(),
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
            is_logging,
            selectors: selectors
                .map(|s| selectors_of(&s))
                .map_err(|e| errors::read("cloudtrail:GetEventSelectors", e)),
            logs_delivery,
            archive: t.s3_bucket_name().map(|bucket| Archive {
                bucket: bucket.to_string(),
                key_prefix: t
                    .s3_key_prefix()
                    .map(|p| p.trim_end_matches('/').to_string())
                    .filter(|p| !p.is_empty()),
                kms_key_id: t.kms_key_id().map(str::to_string),
                region: home.clone(),
            }),
        }
    }

    /// A trail's `GetTrailStatus` and `GetEventSelectors`, at once, in its home region (AWS
    /// requires it for some of them).
    pub(crate) async fn trail_details(&self, arn: &str, home: &str) -> TrailDetails {
        let ct = self.clients(home).cloudtrail();
        self.count("cloudtrail:GetTrailStatus");
        self.count("cloudtrail:GetEventSelectors");
        let status = ct.get_trail_status().name(arn).customize();
        let selectors = ct.get_event_selectors().trail_name(arn).customize();
        futures::join!(
            status.config_override(self.identity()).send(),
            selectors.config_override(self.identity()).send(),
        )
    }

    pub(crate) async fn read_log_group(&self, region: &str, name: &str) -> LogGroup {
        LogGroup {
            region: region.to_string(),
            name: name.to_string(),
            filters: self.metric_filters(region, name).await,
        }
    }

    /// `DescribeMetricFilters` of one log group, every page.
    pub(crate) async fn metric_filters(
        &self,
        region: &str,
        name: &str,
    ) -> Result<Vec<MetricFilter>, ReadError> {
        let logs = self.clients(region).logs();
        crate::every_page(|token| async {
            self.count("logs:DescribeMetricFilters");
            let page = logs
                .describe_metric_filters()
                .log_group_name(name)
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("logs:DescribeMetricFilters", e))?;
            // Some servers apply the name as a prefix; keep this group's filters only.
            let filters = (page.metric_filters().iter())
                .filter(|f| f.log_group_name().is_none_or(|g| g == name))
                .map(metric_filter);
            Ok((filters.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// One region: its log groups' filters, then the alarms that matter, then the topics (each
    /// taken from what was read early when it was).
    async fn read_region(
        &self,
        region: &str,
        names: &[String],
        (scope, early): (&ReadScope, &Early),
        follow_up: FollowUp<'_>,
        account: &str,
        partition: &str,
    ) -> (Vec<LogGroup>, RegionState) {
        let wanted: BTreeSet<String> = scope
            .topic_names
            .iter()
            .map(|name| arn::topic_arn(partition, region, account, name))
            .chain(scope.topic_arns.iter().cloned())
            .filter(|arn| is_local_topic(arn, region, account))
            .collect();
        // Round trip 2: filters, the first page of alarms, the scope's topics.
        let (groups, first_page, named_topics) = futures::join!(
            join_all(names.iter().map(|name| async {
                match early.group(region, name) {
                    Some(group) => group,
                    None => self.read_log_group(region, name).await,
                }
            })),
            async {
                match early.page(region) {
                    Some(page) => page,
                    None => self.first_alarm_page(region).await,
                }
            },
            self.topics_knowing(region, wanted.iter().cloned().collect(), early),
        );
        let (alarms, alarms_read) = match first_page {
            // A region with at most a page of alarms: that page is all of them.
            Ok((alarms, false)) => (Ok(alarms), AlarmsRead::All),
            // More: the planner says which matter (`ReadRequest`), instead of paging them all.
            Ok((_, true)) => (
                Ok(Vec::new()),
                AlarmsRead::Only {
                    metrics: BTreeSet::new(),
                    name_prefix: None,
                },
            ),
            Err(e) => (Err(e), AlarmsRead::All),
        };
        let mut state = RegionState {
            region: region.to_string(),
            alarms,
            alarms_read,
            topics: Ok(named_topics),
            topics_read: wanted.into_iter().collect(),
        };
        // Next round trip: the topics of this account those alarms notify, not read yet; or, when
        // the region has more alarms than the page, those the planner asks for first, then theirs.
        match follow_up.in_region(&groups, &state) {
            Some(request) => {
                (self.read_more_in_region(&mut state, Some(&request), Vec::new(), account)).await
            }
            None => {
                let notified = notified_topics(&state, account);
                self.read_topics_of_region(&mut state, notified, early)
                    .await
            }
        }
        (groups, state)
    }

    /// Reads what the planner asked for into the snapshot (see `plan::plan_or_read`): per
    /// region, the alarms on the metrics that matter and those named with the prefix (then the
    /// topics of this account they notify), and the topics the plan turned to. All at once.
    pub async fn read_more(&self, snapshot: &mut Snapshot, request: &ReadRequest) {
        let account = snapshot.account_id.clone();
        let reads = snapshot.regions.iter_mut().map(|state| {
            let alarms = request.alarms.iter().find(|r| r.region == state.region);
            let topics: Vec<String> = request
                .topics
                .iter()
                .filter(|t| t.region == state.region)
                .map(|t| t.arn.clone())
                .collect();
            self.read_more_in_region(state, alarms, topics, &account)
        });
        join_all(reads).await;
    }

    async fn read_more_in_region(
        &self,
        state: &mut RegionState,
        alarms: Option<&AlarmRequest>,
        mut topics: Vec<String>,
        account: &str,
    ) {
        if let Some(request) = alarms {
            self.read_alarms_into(state, request).await;
            // The topics of this account the alarms notify that were not read yet.
            topics.extend(notified_topics(state, account));
        }
        let unread: BTreeSet<String> = topics
            .into_iter()
            .filter(|t| !state.topics_read.contains(t))
            .collect();
        let none = Early::default();
        self.read_topics_of_region(state, unread.into_iter().collect(), &none)
            .await;
    }

    /// The alarms on the requested metrics (`DescribeAlarmsForMetric`, 16 in flight) and those
    /// named with the prefix, merged into what the region already holds, each alarm once.
    async fn read_alarms_into(&self, state: &mut RegionState, request: &AlarmRequest) {
        let region = state.region.clone();
        let named = async {
            match &request.name_prefix {
                Some(prefix) => {
                    (self.described_alarms(&region, AlarmsWanted::Prefix(prefix))).await
                }
                None => Ok(Vec::new()),
            }
        };
        let (named, on_metrics) = futures::join!(
            named,
            futures::stream::iter(request.metrics.iter().cloned())
                .map(|metric| self.alarms_for_metric(&region, metric))
                .buffered(IN_FLIGHT)
                .collect::<Vec<_>>(),
        );
        let read = std::iter::once(named)
            .chain(on_metrics)
            .collect::<Result<Vec<Vec<Alarm>>, ReadError>>();
        let lists = match read {
            Ok(lists) => lists,
            Err(e) => {
                state.alarms = Err(e);
                return;
            }
        };
        let Ok(held) = &mut state.alarms else {
            return;
        };
        let mut by_name: BTreeMap<String, Alarm> =
            held.drain(..).map(|a| (a.name.clone(), a)).collect();
        for alarm in lists.into_iter().flatten() {
            by_name.entry(alarm.name.clone()).or_insert(alarm);
        }
        *held = by_name.into_values().collect();
        if let AlarmsRead::Only {
            metrics,
            name_prefix,
        } = &mut state.alarms_read
        {
            metrics.extend(request.metrics.iter().cloned());
            if request.name_prefix.is_some() {
                name_prefix.clone_from(&request.name_prefix);
            }
        }
    }

    /// Reads topics of the region into its state, recording each as asked about.
    pub(crate) async fn read_topics_of_region(
        &self,
        state: &mut RegionState,
        arns: Vec<String>,
        early: &Early,
    ) {
        if arns.is_empty() {
            return;
        }
        let read = self
            .topics_knowing(&state.region, arns.clone(), early)
            .await;
        if let Ok(list) = &mut state.topics {
            list.extend(read);
            list.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
        for arn in arns {
            if !state.topics_read.contains(&arn) {
                state.topics_read.push(arn);
            }
        }
    }

    /// The first page of the region's metric alarms (`DescribeAlarms`, 100 at most), and whether
    /// there are more.
    pub(crate) async fn first_alarm_page(&self, region: &str) -> FirstPage {
        let cw = self.clients(region).cloudwatch();
        self.count("cloudwatch:DescribeAlarms");
        let page = cw
            .describe_alarms()
            .max_records(PAGE)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::read("cloudwatch:DescribeAlarms", e))?;
        let more = page.next_token().is_some_and(|t| !t.is_empty());
        Ok((page.metric_alarms().iter().map(alarm).collect(), more))
    }

    /// The alarms `DescribeAlarms` gives for `wanted`, every page.
    pub(crate) async fn described_alarms(
        &self,
        region: &str,
        wanted: AlarmsWanted<'_>,
    ) -> Result<Vec<Alarm>, ReadError> {
        let cw = self.clients(region).cloudwatch();
        crate::every_page(|token| async {
            self.count("cloudwatch:DescribeAlarms");
            let asked = match wanted {
                AlarmsWanted::Prefix(prefix) => cw.describe_alarms().alarm_name_prefix(prefix),
                AlarmsWanted::Names(names) => {
                    cw.describe_alarms().set_alarm_names(Some(names.to_vec()))
                }
            };
            let page = asked
                .max_records(PAGE)
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("cloudwatch:DescribeAlarms", e))?;
            let alarms = page.metric_alarms().iter().map(alarm).collect();
            Ok((alarms, page.next_token().map(str::to_string)))
        })
        .await
    }

    /// The alarms on one metric (`DescribeAlarmsForMetric`, which is not paginated).
    async fn alarms_for_metric(
        &self,
        region: &str,
        metric: MetricKey,
    ) -> Result<Vec<Alarm>, ReadError> {
        let MetricKey { name, namespace } = metric;
        let cw = self.clients(region).cloudwatch();
        self.count("cloudwatch:DescribeAlarmsForMetric");
        let out = cw
            .describe_alarms_for_metric()
            .metric_name(name)
            .namespace(namespace)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::read("cloudwatch:DescribeAlarmsForMetric", e))?;
        Ok(out.metric_alarms().iter().map(alarm).collect())
    }

    /// [`Aws::read_topics`], each topic taken from what was read early when it was; in the order
    /// of `arns`, as that gives them.
    async fn topics_knowing(&self, region: &str, arns: Vec<String>, early: &Early) -> Vec<Topic> {
        let known: Vec<(String, Option<Option<Topic>>)> = arns
            .into_iter()
            .map(|arn| (arn.clone(), early.topic(&arn)))
            .collect();
        let unknown: Vec<String> = known
            .iter()
            .filter(|(_, topic)| topic.is_none())
            .map(|(arn, _)| arn.clone())
            .collect();
        let mut read: BTreeMap<String, Topic> = self
            .read_topics(region, unknown)
            .await
            .into_iter()
            .map(|t| (t.arn.clone(), t))
            .collect();
        known
            .into_iter()
            .filter_map(|(arn, topic)| match topic {
                Some(early) => early,
                None => read.remove(&arn),
            })
            .collect()
    }

    /// The topics among `arns` that exist, each with its attributes and subscriptions.
    pub(crate) async fn read_topics(&self, region: &str, arns: Vec<String>) -> Vec<Topic> {
        if arns.is_empty() {
            // No client either: building one is worth several calls' CPU, and the EventBridge
            // read asks this of every region its rules were listed in.
            return Vec::new();
        }
        let sns = self.clients(region).sns();
        futures::stream::iter(arns)
            .map(|arn| self.read_topic(&sns, region, arn, None))
            .buffered(IN_FLIGHT)
            .filter_map(|t| async move { t })
            .collect()
            .await
    }

    /// One topic read again (`early`): with the deliveries an earlier read gave, when it found
    /// the topic (`known`; `Topic::deliveries` says why they may be kept).
    pub(crate) async fn read_topic_again(
        &self,
        region: &str,
        arn: String,
        known: Option<DeliveriesRead>,
    ) -> Option<Topic> {
        let sns = self.clients(region).sns();
        self.read_topic(&sns, region, arn, known).await
    }

    /// One topic (`GetTopicAttributes`, `ListSubscriptionsByTopic` and, unless `known`, its
    /// deliveries, at once); `None` when it does not exist.
    async fn read_topic(
        &self,
        sns: &aws_sdk_sns::Client,
        region: &str,
        arn: String,
        known: Option<DeliveriesRead>,
    ) -> Option<Topic> {
        let deliveries = async {
            match known {
                Some(deliveries) => deliveries,
                None => self.read_deliveries(region, &arn).await,
            }
        };
        let (attributes, subscriptions, deliveries) = futures::join!(
            self.read_topic_attributes(sns, region, &arn),
            self.subscriptions(sns, &arn),
            deliveries
        );
        let missing =
            |e: Option<&ReadError>| e.is_some_and(|e| e.code.as_deref() == Some("NotFound"));
        if missing(attributes.as_ref().err()) || missing(subscriptions.as_ref().err()) {
            return None;
        }
        Some(Topic {
            arn,
            subscriptions,
            attributes,
            deliveries,
        })
    }

    /// `ListSubscriptionsByTopic`, every page.
    async fn subscriptions(
        &self,
        sns: &aws_sdk_sns::Client,
        arn: &str,
    ) -> Result<Vec<Subscription>, ReadError> {
        crate::every_page(|token| async {
            self.count("sns:ListSubscriptionsByTopic");
            let page = sns
                .list_subscriptions_by_topic()
                .topic_arn(arn)
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("sns:ListSubscriptionsByTopic", e))?;
            let subs = page.subscriptions().iter().map(|s| Subscription {
                arn: s.subscription_arn().unwrap_or_default().to_string(),
                protocol: s.protocol().unwrap_or_default().to_string(),
                endpoint: s.endpoint().unwrap_or_default().to_string(),
            });
            Ok((subs.collect(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// A topic's notifications delivered and failed over the day before the read (`AWS/SNS`,
    /// dimension `TopicName`, summed by the hour); `None` when CloudWatch has no data.
    async fn read_deliveries(&self, region: &str, arn: &str) -> DeliveriesRead {
        let topic = arn.rsplit(':').next().unwrap_or(arn);
        let query = MetricQuery {
            namespace: "AWS/SNS",
            dimension: ("TopicName", topic),
            metrics: [
                ("delivered", "NumberOfNotificationsDelivered"),
                ("failed", "NumberOfNotificationsFailed"),
            ],
        };
        let sums = self.metric_sums(region, &query).await?;
        Ok(sums.map(|[delivered, failed]| Deliveries { delivered, failed }))
    }

    /// Two metrics of one dimension summed over the day before the read (by the hour, as whole
    /// counts), in the query's order; `None` when CloudWatch has no data for either.
    pub(crate) async fn metric_sums(
        &self,
        region: &str,
        query: &MetricQuery<'_>,
    ) -> Result<Option<[u64; 2]>, ReadError> {
        use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
        let (dimension, value) = query.dimension;
        let data_query = |id: &str, name: &str| {
            let metric = Metric::builder()
                .namespace(query.namespace)
                .metric_name(name)
                .dimensions(Dimension::builder().name(dimension).value(value).build())
                .build();
            let stat = MetricStat::builder()
                .metric(metric)
                .period(3600)
                .stat("Sum")
                .build();
            MetricDataQuery::builder().id(id).metric_stat(stat).build()
        };
        let end = now_seconds();
        let start = end - 3600 * i64::try_from(model::live::DELIVERIES_WINDOW_HOURS).unwrap_or(24);
        let [(first_id, first), (second_id, second)] = query.metrics;
        let cloudwatch = self.clients(region).cloudwatch();
        let results = crate::every_page(|token| async {
            self.count("cloudwatch:GetMetricData");
            let page = cloudwatch
                .get_metric_data()
                .metric_data_queries(data_query(first_id, first))
                .metric_data_queries(data_query(second_id, second))
                .start_time(aws_smithy_types::DateTime::from_secs(start))
                .end_time(aws_smithy_types::DateTime::from_secs(end))
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("cloudwatch:GetMetricData", e))?;
            let results = page.metric_data_results().to_vec();
            Ok((results, page.next_token().map(str::to_string)))
        })
        .await?;
        let (mut sums, mut any) = ([0u64; 2], false);
        for result in results {
            let total: f64 = result.values().iter().sum();
            any |= !result.values().is_empty();
            // Counts: whole numbers, summed.
            let count = total.max(0.0).round() as u64;
            match result.id() {
                Some(id) if id == first_id => sums[0] += count,
                Some(id) if id == second_id => sums[1] += count,
                _ => {}
            }
        }
        Ok(any.then_some(sums))
    }

    async fn read_topic_attributes(
        &self,
        sns: &aws_sdk_sns::Client,
        region: &str,
        arn: &str,
    ) -> Result<TopicAttributes, ReadError> {
        self.count("sns:GetTopicAttributes");
        let out = sns
            .get_topic_attributes()
            .topic_arn(arn)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::read("sns:GetTopicAttributes", e))?;
        let attributes = out.attributes();
        let get = |key: &str| {
            attributes
                .and_then(|a| a.get(key))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let kms_master_key_id = get("KmsMasterKeyId");
        let key = match &kms_master_key_id {
            Some(id) => Some(self.read_key(region, id).await),
            None => None,
        };
        Ok(TopicAttributes {
            policy: get("Policy"),
            kms_master_key_id,
            key,
        })
    }

    /// The KMS key that encrypts a topic: who manages it, and its policy.
    async fn read_key(&self, region: &str, key_id: &str) -> Result<KmsKey, ReadError> {
        let kms = self.clients(region).kms();
        self.count("kms:DescribeKey");
        let described = kms
            .describe_key()
            .key_id(key_id)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::read("kms:DescribeKey", e))?;
        let metadata = described.key_metadata();
        let arn = metadata.and_then(|m| m.arn()).unwrap_or(key_id).to_string();
        let manager = metadata
            .and_then(|m| m.key_manager())
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let policy = if manager == "AWS" {
            None
        } else {
            self.count("kms:GetKeyPolicy");
            kms.get_key_policy()
                .key_id(&arn)
                .policy_name("default")
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("kms:GetKeyPolicy", e))?
                .policy()
                .map(str::to_string)
        };
        Ok(KmsKey {
            arn,
            manager,
            policy,
        })
    }
}

/// The model's alarm from the SDK's.
/// True when `arn` is a topic of this account and region: the only topics this read can see.
pub(crate) fn is_local_topic(arn: &str, region: &str, account: &str) -> bool {
    arn::parse_topic_arn(arn).is_ok_and(|t| t.region == region && t.account_id == account)
}

/// The topics of this account the region's read alarms notify that were not read yet.
fn notified_topics(state: &RegionState, account: &str) -> Vec<String> {
    let notified: BTreeSet<&String> = state
        .alarms
        .iter()
        .flatten()
        .flat_map(|a| a.alarm_actions.iter())
        .filter(|arn| is_local_topic(arn, &state.region, account))
        .filter(|arn| !state.topics_read.contains(*arn))
        .collect();
    notified.into_iter().cloned().collect()
}

fn alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        description: a.alarm_description().map(str::to_string),
        metric_name: a.metric_name().map(str::to_string),
        namespace: a.namespace().map(str::to_string),
        has_dimensions: !a.dimensions().is_empty(),
        actions_enabled: a.actions_enabled().unwrap_or(true),
        alarm_actions: a.alarm_actions().to_vec(),
        ok_actions: a.ok_actions().to_vec(),
        insufficient_data_actions: a.insufficient_data_actions().to_vec(),
        statistic: statistic(a),
        period: a.period(),
        evaluation_periods: a.evaluation_periods(),
        threshold: a.threshold(),
        comparison_operator: a
            .comparison_operator()
            .map(|c| ComparisonOperator::from(c.as_str())),
        treat_missing_data: a.treat_missing_data().map(TreatMissingData::from),
        datapoints_to_alarm: a.datapoints_to_alarm(),
    }
}

/// `Statistic`, else `ExtendedStatistic`; `None` for an alarm on metric math.
fn statistic(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> Option<Statistic> {
    let standard = a
        .statistic()
        .map(|s| Statistic::Standard(s.as_str().into()));
    standard.or_else(|| {
        a.extended_statistic()
            .map(|e| Statistic::Extended(e.to_string()))
    })
}

impl survey::Reader for Aws {
    type Error = AwsError;

    async fn read_snapshot(
        &self,
        scope: &ReadScope,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        Aws::read_snapshot(self, scope, follow_up).await
    }

    async fn read_more(&self, snapshot: &mut Snapshot, request: &ReadRequest) {
        Aws::read_more(self, snapshot, request).await
    }

    async fn read_again(
        &self,
        scope: &ReadScope,
        before: &Snapshot,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        Aws::read_knowing(self, scope, Some(before), follow_up).await
    }

    async fn read_written(
        &self,
        scope: &ReadScope,
        before: Snapshot,
        written: &model::live::Written,
        follow_up: FollowUp<'_>,
    ) -> Result<Snapshot, AwsError> {
        Aws::read_written(self, scope, before, written, follow_up).await
    }

    async fn read_buses(&self, buses: &[model::arn::EventBusRef]) -> Vec<model::live::BusRegion> {
        Aws::read_buses(self, buses).await
    }
}

/// A trail's selectors as `GetEventSelectors` gives them.
fn selectors_of(
    s: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> EventSelectors {
    EventSelectors {
        basic: s
            .event_selectors()
            .iter()
            .map(|b| BasicSelector {
                read_write_type: b
                    .read_write_type()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_else(|| "All".into()),
                include_management_events: b.include_management_events().unwrap_or(true),
            })
            .collect(),
        advanced: s
            .advanced_event_selectors()
            .iter()
            .map(|a| AdvancedSelector {
                name: a.name().map(str::to_string),
                fields: a
                    .field_selectors()
                    .iter()
                    .map(|f| FieldSelector {
                        field: f.field().to_string(),
                        equals: f.equals().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The reader's clock, in seconds since the Unix epoch.
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn metric_filter(f: &aws_sdk_cloudwatchlogs::types::MetricFilter) -> MetricFilter {
    MetricFilter {
        name: f.filter_name().unwrap_or_default().to_string(),
        pattern: f.filter_pattern().unwrap_or_default().to_string(),
        metrics: f
            .metric_transformations()
            .iter()
            .map(|m| MetricTransformation {
                name: m.metric_name().to_string(),
                namespace: m.metric_namespace().to_string(),
                value: m.metric_value().to_string(),
                default_value: m.default_value(),
            })
            .collect(),
    }
}
