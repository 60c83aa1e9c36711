//! Reading the EventBridge side of an account, beside the rest of the first read: the regions
//! the account has enabled (`account:ListRegions`), then in each at once the default bus's
//! rules that can match CloudTrail events (`events:ListRules`), then per rule its targets
//! (`events:ListTargetsByRule`) and its `AWS/Events` invocations of the last day — none of
//! which needs the account id — then the SNS topics of this account those rules target (read
//! as alarms' topics are); then the buses of this account those rules forward to, read the
//! same way, at most [`FORWARD_HOPS`] buses deep.

use futures::future::join_all;
use futures::StreamExt;

use model::arn::EventBusRef;
use model::live::{
    forwarded_unread, BusPolicy, BusRegion, EventBridgeRead, Invocations, ReadError, Rule,
    RuleState, DEFAULT_BUS, FORWARD_HOPS,
};

use crate::errors;
use crate::read::{is_local_topic, MetricQuery};
use crate::Aws;

/// How many rules of one region have their targets read at once.
const IN_FLIGHT: usize = 8;

/// How many regions' default buses one account lists at once: half of the 17 regions enabled
/// by default, rounded up. The second half is listed while the rest of the read asks for the
/// alarms' topics, so an account whose rules target nothing is read no deeper, with a third
/// fewer calls in flight (and so fewer connections and less memory in a many-account run).
const REGIONS_AT_ONCE: usize = 9;

/// The region states `ListRegions` is asked for: the regions the account can use.
const ENABLED: [aws_sdk_account::types::RegionOptStatus; 2] = [
    aws_sdk_account::types::RegionOptStatus::Enabled,
    aws_sdk_account::types::RegionOptStatus::EnabledByDefault,
];

/// A bus's rules as listed, with their targets and invocations, before its topics are read.
pub(crate) struct Listed {
    region: String,
    bus: String,
    rules: Result<Vec<Rule>, ReadError>,
}

/// The default buses of every enabled region as listed, or why the regions could not be listed.
pub(crate) type DefaultBuses = Result<Vec<Listed>, ReadError>;

impl Aws {
    /// The first part, which needs no account id and so runs beside the rest of the first read:
    /// the enabled regions, then each default bus's rules with their targets and invocations.
    pub(crate) async fn default_buses(&self) -> DefaultBuses {
        let regions = self.enabled_regions().await?;
        Ok(futures::stream::iter(&regions)
            .map(|r| self.list_bus(r, DEFAULT_BUS))
            .buffered(REGIONS_AT_ONCE)
            .collect()
            .await)
    }

    /// The rest: the topics of `account` the rules target, then the buses of `account` they
    /// forward to, read the same way, at most [`FORWARD_HOPS`] deep.
    pub(crate) async fn finish_eventbridge(
        &self,
        listed: DefaultBuses,
        account: &str,
    ) -> EventBridgeRead {
        let listed = match listed {
            Ok(listed) => listed,
            Err(e) => return EventBridgeRead::Read(Err(e)),
        };
        let mut buses: Vec<BusRegion> =
            join_all(listed.into_iter().map(|bus| self.with_topics(bus, account))).await;
        for _ in 0..FORWARD_HOPS {
            let next: Vec<EventBusRef> = forwarded_unread(&buses, |_| true)
                .into_iter()
                .filter(|bus| bus.account_id == account)
                .collect();
            if next.is_empty() {
                break;
            }
            buses.extend(join_all(next.iter().map(|bus| self.read_bus(bus))).await);
        }
        EventBridgeRead::Read(Ok(buses))
    }

    /// `account:ListRegions` for the enabled regions, every page, in name order.
    async fn enabled_regions(&self) -> Result<Vec<String>, ReadError> {
        let account = self.clients(&self.region).account();
        let mut regions = crate::every_page(|token| async {
            self.count("account:ListRegions");
            let page = account
                .list_regions()
                .set_region_opt_status_contains(Some(ENABLED.to_vec()))
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("account:ListRegions", e))?;
            let regions =
                (page.regions().iter()).filter_map(|r| r.region_name().map(str::to_string));
            Ok((regions.collect(), page.next_token().map(str::to_string)))
        })
        .await?;
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    /// One bus of a region: its rules that can see CloudTrail events, with their targets and
    /// invocations.
    async fn list_bus(&self, region: &str, bus: &str) -> Listed {
        let client = self.clients(region).events();
        let rules = match self.list_rules(&client, bus).await {
            Ok(rules) => Ok(futures::stream::iter(rules)
                .map(|rule| self.read_rule(&client, region, bus, rule))
                .buffered(IN_FLIGHT)
                .collect()
                .await),
            Err(e) => Err(e),
        };
        Listed {
            region: region.to_string(),
            bus: bus.to_string(),
            rules,
        }
    }

    /// A listed bus with the topics of this account its rules target.
    async fn with_topics(&self, listed: Listed, account: &str) -> BusRegion {
        let Listed { region, bus, rules } = listed;
        let mut topics: Vec<String> = rules
            .iter()
            .flatten()
            .filter_map(|r| r.targets.as_ref().ok())
            .flatten()
            .filter(|t| is_local_topic(t, &region, account))
            .cloned()
            .collect();
        topics.sort();
        topics.dedup();
        BusRegion {
            account: account.to_string(),
            topics: self.read_topics(&region, topics).await,
            region,
            bus,
            policy: BusPolicy::NotRead,
            rules,
        }
    }

    /// A bus a rule forwards to: its rules, their targets and invocations, then the topics of
    /// its account they target.
    async fn read_bus(&self, bus: &EventBusRef) -> BusRegion {
        let listed = self.list_bus(&bus.region, &bus.name).await;
        self.with_topics(listed, &bus.account_id).await
    }

    /// Buses of this account another account's rules forward to (`survey::Reader::read_buses`):
    /// each read as a forwarded-to bus is, with its resource policy (`DescribeEventBus`).
    pub async fn read_buses(&self, buses: &[EventBusRef]) -> Vec<BusRegion> {
        join_all(buses.iter().map(|wanted| async move {
            let (mut bus, policy) = futures::join!(
                self.read_bus(wanted),
                self.bus_policy(&wanted.region, &wanted.name)
            );
            bus.policy = policy;
            bus
        }))
        .await
    }

    /// A bus's resource policy.
    async fn bus_policy(&self, region: &str, name: &str) -> BusPolicy {
        self.count("events:DescribeEventBus");
        let events = self.clients(region).events();
        let call = events.describe_event_bus().name(name).customize();
        match call.config_override(self.identity()).send().await {
            Ok(out) => BusPolicy::Read(out.policy().map(str::to_string)),
            Err(e) => BusPolicy::Unreadable(errors::read("events:DescribeEventBus", e)),
        }
    }

    /// A bus's rules with a pattern that can match a CloudTrail event, every page.
    async fn list_rules(
        &self,
        client: &aws_sdk_eventbridge::Client,
        bus: &str,
    ) -> Result<Vec<aws_sdk_eventbridge::types::Rule>, ReadError> {
        crate::every_page(|token| async {
            self.count("events:ListRules");
            let page = client
                .list_rules()
                .event_bus_name(bus)
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("events:ListRules", e))?;
            let rules = page.rules().iter().filter(|r| may_see_cloudtrail(r));
            Ok((
                rules.cloned().collect(),
                page.next_token().map(str::to_string),
            ))
        })
        .await
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
        crate::every_page(|token| async {
            self.count("events:ListTargetsByRule");
            let page = client
                .list_targets_by_rule()
                .rule(rule)
                .event_bus_name(bus)
                .set_next_token(token)
                .customize()
                .config_override(self.identity())
                .send()
                .await
                .map_err(|e| errors::read("events:ListTargetsByRule", e))?;
            let targets = page.targets().iter().map(|t| t.arn().to_string());
            Ok((targets.collect(), page.next_token().map(str::to_string)))
        })
        .await
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
