"""scripts/ocsf_check.py, the OCSF validator the Rust integration tests run on every event the
function writes: it accepts an event as the function writes it and rejects what py-ocsf-models
alone would let through."""
import copy
import json

import pytest

import ocsf_check

OPENED = 1_793_512_800_000  # 2026-11-01T06:00:00Z
NOW = 1_793_599_200_000  # 2026-11-02T06:00:00Z
UID = "lightsail-key-audit/123456789012/us-east-1/media-prod/AKIAMEDIAPROD000KEPT/ROTATION_DUE"


def good_event():
    """An Update event, as src/report/ocsf.rs writes one."""
    return {
        "class_uid": 2004, "class_name": "Detection Finding",
        "category_uid": 2, "category_name": "Findings",
        "activity_id": 2, "activity_name": "Update",
        "type_uid": 200402, "type_name": "Detection Finding: Update",
        "status_id": 1, "status": "New",
        "severity_id": 2, "severity": "Low",
        "time": NOW,
        "finding_info": {
            "uid": UID,
            "title": "Lightsail bucket access key overdue for rotation",
            "desc": "Access key AKIAMEDIAPROD000KEPT of bucket media-prod (account 123456789012, "
                    "region us-east-1): created 200 days ago; rotation due after 90 days.",
            "types": ["Software and Configuration Checks/AWS Security Best Practices"],
            "created_time": OPENED, "first_seen_time": OPENED, "last_seen_time": NOW,
        },
        "cloud": {"provider": "AWS", "region": "us-east-1",
                  "account": {"uid": "123456789012", "name": "123456789012", "type_id": 10,
                              "type": "AWS Account"}},
        "resources": [{"uid": "arn:aws:lightsail:us-east-1:123456789012:Bucket/media-prod-id",
                       "name": "media-prod", "type": "AWS::Lightsail::Bucket", "region": "us-east-1",
                       "data": {"accessKeyId": "AKIAMEDIAPROD000KEPT", "status": "Active",
                                "ageDays": 200, "daysSinceLastUse": 100}}],
        "remediation": {"desc": "Create a new key, move its users to it, then delete this one.",
                        "references": ["https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/"
                                       "API_CreateBucketAccessKey.html"]},
        "metadata": {"version": ocsf_check.OCSF_VERSION, "profiles": ["cloud"],
                     "product": {"name": "lightsail-key-audit", "vendor_name": "lightsail-key-audit",
                                 "version": "1.0.0"}},
    }


def with_change(change):
    event = good_event()
    change(event)
    return event


def closed(event):
    """The event as a Close: resolved, with no last sighting."""
    event.update(activity_id=3, activity_name="Close", type_uid=200403,
                 type_name="Detection Finding: Close", status_id=4, status="Resolved")
    del event["finding_info"]["last_seen_time"]


def test_the_model_is_ocsf_1_5_0():
    assert ocsf_check.OCSF_VERSION == "1.5.0"


def suppressed(event):
    """The event as a Close by a suppression: status Suppressed."""
    event.update(activity_id=3, activity_name="Close", type_uid=200403,
                 type_name="Detection Finding: Close", status_id=3, status="Suppressed")


@pytest.mark.parametrize("change", [lambda e: None, closed, suppressed], ids=["update", "close", "suppressed"])
def test_an_event_as_the_function_writes_it_passes(change):
    assert ocsf_check.check_event(with_change(change)) == []


def set_path(path, value):
    def change(event):
        *parents, last = path.split(".")
        target = event
        for part in parents:
            target = target[part]
        target[last] = value
    return change


def remove_path(path):
    def change(event):
        *parents, last = path.split(".")
        target = event
        for part in parents:
            target = target[part]
        del target[last]
    return change


@pytest.mark.parametrize("change, expected", [
    (set_path("class_uid", 2003), "class_uid is 2003, not 2004"),
    (set_path("category_uid", 5), "category_uid is 5"),
    (set_path("type_uid", 200401), "type_uid is 200401, not class_uid * 100 + activity_id = 200402"),
    (set_path("activity_id", 99), "activity_id is 99"),
    (set_path("status_id", 4), "activity Update has one of [(1, 'New')]"),
    (set_path("severity", "High"), "severity_id/severity are 2/'High'"),
    (remove_path("finding_info.uid"), "finding_info.uid is missing or empty"),
    (remove_path("finding_info.last_seen_time"), "finding_info.last_seen_time is missing"),
    (set_path("time", NOW // 1000), "time is 1793599200, not an integer time in epoch milliseconds"),
    (set_path("finding_info.first_seen_time", OPENED * 1000), "finding_info.first_seen_time is"),
    (set_path("time", str(NOW)), "time is '1793599200000', not an integer"),
    (set_path("metadata.version", "1.1.0"), "metadata.version is '1.1.0', not the validator's OCSF 1.5.0"),
    (remove_path("cloud.account.uid"), "cloud.account.uid is missing"),
    (set_path("resources", [{"uid": "media-prod", "name": "media-prod"}]), "resources[0].type is missing"),
    (set_path("finding_info.uid", 7), "DetectionFinding: ('finding_info', 'uid')"),
    (set_path("cloud.account.type_id", "10"), "cloud.account.type_id is '10' but the model read 10"),
    (set_path("finding_info.rationale", "x"), "finding_info.rationale was dropped by the model"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_the_checker_names_each_defect(change, expected):
    problems = ocsf_check.check_event(with_change(change))
    assert any(expected in p for p in problems), problems


def test_the_model_alone_would_pass_a_wrong_class():
    """Why the explicit checks exist: py-ocsf-models takes a wrong class and drops unknown keys."""
    event = with_change(set_path("class_uid", 2003))
    event["nonsense"] = True
    ocsf_check.DetectionFinding.model_validate(event)
    assert any("class_uid" in p for p in ocsf_check.check_event(event))
    assert "nonsense was dropped by the model" in ocsf_check.check_model(event)


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_files_name_the_line_and_zero_events_fail(tmp_path, capsys):
    good = json.dumps(good_event())
    bad = json.dumps(with_change(set_path("class_uid", 2003)))
    assert ocsf_check.main([write(tmp_path, "good.jsonl", [good, good])]) == 0
    bad_file = write(tmp_path, "bad.jsonl", [good, bad, "{not json"])
    assert ocsf_check.main([bad_file]) == 1
    out = capsys.readouterr().out
    assert f"{bad_file}:2: class_uid is 2003" in out
    assert f"{bad_file}:3: not JSON" in out
    assert ocsf_check.main([write(tmp_path, "empty.jsonl", [])]) == 1
    assert "no event" in capsys.readouterr().out


def test_the_good_event_is_not_changed_by_checking():
    event = good_event()
    before = copy.deepcopy(event)
    ocsf_check.check_event(event)
    assert event == before
