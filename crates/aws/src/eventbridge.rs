//! Reading the EventBridge side of an account when the planner asks for it: the regions the
//! account has enabled (`account:ListRegions`), then in each at once the default bus's rules
//! that can match CloudTrail events (`events:ListRules`), then per rule its targets
//! (`events:ListTargetsByRule`) and its `AWS/Events` invocations of the last day, then the SNS
//! topics of this account those rules target (read as alarms' topics are); then the buses of
//! this account those rules forward to, read the same way, at most [`HOPS`] buses deep.

use futures::future::join_all;
use futures::StreamExt;
use std::collections::BTreeSet;

use model::arn::EventBusRef;
use model::live::{
    BusRegion, EventBridgeRead, Invocations, ReadError, Rule, RuleState, DEFAULT_BUS,
};

use crate::errors;
use crate::read::{is_local_topic, MetricQuery};
use crate::Aws;

/// How many rules of one region have their targets read at once.
const IN_FLIGHT: usize = 8;

/// How many forwards from bus to bus are followed (EventBridge itself delivers an event across
/// at most a few buses; deeper chains are named by the planner as not followed).
pub const HOPS: usize = 3;

/// The region states `ListRegions` is asked for: the regions the account can use.
const ENABLED: [aws_sdk_account::types::RegionOptStatus; 2] = [
    aws_sdk_account::types::RegionOptStatus::Enabled,
    aws_sdk_account::types::RegionOptStatus::EnabledByDefault,
];

impl Aws {
    /// The default bus of every enabled region, or why the regions could not be listed.
    pub(crate) async fn read_eventbridge(&self, account: &str) -> EventBridgeRead {
        let regions = match self.enabled_regions().await {
            Ok(regions) => regions,
            Err(e) => return EventBridgeRead::Read(Err(e)),
        };
        let mut buses: Vec<BusRegion> = join_all(
            regions
                .iter()
                .map(|r| self.read_bus(r, DEFAULT_BUS, account)),
        )
        .await;
        for _ in 0..HOPS {
            let next = forwarded_to(&buses, account);
            if next.is_empty() {
                break;
            }
            let read = next
                .iter()
                .map(|bus| self.read_bus(&bus.region, &bus.name, account));
            buses.extend(join_all(read).await);
        }
        EventBridgeRead::Read(Ok(buses))
    }

    /// `account:ListRegions` for the enabled regions, every page, in name order.
    async fn enabled_regions(&self) -> Result<Vec<String>, ReadError> {
        let mut pages = self
            .clients(&self.region)
            .account()
            .list_regions()
            .set_region_opt_status_contains(Some(ENABLED.to_vec()))
            .into_paginator()
            .send();
        let mut regions = Vec::new();
        while let Some(page) = pages.next().await {
            self.count("account:ListRegions");
            let page = page.map_err(|e| errors::read("account:ListRegions", e))?;
            regions.extend(
                page.regions()
                    .iter()
                    .filter_map(|r| r.region_name().map(str::to_string)),
            );
        }
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    /// One bus of a region: its rules that can see CloudTrail events, their targets and
    /// invocations, and the topics of this account they target.
    async fn read_bus(&self, region: &str, bus: &str, account: &str) -> BusRegion {
        let client = self.clients(region).events();
        let rules = match self.list_rules(&client, bus).await {
            Ok(rules) => rules,
            Err(e) => {
                return BusRegion {
                    region: region.to_string(),
                    bus: bus.to_string(),
                    rules: Err(e),
                    topics: Vec::new(),
                }
            }
        };
        let rules: Vec<Rule> = futures::stream::iter(rules)
            .map(|rule| self.read_rule(&client, region, bus, rule))
            .buffered(IN_FLIGHT)
            .collect()
            .await;
        let mut topics: Vec<String> = rules
            .iter()
            .filter_map(|r| r.targets.as_ref().ok())
            .flatten()
            .filter(|t| is_local_topic(t, region, account))
            .cloned()
            .collect();
        topics.sort();
        topics.dedup();
        BusRegion {
            region: region.to_string(),
            bus: bus.to_string(),
            topics: self.read_topics(region, topics).await,
            rules: Ok(rules),
        }
    }

    /// A bus's rules with a pattern that can match a CloudTrail event, every page.
    async fn list_rules(
        &self,
        client: &aws_sdk_eventbridge::Client,
        bus: &str,
    ) -> Result<Vec<aws_sdk_eventbridge::types::Rule>, ReadError> {
        let mut rules = Vec::new();
        let mut token = None;
        loop {
            self.count("events:ListRules");
            let page = client
                .list_rules()
                .event_bus_name(bus)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| errors::read("events:ListRules", e))?;
            rules.extend(
                page.rules()
                    .iter()
                    .filter(|r| may_see_cloudtrail(r))
                    .cloned(),
            );
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(rules);
            }
        }
    }

    /// A rule with its targets and its invocations, read at once.
    async fn read_rule(
        &self,
        client: &aws_sdk_eventbridge::Client,
        region: &str,
        bus: &str,
        rule: aws_sdk_eventbridge::types::Rule,
    ) -> Rule {
        let name = rule.name().unwrap_or_default().to_string();
        let (targets, invocations) = futures::join!(
            self.targets_of(client, bus, &name),
            self.invocations_of(region, &name)
        );
        Rule {
            arn: rule.arn().unwrap_or_default().to_string(),
            state: RuleState::parse(rule.state().map(|s| s.as_str()).unwrap_or("ENABLED")),
            pattern: rule.event_pattern().unwrap_or_default().to_string(),
            name,
            targets,
            invocations,
        }
    }

    /// `ListTargetsByRule`, every page: the targets' ARNs.
    async fn targets_of(
        &self,
        client: &aws_sdk_eventbridge::Client,
        bus: &str,
        rule: &str,
    ) -> Result<Vec<String>, ReadError> {
        let mut targets = Vec::new();
        let mut token = None;
        loop {
            self.count("events:ListTargetsByRule");
            let page = client
                .list_targets_by_rule()
                .rule(rule)
                .event_bus_name(bus)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| errors::read("events:ListTargetsByRule", e))?;
            targets.extend(page.targets().iter().map(|t| t.arn().to_string()));
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(targets);
            }
        }
    }

    /// The rule's `Invocations` and `FailedInvocations` of the last day; `None` without data.
    async fn invocations_of(
        &self,
        region: &str,
        rule: &str,
    ) -> Result<Option<Invocations>, ReadError> {
        let query = MetricQuery {
            namespace: "AWS/Events",
            dimension: ("RuleName", rule),
            metrics: [("invoked", "Invocations"), ("failed", "FailedInvocations")],
        };
        let sums = self.metric_sums(region, &query).await?;
        Ok(sums.map(|[invoked, failed]| Invocations { invoked, failed }))
    }
}

/// The buses of this account the rules forward to that were not read yet, each once.
fn forwarded_to(buses: &[BusRegion], account: &str) -> BTreeSet<EventBusRef> {
    let read = |bus: &EventBusRef| {
        buses
            .iter()
            .any(|b| b.region == bus.region && b.bus == bus.name)
    };
    buses
        .iter()
        .filter_map(|b| b.rules.as_ref().ok())
        .flatten()
        .filter_map(|r| r.targets.as_ref().ok())
        .flatten()
        .filter_map(|target| model::arn::parse_event_bus_arn(target))
        .filter(|bus| bus.account_id == account && !read(bus))
        .collect()
}

/// Whether a listed rule can match an event CloudTrail delivers: it has an event pattern
/// (not only a schedule) that EventBridge accepted and that does not ask for other detail types.
fn may_see_cloudtrail(rule: &aws_sdk_eventbridge::types::Rule) -> bool {
    let Some(text) = rule.event_pattern() else {
        return false;
    };
    match eventpattern::parse(text) {
        Ok(pattern) => eventpattern::may_match_cloudtrail(&pattern),
        // Kept, so the planner says it cannot read it rather than the rule being missed.
        Err(_) => true,
    }
}
