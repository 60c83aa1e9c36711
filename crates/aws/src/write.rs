//! Executing planned actions: the four calls trailwatch ever writes with. Nothing here deletes,
//! and nothing touches trails or log groups.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use aws_sdk_cloudwatchlogs::types::MetricTransformation;
use model::cloudwatch::Statistic as AlarmStatistic;
use model::report::{AlarmSpec, FilterSpec, SubscriptionSpec, TopicSpec};
use model::{Action, Operation};

use crate::errors::{self, CallError};
use crate::Aws;

impl apply::Executor for Aws {
    type Error = CallError;

    async fn execute(&self, action: &Action) -> Result<String, CallError> {
        let region = action.region.as_str();
        self.count(action.operation.iam_action());
        match &action.operation {
            Operation::PutMetricFilter { after, .. } => self.put_metric_filter(region, after).await,
            Operation::CreateTopic { after } => self.create_topic(region, after).await,
            Operation::Subscribe { after } => self.subscribe(region, after).await,
            Operation::PutMetricAlarm { after, .. } => self.put_metric_alarm(region, after).await,
        }
    }

    fn stopping(&self) -> bool {
        stop_requested()
    }
}

/// Set once the user asks a run that writes to stop: a signal concerns the whole process.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks every write of the process to stop: the calls in flight finish, no new one starts.
pub fn request_stop() {
    STOP.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// True once [`request_stop`] was called.
pub fn stop_requested() -> bool {
    STOP.load(std::sync::atomic::Ordering::SeqCst)
}

impl Aws {
    async fn put_metric_filter(&self, region: &str, f: &FilterSpec) -> Result<String, CallError> {
        let transformation = MetricTransformation::builder()
            .metric_name(&f.metric_name)
            .metric_namespace(&f.namespace)
            .metric_value(&f.metric_value)
            .set_default_value(f.default_value)
            .build()
            .map_err(CallError::InvalidTransformation)?;
        self.clients(region)
            .logs()
            .put_metric_filter()
            .log_group_name(&f.log_group)
            .filter_name(&f.name)
            .filter_pattern(&f.pattern)
            .metric_transformations(transformation)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::write("logs:PutMetricFilter", e))?;
        Ok(format!(
            "filter `{}` on log group `{}`",
            f.name, f.log_group
        ))
    }

    async fn create_topic(&self, region: &str, t: &TopicSpec) -> Result<String, CallError> {
        let out = self
            .clients(region)
            .sns()
            .create_topic()
            .name(&t.name)
            .set_attributes(
                t.policy
                    .as_ref()
                    .map(|p| std::collections::HashMap::from([("Policy".to_string(), p.clone())])),
            )
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::write("sns:CreateTopic", e))?;
        let arn = out.topic_arn().unwrap_or_default();
        if arn != t.arn {
            return Err(CallError::UnplannedTopic {
                returned: arn.to_string(),
                planned: t.arn.clone(),
            });
        }
        Ok(format!("topic `{arn}`"))
    }

    async fn subscribe(&self, region: &str, s: &SubscriptionSpec) -> Result<String, CallError> {
        let out = self
            .clients(region)
            .sns()
            .subscribe()
            .topic_arn(&s.topic_arn)
            .protocol(&s.protocol)
            .endpoint(&s.endpoint)
            .return_subscription_arn(true)
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::write("sns:Subscribe", e))?;
        let arn = out.subscription_arn().unwrap_or_default();
        if arn.starts_with("arn:") && !model::desired::needs_confirmation(&s.protocol) {
            Ok(format!("{}:{} subscribed", s.protocol, s.endpoint))
        } else {
            Ok(format!(
                "{}:{} subscribed; it receives nothing until the endpoint confirms the subscription",
                s.protocol, s.endpoint
            ))
        }
    }

    async fn put_metric_alarm(&self, region: &str, a: &AlarmSpec) -> Result<String, CallError> {
        self.clients(region)
            .cloudwatch()
            .put_metric_alarm()
            .alarm_name(&a.name)
            .set_alarm_description(a.description.clone())
            .metric_name(&a.metric_name)
            .namespace(&a.namespace)
            .set_statistic(match &a.statistic {
                AlarmStatistic::Standard(s) => Some(Statistic::from(s.as_str())),
                AlarmStatistic::Extended(_) => None,
            })
            .set_extended_statistic(match &a.statistic {
                AlarmStatistic::Extended(e) => Some(e.clone()),
                AlarmStatistic::Standard(_) => None,
            })
            .period(a.period)
            .evaluation_periods(a.evaluation_periods)
            .threshold(a.threshold)
            .comparison_operator(ComparisonOperator::from(a.comparison_operator.as_str()))
            .set_treat_missing_data(a.treat_missing_data.as_ref().map(|t| t.as_str().into()))
            .actions_enabled(a.actions_enabled)
            .set_alarm_actions(Some(a.alarm_actions.clone()))
            .set_ok_actions(Some(a.ok_actions.clone()))
            .set_insufficient_data_actions(Some(a.insufficient_data_actions.clone()))
            .customize()
            .config_override(self.identity())
            .send()
            .await
            .map_err(|e| errors::write("cloudwatch:PutMetricAlarm", e))?;
        Ok(format!(
            "alarm `{}` on metric `{}/{}`",
            a.name, a.namespace, a.metric_name
        ))
    }
}
