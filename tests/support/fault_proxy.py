#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of the local AWS API server, for trailwatch's tests.

    fault_proxy.py --upstream http://127.0.0.1:PORT [--fail PutMetricAlarm] [--times 1] [--skip 0]
                   [--error AccessDenied|Throttling|InternalFailure|ExpiredToken]
                   [--delay-ms 50] [--record FILE] [--exit-on-stdin-eof]

Forwards every request to the upstream server, except the first --times requests of the --fail
operation after the first --skip of them (forwarded: say, the AssumeRole of the profile that
starts the client, before the one under test), which get the chosen error in the operation's own protocol (AWS JSON for CloudWatch
Logs, XML for SNS and STS, Smithy RPC v2 CBOR for CloudWatch), as AWS would send it. With
--delay-ms every request waits that long first, to model the round trip to real AWS (the
benchmark uses this). Prints `listening on http://127.0.0.1:PORT` once ready. Loopback only.

With --record FILE, every request is appended to FILE as one JSON line, before its answer is
sent (so a client that has exited has all its requests recorded). With --rewrite OPERATION JSON,
every successful JSON answer of OPERATION gets those fields merged in (the local server never
reports, say, a failing CloudWatch Logs delivery in GetTrailStatus):

    {"action": "cloudwatch:DescribeAlarms", "key": "ASIA...", "fault": null}

`action` is the IAM action the request needs: the service prefix from the SigV4 credential
scope of its `Authorization` header (`.../REGION/SERVICE/aws4_request`, where CloudWatch's
`monitoring` is IAM's `cloudwatch`) and the operation; `key` is the access key id that signed
it, so a test can tell the identities apart; `fault` is the error injected instead of
forwarding, if any (the tests count those). An `sts:AssumeRole` line also has `role`, the role
asked for, and `issued`, the access key id of the credentials it returned (null when it failed).
"""

import argparse
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2

ERRORS = {
    # name: (status, JSON/CBOR __type, query Code, message)
    "AccessDenied": (400, "AccessDeniedException", "AuthorizationError", "User is not authorized to perform this action"),
    "Throttling": (400, "ThrottlingException", "Throttling", "Rate exceeded"),
    "InternalFailure": (500, "InternalFailure", "InternalFailure", "An internal error occurred"),
    "ExpiredToken": (400, "ExpiredTokenException", "ExpiredToken", "The security token included in the request is expired"),
    "InvalidEventPattern": (400, "InvalidEventPatternException", "InvalidEventPattern", "Event pattern is not valid. Reason: Unrecognized match type wildcard"),
}


# Operations of REST protocols (Security Hub's restJson1), by method and path.
REST_ROUTES = {
    ("GET", "/accounts"): "DescribeHub",
    ("POST", "/accounts"): "EnableSecurityHub",
    ("POST", "/findings/import"): "BatchImportFindings",
    ("POST", "/findings"): "GetFindings",
    ("PATCH", "/findings/batchupdate"): "BatchUpdateFindings",
    ("POST", "/listRegions"): "ListRegions",
}


def operation_of(path, headers, body, method="POST"):
    target = headers.get("X-Amz-Target", "")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in path:
        return path.rsplit("/operation/", 1)[-1]
    route = REST_ROUTES.get((method, urllib.parse.urlsplit(path).path.rstrip("/")))
    if route:
        return route
    if signer_of(headers)[1] == "s3":
        return s3_operation(method, path)
    if body:
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in params:
            return params["Action"][0]
    return ""


def s3_operation(method, path):
    """The IAM action name of an S3 request (path-style, as trailwatch sends it to an endpoint):
    listing a bucket, or asking for it with HeadBucket, is s3:ListBucket whatever the API calls
    it."""
    parts = urllib.parse.urlsplit(path)
    has_key = "/" in parts.path.strip("/")
    if method in ("GET", "HEAD") and not has_key:
        return "GetBucketLocation" if "location" in parts.query.split("&") else "ListBucket"
    return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "GetObject"}.get(method, method)


# The SigV4 signing name of a service, where IAM's action prefix differs from it.
IAM_PREFIX = {"monitoring": "cloudwatch"}

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/[^/]+/([^/]+)/aws4_request")


def signer_of(headers):
    """(access key id, IAM service prefix) from a SigV4 `Authorization` header; ("", "") when the
    request is not signed."""
    match = CREDENTIAL.search(headers.get("Authorization", ""))
    if not match:
        return "", ""
    key, service = match.groups()
    return key, IAM_PREFIX.get(service, service)


def record_of(headers, operation, body, fault, answer):
    """The record of one request (see the module docstring); `answer` is the body sent back."""
    key, service = signer_of(headers)
    record = {"action": f"{service}:{operation}", "key": key, "fault": fault}
    if record["action"] == "sts:AssumeRole":
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        record["role"] = params.get("RoleArn", [None])[0]
        issued = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer or b"")
        record["issued"] = issued.group(1).decode() if issued and not fault else None
    return record


class Recorder:
    """Appends records to a file, one JSON line each, flushed at once; or nothing without one."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, record):
        if not self.path:
            return
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def _timestamps(value, key=""):
    """JSON fields to CBOR values: numbers under a *Timestamp key become CBOR tag 1."""
    if isinstance(value, dict):
        return {k: _timestamps(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_timestamps(v) for v in value]
    if key.endswith("Timestamp") and isinstance(value, (int, float)):
        return cbor2.CBORTag(1, float(value))
    return value


class State:
    def __init__(self, operation, times, error, skip=0):
        self.operation = operation
        self.remaining = times
        self.skip = skip
        self.error = error
        self.delay = 0.0
        self.lock = threading.Lock()
        self.recorder = Recorder(None)
        self.rewrite = None

    def rewritten(self, operation, data, cbor=False):
        """The answer with the --rewrite fields merged in, for that operation's JSON or CBOR
        answers (in CBOR, fields named *Timestamp are written as timestamps: epoch seconds)."""
        if not self.rewrite or operation != self.rewrite[0] or not data:
            return data
        if cbor:
            answer = cbor2.loads(data)
            answer.update(_timestamps(self.rewrite[1]))
            return cbor2.dumps(answer)
        answer = json.loads(data)
        answer.update(self.rewrite[1])
        return json.dumps(answer).encode()


    def should_fail(self, operation):
        with self.lock:
            if not operation or operation != self.operation:
                return False
            if self.skip > 0:
                self.skip -= 1
                return False
            if self.remaining > 0:
                self.remaining -= 1
                return True
            return False


def make_handler(upstream, state):
    target = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            self.forward()

        def do_GET(self):
            self.forward()

        def do_PATCH(self):
            self.forward()

        def do_HEAD(self):
            self.forward()

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            operation = operation_of(self.path, self.headers, body, self.command)
            if state.delay:
                time.sleep(state.delay)
            if state.should_fail(operation):
                state.recorder.write(record_of(self.headers, operation, body, state.error, None))
                return self.fail()
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = target.netloc
            response, data = self.upstream(self.command, self.path, body, headers)
            if response.status == 200:
                data = state.rewritten(operation, data, cbor="/operation/" in self.path)
            state.recorder.write(record_of(self.headers, operation, body, None, data))
            self.send_response(response.status)
            for k, v in response.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def upstream(self, method, path, body, headers):
            """Sends the request upstream on this client connection's own upstream connection,
            kept open between requests (as the SDK keeps its own open); reconnects once if the
            server closed it."""
            for attempt in (1, 2):
                conn = getattr(self, "conn", None)
                if conn is None:
                    conn = self.conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    return response, response.read()
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    self.conn = None
                    if attempt == 2:
                        raise

        def finish(self):
            super().finish()
            if getattr(self, "conn", None) is not None:
                self.conn.close()

        def fail(self):
            status, json_type, query_code, message = ERRORS[state.error]
            rest = (self.command, urllib.parse.urlsplit(self.path).path.rstrip("/")) in REST_ROUTES
            if signer_of(self.headers)[1] == "s3":
                # S3's REST XML: an <Error> document, access denied as 403.
                data = ("<Error><Code>%s</Code><Message>%s</Message></Error>" % (state.error, message)).encode()
                content_type = "application/xml"
                status = 403 if state.error == "AccessDenied" else status
            elif "/operation/" in self.path:
                data = cbor2.dumps({"__type": json_type, "message": message})
                content_type = "application/cbor"
            elif rest:
                # restJson1 (Security Hub): the code in a header and the body, throttling as 429.
                data = ('{"__type": "%s", "message": "%s"}' % (json_type, message)).encode()
                content_type = "application/json"
                status = 429 if state.error == "Throttling" else status
            elif self.headers.get("X-Amz-Target"):
                data = ('{"__type": "%s", "message": "%s"}' % (json_type, message)).encode()
                content_type = "application/x-amz-json-1.1"
            else:
                data = (
                    "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message>"
                    "</Error><RequestId>fault-proxy</RequestId></ErrorResponse>" % (query_code, message)
                ).encode()
                content_type = "text/xml"
                status = 403 if state.error == "AccessDenied" else status
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if rest:
                self.send_header("x-amzn-ErrorType", json_type)
            if "/operation/" in self.path:
                self.send_header("smithy-protocol", "rpc-v2-cbor")
            if self.command == "HEAD":
                # A HEAD answer has headers only (S3 answers a denied HeadBucket with a bare 403).
                data = b""
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--fail", default="", help="the operation to fail, such as PutMetricAlarm")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--times", type=int, default=1)
    parser.add_argument("--skip", type=int, default=0, help="forward this many of --fail first")
    parser.add_argument("--error", choices=sorted(ERRORS), default="AccessDenied")
    parser.add_argument("--record", help="append one JSON line per request to this file")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument(
        "--rewrite",
        nargs=2,
        metavar=("OPERATION", "JSON"),
        help="merge these fields into every JSON answer of OPERATION (such as GetTrailStatus)",
    )
    args = parser.parse_args()
    state = State(args.fail, args.times, args.error, args.skip)
    if args.rewrite:
        state.rewrite = (args.rewrite[0], json.loads(args.rewrite[1]))
    state.delay = args.delay_ms / 1000.0
    state.recorder = Recorder(args.record)
    ThreadingHTTPServer.request_queue_size = 512
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.upstream, state))
    if args.exit_on_stdin_eof:

        def watch_stdin():
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
