#!/usr/bin/env python3
"""Expands a SAM template to plain CloudFormation with samtranslator, offline, on stdout.

cfn-lint alone skips what the SAM transform generates (a function's runtime, architecture,
timeout, event invoke config, schedule role); linting the expansion checks those too.
Local CodeUri paths are replaced by an S3 placeholder, as `sam package` would upload them.
"""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The templates name no managed policies by name; resolving one would need IAM."""

    def load(self):
        return {}


def main():
    with open(sys.argv[1]) as f:
        template = yaml_parse(f.read())
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        code = props.get("CodeUri")
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(code, str) \
                and not code.startswith("s3://"):
            props["CodeUri"] = "s3://placeholder-bucket/lightsail-key-audit.zip"
    print(json.dumps(transform(template, {}, NoManagedPolicies()), indent=1))


if __name__ == "__main__":
    main()
