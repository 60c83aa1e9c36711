#!/usr/bin/env python3
"""Checks `trailwatch plan --emit terraform` with an independent HCL2 parser (python-hcl2)
against the plan's JSON document from the same read.

    validate_terraform.py FILE.tf PLAN.json

The file must parse; use only the hashicorp/aws provider's resource types and arguments that
trailwatch writes (per the provider's documentation); import only resources of the file, with
the provider's documented ids (a metric filter `LOG_GROUP:NAME`, an alarm its name); and carry
every action of the plan exactly once, with the attributes `apply` sends (a created topic's
ARN by reference, an endpoint by a variable whose default is the plan's). Prints one line per
problem and exits 1 when there is any; prints "ok N" (N: the actions checked) otherwise.
"""

import json
import sys
import textwrap

import hcl2

ARGUMENTS = {
    "aws_cloudwatch_log_metric_filter": {"provider", "name", "log_group_name", "pattern",
                                         "metric_transformation"},
    "aws_cloudwatch_metric_alarm": {"provider", "alarm_name", "alarm_description", "namespace",
                                    "metric_name", "statistic", "extended_statistic", "period",
                                    "evaluation_periods", "threshold", "comparison_operator",
                                    "treat_missing_data", "actions_enabled", "alarm_actions",
                                    "ok_actions", "insufficient_data_actions"},
    "aws_sns_topic": {"provider", "name"},
    "aws_sns_topic_policy": {"provider", "arn", "policy"},
    "aws_sns_topic_subscription": {"provider", "topic_arn", "protocol", "endpoint"},
}
TRANSFORMATION = {"name", "namespace", "value", "default_value"}


def text(value):
    """An HCL string literal as python-hcl2 keeps it, decoded; a heredoc's body, dedented."""
    if value.startswith('"<<-EOT\n'):
        body = value[len('"<<-EOT\n'):-1].rsplit("\n", 1)[0]
        return textwrap.dedent(body).replace("$${", "${").replace("%%{", "%{")
    return json.loads(value).replace("$${", "${").replace("%%{", "%{")


def unlabel(label):
    return label.strip('"')


def blocks(doc, kind):
    for entry in doc.get(kind, []):
        for rtype, named in entry.items():
            for name, body in named.items():
                yield unlabel(rtype), unlabel(name), body


def check(tf, plan):
    doc = hcl2.loads(tf)
    problems = []
    resources = {}
    for rtype, name, body in blocks(doc, "resource"):
        if rtype not in ARGUMENTS:
            problems.append(f"{rtype}.{name}: not a resource type trailwatch writes")
            continue
        unknown = set(body) - ARGUMENTS[rtype] - {"__is_block__"}
        for block in body.get("metric_transformation", []):
            unknown |= set(block) - TRANSFORMATION - {"__is_block__"}
        problems += [f"{rtype}.{name}: unknown argument {u}" for u in sorted(unknown)]
        resources[(rtype, name)] = body
    variables = {unlabel(k): text(v["default"]) for e in doc.get("variable", []) for k, v in e.items()}
    imports = {}
    for block in doc.get("import", []):
        rtype, name = block["to"].strip("${}").split(".")
        if (rtype, name) not in resources:
            problems.append(f"import of {rtype}.{name}, which the file does not declare")
        imports[(rtype, name)] = text(block["id"])
    topics = {text(b["name"]): n for (t, n), b in resources.items() if t == "aws_sns_topic"}
    arns = {topics[a["after"]["name"]]: a["after"]["arn"] for a in plan["actions"]
            if a["action"] == "create-topic" and a["after"]["name"] in topics}

    def value(v):
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, str) and v.startswith("${aws_sns_topic."):
            return arns.get(v[len("${aws_sns_topic."):-len(".arn}")], v)
        if isinstance(v, str) and v.startswith("${var."):
            return variables.get(v[len("${var."):-1], v)
        return text(v) if isinstance(v, str) and v.startswith('"') else v

    used = []
    for action in plan["actions"]:
        found = [key for key, body in resources.items() if carries(action, key, body, value, resources)]
        if len(found) != 1:
            problems.append(f"action {action['number']} ({action['action']}) is in the file {len(found)} times")
            continue
        used.append(found[0])
        update = action["change"] == "update"
        expected = import_id(action) if update else None
        if imports.get(found[0]) != expected:
            problems.append(f"action {action['number']}: import id {imports.get(found[0])!r}, expected {expected!r}")
    policies = [k for k in resources if k[0] == "aws_sns_topic_policy"]
    extra = set(resources) - set(used) - set(policies)
    problems += [f"{t}.{n}: no action of the plan makes it" for t, n in sorted(extra)]
    return problems, len(plan["actions"])


def import_id(action):
    after = action["after"]
    if action["action"] == "put-metric-filter":
        return f"{after['log_group']}:{after['name']}"
    return after["name"]


def carries(action, key, body, value, resources):
    rtype, name = key
    after = action["after"]
    kind = action["action"]
    if kind == "put-metric-filter" and rtype == "aws_cloudwatch_log_metric_filter":
        [t] = body["metric_transformation"]
        default = after.get("default_value")
        return (value(body["name"]), value(body["log_group_name"]), value(body["pattern"]),
                value(t["name"]), value(t["namespace"]), value(t["value"]),
                value(t["default_value"]) if "default_value" in t else None) == (
            after["name"], after["log_group"], after["pattern"], after["metric_name"],
            after["namespace"], after["metric_value"], None if default is None else str(default))
    if kind == "put-metric-alarm" and rtype == "aws_cloudwatch_metric_alarm":
        statistic = value(body.get("statistic") or body.get("extended_statistic"))
        return {k: value(body.get(k)) for k in (
            "alarm_name", "alarm_description", "namespace", "metric_name", "period",
            "evaluation_periods", "threshold", "comparison_operator", "treat_missing_data",
            "actions_enabled", "alarm_actions", "ok_actions", "insufficient_data_actions")
        } | {"statistic": statistic} == {
            "alarm_name": after["name"], "alarm_description": after.get("description"),
            "namespace": after["namespace"], "metric_name": after["metric_name"],
            "period": after["period"], "evaluation_periods": after["evaluation_periods"],
            "threshold": after["threshold"], "comparison_operator": after["comparison_operator"],
            "treat_missing_data": after.get("treat_missing_data"),
            "actions_enabled": after["actions_enabled"], "alarm_actions": after["alarm_actions"],
            "ok_actions": after["ok_actions"],
            "insufficient_data_actions": after["insufficient_data_actions"],
            "statistic": after["statistic"]}
    if kind == "create-topic" and rtype == "aws_sns_topic":
        if value(body["name"]) != after["name"]:
            return False
        policy = [b for (t, n), b in resources.items() if t == "aws_sns_topic_policy"
                  and b["arn"] == f"${{aws_sns_topic.{name}.arn}}"]
        if "policy" not in after:
            return not policy
        return len(policy) == 1 and json.loads(value(policy[0]["policy"])) == json.loads(after["policy"])
    if kind == "subscribe" and rtype == "aws_sns_topic_subscription":
        return (value(body["topic_arn"]), value(body["protocol"]), value(body["endpoint"])) == (
            after["topic_arn"], after["protocol"], after["endpoint"])
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: validate_terraform.py FILE.tf PLAN.json")
    tf = open(sys.argv[1], encoding="utf-8").read()
    plan = json.load(open(sys.argv[2], encoding="utf-8"))
    problems, checked = check(tf, plan)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"ok {checked}")


if __name__ == "__main__":
    main()
