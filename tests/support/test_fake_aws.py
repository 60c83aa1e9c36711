"""Tests of fake_aws.py: what it records through a stand-in upstream, and that it replays that for
other accounts (their ids in the bodies, AssumeRole's keys, each account's phase after a write,
requests it does not hold), in each protocol's body (JSON, XML, CBOR)."""

import asyncio
import json
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2

from fake_aws import Recorder, Replayer, serve

TEMPLATE = "271828182845"
CBOR_OP = "/service/GraniteServiceVersion20100801/operation/"


def auth(key, service):
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0"
    )


class Upstream(BaseHTTPRequestHandler):
    """A stand-in for the local server: one member account whose trail list changes after a
    PutMetricAlarm."""

    protocol_version = "HTTP/1.1"
    writes = 0

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = "application/x-amz-json-1.1"
        if b"Action=AssumeRole" in body:
            data = (
                b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAMOTO"
                b"</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>"
            )
            content_type = "text/xml"
        elif self.path.startswith(CBOR_OP + "PutMetricAlarm"):
            Upstream.writes += 1
            data, content_type = cbor2.dumps({}), "application/cbor"
        elif self.path.startswith(CBOR_OP + "DescribeAlarms"):
            name = cbor2.loads(body).get("AlarmNamePrefix", "a")
            data = cbor2.dumps({"MetricAlarms": [{"AlarmArn": f"arn:aws:cloudwatch:us-east-1:{TEMPLATE}:alarm:{name}"}]})
            content_type = "application/cbor"
        elif self.path.startswith(CBOR_OP + "GetMetricData"):
            name = cbor2.loads(body).get("MetricName", "m")
            data, content_type = cbor2.dumps({"MetricDataResults": [{"Id": name}]}), "application/cbor"
        else:
            name = "after" if Upstream.writes else "before"
            data = json.dumps({"trailList": [{"TrailARN": f"arn:aws:cloudtrail:us-east-1:{TEMPLATE}:trail/{name}"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start(app):
    """Serves `app` on a daemon thread; its URL."""
    ready = threading.Event()
    port = []

    def run():
        asyncio.run(serve(app, lambda p: (port.append(p), ready.set())))

    threading.Thread(target=run, daemon=True).start()
    ready.wait(5)
    return f"http://127.0.0.1:{port[0]}"


def call(url, key, service, body, path="/", target=None):
    headers = {"Authorization": auth(key, service)}
    if target:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def assume(url, account):
    body = f"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A{account}%3Arole%2Fr&RoleSessionName=s"
    return call(url, "own", "sts", body.encode())


def trails(url, key):
    return call(url, key, "cloudtrail", b"{}", target="CloudTrail_20131101.DescribeTrails")


def metric_data(second, metric="m"):
    return cbor2.dumps({"MetricName": metric, "StartTime": second - 86400, "EndTime": second})


def put_alarm(url, key, account):
    body = cbor2.dumps({"AlarmName": "a", "AlarmActions": [f"arn:aws:sns:us-east-1:{account}:t"]})
    return call(url, key, "monitoring", body, path=CBOR_OP + "PutMetricAlarm")


class FakeAwsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        cls.addClassCleanup(upstream.shutdown)
        cls.dir = tempfile.mkdtemp()
        recorder = start(Recorder(f"http://127.0.0.1:{upstream.server_port}", cls.dir))
        # What trailwatch does in the benchmark's recording: assume the role, read, write, read.
        assume(recorder, TEMPLATE)
        trails(recorder, "ASIAMOTO")
        call(recorder, "ASIAMOTO", "monitoring", cbor2.dumps({"MaxRecords": 100}), path=CBOR_OP + "DescribeAlarms")
        call(recorder, "ASIAMOTO", "monitoring", cbor2.dumps({"AlarmNamePrefix": "p"}), path=CBOR_OP + "DescribeAlarms")
        # The same read a second later (its time window moved), and a read of another metric.
        for second, metric in ((1000, "m"), (1001, "m"), (1001, "n")):
            call(recorder, "ASIAMOTO", "monitoring", metric_data(second, metric), path=CBOR_OP + "GetMetricData")
        put_alarm(recorder, "ASIAMOTO", TEMPLATE)
        trails(recorder, "ASIAMOTO")
        cls.fake = start(Replayer(cls.dir, 0))

    def setUp(self):
        urllib.request.urlopen(self.fake + "/__fake/reset?delay_ms=0").read()

    def test_records_who_signed_the_phase_and_the_operation(self):
        with open(os.path.join(self.dir, "recording.jsonl")) as lines:
            records = [json.loads(line) for line in lines]
        self.assertEqual(
            [(r["kind"], r["phase"], r["operation"]) for r in records],
            [
                ("own", 0, "AssumeRole"),
                ("member", 0, "DescribeTrails"),
                ("member", 0, "DescribeAlarms"),
                ("member", 0, "DescribeAlarms"),
                ("member", 0, "GetMetricData"),
                ("member", 0, "GetMetricData"),
                ("member", 0, "GetMetricData"),
                ("member", 0, "PutMetricAlarm"),
                ("member", 1, "DescribeTrails"),
            ],
        )
        with open(os.path.join(self.dir, "meta.json")) as meta:
            self.assertEqual(json.load(meta), {"member": TEMPLATE})

    def test_assume_role_names_the_account_in_the_key(self):
        status, body = assume(self.fake, "400000000001")
        self.assertEqual(status, 200)
        self.assertIn(b"<AccessKeyId>ASIA400000000001FAKE</AccessKeyId>", body)
        self.assertIn(b"arn:aws:sts::400000000001:assumed-role/r/s", body)

    def test_answers_with_the_account_of_the_key(self):
        status, body = trails(self.fake, "ASIA400000000002FAKE")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["trailList"][0]["TrailARN"], "arn:aws:cloudtrail:us-east-1:400000000002:trail/before")
        status, body = call(
            self.fake, "ASIA400000000002FAKE", "monitoring", cbor2.dumps({"MaxRecords": 100}), path=CBOR_OP + "DescribeAlarms"
        )
        self.assertEqual(cbor2.loads(body)["MetricAlarms"][0]["AlarmArn"], "arn:aws:cloudwatch:us-east-1:400000000002:alarm:a")

    def test_each_account_reads_the_state_after_its_own_write(self):
        self.assertEqual(put_alarm(self.fake, "ASIA400000000003FAKE", "400000000003")[0], 200)
        after = json.loads(trails(self.fake, "ASIA400000000003FAKE")[1])["trailList"][0]["TrailARN"]
        other = json.loads(trails(self.fake, "ASIA400000000004FAKE")[1])["trailList"][0]["TrailARN"]
        self.assertTrue(after.endswith("400000000003:trail/after"), after)
        self.assertTrue(other.endswith("400000000004:trail/before"), other)

    def test_a_metric_read_over_another_time_window_gets_the_recorded_answer(self):
        for metric in ("m", "n"):
            status, body = call(self.fake, "ASIA400000000006FAKE", "monitoring", metric_data(2000, metric), path=CBOR_OP + "GetMetricData")
            self.assertEqual((status, cbor2.loads(body)), (200, {"MetricDataResults": [{"Id": metric}]}))

    def test_a_read_of_what_was_not_recorded_is_not_answered(self):
        for path, body in ((CBOR_OP + "GetMetricData", metric_data(1000, "o")), (CBOR_OP + "DescribeAlarms", cbor2.dumps({"MaxRecords": 50}))):
            status, _ = call(self.fake, "ASIA400000000007FAKE", "monitoring", body, path=path)
            self.assertEqual(status, 500, path)

    def test_counts_what_it_does_not_hold(self):
        status, _ = call(self.fake, "ASIA400000000005FAKE", "sns", b"Action=Subscribe&Version=2010-03-31")
        self.assertEqual(status, 500)
        with urllib.request.urlopen(self.fake + "/__fake/stats") as answer:
            stats = json.load(answer)
        self.assertEqual(stats["misses"], 1)
        self.assertEqual(stats["calls"], {"Subscribe": 1})


if __name__ == "__main__":
    unittest.main()
