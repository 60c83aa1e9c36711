#!/usr/bin/env python3
"""Builds the benchmark accounts in the local AWS API server (used by scripts/bench).

    bench_setup.py ENDPOINT CONTROLS_JSON BIG_ACCOUNT SMALL_ACCOUNT...

BIG_ACCOUNT gets a qualifying trail whose log group holds 100 metric filters (the controls' and
unrelated ones), 5,000 alarms and 200 topics; each SMALL_ACCOUNT gets a trail and a compliant
set-up for every control. CONTROLS_JSON is the output of `trailwatch controls --json`.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3


def session(endpoint, account):
    creds = boto3.client(
        "sts", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).assume_role(RoleArn=f"arn:aws:iam::{account}:role/bench", RoleSessionName="bench")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def trail(s, endpoint, account):
    s.client("logs", endpoint_url=endpoint).create_log_group(logGroupName="cloudtrail/main")
    s.client("s3", endpoint_url=endpoint).create_bucket(Bucket=f"bench-{account}")
    ct = s.client("cloudtrail", endpoint_url=endpoint)
    ct.create_trail(
        Name="main", S3BucketName=f"bench-{account}", IsMultiRegionTrail=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{account}:log-group:cloudtrail/main:*",
        CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/ct",
    )
    ct.put_event_selectors(TrailName="main", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
    ct.start_logging(Name="main")


def compliant(s, endpoint, account, controls, extra_filters=0, extra_alarms=0, extra_topics=0):
    trail(s, endpoint, account)
    logs = s.client("logs", endpoint_url=endpoint)
    cw = s.client("cloudwatch", endpoint_url=endpoint)
    sns = s.client("sns", endpoint_url=endpoint)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="sec@example.com")
    for c in controls:
        logs.put_metric_filter(
            logGroupName="cloudtrail/main", filterName=c["id"], filterPattern=c["pattern"],
            metricTransformations=[{"metricName": c["default_metric_name"], "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        )
        cw.put_metric_alarm(
            AlarmName=c["id"], MetricName=c["default_metric_name"], Namespace="CISBenchmark",
            Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
        )
    for i in range(extra_filters):
        logs.put_metric_filter(
            logGroupName="cloudtrail/main", filterName=f"app-{i}", filterPattern=f"{{ $.eventName = App{i} }}",
            metricTransformations=[{"metricName": f"App{i}", "metricNamespace": "App", "metricValue": "1"}],
        )
    def alarm(i):
        cw.put_metric_alarm(
            AlarmName=f"app-alarm-{i}", MetricName=f"Metric{i}", Namespace="App", Statistic="Sum",
            Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
        )
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(alarm, range(extra_alarms)))
        list(pool.map(lambda i: sns.create_topic(Name=f"app-topic-{i}"), range(extra_topics)))


def main():
    endpoint, controls_json, big, *small = sys.argv[1:]
    controls = json.load(open(controls_json))["controls"]
    compliant(session(endpoint, big), endpoint, big, controls, 100 - len(controls), 5000 - len(controls), 199)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda a: compliant(session(endpoint, a), endpoint, a, controls), small))


if __name__ == "__main__":
    main()
