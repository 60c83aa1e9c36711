//! The plan as a CloudFormation StackSets template: the same template in every account of an
//! organizational unit (accounts created later included), for accounts that each have their own
//! trail sending to a log group of the same name. The values that differ between accounts are
//! parameters (`LogGroupName`, `MetricNamespace`, `TopicName`, each endpoint) or pseudo
//! parameters (`AWS::AccountId`, `AWS::Region`, `AWS::Partition`); nothing in it names the
//! account it was planned from. Derived from the same resources as every other format.

use std::collections::BTreeSet;
use std::fmt::Write;

use model::{Change, Report};

use crate::cloudformation::{
    endpoint_parameters, one_region, parameter, resources_section, CloudFormationError,
};
use crate::resources::{resources, Arn, Kind, Resource};
use crate::values::{quoted, Parameters, Values, LOG_GROUP, NAMESPACE, TOPIC_NAME};

/// Why a plan has no stack set template: each is what would be wrong in other accounts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StackSetError {
    /// The plan writes to several regions.
    #[error("{0}")]
    Regions(#[from] CloudFormationError),
    /// The plan puts filters on log groups of several names: the template takes one.
    #[error("the plan puts filters on {} log groups ({}) and a stack set's template takes one log group name: plan an account whose trail sends to the log group every account has", .0.len(), .0.join(", "))]
    LogGroups(Vec<String>),
    /// The plan notifies a topic that only this account has.
    #[error("the plan notifies `{0}`, which exists in this account only; a stack set's alarms must notify the topic it creates in every account: emit the template from an account that has no trailwatch topic yet, or pick a new one with --topic-name NAME")]
    ExistingTopic(String),
    /// A value names this account (an endpoint, a kept alarm action).
    #[error("the plan's `{0}` names account {1}, which would be wrong in every other account; emit the template from a plan that names no resource of one account")]
    ThisAccount(String, String),
}

/// The stack set template of one account's plan (`account`, which it does not name).
pub fn stackset(report: &Report, account: &str) -> Result<String, StackSetError> {
    let resources = resources(&report.actions);
    one_region(&resources)?;
    refuse_existing_topics(&resources, account)?;
    let parameters = parameters_of(&resources, account, report)?;
    let mut out = String::new();
    header(&mut out, report);
    declare(&mut out, &parameters, &resources);
    resources_section(&mut out, &resources, &Values::Parameters(parameters));
    let out = out
        .lines()
        .map(|line| comment_without(line, account))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    refuse_account(&out, account)?;
    Ok(out)
}

/// What the binary says on stderr about a stack set template: each existing resource the
/// plan changes, which the template creates (StackSets cannot import per account).
pub fn stackset_warnings(report: &Report, account: &str) -> Vec<String> {
    resources(&report.actions)
        .iter()
        .filter(|r| r.import.is_some())
        .map(|r| format!("--emit cloudformation-stackset: {} exists in account {account}; the stack set creates it, which fails in that account (StackSets cannot import per account): bring that account in with --emit cloudformation and its IMPORT change set, or leave it out of the stack set's targets", described(r)))
        .collect()
}

/// A resource's kind and name, for a message.
fn described(r: &Resource) -> String {
    match &r.kind {
        Kind::MetricFilter(f) => format!("filter `{}` on log group `{}`", f.name, f.log_group),
        Kind::Alarm { spec, .. } => format!("alarm `{}`", spec.name),
        Kind::Topic { topic_name } => format!("topic `{topic_name}`"),
        Kind::TopicPolicy { topic, .. } => format!("the policy of topic `{topic}`"),
        Kind::Subscription { endpoint, .. } => format!("subscription `{endpoint}`"),
    }
}

/// An alarm or subscription naming a topic of this account the template does not create.
fn refuse_existing_topics(resources: &[Resource], account: &str) -> Result<(), StackSetError> {
    for r in resources {
        let arns: Vec<&Arn> = match &r.kind {
            Kind::Alarm {
                alarm_actions,
                ok_actions,
                insufficient_data_actions,
                ..
            } => [alarm_actions, ok_actions, insufficient_data_actions]
                .into_iter()
                .flatten()
                .collect(),
            Kind::Subscription { topic, .. } => vec![topic],
            _ => vec![],
        };
        for arn in arns {
            if let Arn::Literal(arn) = arn {
                if arn.contains(&format!(":{account}:")) {
                    return Err(StackSetError::ExistingTopic(arn.clone()));
                }
            }
        }
    }
    Ok(())
}

/// The parameters: each the value the plan writes, when it writes one.
fn parameters_of(
    resources: &[Resource],
    account: &str,
    report: &Report,
) -> Result<Parameters, StackSetError> {
    let log_groups: BTreeSet<&str> = resources
        .iter()
        .filter_map(|r| match &r.kind {
            Kind::MetricFilter(f) => Some(f.log_group.as_str()),
            _ => None,
        })
        .collect();
    if log_groups.len() > 1 {
        let names = log_groups.into_iter().map(String::from).collect();
        return Err(StackSetError::LogGroups(names));
    }
    let namespace = resources.iter().find_map(|r| match &r.kind {
        Kind::MetricFilter(f) => Some(f.namespace.clone()),
        Kind::Alarm { spec, .. } => Some(spec.namespace.clone()),
        _ => None,
    });
    let topic_name = resources.iter().find_map(|r| match &r.kind {
        Kind::Topic { topic_name } => Some(topic_name.clone()),
        _ => None,
    });
    let region = report.actions.first().map(|a| a.region.clone());
    Ok(Parameters {
        log_group: log_groups.into_iter().next().map(String::from),
        namespace,
        topic_name,
        account: account.to_string(),
        region: region.unwrap_or_default(),
    })
}

fn header(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "# trailwatch's plan ({}) as a CloudFormation StackSets template: the same stack in every account and region it is deployed to (service-managed permissions, automatic deployment), for accounts whose own trail sends to the log group `{LOG_GROUP}` names.",
        report.benchmark
    );
    out.push_str("# Values that differ between accounts are parameters or pseudo parameters; deploy it with create-stack-set and create-stack-instances (docs/iac.md).\n");
    let updates = report
        .actions
        .iter()
        .filter(|a| a.change == Change::Update)
        .count();
    if updates > 0 {
        let _ = writeln!(out, "# The account this was planned from already has {updates} of these resources (marked below): StackSets cannot import per account, so its stack instance would fail there; bring that account in with --emit cloudformation instead, or leave it out of the targets.");
    }
    crate::cloudformation::plan_comments(out, report);
    let description =
        "CIS monitoring controls of every account of the stack set, from trailwatch's plan";
    let _ = writeln!(out, "Description: {}", quoted(description));
}

/// The `Parameters` section: the values the resources use, and each endpoint.
fn declare(out: &mut String, p: &Parameters, resources: &[Resource]) {
    let mut section = String::new();
    let declared = [
        (
            LOG_GROUP,
            &p.log_group,
            "The log group every account's trail sends its events to.",
        ),
        (
            NAMESPACE,
            &p.namespace,
            "The namespace of the filters' metrics and of the alarms.",
        ),
        (
            TOPIC_NAME,
            &p.topic_name,
            "The SNS topic created in each account for the alarms.",
        ),
    ];
    for (name, value, description) in declared {
        if let Some(value) = value {
            parameter(&mut section, name, description, value);
        }
    }
    section += &endpoint_parameters(resources);
    if !section.is_empty() {
        out.push_str("Parameters:\n");
        out.push_str(&section);
    }
}

/// A comment line with the account's id taken out (the template names no account).
fn comment_without(line: &str, account: &str) -> String {
    match line.trim_start().starts_with('#') {
        true => line.replace(account, "(the account planned)"),
        false => line.to_string(),
    }
}

/// The first value still naming the account: a literal the template cannot take to another.
fn refuse_account(template: &str, account: &str) -> Result<(), StackSetError> {
    match template.lines().find(|l| l.contains(account)) {
        Some(line) => Err(StackSetError::ThisAccount(
            line.trim().to_string(),
            account.to_string(),
        )),
        None => Ok(()),
    }
}
