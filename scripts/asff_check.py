#!/usr/bin/env python3
"""Validates ASFF findings against botocore's own model of Security Hub.

Usage: asff_check.py FILE...   (each FILE: a JSON list of findings, or {"Findings": [...]})

moto 5.2.5 stores whatever BatchImportFindings is given, so the tests check every finding the
function sent here instead: botocore's AwsSecurityFinding shape (required members, types,
unknown members), the lengths AWS documents but botocore does not check (Title 256,
Description 1,024, Remediation.Recommendation.Text 512), and that no field a provider may
not set is present. Exits 1 naming each problem, 0 when every finding passes; refuses an
empty set, so a test that sent nothing cannot pass.
"""

import json
import sys

import botocore.session
from botocore.validate import ParamValidator

# Fields only Security Hub's users may set (BatchUpdateFindings), never a provider.
FORBIDDEN = ("Workflow", "WorkflowState", "Note", "UserDefinedFields", "VerificationState")
LIMITS = (("Title",), 256), (("Description",), 1024), (("Remediation", "Recommendation", "Text"), 512)
RECORD_STATES = ("ACTIVE", "ARCHIVED")
COMPLIANCE = {"ACTIVE": "FAILED", "ARCHIVED": "PASSED"}


def problems(finding, validator, shape):
    report = validator.validate({"Findings": [finding]}, shape)
    found = [str(report.generate_report())] if report.has_errors() else []
    for field in FORBIDDEN:
        if field in finding:
            found.append(f"{field} is set, and only Security Hub's users may set it")
    for path, limit in LIMITS:
        value = finding
        for step in path:
            value = value.get(step, {}) if isinstance(value, dict) else {}
        if isinstance(value, str) and len(value) > limit:
            found.append(f"{'.'.join(path)} has {len(value)} characters, over {limit}")
    state = finding.get("RecordState")
    if state not in RECORD_STATES:
        found.append(f"RecordState {state!r} is not ACTIVE or ARCHIVED")
    elif finding.get("Compliance", {}).get("Status") != COMPLIANCE[state]:
        found.append(f"a {state} finding must have Compliance.Status {COMPLIANCE[state]}")
    return found


def findings_of(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return data.get("Findings", []) if isinstance(data, dict) else data


def main(paths):
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    validator = ParamValidator()
    checked = failed = 0
    for path in paths:
        for index, finding in enumerate(findings_of(path)):
            checked += 1
            for problem in problems(finding, validator, shape):
                failed += 1
                print(f"{path}: finding {index} ({finding.get('Id')}): {problem}")
    if checked == 0:
        print("no findings to check")
        return 1
    print(f"{checked} findings checked against botocore's AwsSecurityFinding: {failed} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
