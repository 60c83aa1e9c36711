#!/usr/bin/env python3
"""A record/replay fake of the AWS APIs trailwatch calls, to benchmark it at organization scale.

    fake_aws.py --record DIR --upstream http://127.0.0.1:PORT [--exit-on-stdin-eof]
    fake_aws.py --recording DIR [--delay-ms 50] [--exit-on-stdin-eof]

The local AWS API server (moto) answers about 200 calls a second, far fewer than trailwatch
makes over 1,000 accounts 64 at a time. This fake answers from a recording instead, so that a
benchmark measures trailwatch and the modelled round trip, not the server.

Record: a proxy in front of the local server. Every request is forwarded and its answer (status,
headers, body) saved in DIR/recording.jsonl, keyed by

- the identity that signed it: `own` (the credentials trailwatch runs with) or `member` (the
  one account reached through `sts:AssumeRole`: the template of every member account);
- the account's phase: how many writes (PutMetricFilter, CreateTopic, Subscribe,
  PutMetricAlarm) it had been answered before, so the reads after an apply get the state after;
- the operation (as fault_proxy.py finds it: X-Amz-Target, CloudWatch's `/operation/` path,
  a REST route, or the query protocol's `Action=`) and the request body (calls of one operation
  with different parameters, such as DescribeAlarmsForMetric per metric, differ by it).

Replay: serves the recording for ANY account, as many as asked. `sts:AssumeRole` answers
credentials whose access key id names the role's account (`ASIA` + 12 digits + `FAKE`); every
other request finds its account from the SigV4 `Authorization` header's access key. A member
account's request has its account id replaced by the template's before the lookup, and the
answer has the template's id replaced by the account's (12 digits for 12 digits: the same
length, so JSON, XML and CBOR bodies stay valid). Each account has its own phase, so an apply
reads, writes and reads the state after, as the template did. Each call waits --delay-ms first
(the round trip to AWS). A request is looked up by its body, less the fields MOVING names (a
metric read's time window); failing that, an operation recorded once in the account's phase gets
that one answer; any other request gets a 500 and is counted.

It is one asyncio process (HTTP/1.1 with keep-alive; an asyncio protocol, with no task or
thread per connection or request, and each delay a timer), loopback only. GET endpoints outside
any AWS API control it between runs:

    /__fake/reset[?delay_ms=N]   forget every account's phase and the counters; set the delay
    /__fake/stats                JSON, since the reset: calls by operation, misses, peak calls
                                 in flight, connections opened, the fake's own CPU seconds, the
                                 time from the first call to the last answer, and how late
                                 answers were sent beyond the delay (median, 99th percentile):
                                 what a benchmark needs to show the fake is not what limits it
    /__fake/trace                JSON, since the reset: per call [received, answered (seconds
                                 from the first call), access key id, operation]

Prints `listening on http://127.0.0.1:PORT` once ready.
"""

import argparse
import asyncio
import base64
import datetime
import email.utils
import http
import http.client
import json
import os
import re
import resource
import sys
import threading
import time
import urllib.parse
import uuid

import cbor2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_proxy import operation_of, signer_of  # noqa: E402

WRITES = {"PutMetricFilter", "CreateTopic", "Subscribe", "PutMetricAlarm"}
# Headers of a recorded answer that belong to the connection or the moment, not the answer.
DROPPED = {"date", "server", "connection", "keep-alive", "content-length", "transfer-encoding"}
ROLE_ARN = re.compile(r"^arn:[^:]+:iam::(\d{12}):role/(.+)$")
FAKE_KEY = re.compile(r"^ASIA(\d{12})FAKE$")
# Request fields the recorded answers do not depend on: a metric read's time window, which moves
# with the clock (to the second) between two reads of one recording, and between it and a replay.
MOVING = {"GetMetricData": ("StartTime", "EndTime")}


def request_key(operation, body):
    """The request body the recording is looked up by: as sent, without the fields MOVING names
    for its operation (in a JSON, CBOR or query-string body)."""
    fields = MOVING.get(operation)
    if not fields:
        return body
    if body.startswith(b"Action="):  # the query protocol
        pairs = urllib.parse.parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return urllib.parse.urlencode([(k, v) for k, v in pairs if k not in fields]).encode()
    try:
        decoded, encode = json.loads(body), lambda d: json.dumps(d, sort_keys=True).encode()
    except ValueError:
        try:
            decoded, encode = cbor2.loads(body), lambda d: cbor2.dumps(d, canonical=True)
        except (ValueError, cbor2.CBORDecodeError):
            return body
    if not isinstance(decoded, dict):
        return body
    return encode({k: v for k, v in decoded.items() if k not in fields})


class Headers(dict):
    """Request headers, looked up without regard to case (as fault_proxy's helpers expect)."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)


_date = [0, ""]


def http_date():
    """The Date header's value, made once a second."""
    now = int(time.time())
    if _date[0] != now:
        _date[:] = [now, email.utils.formatdate(now, usegmt=True)]
    return _date[1]


def response_bytes(status, headers, body):
    reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Date: {http_date()}", f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


class Connection(asyncio.Protocol):
    """One client connection: HTTP/1.1 requests with a Content-Length (as the AWS SDKs send
    them), kept alive, answered in order. `app.submit(method, path, headers, body, reply)` calls
    `reply(status, [(header, value)], body)` on the event loop, at once or later. A protocol
    rather than streams: no task per connection or per request, so the fake stays cheap."""

    def __init__(self, app):
        self.app = app
        self.buffer = b""
        self.pending = []  # the answers owed, in request order: [bytes or None, close?]
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.app.connections += 1

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = Headers()
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.transport.write(response_bytes(411, [("Connection", "close")], b""))
                self.transport.close()
                return
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            method, path, _ = lines[0].split(" ", 2)
            slot = [None, headers.get("connection", "").lower() == "close"]
            self.pending.append(slot)
            self.app.submit(method, path, headers, body, lambda *answer, slot=slot: self.reply(slot, answer))

    def reply(self, slot, answer):
        slot[0] = response_bytes(*answer)
        while self.pending and self.pending[0][0] is not None:
            data, close = self.pending.pop(0)
            if self.transport.is_closing():
                return
            self.transport.write(data)
            if close:
                self.transport.close()


async def serve(app, ready):
    """Runs an HTTP/1.1 server for `app` (see Connection) on a free loopback port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(app), "127.0.0.1", 0, backlog=1024)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


# --- recording ---------------------------------------------------------------------------


class Recorder:
    """The proxy of --record: forwards to the upstream server and saves every answer."""

    def __init__(self, upstream, directory):
        self.upstream = urllib.parse.urlsplit(upstream)
        os.makedirs(directory, exist_ok=True)
        self.out = open(os.path.join(directory, "recording.jsonl"), "a", encoding="utf-8")
        self.meta_path = os.path.join(directory, "meta.json")
        self.issued = {}  # access key id issued by AssumeRole -> account
        self.phases = {}  # account -> writes answered
        self.member = None
        self.connections = 0
        self.local = threading.local()
        self.lock = threading.Lock()

    def forward(self, method, path, headers, body):
        """One request upstream on this thread's own connection, kept open between requests."""
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(
                    self.upstream.hostname, self.upstream.port, timeout=60
                )
            try:
                sent = {k: v for k, v in headers.items() if k not in ("host", "connection")}
                sent["host"] = self.upstream.netloc
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise

    def handle(self, method, path, headers, body):
        operation = operation_of(path, headers, body, method)
        key, _ = signer_of(headers)
        status, answer_headers, answer = self.forward(method, path, headers, body)
        with self.lock:
            account = self.issued.get(key)
            kind = "own" if account is None else "member"
            phase = self.phases.get(account, 0)
            if operation == "AssumeRole" and status == 200:
                role = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("RoleArn", [""])[0]
                issued = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer)
                match = ROLE_ARN.match(role)
                if issued and match:
                    if self.member not in (None, match.group(1)):
                        print(f"error: record one member account only ({self.member}, {match.group(1)})", file=sys.stderr)
                        os._exit(1)
                    self.member = match.group(1)
                    self.issued[issued.group(1).decode()] = self.member
            if operation in WRITES and 200 <= status < 300 and account is not None:
                self.phases[account] = phase + 1
            record = {
                "kind": kind,
                "phase": phase,
                "operation": operation,
                "method": method,
                "path": path,
                "request": base64.b64encode(body).decode(),
                "status": status,
                "headers": [[k, v] for k, v in answer_headers if k.lower() not in DROPPED],
                "body": base64.b64encode(answer).decode(),
            }
            self.out.write(json.dumps(record) + "\n")
            self.out.flush()
            with open(self.meta_path, "w", encoding="utf-8") as meta:
                json.dump({"member": self.member}, meta)
        return status, [(k, v) for k, v in answer_headers if k.lower() not in DROPPED], answer

    def submit(self, method, path, headers, body, reply):
        """Forwards on a worker thread (a blocking upstream call); replies when it is done."""
        done = asyncio.get_running_loop().run_in_executor(None, self.handle, method, path, headers, body)
        done.add_done_callback(lambda f: reply(*f.result()))


# --- replay ------------------------------------------------------------------------------


class Replayer:
    """The fake of --recording: the recorded answers, for any account."""

    def __init__(self, directory, delay_ms):
        with open(os.path.join(directory, "meta.json"), encoding="utf-8") as meta:
            self.member = json.load(meta)["member"]
        self.answers = {}
        self.by_operation = {}  # (kind, phase, operation) -> the answers of its bodies
        with open(os.path.join(directory, "recording.jsonl"), encoding="utf-8") as lines:
            for line in lines:
                r = json.loads(line)
                if r["operation"] == "AssumeRole":
                    continue  # answered afresh, for the account asked
                answer = (r["status"], [tuple(h) for h in r["headers"]], base64.b64decode(r["body"]))
                request = request_key(r["operation"], base64.b64decode(r["request"]))
                key = (r["kind"], r["phase"], r["operation"], r["method"], r["path"], request)
                if key not in self.answers:  # the first answer to a repeated read
                    self.answers[key] = answer
                    self.by_operation.setdefault(key[:3], []).append(answer)
        self.reset(delay_ms)

    def reset(self, delay_ms):
        self.delay = delay_ms / 1000.0
        self.phases = {}
        self.calls = {}
        self.misses = []
        self.in_flight = 0
        self.peak = 0
        self.first = None
        self.last = None
        self.trace = []
        self.late = []  # per answer: how much later than the delay it was sent, in seconds
        self.connections = 0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu_at_reset = usage.ru_utime + usage.ru_stime

    def stats(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "calls": self.calls,
            "total": sum(self.calls.values()),
            "misses": len(self.misses),
            "first_misses": self.misses[:5],
            "peak_in_flight": self.peak,
            "cpu_s": usage.ru_utime + usage.ru_stime - self.cpu_at_reset,
            "span_s": (self.last - self.first) if self.first is not None else 0.0,
            "delay_ms": self.delay * 1000,
            "connections": self.connections,
            "late_ms_median": 1000 * (sorted(self.late)[len(self.late) // 2] if self.late else 0.0),
            "late_ms_p99": 1000 * (sorted(self.late)[int(len(self.late) * 0.99)] if self.late else 0.0),
        }

    def control(self, path):
        url = urllib.parse.urlsplit(path)
        if url.path == "/__fake/reset":
            query = urllib.parse.parse_qs(url.query)
            self.reset(float(query.get("delay_ms", [self.delay * 1000])[0]))
        if url.path == "/__fake/trace":
            body = json.dumps(self.trace).encode()
            return 200, [("Content-Type", "application/json")], body
        body = json.dumps(self.stats()).encode()
        return 200, [("Content-Type", "application/json")], body

    def assume_role(self, body):
        params = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        match = ROLE_ARN.match(params.get("RoleArn", [""])[0])
        if not match:
            return None
        account, role = match.groups()
        session = params.get("RoleSessionName", ["fake"])[0]
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        xml = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
            f"<Credentials><AccessKeyId>ASIA{account}FAKE</AccessKeyId>"
            f"<SecretAccessKey>fake{account}secret</SecretAccessKey><SessionToken>fake-token-{account}</SessionToken>"
            f"<Expiration>{expires.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration></Credentials>"
            f"<AssumedRoleUser><AssumedRoleId>AROAFAKE{account}:{session}</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{account}:assumed-role/{role}/{session}</Arn></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></AssumeRoleResponse>"
        )
        return 200, [("Content-Type", "text/xml")], xml.encode()

    def answer(self, method, path, headers, body, operation):
        if operation == "AssumeRole":
            answered = self.assume_role(body)
            if answered:
                return answered
        key, _ = signer_of(headers)
        fake = FAKE_KEY.match(key)
        account = fake.group(1) if fake else None
        kind = "member" if account else "own"
        phase = self.phases.get(account, 0)
        if account:
            body = body.replace(account.encode(), self.member.encode())
        found = self.answers.get((kind, phase, operation, method, path, request_key(operation, body)))
        if found is None:
            # The only recorded answer of this operation, whatever its request said.
            candidates = self.by_operation.get((kind, phase, operation), [])
            found = candidates[0] if len(candidates) == 1 else None
        if found is None:
            self.misses.append(f"{kind} phase {phase} {operation} {body[:200]!r}")
            return 500, [("Content-Type", "text/plain")], b"not in the recording"
        status, answer_headers, answer_body = found
        if account:
            answer_body = answer_body.replace(self.member.encode(), account.encode())
            if operation in WRITES and 200 <= status < 300:
                self.phases[account] = phase + 1
        return status, answer_headers, answer_body

    def submit(self, method, path, headers, body, reply):
        """Answers at once, and sends the answer after the delay."""
        if method == "GET" and path.startswith("/__fake/"):
            return reply(*self.control(path))
        operation = operation_of(path, headers, body, method)
        received = time.monotonic()
        if self.first is None:
            self.first = received
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        answer = self.answer(method, path, headers, body, operation)

        def send():
            self.in_flight -= 1
            self.calls[operation] = self.calls.get(operation, 0) + 1
            self.last = time.monotonic()
            self.late.append(self.last - received - self.delay)
            self.trace.append((received - self.first, self.last - self.first, signer_of(headers)[0], operation))
            reply(*answer)

        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, send)
        else:
            send()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", metavar="DIR", help="record through a proxy to --upstream into DIR")
    parser.add_argument("--upstream", help="the local AWS API server, when recording")
    parser.add_argument("--recording", metavar="DIR", help="serve this recording")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if bool(args.record) == bool(args.recording) or bool(args.record) != bool(args.upstream):
        parser.error("give either --record DIR --upstream URL, or --recording DIR")
    handler = Recorder(args.upstream, args.record) if args.record else Replayer(args.recording, args.delay_ms)
    if args.exit_on_stdin_eof:

        def watch_stdin():
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()
    asyncio.run(serve(handler, lambda port: print(f"listening on http://127.0.0.1:{port}", flush=True)))


if __name__ == "__main__":
    main()
