#!/usr/bin/env python3
"""Evaluates the schedule's Input, as CloudFormation would, for several parameter values, and
checks each is the JSON request the README documents. The Input is built from strings with
Fn::Sub, Fn::Join and Fn::Split, which no linter evaluates.

usage: check_schedule_input.py EXPANDED.json
"""
import json
import sys


def evaluate(node, params, conditions, template):
    ev = lambda n: evaluate(n, params, conditions, template)
    if isinstance(node, list):
        return [ev(n) for n in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        return {k: ev(v) for k, v in node.items()}
    (fn, arg), = node.items()
    if fn == "Ref":
        return params[arg]
    if fn == "Condition":
        return condition(arg, params, conditions, template)
    if fn == "Fn::If":
        name, then, other = arg
        return ev(then) if condition(name, params, conditions, template) else ev(other)
    if fn == "Fn::Join":
        return arg[0].join(ev(arg[1]))
    if fn == "Fn::Split":
        return ev(arg[1]).split(arg[0])
    if fn == "Fn::Select":
        return ev(arg[1])[int(arg[0])]
    if fn == "Fn::Equals":
        return ev(arg[0]) == ev(arg[1])
    if fn == "Fn::Not":
        return not ev(arg[0])
    if fn == "Fn::And":
        return all(ev(a) for a in arg)
    if fn == "Fn::Or":
        return any(ev(a) for a in arg)
    if fn == "Fn::Sub":
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        values = {k: ev(v) for k, v in variables.items()}
        out, i = "", 0
        while i < len(text):
            if text.startswith("${", i):
                end = text.index("}", i)
                name = text[i + 2:end]
                value = values[name] if name in values else params[name]
                out += str(value)
                i = end + 1
            else:
                out += text[i]
                i += 1
        return out
    return {fn: ev(arg)}


def condition(name, params, conditions, template):
    if name not in conditions:
        conditions[name] = evaluate(template["Conditions"][name], params, conditions, template)
    return conditions[name]


def main():
    template = json.load(open(sys.argv[1]))
    defaults = {}
    for name, p in template["Parameters"].items():
        value = str(p.get("Default", ""))
        defaults[name] = value.split(",") if p["Type"] == "CommaDelimitedList" else value
    schedule = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Scheduler::Schedule")
    cases = [
        ({}, {"staleAfterDays": 45, "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}),
        ({"BucketNames": "media-prod,backups", "AuditRegions": "all", "StaleAfterDays": "30"},
         {"bucketNames": ["media-prod", "backups"], "regions": ["all"], "staleAfterDays": 30,
          "neverUsedGraceDays": 7, "maxKeyAgeDays": 90}),
        ({"AuditRegions": "us-east-1,eu-west-2", "MaxKeyAgeDays": "60"},
         {"regions": ["us-east-1", "eu-west-2"], "staleAfterDays": 45, "neverUsedGraceDays": 7,
          "maxKeyAgeDays": 60}),
    ]
    failed = 0
    for overrides, expected in cases:
        params = dict(defaults, **overrides)
        text = evaluate(schedule["Properties"]["Target"]["Input"], params, {}, template)
        try:
            got = json.loads(text)
        except ValueError as e:
            got = f"not JSON ({e}): {text}"
        if got != expected:
            failed += 1
            print(f"schedule input for {overrides}: expected {expected}, got {got}", file=sys.stderr)
    print(f"schedule input: {len(cases) - failed} of {len(cases)} parameter sets give the documented request")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
