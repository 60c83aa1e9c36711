//! How a CloudFormation template writes the values that differ between accounts: as the one
//! account's literals (a stack), or as parameters and pseudo parameters (a stack set's
//! template, the same in every account).

use serde_json::Value;

/// The values of one account's stack, or a stack set's parameters.
#[derive(Debug, Clone, Default)]
pub(crate) enum Values {
    /// One account's stack: every value as the plan has it.
    #[default]
    Literal,
    /// A stack set's template: these values by `!Ref`.
    Parameters(Parameters),
}

/// The values a stack set's template takes as parameters (each the plan's value, its default),
/// and the account and region its ARNs are written with, which become pseudo parameters.
#[derive(Debug, Clone)]
pub(crate) struct Parameters {
    /// `LogGroupName`: the log group the filters are on.
    pub log_group: Option<String>,
    /// `MetricNamespace`: the namespace of the filters' metrics and the alarms.
    pub namespace: Option<String>,
    /// `TopicName`: the topic the template creates.
    pub topic_name: Option<String>,
    /// The account planned (`AWS::AccountId` in every other).
    pub account: String,
    /// The region planned (`AWS::Region`).
    pub region: String,
}

/// The parameter names, as the template declares them.
pub(crate) const LOG_GROUP: &str = "LogGroupName";
pub(crate) const NAMESPACE: &str = "MetricNamespace";
pub(crate) const TOPIC_NAME: &str = "TopicName";

impl Values {
    fn parameters(&self) -> Option<&Parameters> {
        match self {
            Values::Literal => None,
            Values::Parameters(p) => Some(p),
        }
    }

    /// True for a stack, whose existing resources are imported (a stack set cannot import).
    pub(crate) fn imports(&self) -> bool {
        self.parameters().is_none()
    }

    /// A log group's name.
    pub(crate) fn log_group(&self, name: &str) -> String {
        self.by_parameter(name, |p| &p.log_group, LOG_GROUP)
    }

    /// A metric namespace.
    pub(crate) fn namespace(&self, namespace: &str) -> String {
        self.by_parameter(namespace, |p| &p.namespace, NAMESPACE)
    }

    /// A topic's name.
    pub(crate) fn topic_name(&self, name: &str) -> String {
        self.by_parameter(name, |p| &p.topic_name, TOPIC_NAME)
    }

    /// `!Ref` of the parameter whose value `value` is, else the value quoted.
    fn by_parameter(
        &self,
        value: &str,
        field: impl Fn(&Parameters) -> &Option<String>,
        parameter: &str,
    ) -> String {
        match self.parameters().and_then(|p| field(p).as_deref()) {
            Some(default) if default == value => format!("!Ref {parameter}"),
            _ => quoted(value),
        }
    }

    /// A created topic's access policy, as a flow mapping: in a stack set's template the
    /// topic's ARN is `!Ref` of its resource (`topic_id`) and the account, region and partition
    /// in other ARNs are pseudo parameters (`!Sub`).
    pub(crate) fn policy(&self, policy: &str, topic_arn: &str, topic_id: &str) -> String {
        let Ok(document) = serde_json::from_str::<Value>(policy) else {
            return quoted(policy);
        };
        match self.parameters() {
            None => document.to_string(),
            Some(p) => flow(&document, &|s| p.string(s, topic_arn, topic_id)),
        }
    }
}

impl Parameters {
    /// A string of the policy: the topic's ARN by reference, this account's values by pseudo
    /// parameters, anything else quoted.
    fn string(&self, s: &str, topic_arn: &str, topic_id: &str) -> String {
        if s == topic_arn {
            return format!("!Ref {topic_id}");
        }
        if !s.contains(&self.account) {
            return quoted(s);
        }
        let partition = model::arn::partition_of(&self.region);
        let text = s
            .replace("${", "${!")
            .replace(&format!("arn:{partition}:"), "arn:${AWS::Partition}:")
            .replace(&format!(":{}:", self.region), ":${AWS::Region}:")
            .replace(&self.account, "${AWS::AccountId}");
        format!("!Sub {}", quoted(&text))
    }
}

/// A JSON value as a YAML flow collection, its strings written by `string`.
fn flow(value: &Value, string: &dyn Fn(&str) -> String) -> String {
    match value {
        Value::String(s) => string(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| flow(v, string)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), flow(v, string)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// A YAML double-quoted scalar (JSON's escapes are YAML's).
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
