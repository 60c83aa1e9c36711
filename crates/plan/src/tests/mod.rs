//! Planner tests on plain snapshots, by topic: statuses, findings, the actions chosen and their
//! order; the read scope and fingerprints; and convergence (plan, apply in memory, plan again).

mod alarms;
mod convergence;
mod drill;
mod eventbridge;
mod filters;
mod fingerprint;
mod policy;
mod scope;
mod topics;
mod trails;
mod waivers;

use super::*;
use model::live::*;
use model::{Change, FindingCode, Operation, TopicChoice};

use model::sample::*;

fn run(s: &Snapshot, desired: &Desired) -> Report {
    plan(s, &[iam()], desired).unwrap()
}

fn codes(r: &Report) -> Vec<&str> {
    r.controls[0]
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect()
}

fn kinds(r: &Report) -> Vec<&str> {
    r.actions.iter().map(|a| a.operation.name()).collect()
}

fn notify() -> Desired {
    Desired {
        notify: vec!["email:sec@example.com".parse().unwrap()],
        ..Desired::default()
    }
}

fn filter_action(
    r: &Report,
) -> (
    &Option<model::report::FilterSpec>,
    &model::report::FilterSpec,
) {
    let Operation::PutMetricFilter { before, after } = &r.actions[0].operation else {
        panic!("the first action writes a filter: {:?}", kinds(r))
    };
    (before, after)
}
