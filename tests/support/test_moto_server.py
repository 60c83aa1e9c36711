"""Tests of the CloudWatch CBOR bridge, the Security Hub bridge, the TestEventPattern and
ListRegions answers in moto_server.py, through moto's real WSGI app."""

import datetime
import json
import unittest

import cbor2
from werkzeug.test import Client

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from moto_server import (
    CBOR_PREFIX,
    AccountBridge,
    CborBridge,
    EventsBridge,
    S3RegionRedirect,
    SecurityHubBridge,
)


def auth(service):
    return (
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
        f"{service}/aws4_request, SignedHeaders=host, Signature=0"
    )


class CborBridgeTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(CborBridge(DomainDispatcherApplication(create_backend_app)))

    def call(self, operation, body):
        response = self.client.post(
            CBOR_PREFIX + operation,
            data=cbor2.dumps(body),
            headers={
                "Authorization": auth("monitoring"),
                "Content-Type": "application/cbor",
                "smithy-protocol": "rpc-v2-cbor",
            },
        )
        return response, cbor2.loads(response.data) if response.data else {}

    def put_alarm(self, name, **extra):
        response, _ = self.call(
            "PutMetricAlarm",
            {
                "AlarmName": name,
                "MetricName": "M",
                "Namespace": "CISBenchmark",
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                **extra,
            },
        )
        self.assertEqual(response.status_code, 200)
        return response

    def test_put_then_describe_alarm_round_trips_with_cbor_timestamps(self):
        response = self.put_alarm("bridge-test", AlarmActions=["arn:aws:sns:us-east-1:123456789012:t"])
        self.assertEqual(response.headers["Content-Type"], "application/cbor")
        self.assertEqual(response.headers["smithy-protocol"], "rpc-v2-cbor")
        response, body = self.call("DescribeAlarms", {"AlarmNames": ["bridge-test"]})
        self.assertEqual(response.status_code, 200)
        (alarm,) = body["MetricAlarms"]
        self.assertEqual(alarm["AlarmName"], "bridge-test")
        self.assertEqual(alarm["AlarmActions"], ["arn:aws:sns:us-east-1:123456789012:t"])
        # CBOR tag 1 decodes to a datetime: the SDK needs timestamps in that form.
        self.assertIsInstance(alarm["StateUpdatedTimestamp"], datetime.datetime)

    def test_describe_alarms_pages_by_name_as_aws_does(self):
        for i in (3, 0, 4, 1, 2):
            self.put_alarm(f"paged-{i}")
        pages, token = [], None
        while True:
            request = {"AlarmNamePrefix": "paged-", "MaxRecords": 2}
            if token:
                request["NextToken"] = token
            response, body = self.call("DescribeAlarms", request)
            self.assertEqual(response.status_code, 200)
            pages.append([a["AlarmName"] for a in body["MetricAlarms"]])
            token = body.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, [["paged-0", "paged-1"], ["paged-2", "paged-3"], ["paged-4"]])
        _, body = self.call("DescribeAlarms", {"AlarmNamePrefix": "none-such-", "MaxRecords": 2})
        self.assertEqual(body["MetricAlarms"], [])
        self.assertNotIn("NextToken", body)

    def test_errors_keep_their_type(self):
        response, body = self.call(
            "SetAlarmState",
            {"AlarmName": "no-such-alarm", "StateValue": "OK", "StateReason": "test"},
        )
        self.assertGreaterEqual(response.status_code, 400)
        self.assertIn("ResourceNotFound", body["__type"])
        self.assertIn("message", body)

    def test_other_requests_pass_through_untouched(self):
        response = self.client.post(
            "/",
            data="Action=ListTopics&Version=2010-03-31",
            headers={
                "Authorization": auth("sns"),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"<ListTopicsResponse", response.data)

    def test_put_metric_filter_replaces_the_filter_of_that_name(self):
        def logs(operation, body):
            response = self.client.post(
                "/",
                data=json.dumps(body),
                headers={
                    "Authorization": auth("logs"),
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": f"Logs_20140328.{operation}",
                },
            )
            self.assertEqual(response.status_code, 200, response.data)
            return json.loads(response.data or b"{}")

        logs("CreateLogGroup", {"logGroupName": "replace-test"})
        for pattern in ("{ $.a = 1 }", "{ $.a = 2 }"):
            logs(
                "PutMetricFilter",
                {
                    "logGroupName": "replace-test",
                    "filterName": "f",
                    "filterPattern": pattern,
                    "metricTransformations": [
                        {"metricName": "M", "metricNamespace": "N", "metricValue": "1"}
                    ],
                },
            )
        found = logs("DescribeMetricFilters", {"logGroupName": "replace-test"})["metricFilters"]
        self.assertEqual([f["filterPattern"] for f in found], ["{ $.a = 2 }"])


if __name__ == "__main__":
    unittest.main()


PRODUCT = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"


def finding(finding_id, generator, workflow="NEW"):
    return {
        "SchemaVersion": "2018-10-08", "Id": finding_id, "ProductArn": PRODUCT,
        "GeneratorId": generator, "AwsAccountId": "123456789012",
        "Types": ["Software and Configuration Checks"], "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-01T00:00:00Z", "Severity": {"Label": "MEDIUM"}, "Title": "t",
        "Description": "d", "Resources": [{"Type": "Other", "Id": "x"}],
        "Workflow": {"Status": workflow},
    }


class EventsBridgeTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(EventsBridge(DomainDispatcherApplication(create_backend_app)))

    def ask(self, pattern, event):
        response = self.client.post(
            "/",
            data=json.dumps({"EventPattern": json.dumps(pattern), "Event": json.dumps(event)}),
            headers={
                "Authorization": auth("events"),
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSEvents.TestEventPattern",
            },
        )
        return response.status_code, json.loads(response.data)

    def test_answers_with_motos_own_matcher(self):
        event = {"source": "aws.iam", "detail": {"eventName": "CreatePolicy"}}
        self.assertEqual(self.ask({"source": ["aws.iam"]}, event), (200, {"Result": True}))
        self.assertEqual(
            self.ask({"detail": {"eventName": [{"prefix": "Delete"}]}}, event), (200, {"Result": False})
        )

    def test_refuses_what_motos_parser_refuses(self):
        status, answer = self.ask({"source": []}, {"source": "aws.iam"})
        self.assertEqual((status, answer["__type"]), (400, "InvalidEventPatternException"))


class AccountBridgeTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(AccountBridge(DomainDispatcherApplication(create_backend_app)))

    def list_regions(self, body):
        response = self.client.post(
            "/listRegions",
            data=json.dumps(body),
            headers={"Authorization": auth("account"), "Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return json.loads(response.data)

    def test_enabled_regions_are_filtered_and_paged(self):
        wanted = {"RegionOptStatusContains": ["ENABLED", "ENABLED_BY_DEFAULT"], "MaxResults": 10}
        first = self.list_regions(wanted)
        second = self.list_regions({**wanted, "NextToken": first["NextToken"]})
        self.assertNotIn("NextToken", second)
        names = [r["RegionName"] for r in first["Regions"] + second["Regions"]]
        self.assertEqual(len(names), 17)
        self.assertIn("us-east-1", names)
        self.assertNotIn("af-south-1", names)
        everything = self.list_regions({"MaxResults": 50})
        self.assertIn("af-south-1", [r["RegionName"] for r in everything["Regions"]])


class SecurityHubBridgeTest(unittest.TestCase):
    def setUp(self):
        self.client = Client(SecurityHubBridge(DomainDispatcherApplication(create_backend_app)))
        self.call("POST", "/accounts", {})

    def call(self, method, path, body):
        response = self.client.open(
            path, method=method, data=json.dumps(body),
            headers={"Authorization": auth("securityhub"), "Content-Type": "application/json"},
        )
        return response, json.loads(response.data) if response.data else {}

    def held(self, filters=None):
        _, body = self.call("POST", "/findings", {"Filters": filters or {}})
        return {f["Id"]: f for f in body["Findings"]}

    def test_batch_update_sets_workflow_and_note_and_reimport_keeps_them(self):
        self.call("POST", "/findings/import", {"Findings": [finding("a", "trailwatch/x/a")]})
        response, body = self.call("PATCH", "/findings/batchupdate", {
            "FindingIdentifiers": [{"Id": "a", "ProductArn": PRODUCT}, {"Id": "gone", "ProductArn": PRODUCT}],
            "Workflow": {"Status": "SUPPRESSED"}, "Note": {"Text": "waived", "UpdatedBy": "me"},
        })
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body["ProcessedFindings"], [{"Id": "a", "ProductArn": PRODUCT}])
        self.assertEqual(body["UnprocessedFindings"][0]["ErrorCode"], "FindingNotFound")
        # AWS ignores Workflow and Note of an existing finding in BatchImportFindings.
        self.call("POST", "/findings/import", {"Findings": [finding("a", "trailwatch/x/a", "NEW")]})
        held = self.held()["a"]
        self.assertEqual(held["Workflow"]["Status"], "SUPPRESSED")
        self.assertEqual((held["Note"]["Text"], held["Note"]["UpdatedBy"]), ("waived", "me"))

    def test_get_findings_applies_string_filters(self):
        # moto's state outlives a test: ids of their own, and what else is there not assumed.
        self.call("POST", "/findings/import", {"Findings": [
            finding("c", "trailwatch/x/c"), finding("d", "someone-else/d", "SUPPRESSED"),
        ]})
        prefix = self.held({"GeneratorId": [{"Value": "trailwatch/", "Comparison": "PREFIX"}]})
        self.assertIn("c", prefix)
        self.assertNotIn("d", prefix)
        suppressed = self.held({"WorkflowStatus": [{"Value": "SUPPRESSED", "Comparison": "EQUALS"}]})
        self.assertIn("d", suppressed)
        self.assertNotIn("c", suppressed)

    def test_bad_updates_are_refused_as_invalid_input(self):
        response, body = self.call("PATCH", "/findings/batchupdate", {
            "FindingIdentifiers": [{"Id": "a", "ProductArn": PRODUCT}], "Note": {"Text": "no author"},
        })
        self.assertEqual(response.status_code, 400)
        self.assertEqual(body["__type"], "InvalidInputException")
def s3_auth(region):
    return (
        f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/s3/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )


class S3RegionRedirectTest(unittest.TestCase):
    """A bucket asked for from another region's endpoint is redirected as AWS does."""

    def setUp(self):
        self.client = Client(S3RegionRedirect(DomainDispatcherApplication(create_backend_app)))
        body = (
            "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
            "</CreateBucketConfiguration>"
        )
        response = self.client.put(
            "/redirect-test-bucket", data=body, headers={"Authorization": s3_auth("eu-west-1")}
        )
        self.assertIn(response.status_code, (200, 409), response.data)

    def test_another_regions_request_is_redirected_naming_the_bucket_region(self):
        answers = {}
        for method in ("GET", "HEAD"):
            answers[method] = self.client.open(
                "/redirect-test-bucket", method=method, headers={"Authorization": s3_auth("us-east-1")}
            )
            self.assertEqual(answers[method].status_code, 301, method)
            self.assertEqual(answers[method].headers["x-amz-bucket-region"], "eu-west-1")
        self.assertIn(b"<Code>PermanentRedirect</Code>", answers["GET"].data)
        self.assertEqual(answers["HEAD"].data, b"")

    def test_the_bucket_region_and_get_bucket_location_are_answered(self):
        own = self.client.get("/redirect-test-bucket", headers={"Authorization": s3_auth("eu-west-1")})
        self.assertEqual(own.status_code, 200)
        location = self.client.get(
            "/redirect-test-bucket?location", headers={"Authorization": s3_auth("us-east-1")}
        )
        self.assertEqual(location.status_code, 200)
        self.assertIn(b"eu-west-1", location.data)
