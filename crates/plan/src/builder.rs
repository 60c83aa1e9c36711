//! Collects a plan's actions with provisional ids and the names it has claimed, then orders and
//! numbers the actions (filters, topics, subscriptions, alarms) with their dependencies.

use std::collections::{BTreeMap, BTreeSet};

use model::{Action, Change, Operation};

/// The provisional id of an action while the plan is being built.
pub(crate) type ActionId = usize;

/// Actions and claimed names, while the plan is being built.
#[derive(Default)]
pub(crate) struct Builder {
    actions: Vec<Pending>,
    /// Names the plan already writes or updates, so no two actions write the same resource.
    pub claims: Claims,
}

struct Pending {
    id: ActionId,
    action: Action,
    depends_on: Vec<ActionId>,
}

/// The resources the plan has already claimed: `(region, log group, filter name)` and
/// `(region, alarm name)`.
#[derive(Default)]
pub(crate) struct Claims {
    filters: BTreeSet<(String, String, String)>,
    alarms: BTreeSet<(String, String)>,
}

impl Claims {
    /// True when the plan already writes this filter.
    pub fn has_filter(&self, region: &str, group: &str, name: &str) -> bool {
        self.filters
            .contains(&(region.to_string(), group.to_string(), name.to_string()))
    }

    /// Claims a filter name.
    pub fn claim_filter(&mut self, region: &str, group: &str, name: &str) {
        self.filters
            .insert((region.to_string(), group.to_string(), name.to_string()));
    }

    /// True when the plan already writes this alarm.
    pub fn has_alarm(&self, region: &str, name: &str) -> bool {
        self.alarms
            .contains(&(region.to_string(), name.to_string()))
    }

    /// Claims an alarm name.
    pub fn claim_alarm(&mut self, region: &str, name: &str) {
        self.alarms.insert((region.to_string(), name.to_string()));
    }
}

/// What an action is, before it gets its number.
pub(crate) struct Draft<'a> {
    /// The account written to.
    pub account: &'a str,
    /// The region written to.
    pub region: &'a str,
    /// The call.
    pub operation: Operation,
    /// Create or update.
    pub change: Change,
    /// The controls it serves.
    pub control_ids: Vec<String>,
    /// Why.
    pub reason: String,
}

impl Builder {
    /// Adds an action that runs after `depends_on`; returns its provisional id.
    pub fn push(&mut self, draft: Draft, depends_on: Vec<ActionId>) -> ActionId {
        let id = self.actions.len();
        let action = Action {
            number: 0,
            account_id: draft.account.to_string(),
            region: draft.region.to_string(),
            operation: draft.operation,
            change: draft.change,
            control_ids: draft.control_ids,
            reason: draft.reason,
            depends_on: Vec::new(),
        };
        self.actions.push(Pending {
            id,
            action,
            depends_on,
        });
        id
    }

    /// The actions in execution order, numbered from 1, with dependencies by number.
    pub fn finish(mut self) -> Vec<Action> {
        self.actions
            .sort_by_key(|p| (p.action.operation.rank(), p.id));
        let numbers: BTreeMap<ActionId, usize> = self
            .actions
            .iter()
            .enumerate()
            .map(|(n, p)| (p.id, n + 1))
            .collect();
        self.actions
            .into_iter()
            .enumerate()
            .map(|(n, p)| {
                let mut action = p.action;
                action.number = n + 1;
                action.depends_on = p.depends_on.iter().map(|d| numbers[d]).collect();
                action.depends_on.sort_unstable();
                action
            })
            .collect()
    }
}

/// `Update` when there is a resource before, else `Create`.
pub(crate) fn change_of<T>(before: &Option<T>) -> Change {
    if before.is_some() {
        Change::Update
    } else {
        Change::Create
    }
}
