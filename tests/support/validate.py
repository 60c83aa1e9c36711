#!/usr/bin/env python3
"""Validates trailwatch's documents with independent implementations of their formats.

    validate.py sarif FILE   against the OASIS SARIF 2.1.0 JSON Schema (tests/support/schemas),
                             and what GitHub code scanning requires to take a result: a
                             physical location with an artifact URI (a path, or a `file` URI)
                             and a region's start line
    validate.py ocsf FILE    every event as py-ocsf-models' ComplianceFinding (OCSF 1.5.0), its
                             `cloud` as the cloud profile's Cloud; a field the models do not know
                             is an error (pydantic would silently drop it)
    validate.py junit FILE   as XML 1.0 by Python's parser (expat), which refuses the
                             characters XML forbids; a <testsuites> of <testsuite>s

Prints one line per problem and exits 1 when there is any; prints "ok N" otherwise (N: the
results, events or test cases checked).
"""

import json
import pathlib
import re
import sys

SCHEMAS = pathlib.Path(__file__).parent / "schemas"


def sarif(doc):
    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]
    for r, run in enumerate(doc.get("runs", [])):
        for i, result in enumerate(run.get("results", [])):
            problems += code_scanning(result, f"runs/{r}/results/{i}")
    return problems, sum(len(run.get("results", [])) for run in doc.get("runs", []))


def code_scanning(result, path):
    """What GitHub code scanning needs of a result to accept an upload: its first location's
    physical location, with an artifact URI that is a path or a `file` URI (any other scheme is
    refused), and a region with a start line."""
    physical = (result.get("locations") or [{}])[0].get("physicalLocation")
    if not physical:
        return [f"{path}: no locations[0].physicalLocation (code scanning refuses the upload)"]
    uri = physical.get("artifactLocation", {}).get("uri")
    problems = []
    if not isinstance(uri, str) or not uri:
        problems.append(f"{path}: no artifactLocation.uri")
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri) and not uri.startswith("file:"):
        problems.append(f"{path}: artifactLocation.uri {uri!r} has a scheme code scanning refuses")
    line = physical.get("region", {}).get("startLine")
    if not isinstance(line, int) or line < 1:
        problems.append(f"{path}: no region.startLine")
    return problems


def unknown_fields(model, raw, path):
    """The keys of `raw` the pydantic `model` instance has no field for, recursively."""
    from pydantic import BaseModel

    fields = type(model).model_fields
    problems = []
    for key, value in raw.items():
        name = next((n for n, f in fields.items() if key in (n, f.alias)), None)
        if name is None:
            problems.append(f"{path}{key}: not a field of {type(model).__name__}")
            continue
        sub = getattr(model, name)
        if isinstance(sub, BaseModel) and isinstance(value, dict):
            problems += unknown_fields(sub, value, f"{path}{key}.")
        elif isinstance(sub, list) and isinstance(value, list):
            for i, (m, v) in enumerate(zip(sub, value)):
                if isinstance(m, BaseModel) and isinstance(v, dict):
                    problems += unknown_fields(m, v, f"{path}{key}[{i}].")
    return problems


def ocsf(doc):
    from pydantic import ValidationError
    from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
    from py_ocsf_models.objects.cloud import Cloud

    if not isinstance(doc, list):
        return ["the document is not a JSON array of events"], 0
    problems = []
    for i, event in enumerate(doc):
        event = dict(event)
        cloud = event.pop("cloud", None)
        try:
            model = ComplianceFinding.model_validate(event)
            problems += unknown_fields(model, event, f"[{i}].")
            if cloud is None:
                problems.append(f"[{i}]: no cloud (the cloud profile)")
            else:
                problems += unknown_fields(Cloud.model_validate(cloud), cloud, f"[{i}].cloud.")
        except ValidationError as e:
            problems.append(f"[{i}]: {e}")
        if event.get("class_uid") != 2003:
            problems.append(f"[{i}].class_uid: {event.get('class_uid')} is not 2003")
    return problems, len(doc)


def junit(text):
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        return [f"not XML 1.0: {e}"], 0
    if root.tag != "testsuites" or any(s.tag != "testsuite" for s in root):
        return ["not a <testsuites> of <testsuite> elements"], 0
    return [], len(root.findall("testsuite/testcase"))


def json_check(check):
    return lambda text: check(json.loads(text))


def main():
    checks = {"sarif": json_check(sarif), "ocsf": json_check(ocsf), "junit": junit}
    if len(sys.argv) != 3 or sys.argv[1] not in checks:
        sys.exit("usage: validate.py sarif|ocsf|junit FILE")
    text = pathlib.Path(sys.argv[2]).read_text(encoding="utf-8")
    problems, checked = checks[sys.argv[1]](text)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"ok {checked}")


if __name__ == "__main__":
    main()
