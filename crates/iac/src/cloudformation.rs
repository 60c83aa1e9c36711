//! The plan as a CloudFormation template (YAML) for one region; and, for the existing resources
//! the plan changes (which the template keeps with `DeletionPolicy: Retain`), the change set of
//! type `IMPORT` that brings them into the stack first: its template (those resources as they
//! are now, so the update that follows changes them) and its resources-to-import file.

use std::collections::BTreeSet;
use std::fmt::Write;

use model::Report;

use crate::resources::{resources, Arn, Import, Kind, Resource};
use crate::values::{quoted, Values};

/// Why a plan has no template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudFormationError {
    /// A stack is regional; the plan writes to several regions.
    #[error("the plan writes to {} regions ({}) and a CloudFormation stack is regional: plan each region's log group on its own", .0.len(), .0.join(", "))]
    Regions(Vec<String>),
}

/// Which template: the plan's, or the import that comes before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Every resource of the plan, as `apply` would write it.
    Plan,
    /// Only the existing resources the plan changes, as they are now.
    Import,
}

/// The template of one account's plan, or of the import before it.
pub fn template(
    report: &Report,
    account: &str,
    stage: Stage,
) -> Result<String, CloudFormationError> {
    let all = resources(&report.actions);
    one_region(&all)?;
    let resources: Vec<Resource> = match stage {
        Stage::Plan => all,
        Stage::Import => all.into_iter().filter_map(as_it_is).collect(),
    };
    let mut out = String::new();
    header(&mut out, report, account, stage);
    let parameters = endpoint_parameters(&resources);
    if !parameters.is_empty() {
        out.push_str("Parameters:\n");
        out.push_str(&parameters);
    }
    resources_section(&mut out, &resources, &Values::Literal);
    Ok(out)
}

/// The `Resources` section: every resource, or a handle that does nothing when there is none.
pub(crate) fn resources_section(out: &mut String, resources: &[Resource], values: &Values) {
    out.push_str("Resources:\n");
    if resources.is_empty() {
        out.push_str(
            "  # A template needs a resource: this handle creates nothing that costs or acts.\n",
        );
        out.push_str("  NothingToDo:\n    Type: AWS::CloudFormation::WaitConditionHandle\n");
    }
    for r in resources {
        resource(out, r, values);
    }
}

/// An existing resource the plan changes, as it is now.
fn as_it_is(r: Resource) -> Option<Resource> {
    let kind = r.existing.clone()?;
    Some(Resource { kind, ..r })
}

/// The resources-to-import file (`--resources-to-import`) of the existing resources the plan
/// changes, as JSON.
pub fn resources_to_import(report: &Report) -> Result<String, CloudFormationError> {
    let resources = resources(&report.actions);
    one_region(&resources)?;
    let entries: Vec<serde_json::Value> = resources
        .iter()
        .filter_map(|r| {
            let identifier = match r.import.as_ref()? {
                Import::MetricFilter { log_group, name } => {
                    serde_json::json!({ "LogGroupName": log_group, "FilterName": name })
                }
                Import::Alarm { name } => serde_json::json!({ "AlarmName": name }),
            };
            Some(serde_json::json!({
                "ResourceType": type_name(&r.kind),
                "LogicalResourceId": logical_id(r),
                "ResourceIdentifier": identifier,
            }))
        })
        .collect();
    Ok(serde_json::to_string_pretty(&entries).unwrap_or_default() + "\n")
}

pub(crate) fn one_region(resources: &[Resource]) -> Result<(), CloudFormationError> {
    let regions: BTreeSet<&str> = resources.iter().map(|r| r.region.as_str()).collect();
    match regions.len() {
        0 | 1 => Ok(()),
        _ => Err(CloudFormationError::Regions(
            regions.into_iter().map(String::from).collect(),
        )),
    }
}

fn header(out: &mut String, report: &Report, account: &str, stage: Stage) {
    let region = report.actions.first().map(|a| a.region.as_str());
    let _ = writeln!(
        out,
        "# trailwatch's plan for account {account} ({}) as CloudFormation{}: the changes `trailwatch apply` would make, from the same read.",
        report.benchmark,
        region.map(|r| format!(", a stack in {r}")).unwrap_or_default()
    );
    out.push_str(match stage {
        Stage::Plan => "# Existing resources the plan changes are retained on deletion and imported first (--emit cloudformation-import-template).\n",
        Stage::Import => "# The IMPORT change set before it: the existing resources the plan changes, as they are now (--emit cloudformation-resources-to-import lists them).\n",
    });
    plan_comments(out, report);
    let _ = writeln!(
        out,
        "Description: {}",
        quoted(&format!(
            "CIS monitoring controls of account {account}, from trailwatch's plan"
        ))
    );
}

/// What every template says of the plan before its resources: that it has no action, its
/// notes, and what it leaves out; then the template's format version.
pub(crate) fn plan_comments(out: &mut String, report: &Report) {
    if report.actions.is_empty() {
        out.push_str("# The plan has no action: nothing to create or change.\n");
    }
    for note in &report.notes {
        let _ = writeln!(out, "# Note: {}", one_line(note));
    }
    for line in crate::terraform::left_out_lines(report) {
        let _ = writeln!(out, "# {}", one_line(&line));
    }
    out.push_str("AWSTemplateFormatVersion: \"2010-09-09\"\n");
}

/// A parameter per subscription's endpoint, defaulting to the `--notify` value (the entries of
/// `Parameters:`).
pub(crate) fn endpoint_parameters(resources: &[Resource]) -> String {
    let mut out = String::new();
    let out = &mut out;
    let subscriptions: Vec<(&Resource, &str, &str)> = resources
        .iter()
        .filter_map(|r| match &r.kind {
            Kind::Subscription {
                protocol, endpoint, ..
            } => Some((r, protocol.as_str(), endpoint.as_str())),
            _ => None,
        })
        .collect();
    for (r, protocol, endpoint) in subscriptions {
        let description = format!("The {protocol} endpoint notified of the controls' alarms.");
        parameter(out, &endpoint_parameter(r), &description, endpoint);
    }
    std::mem::take(out)
}

/// One string parameter with its description and default.
pub(crate) fn parameter(out: &mut String, name: &str, description: &str, default: &str) {
    let _ = writeln!(out, "  {name}:");
    out.push_str("    Type: String\n");
    let _ = writeln!(out, "    Description: {}", quoted(description));
    let _ = writeln!(out, "    Default: {}", quoted(default));
}

pub(crate) fn endpoint_parameter(r: &Resource) -> String {
    format!("{}Endpoint", camel(&r.name))
}

fn resource(out: &mut String, r: &Resource, values: &Values) {
    let _ = writeln!(
        out,
        "  # Action {} for {}: {}",
        r.action,
        r.controls.join(", "),
        one_line(&r.reason)
    );
    if r.import.is_some() && !values.imports() {
        out.push_str("  # It exists in the account planned from: StackSets cannot import it, so the stack instance there would fail.\n");
    }
    let _ = writeln!(out, "  {}:", logical_id(r));
    let _ = writeln!(out, "    Type: {}", type_name(&r.kind));
    if r.import.is_some() && values.imports() {
        out.push_str("    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n");
    }
    out.push_str("    Properties:\n");
    properties(out, r, values);
}

/// The resource's properties: what `apply` sends, by CloudFormation's names.
fn properties(out: &mut String, r: &Resource, values: &Values) {
    let mut put = |key: &str, value: String| {
        let space = if value.starts_with('\n') { "" } else { " " };
        let _ = writeln!(out, "      {key}:{space}{value}");
    };
    match &r.kind {
        Kind::MetricFilter(f) => {
            put("FilterName", quoted(&f.name));
            put("LogGroupName", values.log_group(&f.log_group));
            put("FilterPattern", quoted(&f.pattern));
            let mut t = format!(
                "\n        - MetricName: {}\n          MetricNamespace: {}\n          MetricValue: {}",
                quoted(&f.metric_name),
                values.namespace(&f.namespace),
                quoted(&f.metric_value)
            );
            if let Some(d) = f.default_value {
                let _ = write!(t, "\n          DefaultValue: {d}");
            }
            put("MetricTransformations", t);
        }
        Kind::Alarm {
            spec,
            alarm_actions,
            ok_actions,
            insufficient_data_actions,
        } => {
            put("AlarmName", quoted(&spec.name));
            if let Some(d) = &spec.description {
                put("AlarmDescription", quoted(d));
            }
            put("Namespace", values.namespace(&spec.namespace));
            put("MetricName", quoted(&spec.metric_name));
            match &spec.statistic {
                model::cloudwatch::Statistic::Standard(s) => put("Statistic", quoted(s.as_str())),
                model::cloudwatch::Statistic::Extended(e) => put("ExtendedStatistic", quoted(e)),
            }
            put("Period", spec.period.to_string());
            put("EvaluationPeriods", spec.evaluation_periods.to_string());
            put("Threshold", spec.threshold.to_string());
            put(
                "ComparisonOperator",
                quoted(spec.comparison_operator.as_str()),
            );
            if let Some(t) = &spec.treat_missing_data {
                put("TreatMissingData", quoted(t.as_str()));
            }
            put("ActionsEnabled", spec.actions_enabled.to_string());
            put("AlarmActions", arns(alarm_actions));
            put("OKActions", arns(ok_actions));
            put("InsufficientDataActions", arns(insufficient_data_actions));
        }
        Kind::Topic { topic_name } => put("TopicName", values.topic_name(topic_name)),
        Kind::TopicPolicy {
            topic,
            policy,
            topic_arn,
        } => {
            put(
                "PolicyDocument",
                values.policy(policy, topic_arn, &topic_id(topic)),
            );
            put("Topics", format!("[{}]", arn(&Arn::Created(topic.clone()))));
        }
        Kind::Subscription {
            topic, protocol, ..
        } => {
            put("TopicArn", arn(topic));
            put("Protocol", quoted(protocol));
            put("Endpoint", format!("!Ref {}", endpoint_parameter(r)));
        }
    }
}

/// CloudFormation's resource type.
fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::MetricFilter(_) => "AWS::Logs::MetricFilter",
        Kind::Alarm { .. } => "AWS::CloudWatch::Alarm",
        Kind::Topic { .. } => "AWS::SNS::Topic",
        Kind::TopicPolicy { .. } => "AWS::SNS::TopicPolicy",
        Kind::Subscription { .. } => "AWS::SNS::Subscription",
    }
}

/// The logical id: the kind, then the resource's name in CamelCase (letters and digits only).
pub(crate) fn logical_id(r: &Resource) -> String {
    let kind = match r.kind {
        Kind::MetricFilter(_) => "Filter",
        Kind::Alarm { .. } => "Alarm",
        Kind::Topic { .. } => "Topic",
        Kind::TopicPolicy { .. } => "TopicPolicy",
        Kind::Subscription { .. } => "Subscription",
    };
    format!("{kind}{}", camel(&r.name))
}

fn topic_id(name: &str) -> String {
    format!("Topic{}", camel(name))
}

fn camel(identifier: &str) -> String {
    identifier
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn arns(list: &[Arn]) -> String {
    let items: Vec<String> = list.iter().map(arn).collect();
    format!("[{}]", items.join(", "))
}

/// `!Ref` of a topic the template creates (its ARN), or the ARN.
fn arn(a: &Arn) -> String {
    match a {
        Arn::Created(name) => format!("!Ref {}", topic_id(name)),
        Arn::Literal(arn) => quoted(arn),
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
