//! The effective settings of a run: each flag given overrides the file's key (a list given as a
//! flag replaces the file's list), an `[accounts."ID"]` table overrides the file's top-level
//! destination keys for that account, and what neither says takes trailwatch's default.

use std::collections::BTreeMap;

use model::desired::{Waiver, DEFAULT_NAMESPACE};
use model::{Desired, Endpoint, MatchMode, TopicChoice};

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
    pub level: Option<u8>,
    pub match_mode: MatchMode,
    pub region: Option<String>,
    pub accounts: Vec<String>,
    pub organization: bool,
    pub concurrency: u16,
    pub adopt: bool,
    pub waivers: Vec<Waiver>,
    /// The destination where no account table says otherwise.
    pub destination: Destination,
    /// `[accounts."ID"]` tables, with the flags already applied over them.
    pub per_account: BTreeMap<String, Destination>,
}

/// How many accounts are read at once when neither flag nor file says.
pub const DEFAULT_CONCURRENCY: u16 = 8;

impl Settings {
    /// Merges the flags over the file over the defaults.
    pub fn merge(flags: Flags, file: FileSettings) -> Settings {
        let destination = destination(&flags, &file.defaults);
        let per_account = file
            .per_account
            .iter()
            .map(|(id, table)| (id.clone(), destination_over(&flags, table, &destination)))
            .collect();
        Settings {
            benchmark: flags
                .benchmark
                .or(file.benchmark)
                .unwrap_or_else(|| model::catalog::default_benchmark().to_string()),
            controls: list(flags.controls, file.controls),
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
            waivers: file.waivers,
            destination,
            per_account,
        }
    }

    /// The destination of one account (its table, if any), or the run's.
    pub fn destination_of(&self, account: Option<&str>) -> &Destination {
        account
            .and_then(|a| self.per_account.get(a))
            .unwrap_or(&self.destination)
    }

    /// The desired state for one account (or the run's, for `None`).
    pub fn desired(&self, account: Option<&str>) -> Desired {
        let d = self.destination_of(account);
        Desired {
            namespace: d.namespace.clone(),
            topic: d.topic.clone(),
            notify: d.notify.clone(),
            match_mode: self.match_mode,
            adopt: self.adopt,
            waivers: self.waivers.clone(),
            ..Desired::default()
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

/// The run's destination: flags over the file's top-level keys over the defaults.
fn destination(flags: &Flags, file: &AccountSettings) -> Destination {
    Destination {
        namespace: flags
            .namespace
            .clone()
            .or(file.namespace.clone())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string()),
        topic: flags
            .topic
            .clone()
            .or(file.topic.clone())
            .unwrap_or(TopicChoice::Auto),
        notify: list(flags.notify.clone(), file.notify.clone()),
        assume_role: flags.assume_role.clone().or(file.assume_role.clone()),
    }
}

/// One account's destination: flags over its table over the run's destination.
fn destination_over(flags: &Flags, table: &AccountSettings, run: &Destination) -> Destination {
    Destination {
        namespace: flags
            .namespace
            .clone()
            .or(table.namespace.clone())
            .unwrap_or_else(|| run.namespace.clone()),
        topic: flags
            .topic
            .clone()
            .or(table.topic.clone())
            .unwrap_or_else(|| run.topic.clone()),
        notify: if flags.notify.is_empty() {
            table.notify.clone().unwrap_or_else(|| run.notify.clone())
        } else {
            flags.notify.clone()
        },
        assume_role: flags
            .assume_role
            .clone()
            .or(table.assume_role.clone())
            .or(run.assume_role.clone()),
    }
}
