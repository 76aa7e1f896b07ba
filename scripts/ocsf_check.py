#!/usr/bin/env python3
"""Validates OCSF Detection Finding events, as the function writes them (docs/ocsf.md), with
py-ocsf-models (.venv-moto, scripts/requirements-moto.txt); run by the Rust integration tests
(tests/integration/ocsf.rs), its own tests in tests/py/test_ocsf_check.py.

  ocsf_check.py FILE...    each FILE JSON Lines, one event a line

py-ocsf-models is lenient: it ignores keys it does not know, coerces types ("1" to 1) and takes
any class. So besides its DetectionFinding model, each event is held to what the model cannot
say: the class, category and type ids and their arithmetic, a status that matches the activity,
the model's OCSF version, times in epoch milliseconds, the fields the export promises, and no
value the model dropped or changed. Prints one line per problem (`FILE:LINE: problem`) and exits
1 on any, or when the files hold no event at all.
"""
import json
import sys

from pydantic import ValidationError
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.detection_finding import DetectionFinding

CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITIES = {1: "Create", 2: "Update", 3: "Close"}
# OCSF 1.5.0's finding status: an open finding is New, a closed one Resolved, or Suppressed
# when a suppression closed it.
STATUS_OF_ACTIVITY = {1: [(1, "New")], 2: [(1, "New")], 3: [(4, "Resolved"), (3, "Suppressed")]}
SEVERITIES = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
# Epoch milliseconds from 2001-09-09 to 2286-11-20: a time in seconds or microseconds is outside.
MS_RANGE = (10**12, 10**13)
TIME_FIELDS = ["time", "finding_info.created_time", "finding_info.first_seen_time",
               "finding_info.last_seen_time", "finding_info.modified_time"]
# What every event carries (docs/ocsf.md); a Close event has no last sighting to give.
REQUIRED = ["class_name", "category_name", "activity_name", "type_name", "status", "severity",
            "finding_info.uid", "finding_info.title", "finding_info.desc", "finding_info.types",
            "finding_info.first_seen_time", "cloud.provider", "cloud.account.uid", "cloud.region",
            "remediation.desc", "remediation.references", "metadata.version",
            "metadata.product.name", "metadata.product.vendor_name", "metadata.product.version"]
RESOURCE_REQUIRED = ["uid", "name", "type", "region"]

_MISSING = object()


def get(event, path):
    """The value at a dotted path, or _MISSING."""
    value = event
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_ids(event):
    """The class, category, activity, type and status ids, and their captions."""
    problems = []
    for path, expected in [("class_uid", CLASS_UID), ("category_uid", CATEGORY_UID),
                           ("class_name", "Detection Finding"), ("category_name", "Findings")]:
        if get(event, path) != expected or (is_int(expected) and not is_int(get(event, path))):
            problems.append(f"{path} is {get(event, path)!r}, not {expected!r}")
    activity = get(event, "activity_id")
    if not is_int(activity) or activity not in ACTIVITIES:
        return problems + [f"activity_id is {activity!r}, not one of {sorted(ACTIVITIES)}"]
    type_uid = get(event, "type_uid")
    if not is_int(type_uid) or type_uid != CLASS_UID * 100 + activity:
        problems.append(f"type_uid is {type_uid!r}, not class_uid * 100 + activity_id = "
                        f"{CLASS_UID * 100 + activity}")
    name = ACTIVITIES[activity]
    for path, expected in [("activity_name", name), ("type_name", f"Detection Finding: {name}")]:
        if get(event, path) != expected:
            problems.append(f"{path} is {get(event, path)!r}, not {expected!r}")
    allowed = STATUS_OF_ACTIVITY[activity]
    if (get(event, "status_id"), get(event, "status")) not in allowed:
        problems.append(f"status_id/status are {get(event, 'status_id')!r}/{get(event, 'status')!r}"
                        f"; activity {name} has one of {allowed}")
    severity_id = get(event, "severity_id")
    if not is_int(severity_id) or SEVERITIES.get(severity_id) != get(event, "severity"):
        problems.append(f"severity_id/severity are {severity_id!r}/{get(event, 'severity')!r}, "
                        f"not one of {SEVERITIES}")
    return problems


def check_fields(event):
    """The version, the times and the fields the export promises."""
    problems = []
    if get(event, "metadata.version") != OCSF_VERSION:
        problems.append(f"metadata.version is {get(event, 'metadata.version')!r}, not the "
                        f"validator's OCSF {OCSF_VERSION}")
    for path in TIME_FIELDS:
        value = get(event, path)
        if value is not _MISSING and not (is_int(value) and MS_RANGE[0] < value < MS_RANGE[1]):
            problems.append(f"{path} is {value!r}, not an integer time in epoch milliseconds")
    required = REQUIRED + (["finding_info.last_seen_time"] if get(event, "activity_id") != 3 else [])
    problems += [f"{path} is missing or empty" for path in required
                 if get(event, path) in (_MISSING, None, "", [])]
    resources = get(event, "resources")
    if not isinstance(resources, list) or not resources:
        return problems + ["resources is missing or empty"]
    for i, resource in enumerate(resources):
        problems += [f"resources[{i}].{name} is missing or empty" for name in RESOURCE_REQUIRED
                     if not isinstance(resource, dict) or resource.get(name) in (None, "")]
    return problems


def differences(given, kept, path=""):
    """Where the model's dump lost or changed a value of the event (extra defaults are fine)."""
    if isinstance(given, dict):
        if not isinstance(kept, dict):
            return [f"{path or 'the event'} became {kept!r}"]
        found = []
        for key, value in given.items():
            where = f"{path}.{key}" if path else key
            found += ([f"{where} was dropped by the model"] if key not in kept
                      else differences(value, kept[key], where))
        return found
    if isinstance(given, list):
        if not isinstance(kept, list) or len(kept) != len(given):
            return [f"{path} became {kept!r}"]
        return [d for i, (g, k) in enumerate(zip(given, kept)) for d in differences(g, k, f"{path}[{i}]")]
    if given != kept or type(given) is not type(kept):
        return [f"{path} is {given!r} but the model read {kept!r}"]
    return []


def check_model(event):
    """The event through py-ocsf-models' DetectionFinding, and nothing of it lost."""
    try:
        model = DetectionFinding.model_validate(event)
    except ValidationError as e:
        return [f"DetectionFinding: {error['loc']}: {error['msg']}" for error in e.errors()]
    return differences(event, model.model_dump(mode="json", exclude_none=True))


def check_event(event):
    """Every problem of one event; none: it is valid."""
    if not isinstance(event, dict):
        return [f"not a JSON object: {event!r}"]
    return check_ids(event) + check_fields(event) + check_model(event)


def check_file(path):
    """(events, problems as `FILE:LINE: problem`) of one JSON Lines file."""
    events, problems = 0, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{path}:{number}: not JSON: {e}")
                continue
            events += 1
            problems += [f"{path}:{number}: {problem}" for problem in check_event(event)]
    return events, problems


def main(paths):
    if not paths:
        sys.exit(__doc__)
    total, problems = 0, []
    for path in paths:
        events, found = check_file(path)
        total, problems = total + events, problems + found
    if total == 0:
        problems.append(f"{', '.join(paths)}: no event")
    for problem in problems:
        print(problem)
    print(f"ocsf_check: {total} events, {len(problems)} problems "
          f"(py-ocsf-models DetectionFinding, OCSF {OCSF_VERSION})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
