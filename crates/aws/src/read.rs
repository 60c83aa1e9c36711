//! Reading an account into a [`Snapshot`]: the trails; then, all at once, each trail's status
//! and selectors, each log group's filters and each region's alarms, topics and subscriptions;
//! then the topics' attributes (and the keys of encrypted topics).

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use futures::StreamExt;
use model::arn;
use model::live::{
    AdvancedSelector, Alarm, BasicSelector, EventSelectors, FieldSelector, KmsKey, LogGroup,
    MetricFilter, MetricTransformation, ReadError, RegionState, Snapshot, Subscription, Topic,
    TopicAttributes, Trail,
};

use crate::errors;
use crate::Aws;

impl Aws {
    /// Reads everything the audit needs from the account. Individual read failures are kept in
    /// the snapshot (so the controls that depend on them are reported as `error`).
    pub async fn read_snapshot(&self, account_id: &str) -> Snapshot {
        let partition = arn::partition_of(&self.region).to_string();
        // Round trip 1: the trails. Everything else depends only on what it returns, so the
        // trails' status and selectors, the log groups' filters and the regions' alarms and
        // topics are all read at once (round trip 2; topic attributes and keys follow).
        let listed = self.describe_trails().await;
        let mut groups: BTreeSet<(String, String)> = BTreeSet::new();
        if let Ok(trails) = &listed {
            for trail in trails {
                let Some(group) = trail
                    .cloud_watch_logs_log_group_arn()
                    .and_then(|a| arn::parse_log_group_arn(a).ok())
                else {
                    continue;
                };
                // A log group in another account (an organization trail) is read there.
                if group.account_id == account_id {
                    groups.insert((group.region, group.name));
                }
            }
        }
        let regions: BTreeSet<String> = groups.iter().map(|(r, _)| r.clone()).collect();
        let details = async {
            match listed {
                Ok(trails) => Ok(join_all(trails.into_iter().map(|t| self.read_trail(t))).await),
                Err(e) => Err(e),
            }
        };
        let (trails, log_groups, region_states) = futures::join!(
            details,
            join_all(
                groups
                    .iter()
                    .map(|(region, name)| self.read_log_group(region, name))
            ),
            join_all(regions.iter().map(|region| self.read_region(region))),
        );
        Snapshot {
            account_id: account_id.to_string(),
            region: self.region.clone(),
            partition,
            trails,
            log_groups,
            regions: region_states,
        }
    }

    /// `DescribeTrails`, de-duplicated by ARN.
    async fn describe_trails(&self) -> Result<Vec<aws_sdk_cloudtrail::types::Trail>, ReadError> {
        let ct = self.clients(&self.region).cloudtrail;
        self.count("cloudtrail:DescribeTrails");
        let out = ct
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| errors::read("cloudtrail:DescribeTrails", e))?;
        let mut seen = BTreeMap::new();
        for t in out.trail_list() {
            let Some(arn) = t.trail_arn() else { continue };
            seen.entry(arn.to_string()).or_insert_with(|| t.clone());
        }
        Ok(seen.into_values().collect())
    }

    async fn read_trail(&self, t: aws_sdk_cloudtrail::types::Trail) -> Trail {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        let home = t
            .home_region()
            .map(str::to_string)
            .unwrap_or_else(|| self.region.clone());
        // Per-trail calls go to the trail's home region (AWS requires it for some of them).
        let ct = self.clients(&home).cloudtrail;
        self.count("cloudtrail:GetTrailStatus");
        self.count("cloudtrail:GetEventSelectors");
        let (status, selectors) = futures::join!(
            ct.get_trail_status().name(&arn).send(),
            ct.get_event_selectors().trail_name(&arn).send(),
        );
        let is_logging = status
            .map(|s| s.is_logging().unwrap_or(false))
            .map_err(|e| errors::read("cloudtrail:GetTrailStatus", e));
        let selectors = selectors
            .map(|s| EventSelectors {
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
            })
            .map_err(|e| errors::read("cloudtrail:GetEventSelectors", e));
        Trail {
            arn,
            name: t.name().unwrap_or_default().to_string(),
            home_region: home,
            is_multi_region: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
            is_logging,
            selectors,
        }
    }

    async fn read_log_group(&self, region: &str, name: &str) -> LogGroup {
        let logs = self.clients(region).logs;
        let mut pages = logs
            .describe_metric_filters()
            .log_group_name(name)
            .into_paginator()
            .send();
        let mut filters = Vec::new();
        let mut error = None;
        while let Some(page) = pages.next().await {
            self.count("logs:DescribeMetricFilters");
            match page {
                Ok(page) => {
                    for f in page.metric_filters() {
                        // Some servers apply the name as a prefix; keep this group's filters only.
                        if f.log_group_name().is_some_and(|g| g != name) {
                            continue;
                        }
                        filters.push(MetricFilter {
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
                        });
                    }
                }
                Err(e) => {
                    error = Some(errors::read("logs:DescribeMetricFilters", e));
                    break;
                }
            }
        }
        LogGroup {
            region: region.to_string(),
            name: name.to_string(),
            filters: match error {
                Some(e) => Err(e),
                None => Ok(filters),
            },
        }
    }

    async fn read_region(&self, region: &str) -> RegionState {
        let (alarms, topics) = futures::join!(self.read_alarms(region), self.read_topics(region));
        // Only the topics some alarm notifies can be part of a control's chain: read their
        // attributes (policy, encryption), all at once; the others stay unread.
        let topics = match (topics, &alarms) {
            (Ok(mut topics), Ok(alarms)) => {
                let notified: BTreeSet<&str> = alarms
                    .iter()
                    .flat_map(|a| a.alarm_actions.iter().map(String::as_str))
                    .collect();
                let sns = self.clients(region).sns;
                let wanted: Vec<usize> = (0..topics.len())
                    .filter(|i| notified.contains(topics[*i].arn.as_str()))
                    .collect();
                let read: Vec<Result<TopicAttributes, ReadError>> =
                    futures::stream::iter(wanted.iter())
                        .map(|i| self.read_topic_attributes(&sns, region, &topics[*i].arn))
                        .buffered(32)
                        .collect()
                        .await;
                for (i, attributes) in wanted.into_iter().zip(read) {
                    topics[i].attributes = attributes;
                }
                Ok(topics)
            }
            (topics, _) => topics,
        };
        RegionState {
            region: region.to_string(),
            alarms,
            topics,
        }
    }

    async fn read_alarms(&self, region: &str) -> Result<Vec<Alarm>, ReadError> {
        let cw = self.clients(region).cloudwatch;
        let mut pages = cw.describe_alarms().into_paginator().send();
        let mut alarms = Vec::new();
        while let Some(page) = pages.next().await {
            self.count("cloudwatch:DescribeAlarms");
            let page = page.map_err(|e| errors::read("cloudwatch:DescribeAlarms", e))?;
            for a in page.metric_alarms() {
                alarms.push(Alarm {
                    name: a.alarm_name().unwrap_or_default().to_string(),
                    description: a.alarm_description().map(str::to_string),
                    metric_name: a.metric_name().map(str::to_string),
                    namespace: a.namespace().map(str::to_string),
                    has_dimensions: !a.dimensions().is_empty(),
                    actions_enabled: a.actions_enabled().unwrap_or(true),
                    alarm_actions: a.alarm_actions().to_vec(),
                    ok_actions: a.ok_actions().to_vec(),
                    insufficient_data_actions: a.insufficient_data_actions().to_vec(),
                    statistic: a.statistic().map(|s| s.as_str().to_string()),
                    period: a.period(),
                    evaluation_periods: a.evaluation_periods(),
                    threshold: a.threshold(),
                    comparison_operator: a.comparison_operator().map(|c| c.as_str().to_string()),
                    treat_missing_data: a.treat_missing_data().map(str::to_string),
                });
            }
        }
        Ok(alarms)
    }

    /// Topics (`ListTopics`) and all subscriptions of the region (`ListSubscriptions`, one
    /// listing instead of a call per topic).
    async fn read_topics(&self, region: &str) -> Result<Vec<Topic>, ReadError> {
        let sns = self.clients(region).sns;
        let list_topics = async {
            let mut pages = sns.list_topics().into_paginator().send();
            let mut arns = Vec::new();
            while let Some(page) = pages.next().await {
                self.count("sns:ListTopics");
                let page = page.map_err(|e| errors::read("sns:ListTopics", e))?;
                arns.extend(
                    page.topics()
                        .iter()
                        .filter_map(|t| t.topic_arn().map(str::to_string)),
                );
            }
            Ok::<_, ReadError>(arns)
        };
        let list_subscriptions = async {
            let mut pages = sns.list_subscriptions().into_paginator().send();
            let mut subs: BTreeMap<String, Vec<Subscription>> = BTreeMap::new();
            while let Some(page) = pages.next().await {
                self.count("sns:ListSubscriptions");
                let page = page.map_err(|e| errors::read("sns:ListSubscriptions", e))?;
                for s in page.subscriptions() {
                    subs.entry(s.topic_arn().unwrap_or_default().to_string())
                        .or_default()
                        .push(Subscription {
                            arn: s.subscription_arn().unwrap_or_default().to_string(),
                            protocol: s.protocol().unwrap_or_default().to_string(),
                            endpoint: s.endpoint().unwrap_or_default().to_string(),
                        });
                }
            }
            Ok::<_, ReadError>(subs)
        };
        let (arns, subs) = futures::join!(list_topics, list_subscriptions);
        let arns = arns?;
        let mut subs = subs;
        let mut topics = Vec::new();
        for arn in arns {
            let attributes = Ok(TopicAttributes::default());
            let subscriptions = match &mut subs {
                Ok(by_topic) => Ok(by_topic.remove(&arn).unwrap_or_default()),
                Err(e) => Err(e.clone()),
            };
            topics.push(Topic {
                arn,
                subscriptions,
                attributes,
            });
        }
        Ok(topics)
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
        let kms = self.clients(region).kms;
        self.count("kms:DescribeKey");
        let described = kms
            .describe_key()
            .key_id(key_id)
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
