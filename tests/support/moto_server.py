#!/usr/bin/env python3
"""Local AWS API server for trailwatch's tests and demo: moto, plus a CloudWatch CBOR bridge.

moto implements CloudWatch over the AWS JSON 1.0 protocol, but the Rust SDK's aws-sdk-cloudwatch
speaks Smithy RPC v2 CBOR (`POST /service/GraniteServiceVersion20100801/operation/<Op>`). This
server wraps moto's own WSGI app in a small middleware that decodes such a CBOR request, forwards it
to moto as JSON 1.0, and encodes moto's JSON answer back to CBOR (timestamps as CBOR tag 1, errors
keeping their `__type`). Every other request goes to moto untouched.

moto's DescribeAlarms ignores MaxRecords and answers every alarm at once; AWS pages by at most
100, in name order. The bridge pages it as AWS does (see `_page_alarms`), so that trailwatch's
read of an account with more alarms than a page takes the path it takes against AWS.

moto neither runs an alarm's actions nor answers DescribeAlarmHistory. When SetAlarmState puts
an alarm with enabled actions into ALARM, the bridge records an `Action` history item per SNS
action, as CloudWatch does: "Successfully executed action ARN" when the topic exists in the
alarm's account and region, "Failed to execute action ARN" otherwise; and it answers
DescribeAlarmHistory for `Action` items from that record (see `_alarm_actions`).

moto's PutMetricFilter adds a second filter when one of that name exists in the log group;
CloudWatch Logs replaces it. The server replaces it (see `_put_filter_replacing`), so a plan
that rewrites a filter is seen doing so.

Security Hub (see `SecurityHubBridge`): moto has no BatchUpdateFindings, ignores GetFindings'
Filters, and lets BatchImportFindings overwrite the Note and Workflow of a finding that exists
(AWS keeps them: those are the customer's, changed only by BatchUpdateFindings). The bridge
answers BatchUpdateFindings and GetFindings itself from moto's findings, as the Security Hub API
reference documents them (string filters EQUALS, PREFIX, NOT_EQUALS, PREFIX_NOT_EQUALS; pages
of MaxResults, at most 100), and puts back an existing finding's Note and Workflow after moto
imports it again.

moto keeps every bucket in one place whatever the region a request is signed for; AWS answers a
request for a bucket sent to (signed for) another region's endpoint with `301 PermanentRedirect`
and the bucket's region in the `x-amz-bucket-region` header. The bridge answers so (see
`S3RegionRedirect`), so that clients must follow a bucket's own region as they must on AWS.
`GetBucketLocation` and `CreateBucket` are answered from any region, as AWS answers them.

moto's TestEventPattern answers nothing (an empty body, no `Result`). The bridge answers it with
moto's own matcher, the one its rules use (see `EventsBridge`): `{"Result": true|false}`, or
`InvalidEventPatternException` for a pattern moto's parser refuses. So a test can compare
trailwatch's matching with the local server's, for what that matcher implements.

moto has no `account:ListRegions`. The bridge answers it (see `AccountBridge`) as the Account API
reference documents it: the 17 regions every account has enabled by default
(`ENABLED_BY_DEFAULT`) and the opt-in regions (`DISABLED` until enabled), filtered by
`RegionOptStatusContains` and paged by `MaxResults` with a `NextToken`.

moto's server lists its own package directory (about 180 `stat` calls) on every request to find
the service; the list cannot change while it runs, so it is computed once here. Same answers,
about 40 % less time per request: benchmarks through this server measure trailwatch, not that.

Usage: moto_server.py [--host 127.0.0.1] [--port 0] [--exit-on-stdin-eof]
Prints `listening on http://HOST:PORT` on stdout once it accepts connections. With
--exit-on-stdin-eof it stops when its standard input closes, so a test process that dies cannot
leave it running.
"""

import argparse
import datetime
import io
import json
import os
import re
import sys
import threading

import cbor2
from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

from moto import backends as moto_backends
from moto.logs import metric_filters

_MOTO_MODULES = tuple(moto_backends.list_of_moto_modules())
moto_backends.list_of_moto_modules = lambda: _MOTO_MODULES

_add_metric_filter = metric_filters.MetricFilters.add_filter


def _put_filter_replacing(self, filter_name, filter_pattern, log_group_name, transformations):
    """PutMetricFilter as CloudWatch Logs does it: a filter's name is unique in its log group."""
    self.metric_filters = [
        f
        for f in self.metric_filters
        if (f["filterName"], f["logGroupName"]) != (filter_name, log_group_name)
    ]
    _add_metric_filter(self, filter_name, filter_pattern, log_group_name, transformations)


metric_filters.MetricFilters.add_filter = _put_filter_replacing

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/[^/]+/([^/]+)/([^/]+)/aws4_request")
CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
JSON_TARGET = "GraniteServiceVersion20100801."


def _to_json_value(value):
    """CBOR-decoded request values to what moto's JSON handler expects."""
    if isinstance(value, dict):
        return {k: _to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json_value(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return value.value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _is_timestamp_key(key):
    return key.endswith("Timestamp") or key in ("StartDate", "EndDate", "Timestamps")


def _epoch(value):
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.timestamp()
    return value


def _to_cbor_value(value, key=""):
    """moto's JSON answer to CBOR values; timestamps become tag 1 (epoch seconds)."""
    if isinstance(value, dict):
        return {k: _to_cbor_value(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if _is_timestamp_key(key):
            return [cbor2.CBORTag(1, _epoch(v)) for v in value]
        return [_to_cbor_value(v) for v in value]
    if _is_timestamp_key(key) and value is not None:
        epoch = _epoch(value)
        if isinstance(epoch, float):
            return cbor2.CBORTag(1, epoch)
    return value


def _page_alarms(environ, request):
    """For a paged DescribeAlarms (MaxRecords, optionally AlarmNamePrefix), the names of this
    page's alarms and the next token, as AWS pages them: by name, MaxRecords at a time (the
    token is the offset). None when the request is not one to page."""
    if "MaxRecords" not in request or any(
        k in request for k in ("AlarmNames", "StateValue", "ActionPrefix", "AlarmTypes")
    ):
        return None
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.iam.models import get_account_id_from

    credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
    if len(credential) < 3:
        return None
    access_key, region = credential[0], credential[2]
    backend = cloudwatch_backends[get_account_id_from(access_key)][region]
    prefix = request.get("AlarmNamePrefix", "")
    names = sorted(
        name
        for name, alarm in list(backend.alarms.items())
        if alarm.rule is None and name.startswith(prefix)
    )
    start = int(request.get("NextToken") or 0)
    end = start + int(request["MaxRecords"])
    return names[start:end], (str(end) if end < len(names) else None)


# Action history items by (account, region, alarm name), newest last.
_HISTORY = {}


def _account_and_region(environ):
    from moto.iam.models import get_account_id_from

    credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
    if len(credential) < 3:
        return None, None
    return get_account_id_from(credential[0]), credential[2]


def _alarm_actions(environ, request):
    """After SetAlarmState to ALARM: the alarm's SNS actions, run as CloudWatch would report
    them in its history."""
    from moto.cloudwatch.models import cloudwatch_backends
    from moto.sns.models import sns_backends

    account, region = _account_and_region(environ)
    if account is None or request.get("StateValue") != "ALARM":
        return
    name = request.get("AlarmName", "")
    alarm = cloudwatch_backends[account][region].alarms.get(name)
    if alarm is None or not alarm.actions_enabled:
        return
    topics = sns_backends[account][region].topics
    for arn in alarm.alarm_actions or []:
        if ":sns:" not in arn:
            continue
        ok = arn in topics
        summary = ("Successfully executed action " if ok else "Failed to execute action ") + arn
        data = {"actionState": "Succeeded" if ok else "Failed", "notificationResource": arn}
        if not ok:
            data["error"] = "Resource not found"
        _HISTORY.setdefault((account, region, name), []).append({
            "AlarmName": name,
            "AlarmType": "MetricAlarm",
            "Timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "HistoryItemType": "Action",
            "HistorySummary": summary,
            "HistoryData": json.dumps(data),
        })


def _alarm_history(environ, request):
    """DescribeAlarmHistory from the recorded actions (newest first), for `Action` items."""
    account, region = _account_and_region(environ)
    items = list(reversed(_HISTORY.get((account, region, request.get("AlarmName", "")), [])))
    if request.get("HistoryItemType") not in (None, "Action"):
        items = []
    return {"AlarmHistoryItems": items}


def _service(environ):
    """The service of a SigV4-signed request, from its credential scope."""
    credential = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
    return credential[3] if len(credential) > 3 else None


def _hub_findings(environ):
    """moto's findings of the request's account and region (a list of `Finding`)."""
    from moto.securityhub.models import securityhub_backends

    account, region = _account_and_region(environ)
    return securityhub_backends[account][region].findings


# GetFindings' string filter fields the bridge knows, as paths into a finding.
_FILTER_FIELDS = {
    "Id": ("Id",),
    "ProductArn": ("ProductArn",),
    "GeneratorId": ("GeneratorId",),
    "AwsAccountId": ("AwsAccountId",),
    "RecordState": ("RecordState",),
    "WorkflowStatus": ("Workflow", "Status"),
    "ComplianceStatus": ("Compliance", "Status"),
}


def _string_match(value, condition):
    """One StringFilter on a value, as the API reference defines the comparisons."""
    wanted, comparison = condition.get("Value", ""), condition.get("Comparison")
    value = value if isinstance(value, str) else None
    if comparison == "EQUALS":
        return value == wanted
    if comparison == "PREFIX":
        return value is not None and value.startswith(wanted)
    if comparison == "NOT_EQUALS":
        return value != wanted
    if comparison == "PREFIX_NOT_EQUALS":
        return value is None or not value.startswith(wanted)
    raise ValueError(f"comparison {comparison!r} is not supported by the test bridge")


def _passes(finding, filters):
    """Filters of one field are ORed for positive comparisons and ANDed for negative ones;
    fields are ANDed (the GetFindings reference)."""
    for field, conditions in filters.items():
        if field not in _FILTER_FIELDS:
            raise ValueError(f"filter {field!r} is not supported by the test bridge")
        value = finding
        for key in _FILTER_FIELDS[field]:
            value = value.get(key) if isinstance(value, dict) else None
        positive = [c for c in conditions if c.get("Comparison") in ("EQUALS", "PREFIX")]
        negative = [c for c in conditions if c not in positive]
        if positive and not any(_string_match(value, c) for c in positive):
            return False
        if not all(_string_match(value, c) for c in negative):
            return False
    return True


def _get_findings(environ, request):
    found = [f.as_dict() for f in _hub_findings(environ) if _passes(f.as_dict(), request.get("Filters") or {})]
    size = int(request.get("MaxResults") or 100)
    if not 1 <= size <= 100:
        return "400 Bad Request", {"__type": "InvalidInputException", "Message": "MaxResults must be between 1 and 100"}
    start = int(request.get("NextToken") or 0)
    answer = {"Findings": found[start:start + size]}
    if start + size < len(found):
        answer["NextToken"] = str(start + size)
    return "200 OK", answer


def _batch_update_findings(environ, request):
    """BatchUpdateFindings: Workflow and Note of up to 100 findings, named by Id and ProductArn;
    a finding that is not there is unprocessed (`FindingNotFound`). UpdatedAt is left as it is."""
    identifiers = request.get("FindingIdentifiers") or []
    note, workflow = request.get("Note"), request.get("Workflow")
    problem = None
    if not 1 <= len(identifiers) <= 100:
        problem = "FindingIdentifiers must hold 1 to 100 findings"
    elif note is not None and not (note.get("Text") and note.get("UpdatedBy")):
        problem = "Note needs Text and UpdatedBy"
    elif workflow is not None and workflow.get("Status") not in ("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"):
        problem = "Workflow.Status must be NEW, NOTIFIED, RESOLVED or SUPPRESSED"
    if problem:
        return "400 Bad Request", {"__type": "InvalidInputException", "Message": problem}
    now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    by_id = {(f.id, f.data.get("ProductArn")): f for f in _hub_findings(environ)}
    processed, unprocessed = [], []
    for ident in identifiers:
        finding = by_id.get((ident.get("Id"), ident.get("ProductArn")))
        if finding is None:
            unprocessed.append({"FindingIdentifier": ident, "ErrorCode": "FindingNotFound",
                                "ErrorMessage": "Finding Not Found"})
            continue
        if workflow is not None:
            finding.data["Workflow"] = {"Status": workflow["Status"]}
            finding.data["WorkflowState"] = workflow["Status"] if workflow["Status"] != "SUPPRESSED" else "DEFERRED"
        if note is not None:
            finding.data["Note"] = {"Text": note["Text"], "UpdatedBy": note["UpdatedBy"], "UpdatedAt": now}
        processed.append(ident)
    return "200 OK", {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}


class EventsBridge:
    """WSGI middleware: TestEventPattern answered with moto's own event pattern matcher."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") != "AWSEvents.TestEventPattern":
            return self.app(environ, start_response)
        from moto.events.models import EventPattern

        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        try:
            pattern = EventPattern.load(request["EventPattern"])
            answer = {"Result": pattern.matches_event(json.loads(request["Event"]))}
            status = "200 OK"
        except Exception as e:  # moto's parser refuses with its own exception types
            status = "400 Bad Request"
            answer = {"__type": "InvalidEventPatternException", "message": str(e)}
        return SecurityHubBridge._json(start_response, status, answer)


#: The regions of the `aws` partition enabled in every account, and the opt-in ones.
_DEFAULT_REGIONS = [
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
]
_OPT_IN_REGIONS = [
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ca-west-1",
    "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
]


class AccountBridge:
    """WSGI middleware: `account:ListRegions`, which moto lacks (see the module's docstring)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if _service(environ) != "account" or environ.get("PATH_INFO") != "/listRegions":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        regions = [{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for r in _DEFAULT_REGIONS]
        regions += [{"RegionName": r, "RegionOptStatus": "DISABLED"} for r in _OPT_IN_REGIONS]
        wanted = request.get("RegionOptStatusContains")
        if wanted:
            regions = [r for r in regions if r["RegionOptStatus"] in wanted]
        regions.sort(key=lambda r: r["RegionName"])
        start = int(request.get("NextToken") or 0)
        size = int(request.get("MaxResults") or 20)
        answer = {"Regions": regions[start : start + size]}
        if start + size < len(regions):
            answer["NextToken"] = str(start + size)
        return SecurityHubBridge._json(start_response, "200 OK", answer)


class SecurityHubBridge:
    """WSGI middleware: the Security Hub behaviours moto lacks (see the module's docstring)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if _service(environ) != "securityhub":
            return self.app(environ, start_response)
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "").rstrip("/")
        if (method, path) not in (("PATCH", "/findings/batchupdate"), ("POST", "/findings"), ("POST", "/findings/import")):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request = json.loads(raw) if raw.strip() else {}
        try:
            if path == "/findings/batchupdate":
                status, answer = _batch_update_findings(environ, request)
            elif path == "/findings":
                status, answer = _get_findings(environ, request)
            else:
                return self._import(environ, start_response, raw, request)
        except ValueError as e:
            status, answer = "400 Bad Request", {"__type": "InvalidInputException", "Message": str(e)}
        return self._json(start_response, status, answer)

    def _import(self, environ, start_response, raw, request):
        """moto's import, with the Note and Workflow of findings that existed put back."""
        ids = {f.get("Id") for f in request.get("Findings") or []}
        kept = {
            f.id: {k: f.data[k] for k in ("Note", "Workflow", "WorkflowState") if k in f.data}
            for f in _hub_findings(environ) if f.id in ids
        }
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(raw)
        chunks = self.app(environ, start_response)
        for finding in _hub_findings(environ):
            if finding.id in kept:
                for key in ("Note", "Workflow", "WorkflowState"):
                    finding.data.pop(key, None)
                finding.data.update(kept[finding.id])
        return chunks

    @staticmethod
    def _json(start_response, status, answer):
        body = json.dumps(answer).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if "__type" in answer:
            headers.append(("x-amzn-ErrorType", answer["__type"]))
        start_response(status, headers)
        return [body]


def _bucket_region(name):
    """The region of bucket `name` in the local server, or None when there is no such bucket."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account = owner
    bucket = s3_backends[account][partition].buckets.get(name)
    return bucket.region_name if bucket is not None else None


REDIRECT_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The '
    "bucket you are attempting to access must be addressed using the specified endpoint. Please "
    "send all future requests to this endpoint.</Message><Endpoint>s3.{region}.amazonaws.com"
    "</Endpoint><Bucket>{bucket}</Bucket><RequestId>0000000000000000</RequestId></Error>"
)


class S3RegionRedirect:
    """WSGI middleware: a path-style S3 request for an existing bucket, signed for a region other
    than the bucket's, gets AWS's `301 PermanentRedirect` naming the bucket's region in
    `x-amz-bucket-region` (no body for HEAD). GetBucketLocation (`?location`) and CreateBucket
    (a PUT of the bucket itself) go to moto from any region."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        credential = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        bucket, _, key = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        method = environ.get("REQUEST_METHOD", "GET")
        query = environ.get("QUERY_STRING", "")
        if (
            credential is None
            or credential.group(2) != "s3"
            or not bucket
            or bucket == "moto-api"
            or "location" in query.split("&")
            or (method == "PUT" and not key)
        ):
            return self.app(environ, start_response)
        region = _bucket_region(bucket)
        if region is None or region == credential.group(1):
            return self.app(environ, start_response)
        body = b"" if method == "HEAD" else REDIRECT_BODY.format(region=region, bucket=bucket).encode()
        start_response("301 Moved Permanently", [
            ("x-amz-bucket-region", region),
            ("Content-Type", "application/xml"),
            ("Content-Length", str(len(body))),
        ])
        return [body]


class CborBridge:
    """WSGI middleware: Smithy RPC v2 CBOR in front of moto's CloudWatch JSON 1.0 handler."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CBOR_PREFIX):
            return self.app(environ, start_response)
        operation = path[len(CBOR_PREFIX):]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request = _to_json_value(cbor2.loads(raw)) if raw else {}
        if operation == "DescribeAlarmHistory":
            return self._answer(start_response, "200 OK", [], _alarm_history(environ, request))
        page = _page_alarms(environ, request) if operation == "DescribeAlarms" else None
        if page is not None:
            names, next_token = page
            if not names:
                return self._answer(start_response, "200 OK", [], {"MetricAlarms": [], "CompositeAlarms": []})
            request = {"AlarmNames": names}
        body = json.dumps(request).encode()
        environ = dict(environ)
        environ["PATH_INFO"] = "/"
        environ["REQUEST_METHOD"] = "POST"
        environ["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["HTTP_X_AMZ_TARGET"] = JSON_TARGET + operation
        environ.pop("HTTP_SMITHY_PROTOCOL", None)
        environ["wsgi.input"] = io.BytesIO(body)

        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            answer = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        try:
            document = json.loads(answer) if answer.strip() else {}
        except ValueError:
            document = {"__type": "InternalFailure", "message": answer.decode("utf-8", "replace")}
        if isinstance(document, dict) and "__type" in document and "message" not in document:
            document["message"] = document.get("Message", "")
        if operation == "SetAlarmState" and captured["status"].startswith("200"):
            _alarm_actions(environ, request)
        if page is not None and "__type" not in document:
            document["MetricAlarms"] = sorted(document.get("MetricAlarms", []), key=lambda a: a["AlarmName"])
            if page[1] is not None:
                document["NextToken"] = page[1]
        return self._answer(start_response, captured["status"], captured["headers"], document)

    @staticmethod
    def _answer(start_response, status, headers, document):
        encoded = cbor2.dumps(_to_cbor_value(document))
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
        headers += [
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(encoded))),
            ("smithy-protocol", "rpc-v2-cbor"),
        ]
        start_response(status, headers)
        return [encoded]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the test server only listens on loopback")

    moto_app = DomainDispatcherApplication(create_backend_app)
    server = make_server(
        args.host,
        args.port,
        CborBridge(S3RegionRedirect(SecurityHubBridge(AccountBridge(EventsBridge(moto_app))))),
        threaded=True,
        request_handler=MotoRequestHandler,
    )
    os.environ["MOTO_PORT"] = str(server.server_port)
    if args.exit_on_stdin_eof:

        def watch_stdin():
            sys.stdin.read()
            os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
