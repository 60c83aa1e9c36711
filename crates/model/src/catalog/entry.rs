//! The catalog's entries as data: a control across benchmark versions, its numbering and
//! editions, whose control it is, what it exists to catch, and the published patterns known to be flawed.

use serde::{Deserialize, Serialize};

/// The events a control exists to catch, from which its positive corpus is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Catches {
    /// Successful calls of these APIs of one or more services, by an IAM user, an assumed role
    /// and root.
    Calls {
        /// Each service (such as `iam.amazonaws.com`) and its APIs.
        services: &'static [Service],
        /// Every API name of every service, in the catalog's order.
        events: &'static [&'static str],
        /// The request parameters an API's calls are caught with, where the control is about
        /// some calls of it only (their corpus holds these forms, not every call).
        requests: &'static [Request],
    },
    /// Calls refused for lack of permission (`*UnauthorizedOperation`, `AccessDenied*`).
    Unauthorized,
    /// Successful console sign-ins of IAM users without MFA.
    SigninWithoutMfa,
    /// Calls made by the root user itself (not by a service on its behalf).
    RootUsage,
    /// Failed console sign-ins.
    ConsoleAuthFailures,
}

impl Catches {
    /// The event names a pattern for this catch may name in `$.eventName = …` conditions: the
    /// APIs of a `Calls`, `ConsoleLogin` for the sign-in controls, none for the others (which
    /// are about any event).
    pub fn event_names(self) -> &'static [&'static str] {
        match self {
            Catches::Calls { events, .. } => events,
            Catches::SigninWithoutMfa | Catches::ConsoleAuthFailures => &["ConsoleLogin"],
            Catches::Unauthorized | Catches::RootUsage => &[],
        }
    }
}

/// One service's APIs a control catches the calls of.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Service {
    /// The CloudTrail `eventSource`, such as `logs.amazonaws.com`.
    pub source: &'static str,
    /// The API names, as CloudTrail's `eventName`.
    pub events: Vec<&'static str>,
}

/// The `requestParameters` of one form of an API's calls a control catches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Request {
    /// The API name.
    pub event: &'static str,
    /// Why this form is caught, for people and for the corpus's labels.
    pub label: &'static str,
    /// The `requestParameters` object, as JSON text (checked when the catalog is parsed).
    pub parameters: &'static str,
}

/// The kind of a [`Catches`], as the catalog file names it (`catches = "calls"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Kind {
    Calls,
    Unauthorized,
    SigninWithoutMfa,
    RootUsage,
    ConsoleAuthFailures,
}

/// The CIS id and profile level of a control over one range of benchmark versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbering {
    /// The first version of the range, such as `cis-1.3`.
    pub from: &'static str,
    /// The last version of the range.
    pub to: &'static str,
    /// The CIS id in these versions, such as `4.4`.
    pub cis_id: &'static str,
    /// The profile level in these versions (1 or 2).
    pub level: u8,
}

/// What one range of benchmark versions publishes for a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The first version of the range, such as `cis-1.4`.
    pub from: &'static str,
    /// The last version of the range.
    pub to: &'static str,
    /// The published pattern variants; the first is the one `apply` writes.
    pub patterns: Vec<&'static str>,
    /// Per variant, the grouping CIS meant, where the published text's `&&`/`||` grouping is a
    /// precedence trap.
    pub meant: Vec<Option<&'static str>>,
    /// The published patterns known to be flawed, and how.
    pub known_defects: Vec<KnownDefect>,
    pub(super) kind: Kind,
    pub(super) services: Vec<Service>,
    pub(super) events: Vec<&'static str>,
    pub(super) requests: Vec<Request>,
}

impl Edition {
    /// The events the control exists to catch in these versions.
    pub fn catches(&'static self) -> Catches {
        match self.kind {
            Kind::Calls => Catches::Calls {
                services: &self.services,
                events: &self.events,
                requests: &self.requests,
            },
            Kind::Unauthorized => Catches::Unauthorized,
            Kind::SigninWithoutMfa => Catches::SigninWithoutMfa,
            Kind::RootUsage => Catches::RootUsage,
            Kind::ConsoleAuthFailures => Catches::ConsoleAuthFailures,
        }
    }

    /// The known defect of one of the published `patterns`, if it has one.
    pub fn known_defect(&self, pattern: &str) -> Option<&KnownDefect> {
        self.known_defects.iter().find(|d| d.pattern == pattern)
    }
}

/// A published pattern that CIS got wrong, kept because it is what the benchmark says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDefect {
    /// The pattern, one of its edition's `patterns`.
    pub pattern: &'static str,
    /// Which check of the catalog's tests it fails.
    pub kind: DefectKind,
    /// What is wrong, for people.
    pub why: &'static str,
}

/// How a published pattern falls short of catching exactly its control's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefectKind {
    /// It names (`$.eventName = X`) an event outside the ones the control exists to catch.
    NamesOtherEvents,
    /// It matches everyday events no control is about ([`super::noise_corpus`]).
    MatchesEverydayEvents,
    /// Its `$.eventSource` condition applies to some of the control's events only.
    EventSourceOnSomeEvents,
}

/// Whose control it is: a CIS benchmark's, numbered per version, or trailwatch's own, which is
/// part of no CIS version and is selected by its slug only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standard {
    /// A control of the CIS AWS Foundations Benchmark.
    Cis,
    /// A control trailwatch adds (`extras` in the configuration, or its slug in `--controls`).
    Trailwatch,
}

/// One monitoring control, across every benchmark version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable slug used on the command line and in JSON output.
    pub id: &'static str,
    /// Human title.
    pub title: &'static str,
    /// The AWS Security Hub control id, if any.
    pub security_hub_id: Option<&'static str>,
    /// The metric name a new filter publishes to.
    pub default_metric_name: &'static str,
    /// Whose control it is.
    pub standard: Standard,
    /// Why the control exists and what it costs, for trailwatch's own controls (for people).
    pub about: Option<&'static str>,
    /// The CIS id and level over each range of versions that has the control (none for
    /// trailwatch's own controls).
    pub numbering: Vec<Numbering>,
    /// What each range of versions publishes; versions outside every range lack the control.
    pub editions: Vec<Edition>,
}
