//! The plan as Terraform (hashicorp/aws provider, Terraform ≥ 1.5 for `import` blocks): one
//! provider alias per region, a resource per [`Resource`] with a comment saying which controls
//! it serves and why, an `import` block for each existing resource the plan changes, the
//! notification endpoints as variables defaulting to `--notify`'s values.

use std::collections::BTreeSet;

use model::{Report, Status};

use crate::hcl::{self, Block, Expr, Item};
use crate::resources::{identifier, resources, Arn, Import, Kind, Resource};

/// The Terraform file of one account's plan.
pub fn terraform(report: &Report, account: &str) -> String {
    let resources = resources(&report.actions);
    let mut items = header(report, account);
    items.push(Item::Block(settings()));
    items.extend(providers(&resources));
    items.extend(variables(&resources));
    items.extend(resources.iter().flat_map(resource));
    items.extend(left_out(report));
    hcl::file(&items)
}

fn header(report: &Report, account: &str) -> Vec<Item> {
    let mut items = vec![
        comment(format!(
            "trailwatch's plan for account {account} ({}) as Terraform: the changes `trailwatch apply` would make, from the same read.",
            report.benchmark
        )),
        comment("Existing resources the plan changes are imported (Terraform 1.5 or newer); nothing else is touched.".into()),
    ];
    if report.actions.is_empty() {
        items.push(comment(
            "The plan has no action: nothing to create or change.".into(),
        ));
    }
    items.extend(report.notes.iter().map(|n| comment(format!("Note: {n}"))));
    items.push(Item::Blank);
    items
}

fn settings() -> Block {
    let aws =
        Expr::Raw("{\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }".into());
    Block::new(
        "terraform",
        vec![
            Item::Attr("required_version", Expr::Str(">= 1.5.0".into())),
            Item::Block(Block::new(
                "required_providers",
                vec![Item::Attr("aws", aws)],
            )),
        ],
    )
}

/// One `provider "aws"` per region the plan writes to, aliased by the region.
fn providers(resources: &[Resource]) -> Vec<Item> {
    let regions: BTreeSet<&str> = resources.iter().map(|r| r.region.as_str()).collect();
    regions
        .into_iter()
        .flat_map(|region| {
            let body = vec![
                Item::Attr("alias", Expr::Str(identifier(region))),
                Item::Attr("region", Expr::Str(region.into())),
            ];
            let block = Block {
                kind: "provider",
                labels: vec!["aws".into()],
                body,
            };
            [Item::Blank, Item::Block(block)]
        })
        .collect()
}

/// A variable per subscription's endpoint, defaulting to the `--notify` value.
fn variables(resources: &[Resource]) -> Vec<Item> {
    resources
        .iter()
        .filter_map(|r| match &r.kind {
            Kind::Subscription {
                protocol, endpoint, ..
            } => Some(variable(r, protocol, endpoint)),
            _ => None,
        })
        .flat_map(|block| [Item::Blank, Item::Block(block)])
        .collect()
}

fn variable(r: &Resource, protocol: &str, endpoint: &str) -> Block {
    Block {
        kind: "variable",
        labels: vec![endpoint_variable(r)],
        body: vec![
            Item::Attr(
                "description",
                Expr::Str(format!(
                    "The {protocol} endpoint notified of the controls' alarms."
                )),
            ),
            Item::Attr("type", Expr::Raw("string".into())),
            Item::Attr("default", Expr::Str(endpoint.into())),
        ],
    }
}

fn endpoint_variable(r: &Resource) -> String {
    format!("{}_endpoint", r.name)
}

/// A resource's comment, import block and resource block.
fn resource(r: &Resource) -> Vec<Item> {
    let mut items = vec![
        Item::Blank,
        comment(format!(
            "Action {} for {}: {}",
            r.action,
            r.controls.join(", "),
            r.reason
        )),
    ];
    if let Some(import) = &r.import {
        items.push(Item::Block(import_block(r, import)));
    }
    let mut body = vec![Item::Attr("provider", provider(r))];
    body.extend(arguments(r));
    items.push(Item::Block(Block {
        kind: "resource",
        labels: vec![type_name(&r.kind).into(), r.name.clone()],
        body,
    }));
    items
}

fn import_block(r: &Resource, import: &Import) -> Block {
    let id = match import {
        Import::MetricFilter { log_group, name } => format!("{log_group}:{name}"),
        Import::Alarm { name } => name.clone(),
    };
    Block::new(
        "import",
        vec![
            Item::Attr("provider", provider(r)),
            Item::Attr("to", Expr::Raw(address(r))),
            Item::Attr("id", Expr::Str(id)),
        ],
    )
}

/// The provider's resource type.
pub(crate) fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::MetricFilter(_) => "aws_cloudwatch_log_metric_filter",
        Kind::Alarm { .. } => "aws_cloudwatch_metric_alarm",
        Kind::Topic { .. } => "aws_sns_topic",
        Kind::TopicPolicy { .. } => "aws_sns_topic_policy",
        Kind::Subscription { .. } => "aws_sns_topic_subscription",
    }
}

fn address(r: &Resource) -> String {
    format!("{}.{}", type_name(&r.kind), r.name)
}

fn provider(r: &Resource) -> Expr {
    Expr::Raw(format!("aws.{}", identifier(&r.region)))
}

/// The resource's arguments: what `apply` sends, by the provider's names.
fn arguments(r: &Resource) -> Vec<Item> {
    let s = |v: &str| Expr::Str(v.to_string());
    match &r.kind {
        Kind::MetricFilter(f) => {
            let mut transformation = vec![
                Item::Attr("name", s(&f.metric_name)),
                Item::Attr("namespace", s(&f.namespace)),
                Item::Attr("value", s(&f.metric_value)),
            ];
            if let Some(d) = f.default_value {
                transformation.push(Item::Attr("default_value", s(&d.to_string())));
            }
            vec![
                Item::Attr("name", s(&f.name)),
                Item::Attr("log_group_name", s(&f.log_group)),
                Item::Attr("pattern", s(&f.pattern)),
                Item::Blank,
                Item::Block(Block::new("metric_transformation", transformation)),
            ]
        }
        Kind::Alarm {
            spec,
            alarm_actions,
            ok_actions,
            insufficient_data_actions,
        } => {
            let mut items = vec![Item::Attr("alarm_name", s(&spec.name))];
            if let Some(d) = &spec.description {
                items.push(Item::Attr("alarm_description", s(d)));
            }
            items.extend([
                Item::Attr("namespace", s(&spec.namespace)),
                Item::Attr("metric_name", s(&spec.metric_name)),
                statistic(&spec.statistic),
                Item::Attr("period", Expr::Raw(spec.period.to_string())),
                Item::Attr(
                    "evaluation_periods",
                    Expr::Raw(spec.evaluation_periods.to_string()),
                ),
                Item::Attr("threshold", Expr::Raw(spec.threshold.to_string())),
                Item::Attr("comparison_operator", s(spec.comparison_operator.as_str())),
            ]);
            if let Some(t) = &spec.treat_missing_data {
                items.push(Item::Attr("treat_missing_data", s(t.as_str())));
            }
            items.extend([
                Item::Attr(
                    "actions_enabled",
                    Expr::Raw(spec.actions_enabled.to_string()),
                ),
                Item::Attr("alarm_actions", arns(alarm_actions)),
                Item::Attr("ok_actions", arns(ok_actions)),
                Item::Attr("insufficient_data_actions", arns(insufficient_data_actions)),
            ]);
            items
        }
        Kind::Topic { topic_name } => vec![Item::Attr("name", s(topic_name))],
        Kind::TopicPolicy { topic, policy, .. } => vec![
            Item::Attr("arn", arn(&Arn::Created(topic.clone()))),
            Item::Attr("policy", Expr::Heredoc(pretty(policy))),
        ],
        Kind::Subscription {
            topic, protocol, ..
        } => vec![
            Item::Attr("topic_arn", arn(topic)),
            Item::Attr("protocol", s(protocol)),
            Item::Attr(
                "endpoint",
                Expr::Raw(format!("var.{}", endpoint_variable(r))),
            ),
        ],
    }
}

fn statistic(statistic: &model::cloudwatch::Statistic) -> Item {
    use model::cloudwatch::Statistic;
    match statistic {
        Statistic::Standard(s) => Item::Attr("statistic", Expr::Str(s.as_str().into())),
        Statistic::Extended(e) => Item::Attr("extended_statistic", Expr::Str(e.clone())),
    }
}

fn arns(list: &[Arn]) -> Expr {
    Expr::List(list.iter().map(arn).collect())
}

fn arn(a: &Arn) -> Expr {
    match a {
        Arn::Created(name) => Expr::Raw(format!("aws_sns_topic.{name}.arn")),
        Arn::Literal(arn) => Expr::Str(arn.clone()),
    }
}

/// A policy document laid out on lines (as sent when it is not JSON).
fn pretty(policy: &str) -> String {
    serde_json::from_str::<serde_json::Value>(policy)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| policy.to_string())
}

/// What the plan does not fix and a person must, as comments.
fn left_out(report: &Report) -> Vec<Item> {
    let lines = left_out_lines(report);
    let blank = (!lines.is_empty()).then_some(Item::Blank);
    blank
        .into_iter()
        .chain(lines.into_iter().map(comment))
        .collect()
}

/// Every control that does not hold and that no action serves, with its first finding, under
/// a line saying so; nothing when there is none.
pub(crate) fn left_out_lines(report: &Report) -> Vec<String> {
    let served: BTreeSet<&str> = report
        .actions
        .iter()
        .flat_map(|a| a.control_ids.iter().map(String::as_str))
        .collect();
    let open: Vec<String> = report
        .controls
        .iter()
        .filter(|c| matches!(c.status, Status::NonCompliant | Status::Error))
        .filter(|c| !served.contains(c.id.as_str()))
        .map(|c| {
            let why = c.findings.first().map(|f| match &f.hint {
                Some(hint) => format!("{} ({hint})", f.message),
                None => f.message.clone(),
            });
            format!("{}: {}", c.id, why.unwrap_or_default())
        })
        .collect();
    if open.is_empty() {
        return open;
    }
    let head = "Not emitted: choices only a person can make (see `trailwatch plan`).".to_string();
    std::iter::once(head).chain(open).collect()
}

fn comment(text: String) -> Item {
    Item::Comment(text)
}
