"""Tests of fault_proxy.py's recording: the IAM action and signer of each request, the key an
AssumeRole returned, and the faults it injected, through a real proxy and a stand-in upstream."""

import json
import os
import tempfile
import threading
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fault_proxy import Recorder, State, make_handler, record_of, s3_operation, signer_of


def auth(key, service):
    return (
        f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0"
    )


ASSUMED = (
    b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAISSUED</AccessKeyId>"
    b"<SecretAccessKey>s</SecretAccessKey></Credentials></AssumeRoleResult></AssumeRoleResponse>"
)


class Upstream(BaseHTTPRequestHandler):
    """Answers every request with an AssumeRole result."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(ASSUMED)))
        self.end_headers()
        self.wfile.write(ASSUMED)

    def log_message(self, *args):
        pass


class SignerTest(unittest.TestCase):
    def test_cloudwatch_signs_as_monitoring_and_is_iams_cloudwatch(self):
        headers = {"Authorization": auth("AKIA1", "monitoring")}
        self.assertEqual(signer_of(headers), ("AKIA1", "cloudwatch"))

    def test_other_services_keep_their_signing_name(self):
        for service in ("logs", "cloudtrail", "sns", "sts", "kms", "organizations"):
            self.assertEqual(signer_of({"Authorization": auth("K", service)}), ("K", service))

    def test_an_unsigned_request_has_no_signer(self):
        self.assertEqual(signer_of({}), ("", ""))

    def test_s3_requests_are_named_by_their_iam_action(self):
        self.assertEqual(s3_operation("GET", "/bucket?list-type=2&prefix=AWSLogs%2F"), "ListBucket")
        self.assertEqual(s3_operation("HEAD", "/bucket"), "ListBucket")
        self.assertEqual(s3_operation("GET", "/bucket?location"), "GetBucketLocation")
        self.assertEqual(s3_operation("GET", "/bucket/AWSLogs/f.json.gz"), "GetObject")

    def test_a_failed_assume_role_issued_nothing(self):
        headers = {"Authorization": auth("testing", "sts")}
        body = b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Faudit"
        record = record_of(headers, "AssumeRole", body, "AccessDenied", None)
        self.assertEqual(record["role"], "arn:aws:iam::111122223333:role/audit")
        self.assertIsNone(record["issued"])
        self.assertEqual(record["fault"], "AccessDenied")


class SkipTest(unittest.TestCase):
    def test_the_first_skip_calls_of_the_operation_are_forwarded_then_times_fail(self):
        state = State("AssumeRole", 2, "AccessDenied", skip=1)
        decisions = [state.should_fail(op) for op in ["AssumeRole", "DescribeTrails", "AssumeRole", "AssumeRole", "AssumeRole"]]
        self.assertEqual(decisions, [False, False, True, True, False])


class RecordingProxyTest(unittest.TestCase):
    """A proxy with --record in front of a stand-in upstream, one failed call then one forwarded."""

    def setUp(self):
        self.upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "calls.jsonl")
        state = State("AssumeRole", 1, "Throttling")
        state.recorder = Recorder(self.path)
        url = f"http://127.0.0.1:{self.upstream.server_port}"
        self.proxy = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(url, state))
        for server in (self.upstream, self.proxy):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def tearDown(self):
        for server in (self.proxy, self.upstream):
            server.shutdown()
            server.server_close()
        self.dir.cleanup()

    def post(self):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.proxy.server_port}/",
            data=b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Faudit",
            headers={"Authorization": auth("testing", "sts")},
        )
        try:
            with urllib.request.urlopen(request) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code

    def test_each_request_is_one_line_written_before_its_answer(self):
        self.assertEqual(self.post(), 400)
        with open(self.path, encoding="utf-8") as f:
            self.assertEqual(len(f.readlines()), 1, "recorded before the client got its answer")
        self.assertEqual(self.post(), 200)
        with open(self.path, encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        self.assertEqual(
            records,
            [
                {"action": "sts:AssumeRole", "key": "testing", "fault": "Throttling",
                 "role": "arn:aws:iam::111122223333:role/audit", "issued": None},
                {"action": "sts:AssumeRole", "key": "testing", "fault": None,
                 "role": "arn:aws:iam::111122223333:role/audit", "issued": "ASIAISSUED"},
            ],
        )


if __name__ == "__main__":
    unittest.main()
