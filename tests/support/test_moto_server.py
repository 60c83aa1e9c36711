"""Tests of the CloudWatch CBOR bridge in moto_server.py, through moto's real WSGI app."""

import datetime
import unittest

import cbor2
from werkzeug.test import Client

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from moto_server import CBOR_PREFIX, CborBridge, S3RegionRedirect


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


if __name__ == "__main__":
    unittest.main()


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
