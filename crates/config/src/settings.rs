//! The effective settings of a run: each flag given overrides the file's key (a list given as a
//! flag replaces the file's list), an `[accounts."ID"]` table overrides the file's top-level
//! destination keys for that account, and what neither says takes trailwatch's default.

use std::collections::BTreeMap;

use model::desired::{Waiver, DEFAULT_NAMESPACE};
use model::planfile::{AccountPlan, Target};
use model::{Control, Desired, Endpoint, MatchMode, TopicChoice};

use crate::file::{AccountSettings, FileSettings};

/// What the flags of `plan`/`apply` say: `None` or empty where a flag was not given.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub benchmark: Option<String>,
    pub controls: Vec<String>,
    pub level: Option<u8>,
    pub match_mode: Option<MatchMode>,
    pub region: Option<String>,
    pub namespace: Option<String>,
    pub topic: Option<TopicChoice>,
    pub notify: Vec<Endpoint>,
    pub accounts: Vec<String>,
    pub organization: bool,
    pub assume_role: Option<String>,
    pub concurrency: Option<u16>,
    pub adopt: bool,
    pub accept_eventbridge: bool,
}

impl Flags {
    /// The configuration keys these flags give (for `trailwatch init`).
    pub fn given(&self) -> Vec<&'static str> {
        let topic = match &self.topic {
            Some(TopicChoice::Name(_)) => Some("topic_name"),
            Some(TopicChoice::Arn(_)) => Some("topic_arn"),
            Some(TopicChoice::Auto) | None => None,
        };
        [
            ("benchmark", self.benchmark.is_some()),
            ("controls", !self.controls.is_empty()),
            ("level", self.level.is_some()),
            ("match", self.match_mode.is_some()),
            ("region", self.region.is_some()),
            ("namespace", self.namespace.is_some()),
            ("notify", !self.notify.is_empty()),
            ("accounts", !self.accounts.is_empty()),
            ("organization", self.organization),
            ("assume_role", self.assume_role.is_some()),
            ("concurrency", self.concurrency.is_some()),
            ("adopt", self.adopt),
            ("accept", self.accept_eventbridge),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(key, _)| key)
        .chain(topic)
        .collect()
    }
}

/// Where alarms notify, for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub namespace: String,
    pub topic: TopicChoice,
    pub notify: Vec<Endpoint>,
    pub assume_role: Option<String>,
}

/// The settings of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub benchmark: String,
    pub controls: Vec<String>,
    /// trailwatch's own controls added to the selection (`extras`, file only).
    pub extras: Vec<String>,
    pub level: Option<u8>,
    pub match_mode: MatchMode,
    pub region: Option<String>,
    pub accounts: Vec<String>,
    pub organization: bool,
    pub concurrency: u16,
    pub adopt: bool,
    /// Count controls EventBridge rules cover as compliant (`accept = ["eventbridge"]`).
    pub accept_eventbridge: bool,
    pub waivers: Vec<Waiver>,
    /// The destination where no account table says otherwise.
    pub destination: Destination,
    /// `[accounts."ID"]` tables, with the flags already applied over them.
    pub per_account: BTreeMap<String, Destination>,
    /// Set by `apply --auto-approve`, whose plan nobody approves before the writes: its first
    /// read is then one of apply's (`Desired::for_apply`), as its reads before and after writing
    /// are. Never from the file or the flags of `plan`.
    pub unreviewed_apply: bool,
}

/// An account of a multi-account run with no role to assume in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--accounts and --organization need --assume-role NAME (or `assume_role` in the configuration file): no role to assume in account {account}")]
pub struct NoRole {
    /// The account.
    pub account: String,
}

/// How many accounts are read at once when neither flag nor file says.
pub const DEFAULT_CONCURRENCY: u16 = 64;

impl Settings {
    /// Merges the flags over the file over the defaults.
    pub fn merge(flags: Flags, file: FileSettings) -> Settings {
        let destination = overlay(&flags, &file.defaults, &default_destination());
        let per_account = file
            .per_account
            .iter()
            .map(|(id, table)| (id.clone(), overlay(&flags, table, &destination)))
            .collect();
        Settings {
            benchmark: flags
                .benchmark
                .or(file.benchmark)
                .unwrap_or_else(|| model::catalog::default_benchmark().to_string()),
            controls: list(flags.controls, file.controls),
            extras: file.extras.unwrap_or_default(),
            level: flags.level.or(file.level),
            match_mode: flags
                .match_mode
                .or(file.match_mode)
                .unwrap_or(MatchMode::Semantic),
            region: flags.region.or(file.region),
            accounts: list(flags.accounts, file.accounts),
            organization: flags.organization || file.organization.unwrap_or(false),
            concurrency: flags
                .concurrency
                .or(file.concurrency)
                .unwrap_or(DEFAULT_CONCURRENCY),
            adopt: flags.adopt || file.adopt.unwrap_or(false),
            accept_eventbridge: flags.accept_eventbridge
                || file.accept_eventbridge.unwrap_or(false),
            waivers: file.waivers,
            destination,
            per_account,
            unreviewed_apply: false,
        }
    }

    /// The destination of one account (its table, if any), or the run's.
    pub fn destination_of(&self, account: Option<&str>) -> &Destination {
        account
            .and_then(|a| self.per_account.get(a))
            .unwrap_or(&self.destination)
    }

    /// True when some account of a saved plan was planned with another desired state than
    /// these settings give it now (what the plan saves of it: [`Desired::as_saved`]).
    pub fn differs_from(&self, accounts: &[AccountPlan]) -> bool {
        accounts
            .iter()
            .any(|a| self.desired(Some(&a.account_id)).as_saved() != a.desired.as_saved())
    }

    /// True when the run names several accounts (`--accounts` or `--organization`).
    pub fn is_many(&self) -> bool {
        !self.accounts.is_empty() || self.organization
    }

    /// The role assumed in an account: its table's, else the run's.
    pub fn role_of(&self, account: &str) -> Option<&str> {
        self.destination_of(Some(account)).assume_role.as_deref()
    }

    /// Each account of a many-account run with its role and desired state; refuses an account
    /// with no role to assume.
    pub fn targets(&self, accounts: &[String]) -> Result<Vec<Target>, NoRole> {
        accounts
            .iter()
            .map(|account| {
                let role = self.role_of(account).ok_or_else(|| NoRole {
                    account: account.clone(),
                })?;
                Ok(Target {
                    account: account.clone(),
                    role: Some(role.to_string()),
                    desired: self.desired(Some(account)),
                })
            })
            .collect()
    }

    /// The selected controls (the selection, then the `extras` it lacks) and the run's desired
    /// state; refuses a selection of no control.
    pub fn selection(&self) -> Result<(Vec<Control>, Desired), SelectionError> {
        let benchmark = &self.benchmark;
        let mut controls = model::catalog::select(benchmark, &self.controls, self.level)?;
        for extra in model::catalog::extras(benchmark, &self.extras)? {
            if !controls.iter().any(|c| c.id == extra.id) {
                controls.push(extra);
            }
        }
        if controls.is_empty() {
            return Err(SelectionError::Empty(benchmark.clone()));
        }
        Ok((controls, self.desired(None)))
    }

    /// Warnings about waivers that can match nothing: a control outside the selection, or
    /// accounts outside the run (when the run has accounts).
    pub fn idle_waivers(&self, controls: &[Control], accounts: Option<&[String]>) -> Vec<String> {
        let mut warnings = Vec::new();
        for waiver in &self.waivers {
            if !controls.iter().any(|c| c.id == waiver.control) {
                let control = &waiver.control;
                warnings.push(format!(
                    "the waiver of `{control}` matches no selected control"
                ));
            }
            let (Some(listed), Some(accounts)) = (&waiver.accounts, accounts) else {
                continue;
            };
            if !listed.iter().any(|a| accounts.contains(a)) {
                warnings.push(format!(
                    "the waiver of `{}` matches no account of this run ({})",
                    waiver.control,
                    listed.join(", ")
                ));
            }
        }
        warnings
    }

    /// The desired state for one account (or the run's, for `None`).
    pub fn desired(&self, account: Option<&str>) -> Desired {
        let d = self.destination_of(account);
        let desired = Desired {
            namespace: d.namespace.clone(),
            topic: d.topic.clone(),
            notify: d.notify.clone(),
            match_mode: self.match_mode,
            adopt: self.adopt,
            waivers: self.waivers.clone(),
            accept_eventbridge: self.accept_eventbridge,
            ..Desired::default()
        };
        match self.unreviewed_apply {
            true => desired.for_apply(),
            false => desired,
        }
    }
}

/// A list flag replaces the file's list.
fn list<T>(flag: Vec<T>, file: Option<Vec<T>>) -> Vec<T> {
    if flag.is_empty() {
        file.unwrap_or_default()
    } else {
        flag
    }
}

/// Where nothing says otherwise: the default namespace and topic, no endpoint, no role.
fn default_destination() -> Destination {
    Destination {
        namespace: DEFAULT_NAMESPACE.to_string(),
        topic: TopicChoice::Auto,
        notify: Vec::new(),
        assume_role: None,
    }
}

/// A destination: the flags over `keys` (the file's top level, or an account's table) over
/// `under` (the defaults, or the run's destination). A list flag replaces the keys' list.
fn overlay(flags: &Flags, keys: &AccountSettings, under: &Destination) -> Destination {
    Destination {
        namespace: flags
            .namespace
            .clone()
            .or(keys.namespace.clone())
            .unwrap_or_else(|| under.namespace.clone()),
        topic: flags
            .topic
            .clone()
            .or(keys.topic.clone())
            .unwrap_or_else(|| under.topic.clone()),
        notify: list(
            flags.notify.clone(),
            keys.notify.clone().or_else(|| Some(under.notify.clone())),
        ),
        assume_role: flags
            .assume_role
            .clone()
            .or(keys.assume_role.clone())
            .or(under.assume_role.clone()),
    }
}

/// Why the flags and file select no control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error(transparent)]
    Select(#[from] model::catalog::SelectError),
    #[error("no control of {0} matches the selection; see `trailwatch controls --benchmark {0}`")]
    Empty(String),
}
