#!/usr/bin/env python3
"""Builds the template member account of the organization-scale benchmark (scripts/bench).

    scale_setup.py ENDPOINT CONTROLS_JSON ACCOUNT

ACCOUNT gets bench_setup.py's compliant set-up for every control (a trail, its log group's
filters, an alarm per control notifying a topic with a confirmed email subscription), and then
the first control's alarm has its actions disabled (ActionsEnabled=false): the account's plan is
one action, the PutMetricAlarm that enables them again; after it the account is compliant.
fake_aws.py records trailwatch reading and applying it, and serves that for any account.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_setup import compliant, session  # noqa: E402


def main():
    endpoint, controls_json, account = sys.argv[1:]
    controls = json.load(open(controls_json))["controls"]
    s = session(endpoint, account)
    compliant(s, endpoint, account, controls)
    cw = s.client("cloudwatch", endpoint_url=endpoint)
    first = controls[0]
    alarm = cw.describe_alarms(AlarmNames=[first["id"]])["MetricAlarms"][0]
    cw.put_metric_alarm(
        AlarmName=alarm["AlarmName"], MetricName=alarm["MetricName"], Namespace=alarm["Namespace"],
        Statistic=alarm["Statistic"], Period=alarm["Period"], EvaluationPeriods=alarm["EvaluationPeriods"],
        Threshold=alarm["Threshold"], ComparisonOperator=alarm["ComparisonOperator"],
        AlarmActions=alarm["AlarmActions"], ActionsEnabled=False,
    )
    print(first["id"])


if __name__ == "__main__":
    main()
