#!/usr/bin/env python3
"""Builds and reads test accounts in the local AWS API server, for trailwatch's tests and demo.

    fixture.py build  < spec.json   create what the spec describes in the spec's account
    fixture.py dump   < spec.json   print the account's filters, alarms, topics and subscriptions
    fixture.py import < spec.json   send spec["findings"] (ASFF) to Security Hub with the AWS SDK
                                    for Python, which validates them against the API model first
    fixture.py findings < spec.json print the account's Security Hub findings (GetFindings)
    fixture.py alarm_states < spec.json   print each alarm's state and state reason
    fixture.py archive < spec.json  write spec["objects"] to S3 as gzipped CloudTrail log files
    fixture.py test_event_pattern < spec.json   print, for each of spec["cases"] ({"pattern",
                                    "event"}), the local server's TestEventPattern answer: true,
                                    false, or {"error": message}

The spec is JSON:

    {"endpoint": "http://127.0.0.1:PORT", "account": "111122223333", "region": "us-east-1",
     "log_groups": [{"name": "trail-logs", "region": "us-east-1"}],
     "trails": [{"name": "main", "multi_region": true, "logging": true, "log_group": "trail-logs",
                 "log_group_region": "us-east-1", "log_group_account": "111122223333",
                 "logs_role": true, "bucket_region": "us-east-1",
                 "selectors": {"basic": [{"ReadWriteType": "All", "IncludeManagementEvents": true}]}}],
     "filters": [{"log_group": "trail-logs", "name": "f", "pattern": "...", "metric": "M",
                  "namespace": "CISBenchmark"}],
     "topics": [{"name": "alerts", "subscriptions": [{"protocol": "email", "endpoint": "a@b.c"}],
                 "policy": {...}, "kms_key": "alias/aws/sns",
                 "deliveries": {"delivered": 0, "failed": 3}}],
     "keys": [{"alias": "alerts", "policy": {...}}],
     "organization": {"accounts": ["dev", "prod"]},
     "alarms": [{"name": "a", "metric": "M", "namespace": "CISBenchmark", "topics": ["alerts"],
                 "actions_enabled": true}],
     "security_hub": true,
     "buses": [{"name": "central", "policy": {...}}],
     "rules": [{"name": "iam", "regions": ["us-east-1"], "pattern": {...}, "bus": "default",
                "state": "ENABLED", "topics": ["alerts"], "invocations": {"invoked": 3, "failed": 3}}]}

Every resource may carry "region" (default: the spec's region). Calls are made as the account's
role through sts:AssumeRole, which is how the local server keeps accounts apart.
"""

import datetime
import gzip
import json
import sys

import boto3


def session_for(spec):
    base = boto3.client(
        "sts",
        endpoint_url=spec["endpoint"],
        region_name=spec.get("region", "us-east-1"),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = base.assume_role(
        RoleArn=f"arn:aws:iam::{spec['account']}:role/trailwatch-fixture",
        RoleSessionName="fixture",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def client(session, spec, service, region=None):
    return session.client(
        service, endpoint_url=spec["endpoint"], region_name=region or spec.get("region", "us-east-1")
    )


def region_of(spec, item):
    return item.get("region", spec.get("region", "us-east-1"))


def build(spec):
    session = session_for(spec)
    account = spec["account"]
    for group in spec.get("log_groups", []):
        client(session, spec, "logs", region_of(spec, group)).create_log_group(
            logGroupName=group["name"]
        )
    for trail in spec.get("trails", []):
        region = region_of(spec, trail)
        bucket = f"trail-bucket-{account}-{trail['name']}".lower()
        bucket_region = trail.get("bucket_region", "us-east-1")
        s3 = client(session, spec, "s3", bucket_region)
        if bucket_region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": bucket_region}
            )
        ct = client(session, spec, "cloudtrail", region)
        args = {
            "Name": trail["name"],
            "S3BucketName": bucket,
            "IsMultiRegionTrail": trail.get("multi_region", True),
            "IsOrganizationTrail": trail.get("organization", False),
        }
        if trail.get("log_group"):
            group_region = trail.get("log_group_region", region)
            group_account = trail.get("log_group_account", account)
            args["CloudWatchLogsLogGroupArn"] = (
                f"arn:aws:logs:{group_region}:{group_account}:log-group:{trail['log_group']}:*"
            )
            if trail.get("logs_role", True):
                args["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{account}:role/cloudtrail-to-logs"
        ct.create_trail(**args)
        selectors = trail.get(
            "selectors",
            {"basic": [{"ReadWriteType": "All", "IncludeManagementEvents": True}]},
        )
        if "basic" in selectors:
            ct.put_event_selectors(TrailName=trail["name"], EventSelectors=selectors["basic"])
        if "advanced" in selectors:
            ct.put_event_selectors(
                TrailName=trail["name"], AdvancedEventSelectors=selectors["advanced"]
            )
        if trail.get("logging", True):
            ct.start_logging(Name=trail["name"])
    for f in spec.get("filters", []):
        client(session, spec, "logs", region_of(spec, f)).put_metric_filter(
            logGroupName=f["log_group"],
            filterName=f["name"],
            filterPattern=f["pattern"],
            metricTransformations=[
                {
                    "metricName": f["metric"],
                    "metricNamespace": f.get("namespace", "CISBenchmark"),
                    "metricValue": f.get("value", "1"),
                }
            ],
        )
    for key in spec.get("keys", []):
        kms = client(session, spec, "kms", region_of(spec, key))
        created = kms.create_key(Policy=json.dumps(key["policy"]))["KeyMetadata"]
        kms.create_alias(AliasName="alias/" + key["alias"], TargetKeyId=created["KeyId"])
    topic_arns = {}
    for topic in spec.get("topics", []):
        sns = client(session, spec, "sns", region_of(spec, topic))
        attributes = {}
        if "policy" in topic:
            attributes["Policy"] = json.dumps(topic["policy"])
        if "kms_key" in topic:
            attributes["KmsMasterKeyId"] = topic["kms_key"]
        arn = sns.create_topic(Name=topic["name"], Attributes=attributes)["TopicArn"]
        topic_arns[topic["name"]] = arn
        for sub in topic.get("subscriptions", []):
            sns.subscribe(TopicArn=arn, Protocol=sub["protocol"], Endpoint=sub["endpoint"])
        if "deliveries" in topic:
            record_deliveries(client(session, spec, "cloudwatch", region_of(spec, topic)), topic)
    created = {}
    if "organization" in spec:
        org = client(session, spec, "organizations")
        org.create_organization(FeatureSet="ALL")
        created["organization_accounts"] = []
        for name in spec["organization"].get("accounts", []):
            status = org.create_account(Email=f"{name}@example.com", AccountName=name)
            created["organization_accounts"].append(status["CreateAccountStatus"]["AccountId"])
    for alarm in spec.get("alarms", []):
        region = region_of(spec, alarm)
        actions = [
            topic_arns.get(t, t)
            if t.startswith("arn:")
            else f"arn:aws:sns:{region}:{account}:{t}"
            for t in alarm.get("topics", [])
        ]
        client(session, spec, "cloudwatch", region).put_metric_alarm(
            AlarmName=alarm["name"],
            MetricName=alarm["metric"],
            Namespace=alarm.get("namespace", "CISBenchmark"),
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            ActionsEnabled=alarm.get("actions_enabled", True),
            AlarmActions=actions,
            OKActions=alarm.get("ok_actions", []),
        )
    if spec.get("security_hub"):
        client(session, spec, "securityhub").enable_security_hub()
    for bus in spec.get("buses", []):
        events = client(session, spec, "events", region_of(spec, bus))
        events.create_event_bus(Name=bus["name"])
        if "policy" in bus:
            events.put_permission(EventBusName=bus["name"], Policy=json.dumps(bus["policy"]))
    for rule in spec.get("rules", []):
        for region in rule.get("regions", [region_of(spec, rule)]):
            put_rule(session, spec, region, rule)
    json.dump(created, sys.stdout)


def put_rule(session, spec, region, rule):
    """A rule on the region's default bus (or the bus named by "bus") targeting topics (by name:
    the topic of that name in the region) or buses (by ARN), with the `AWS/Events` invocation
    metrics EventBridge would publish for it."""
    account = spec["account"]
    bus = rule.get("bus", "default")
    events = client(session, spec, "events", region)
    events.put_rule(
        Name=rule["name"],
        EventBusName=bus,
        EventPattern=json.dumps(rule["pattern"]),
        State=rule.get("state", "ENABLED"),
    )
    targets = [
        {"Id": f"t{i}", "Arn": t if t.startswith("arn:") else f"arn:aws:sns:{region}:{account}:{t}"}
        for i, t in enumerate(rule.get("topics", []))
    ]
    if targets:
        events.put_targets(Rule=rule["name"], EventBusName=bus, Targets=targets)
    if "invocations" in rule:
        names = {"invoked": "Invocations", "failed": "FailedInvocations"}
        record_metrics(
            client(session, spec, "cloudwatch", region),
            "AWS/Events",
            ("RuleName", rule["name"]),
            {names[kind]: count for kind, count in rule["invocations"].items()},
        )


def record_deliveries(cloudwatch, topic):
    """The topic's AWS/SNS delivery metrics, as SNS publishes them (the local server publishes
    none of its own)."""
    names = {"delivered": "NumberOfNotificationsDelivered", "failed": "NumberOfNotificationsFailed"}
    counts = {names[kind]: count for kind, count in topic["deliveries"].items()}
    record_metrics(cloudwatch, "AWS/SNS", ("TopicName", topic["name"]), counts)


def record_metrics(cloudwatch, namespace, dimension, counts):
    """Counts of an AWS service's metrics (`{metric name: count}`) of one dimension, an hour ago."""
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
            "Value": float(count),
            "Timestamp": when,
        }
        for metric, count in counts.items()
    ]
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)


def import_findings(spec):
    hub = client(session_for(spec), spec, "securityhub")
    answer = hub.batch_import_findings(Findings=spec["findings"])
    answer.pop("ResponseMetadata", None)
    json.dump(answer, sys.stdout)


def findings(spec):
    hub = client(session_for(spec), spec, "securityhub")
    found = []
    for page in hub.get_paginator("get_findings").paginate():
        found.extend(page["Findings"])
    json.dump(found, sys.stdout, default=str)


def alarm_states(spec):
    cw = client(session_for(spec), spec, "cloudwatch")
    json.dump(
        {a["AlarmName"]: [a["StateValue"], a["StateReason"]] for a in cw.describe_alarms()["MetricAlarms"]},
        sys.stdout,
    )


def archive(spec):
    """Writes spec["objects"] ([{"bucket", "key", "records"}]) to S3 as CloudTrail log files
    ({"Records": [...]}), gzipped as CloudTrail writes them, each through the bucket's region."""
    session = session_for(spec)
    s3 = client(session, spec, "s3", "us-east-1")
    in_region = {}
    for obj in spec["objects"]:
        bucket = obj["bucket"]
        if bucket not in in_region:
            location = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
            in_region[bucket] = client(session, spec, "s3", location or "us-east-1")
        body = gzip.compress(json.dumps({"Records": obj["records"]}).encode())
        in_region[bucket].put_object(Bucket=bucket, Key=obj["key"], Body=body)


def dump(spec):
    session = session_for(spec)
    regions = sorted(set([spec.get("region", "us-east-1")] + spec.get("dump_regions", [])))
    out = {}
    for region in regions:
        logs = client(session, spec, "logs", region)
        filters = []
        for group in logs.describe_log_groups()["logGroups"]:
            for f in logs.describe_metric_filters(logGroupName=group["logGroupName"])[
                "metricFilters"
            ]:
                filters.append(
                    {
                        "log_group": f["logGroupName"],
                        "name": f["filterName"],
                        "pattern": f["filterPattern"],
                        "metrics": [
                            [t["metricName"], t["metricNamespace"]]
                            for t in f["metricTransformations"]
                        ],
                    }
                )
        cw = client(session, spec, "cloudwatch", region)
        alarms = [
            {
                "name": a["AlarmName"],
                "metric": a.get("MetricName"),
                "namespace": a.get("Namespace"),
                "actions_enabled": a["ActionsEnabled"],
                "alarm_actions": a.get("AlarmActions", []),
                "ok_actions": a.get("OKActions", []),
            }
            for a in cw.describe_alarms()["MetricAlarms"]
        ]
        sns = client(session, spec, "sns", region)
        topics = []
        for t in sns.list_topics()["Topics"]:
            subs = sns.list_subscriptions_by_topic(TopicArn=t["TopicArn"])["Subscriptions"]
            attributes = sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"]
            topics.append(
                {
                    "arn": t["TopicArn"],
                    "policy": json.loads(attributes.get("Policy", "{}")),
                    "subscriptions": sorted(
                        [s["Protocol"], s["Endpoint"], s["SubscriptionArn"]] for s in subs
                    ),
                }
            )
        out[region] = {
            "filters": sorted(filters, key=lambda f: (f["log_group"], f["name"])),
            "alarms": sorted(alarms, key=lambda a: a["name"]),
            "topics": sorted(topics, key=lambda t: t["arn"]),
        }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


def test_event_pattern(spec):
    events = session_for(spec).client("events", endpoint_url=spec["endpoint"], region_name=spec["region"])
    answers = []
    for case in spec["cases"]:
        try:
            answers.append(
                events.test_event_pattern(
                    EventPattern=json.dumps(case["pattern"]), Event=json.dumps(case["event"])
                )["Result"]
            )
        except events.exceptions.InvalidEventPatternException as e:
            answers.append({"error": str(e)})
    json.dump(answers, sys.stdout)


def main():
    verbs = {
        "test_event_pattern": test_event_pattern,
        "build": build,
        "dump": dump,
        "import": import_findings,
        "findings": findings,
        "alarm_states": alarm_states,
        "archive": archive,
    }
    if len(sys.argv) != 2 or sys.argv[1] not in verbs:
        sys.exit(f"usage: fixture.py {'|'.join(verbs)} < spec.json")
    spec = json.load(sys.stdin)
    verbs[sys.argv[1]](spec)


if __name__ == "__main__":
    main()
