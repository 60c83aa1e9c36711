//! CloudWatch's alarm settings as types: `ComparisonOperator`, `Statistic` and
//! `TreatMissingData`, with every value CloudWatch documents. A value this version does not know
//! is kept as it was read (`Unknown`), never dropped nor mapped to a default, so code that
//! judges it can say it cannot tell. Each is written (JSON, plan files) as CloudWatch's string.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An enum of CloudWatch's names plus `Unknown(String)`: parsing, printing and serde as the
/// name.
macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know, as read.
            Unknown(String),
        }

        impl $name {
            /// CloudWatch's name for it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name::from(text.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// `ComparisonOperator`: static thresholds and anomaly detection bands.
    ComparisonOperator {
        /// `>=` the threshold.
        GreaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold",
        /// `>` the threshold.
        GreaterThanThreshold = "GreaterThanThreshold",
        /// `<` the threshold.
        LessThanThreshold = "LessThanThreshold",
        /// `<=` the threshold.
        LessThanOrEqualToThreshold = "LessThanOrEqualToThreshold",
        /// Outside an anomaly detection band.
        LessThanLowerOrGreaterThanUpperThreshold = "LessThanLowerOrGreaterThanUpperThreshold",
        /// Below an anomaly detection band.
        LessThanLowerThreshold = "LessThanLowerThreshold",
        /// Above an anomaly detection band.
        GreaterThanUpperThreshold = "GreaterThanUpperThreshold",
    }
}

named! {
    /// `TreatMissingData`.
    TreatMissingData {
        /// Missing data points breach.
        Breaching = "breaching",
        /// Missing data points do not breach.
        NotBreaching = "notBreaching",
        /// The alarm keeps its state.
        Ignore = "ignore",
        /// The alarm evaluates only the periods with data (CloudWatch's default).
        Missing = "missing",
    }
}

named! {
    /// `Statistic`, one of CloudWatch's standard statistics.
    StandardStatistic {
        /// `SampleCount`.
        SampleCount = "SampleCount",
        /// `Average`.
        Average = "Average",
        /// `Sum`.
        Sum = "Sum",
        /// `Minimum`.
        Minimum = "Minimum",
        /// `Maximum`.
        Maximum = "Maximum",
    }
}

/// The statistic an alarm applies: a standard `Statistic`, or an `ExtendedStatistic`
/// (percentiles such as `p99`, trimmed means such as `tm90`, …), kept as CloudWatch names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Statistic {
    /// `Statistic` (an unknown one is `StandardStatistic::Unknown`).
    Standard(StandardStatistic),
    /// `ExtendedStatistic`.
    Extended(String),
}

/// The prefixes of CloudWatch's extended statistics (percentile, trimmed mean, trimmed count,
/// trimmed sum, winsorized mean, percentile rank).
const EXTENDED_PREFIXES: [&str; 6] = ["p", "tm", "tc", "ts", "wm", "pr"];

impl Statistic {
    /// `Sum`.
    pub const SUM: Statistic = Statistic::Standard(StandardStatistic::Sum);

    /// CloudWatch's name for it.
    pub fn as_str(&self) -> &str {
        match self {
            Statistic::Standard(s) => s.as_str(),
            Statistic::Extended(name) => name,
        }
    }

    /// True for the syntax of an extended statistic: a known prefix (any case) followed by a
    /// number or a parenthesised range.
    pub fn is_extended(text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        EXTENDED_PREFIXES.iter().any(|prefix| {
            lower
                .strip_prefix(prefix)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_digit() || c == '(')
        })
    }
}

impl From<&str> for Statistic {
    fn from(text: &str) -> Self {
        match StandardStatistic::from(text) {
            StandardStatistic::Unknown(_) if Statistic::is_extended(text) => {
                Statistic::Extended(text.to_string())
            }
            standard => Statistic::Standard(standard),
        }
    }
}

impl From<String> for Statistic {
    fn from(text: String) -> Self {
        Statistic::from(text.as_str())
    }
}

impl From<Statistic> for String {
    fn from(value: Statistic) -> String {
        value.as_str().to_string()
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_values_are_kept() {
        for name in ["GreaterThanUpperThreshold", "Sideways"] {
            assert_eq!(ComparisonOperator::from(name).as_str(), name);
        }
        assert_eq!(
            ComparisonOperator::from("Sideways"),
            ComparisonOperator::Unknown("Sideways".into())
        );
        assert_eq!(
            TreatMissingData::from("notBreaching"),
            TreatMissingData::NotBreaching
        );
        let json = serde_json::to_string(&TreatMissingData::Unknown("x".into())).unwrap();
        assert_eq!(json, r#""x""#);
    }

    #[test]
    fn statistics_are_standard_extended_or_unknown() {
        assert_eq!(Statistic::from("Sum"), Statistic::SUM);
        assert_eq!(Statistic::from("p99"), Statistic::Extended("p99".into()));
        assert_eq!(
            Statistic::from("TM(10%:90%)"),
            Statistic::Extended("TM(10%:90%)".into())
        );
        assert_eq!(
            Statistic::from("Median"),
            Statistic::Standard(StandardStatistic::Unknown("Median".into()))
        );
        let parsed: Statistic = serde_json::from_str(r#""p99.9""#).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), r#""p99.9""#);
    }
}
