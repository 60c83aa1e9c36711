#!/usr/bin/env python3
"""Validates trailwatch's documents with independent implementations of their formats.

    validate.py sarif FILE   against the OASIS SARIF 2.1.0 JSON Schema (tests/support/schemas)
    validate.py ocsf FILE    every event as py-ocsf-models' ComplianceFinding (OCSF 1.5.0), its
                             `cloud` as the cloud profile's Cloud; a field the models do not know
                             is an error (pydantic would silently drop it)

Prints one line per problem and exits 1 when there is any; prints "ok N" otherwise (N: the
results or events checked).
"""

import json
import pathlib
import sys

SCHEMAS = pathlib.Path(__file__).parent / "schemas"


def sarif(doc):
    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]
    return problems, sum(len(run.get("results", [])) for run in doc.get("runs", []))


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


def main():
    checks = {"sarif": sarif, "ocsf": ocsf}
    if len(sys.argv) != 3 or sys.argv[1] not in checks:
        sys.exit("usage: validate.py sarif|ocsf FILE")
    doc = json.loads(pathlib.Path(sys.argv[2]).read_text())
    problems, checked = checks[sys.argv[1]](doc)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"ok {checked}")


if __name__ == "__main__":
    main()
