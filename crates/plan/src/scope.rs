//! What the reader must fetch for a run: the metrics whose alarms can change a verdict or a plan,
//! the alarm names trailwatch may create, and the topics it may use. Deciding it here keeps the
//! read small and bounded in accounts with thousands of alarms and topics.

use std::collections::BTreeSet;
use std::sync::Arc;

use model::desired::NAME_PREFIX;
use model::live::{MetricFilter, ReadScope};
use model::{Control, Desired, MatchMode, TopicChoice};

use crate::{audit, resource_name};

/// The read scope for these controls and this desired state.
pub fn read_scope(controls: &[Control], desired: &Desired) -> ReadScope {
    let controls = controls.to_vec();
    let namespace = desired.namespace.clone();
    let mode = desired.match_mode;
    // The default topic is read only when the plan turns to it (`plan_or_read`): an account
    // whose alarms already notify a good topic never needs it.
    let (topic_names, topic_arns) = match &desired.topic {
        TopicChoice::Auto => (Vec::new(), Vec::new()),
        TopicChoice::Name(name) => (vec![name.clone()], Vec::new()),
        TopicChoice::Arn(arn) => (Vec::new(), vec![arn.clone()]),
    };
    ReadScope {
        alarm_metrics: Arc::new(move |filters: &[MetricFilter]| {
            alarm_metrics(&controls, &namespace, mode, filters)
        }),
        alarm_name_prefix: NAME_PREFIX.to_string(),
        topic_names,
        topic_arns,
    }
}

/// The `(metric, namespace)` pairs whose alarms the audit and the planner look at for one log
/// group: every metric of a filter that serves a control, falls short of one, is trailwatch's,
/// or publishes the control's metric — each also in the desired namespace, where an alarm on the
/// right name but the wrong namespace is reported — and, for a control no filter serves, its
/// own metric in the desired namespace (where trailwatch would create it).
fn alarm_metrics(
    controls: &[Control],
    namespace: &str,
    mode: MatchMode,
    filters: &[MetricFilter],
) -> Vec<(String, String)> {
    let mut out = BTreeSet::new();
    for control in controls {
        let ours = resource_name(control);
        let mut served = false;
        for filter in filters {
            let verdict = audit::judge(control, filter);
            let matches = match mode {
                MatchMode::Semantic => verdict.catches_all(),
                MatchMode::Strict => audit::is_published_variant(control, filter),
            };
            served |= matches && !filter.metrics.is_empty();
            let relevant = matches
                || verdict.catches_all()
                || audit::is_attempt(control, &verdict)
                || filter.name == ours
                || filter
                    .metrics
                    .iter()
                    .any(|m| m.name == control.default_metric_name && m.namespace == namespace);
            if relevant {
                for m in &filter.metrics {
                    out.insert((m.name.clone(), m.namespace.clone()));
                    out.insert((m.name.clone(), namespace.to_string()));
                }
            }
        }
        if !served {
            out.insert((
                control.default_metric_name.to_string(),
                namespace.to_string(),
            ));
        }
    }
    out.into_iter().collect()
}
