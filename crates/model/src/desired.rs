//! The desired state: what a compliant set-up looks like, from the CIS remediation and the flags.

use crate::cloudwatch::{ComparisonOperator, Statistic, TreatMissingData};
use quoted::quoted;
use serde::{Deserialize, Serialize};

/// The namespace CIS uses for the metrics of its filters.
pub const DEFAULT_NAMESPACE: &str = "CISBenchmark";
/// The topic trailwatch creates (or reuses) when none is named.
pub const DEFAULT_TOPIC_NAME: &str = "trailwatch-cis-alarms";
/// The prefix of the filters and alarms trailwatch creates: `trailwatch-<control id>`.
pub const NAME_PREFIX: &str = "trailwatch-";

/// Which SNS topic the alarms should notify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum TopicChoice {
    /// Reuse a topic with a confirmed subscriber that the alarms already notify; else the default
    /// topic name.
    Auto,
    /// A topic of this name in the log group's region (created when missing).
    Name(String),
    /// This existing topic.
    Arn(String),
}

/// An endpoint to subscribe to the topic (`--notify PROTOCOL:ENDPOINT`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The SNS protocol, such as `email`.
    pub protocol: String,
    /// The endpoint, such as an email address.
    pub endpoint: String,
}

const PROTOCOLS: &[&str] = &[
    "email",
    "email-json",
    "https",
    "http",
    "sms",
    "sqs",
    "lambda",
    "firehose",
    "application",
];

impl Endpoint {
    /// The endpoint as `PROTOCOL:ENDPOINT`.
    pub fn label(&self) -> String {
        format!("{}:{}", self.protocol, self.endpoint)
    }
}

/// True when SNS waits for the endpoint to confirm a subscription of this protocol (email and
/// HTTP(S)); SQS, Lambda, SMS, Firehose and application subscriptions are confirmed at once.
pub fn needs_confirmation(protocol: &str) -> bool {
    matches!(protocol, "email" | "email-json" | "http" | "https")
}

/// Why a `--notify` endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// No `:` between protocol and endpoint.
    #[error("{} is not PROTOCOL:ENDPOINT; write it like email:security@example.com", quoted(.0))]
    NotProtocolEndpoint(String),
    /// A protocol SNS does not have.
    #[error("unknown protocol {} in {}; use one of {}", quoted(protocol), quoted(given), PROTOCOLS.join(", "))]
    UnknownProtocol {
        /// The protocol.
        protocol: String,
        /// The whole text given.
        given: String,
    },
    /// An endpoint of the wrong form for its protocol; `example` says what it should be.
    #[error(
        "{} is not a valid {protocol} endpoint; give {example}",
        quoted(endpoint)
    )]
    Invalid {
        /// The endpoint.
        endpoint: String,
        /// Its protocol.
        protocol: String,
        /// What a valid one looks like.
        example: &'static str,
    },
}

impl std::str::FromStr for Endpoint {
    type Err = EndpointError;

    /// Parses `PROTOCOL:ENDPOINT`, checking the endpoint's form for the protocol.
    fn from_str(s: &str) -> Result<Self, EndpointError> {
        let (protocol, endpoint) = s
            .split_once(':')
            .ok_or_else(|| EndpointError::NotProtocolEndpoint(s.to_string()))?;
        if !PROTOCOLS.contains(&protocol) {
            return Err(EndpointError::UnknownProtocol {
                protocol: protocol.to_string(),
                given: s.to_string(),
            });
        }
        let ok = match protocol {
            "email" | "email-json" => {
                let mut parts = endpoint.splitn(2, '@');
                let (user, host) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                !user.is_empty() && host.contains('.') && !endpoint.contains(char::is_whitespace)
            }
            "https" | "http" => endpoint.starts_with(&format!("{protocol}://")),
            "sqs" | "lambda" | "firehose" | "application" => endpoint.starts_with("arn:"),
            _ => !endpoint.is_empty(),
        };
        if !ok {
            let example = match protocol {
                "email" | "email-json" => "an address such as security@example.com",
                "https" | "http" => {
                    "a URL starting with the protocol, such as https://example.com/hook"
                }
                "sms" => "a phone number such as +15555550100",
                _ => "an ARN",
            };
            return Err(EndpointError::Invalid {
                endpoint: endpoint.to_string(),
                protocol: protocol.to_string(),
                example,
            });
        }
        Ok(Endpoint {
            protocol: protocol.to_string(),
            endpoint: endpoint.to_string(),
        })
    }
}

/// The alarm settings CIS prescribes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmDefaults {
    /// `Sum`.
    pub statistic: Statistic,
    /// 300 seconds.
    pub period: i32,
    /// 1.
    pub evaluation_periods: i32,
    /// 1.
    pub threshold: f64,
    /// `GreaterThanOrEqualToThreshold`.
    pub comparison_operator: ComparisonOperator,
    /// `notBreaching`.
    pub treat_missing_data: TreatMissingData,
}

impl Default for AlarmDefaults {
    fn default() -> Self {
        AlarmDefaults {
            statistic: Statistic::SUM,
            period: 300,
            evaluation_periods: 1,
            threshold: 1.0,
            comparison_operator: ComparisonOperator::GreaterThanOrEqualToThreshold,
            treat_missing_data: TreatMissingData::NotBreaching,
        }
    }
}

/// How a metric filter is judged against a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// By what it matches: every event of the control's corpus (the default).
    Semantic,
    /// By its parsed pattern: one of the benchmark version's published variants, up to
    /// whitespace, quoting, operand order and redundant parentheses.
    Strict,
}

/// Everything the planner needs besides the live state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    /// The namespace of new metrics.
    pub namespace: String,
    /// The topic to notify.
    pub topic: TopicChoice,
    /// Endpoints to subscribe.
    pub notify: Vec<Endpoint>,
    /// Settings of new alarms.
    pub alarm: AlarmDefaults,
    /// How filters are judged.
    pub match_mode: MatchMode,
    /// Take over a resource trailwatch did not create when it has the name the plan wants.
    #[serde(default)]
    pub adopt: bool,
    /// Exceptions recorded in the configuration file, each with its reason and end date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<Waiver>,
    /// Count a control EventBridge rules cover as compliant (`--accept eventbridge`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accept_eventbridge: bool,
    /// Whether this read of the account reads the default buses' EventBridge rules; decided
    /// per read, never saved with a plan.
    #[serde(skip)]
    pub rules: RulesRead,
}

/// Whether a read of an account reads the default buses' EventBridge rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RulesRead {
    /// Read beside the first read, whatever the verdicts, so that judging them adds at most a
    /// round trip: `plan`, `backtest`, `drill`, and `apply` with `--accept eventbridge`.
    #[default]
    Read,
    /// Not read: `apply`'s reads before and after its writes when the rules cannot change what
    /// it writes (without `--accept eventbridge` they only add findings).
    Skip,
}

impl Desired {
    /// This desired state for `apply`'s reads before and after its writes: the rules are read
    /// only when they decide verdicts (`--accept eventbridge`).
    pub fn for_apply(&self) -> Desired {
        Desired {
            rules: match self.accept_eventbridge {
                true => RulesRead::Read,
                false => RulesRead::Skip,
            },
            ..self.clone()
        }
    }

    /// This desired state as a saved plan records it: without [`Desired::rules`], which each
    /// read decides, so that two desired states are compared by what a user chose.
    pub fn as_saved(&self) -> Desired {
        Desired {
            rules: RulesRead::default(),
            ..self.clone()
        }
    }
}

/// An exception to one control, for some accounts or all, until a date (`[[waiver]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// The control's slug.
    pub control: String,
    /// The accounts it covers; `None` for every account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
    /// Why the control is waived.
    pub reason: String,
    /// The last day before it lapses (`YYYY-MM-DD`): from this day on it no longer applies.
    pub expires: String,
    /// A ticket that tracks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// True when the run's date is on or after `expires`, decided when the file was read.
    #[serde(default)]
    pub expired: bool,
}

impl Waiver {
    /// True when the waiver names this control in this account (whether or not it expired).
    pub fn covers(&self, control: &str, account: &str) -> bool {
        self.control == control
            && self
                .accounts
                .as_ref()
                .is_none_or(|accounts| accounts.iter().any(|a| a == account))
    }
}

impl Default for Desired {
    fn default() -> Self {
        Desired {
            namespace: DEFAULT_NAMESPACE.into(),
            topic: TopicChoice::Auto,
            notify: Vec::new(),
            alarm: AlarmDefaults::default(),
            match_mode: MatchMode::Semantic,
            adopt: false,
            waivers: Vec::new(),
            accept_eventbridge: false,
            rules: RulesRead::Read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_bad_ones_say_what_to_write() {
        let e: Endpoint = "email:security@example.com".parse().unwrap();
        assert_eq!(
            (e.protocol.as_str(), e.endpoint.as_str()),
            ("email", "security@example.com")
        );
        let e: Endpoint = "https:https://example.com/x".parse().unwrap();
        assert_eq!(e.endpoint, "https://example.com/x");
        assert!("security@example.com"
            .parse::<Endpoint>()
            .unwrap_err()
            .to_string()
            .contains("PROTOCOL:ENDPOINT"));
        assert!("pager:x"
            .parse::<Endpoint>()
            .unwrap_err()
            .to_string()
            .contains("unknown protocol `pager`"));
        assert!("email:nobody"
            .parse::<Endpoint>()
            .unwrap_err()
            .to_string()
            .contains("not a valid email endpoint"));
        assert!("sqs:queue".parse::<Endpoint>().is_err());
    }
}
