"""Adapts moto 5.2.5's in-process CloudFormation (`from moto import mock_aws`) so that a stack is
evaluated as CloudFormation evaluates it, by routing every intrinsic function, condition and
parameter check through scripts/cfn_eval.py. Import it before creating stacks; `install()` is
idempotent. Pinned to moto 5.2.5: every patch replaces an internal of that version, so any other
version is refused.

The gaps it closes (measured on moto 5.2.5):
- AWS::NoValue stays in lists as None (a role's `Policies: [!If [c, x, !Ref AWS::NoValue]]`
  fails with TypeError; in Fn::Join it becomes "None"): cfn_eval removes it.
- Fn::Select out of range is a bare IndexError (HTTP 500), an unknown Fn::Sub variable a
  KeyError: here a ValidationError / CREATE_FAILED naming the template path.
- no parameter constraint is checked, nor any rule (Rules): here CreateStack fails with a
  ValidationError.
- types moto does not model (AWS::Scheduler::Schedule, AWS::Lambda::EventInvokeConfig,
  AWS::CloudWatch::Alarm, AWS::SNS::TopicPolicy, AWS::SNS::Subscription, ...) are skipped with
  their properties never evaluated: here every resource's properties are resolved (a bad Ref,
  GetAtt, Select or Sub fails the stack), kept for tests (resolved_properties), and the
  unmodelled ones stand in as placeholders listed by ListStackResources.
- a failed resource leaves the stack CREATE_IN_PROGRESS and its error escapes CreateStack (and
  DescribeStacks and ListStackResources, which re-evaluate it): here the stack becomes
  CREATE_FAILED with a resource event giving the reason, as CloudFormation does with rollback
  disabled (nothing is deleted); ListStackResources lists what was created.
- a policy given as an object is kept as that object where moto's API code expects JSON text:
  a role's inline policies come back from GetRolePolicy as Python's str(dict), a KMS key's
  KeyPolicy makes DescribeKey fail: the layer hands moto those documents as JSON text.
- a number from a Ref to a Number parameter is the string CloudFormation passes, which moto
  stores as given (moto's own lenient evaluation made it an int): a log group's RetentionInDays
  is converted, as CloudFormation's schema-driven handler would.
- an AWS::S3::Bucket gets only its BucketEncryption and Tags; VersioningConfiguration,
  PublicAccessBlockConfiguration, OwnershipControls and LifecycleConfiguration are dropped: the
  layer applies them through moto's S3 backend, as CloudFormation's handler does through the S3
  API, so GetBucketVersioning etc. read them back. Any other bucket property fails the stack
  (extend configure_bucket) rather than being dropped unseen.
- AWS::S3::BucketPolicy is not modelled: the layer puts the policy on its bucket (a bucket that
  does not exist fails the stack), so GetBucketPolicy reads it back.
Not handled: UpdateStack and change sets (moto's own code, unpatched apart from clean_json).
"""
import copy
import json
import os
import sys

import moto

MOTO_VERSION = "5.2.5"
if moto.__version__ != MOTO_VERSION:
    raise ImportError(f"moto_cfn.py patches moto {MOTO_VERSION} internals; moto {moto.__version__} "
                      "is installed: pin moto[cloudformation]==5.2.5 (scripts/requirements-moto.txt)")

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
import cfn_eval  # noqa: E402  (after the version check, from this directory)
from moto.cloudformation import models, parsing  # noqa: E402
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError  # noqa: E402
from moto.s3.models import s3_backends  # noqa: E402
from moto.utilities.utils import get_partition  # noqa: E402


class ResourceFailed(Exception):
    """A resource (or output) that could not be created: becomes the stack's CREATE_FAILED."""

    def __init__(self, logical_id, resource_type, reason):
        super().__init__(f"{logical_id} ({resource_type}): {reason}")
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


# Unmodelled types the project uses whose Ref is a name property and whose Arn is documented:
# type -> (name property, Arn from the partition, region, account, name and properties).
UNMODELLED_NAMES = {
    "AWS::Scheduler::Schedule": (
        "Name", lambda p, r, a, name, props:
        f"arn:{p}:scheduler:{r}:{a}:schedule/{props.get('GroupName', 'default')}/{name}"),
    "AWS::CloudWatch::Alarm": (
        "AlarmName", lambda p, r, a, name, props: f"arn:{p}:cloudwatch:{r}:{a}:alarm:{name}"),
}


class Unmodelled:
    """Stands in for a resource of a type moto does not model: its properties were resolved
    (see resolved_properties); it has a physical id for Ref, and an Arn only if listed in
    UNMODELLED_NAMES."""

    def __init__(self, physical_id, arn=None):
        self.physical_resource_id = physical_id
        self.arn = arn

    def is_created(self):
        return True

    def delete(self, account_id, region_name):
        pass


class MotoResources:
    """cfn_eval's resource resolver over moto's lazy ResourceMap (reading creates a resource)."""

    def __init__(self, resource_map):
        self.resource_map = resource_map

    def ref(self, logical_id):
        resource = self.resource_map[logical_id]
        return getattr(resource, "physical_resource_id", resource)

    def get_att(self, logical_id, attribute):
        resource = self.resource_map[logical_id]
        kind = getattr(resource, "cf_resource_type", "?")
        if isinstance(resource, Unmodelled):
            if attribute == "Arn" and resource.arn:
                return resource.arn
            raise LookupError(f"Fn::GetAtt {logical_id}.{attribute}: moto does not model {kind}, "
                              "so its attributes are unknown offline")
        if not type(resource).has_cfn_attr(attribute):
            raise LookupError(f"resource {logical_id} ({kind}) does not support attribute type "
                              f"{attribute} in Fn::GetAtt")
        try:
            return resource.get_cfn_attribute(attribute)
        except (NotImplementedError, UnformattedGetAttTemplateException):
            raise LookupError(f"moto cannot give {logical_id}.{attribute} ({kind})") from None


def for_moto(resource_type, properties):
    """The resolved properties as moto's model needs them (a copy: models may modify them).
    moto 5.2.5 keeps a policy given as an object (as templates give them) as that object, where
    its API code expects JSON text: a role's inline policies come back from GetRolePolicy as
    str(dict), a key's KeyPolicy breaks DescribeKey (json.loads of a dict). Hand it JSON."""
    properties = copy.deepcopy(properties)
    if resource_type == "AWS::IAM::Role":
        for policy in properties.get("Policies", []):
            if isinstance(policy.get("PolicyDocument"), dict):
                policy["PolicyDocument"] = json.dumps(policy["PolicyDocument"])
    if resource_type == "AWS::KMS::Key" and isinstance(properties.get("KeyPolicy"), dict):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    # A Ref to a Number parameter is a string; CloudFormation converts it by the type's schema,
    # moto stores it as given (DescribeLogGroups would return "90"): convert what the project sets.
    if resource_type == "AWS::Logs::LogGroup" and "RetentionInDays" in properties:
        properties["RetentionInDays"] = int(properties["RetentionInDays"])
    return properties


# -- S3: what moto 5.2.5's CloudFormation model of a bucket drops -----------------------------

# Bucket properties moto's model applies itself (BucketName names it).
BUCKET_PROPERTIES_MOTO_APPLIES = {"BucketName", "BucketEncryption", "Tags"}
# The lifecycle rule properties lifecycle_rule translates.
LIFECYCLE_RULE_PROPERTIES = {"Id", "Status", "Prefix", "ExpirationInDays", "ExpiredObjectDeleteMarker",
                             "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"}


def s3_backend(account_id, region_name):
    """moto's S3 backend of an account (S3 keeps one per partition, not per region)."""
    return s3_backends[account_id][get_partition(region_name)]


def lifecycle_rule(rule):
    """A CloudFormation LifecycleConfiguration rule as the S3 API carries it (moto's parsed XML:
    strings), as CloudFormation's handler sends it. Refuses what it does not translate."""
    unknown = sorted(set(rule) - LIFECYCLE_RULE_PROPERTIES)
    if unknown:
        raise ValueError(f"lifecycle rule {rule.get('Id')!r}: the layer does not translate {unknown} "
                         "(extend moto_cfn.lifecycle_rule)")
    api = {"Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "Id" in rule:
        api["ID"] = rule["Id"]
    expiration = {}
    if "ExpirationInDays" in rule:
        expiration["Days"] = str(int(rule["ExpirationInDays"]))
    if "ExpiredObjectDeleteMarker" in rule:
        expiration["ExpiredObjectDeleteMarker"] = str(rule["ExpiredObjectDeleteMarker"]).lower()
    if expiration:
        api["Expiration"] = expiration
    if "NoncurrentVersionExpiration" in rule:
        noncurrent = rule["NoncurrentVersionExpiration"]
        api["NoncurrentVersionExpiration"] = {"NoncurrentDays": str(int(noncurrent["NoncurrentDays"]))}
        if "NewerNoncurrentVersions" in noncurrent:
            api["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = str(
                int(noncurrent["NewerNoncurrentVersions"]))
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": str(int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]))}
    return api


def configure_bucket(bucket, properties, account_id, region_name):
    """Applies what moto's model of AWS::S3::Bucket drops, through its S3 backend (the calls its
    PutBucket* API handlers make). Raises on a property it does not apply: better a failed
    stack than a setting that silently never reaches the bucket."""
    handled = {"VersioningConfiguration", "PublicAccessBlockConfiguration", "OwnershipControls",
               "LifecycleConfiguration"}
    unknown = sorted(set(properties) - BUCKET_PROPERTIES_MOTO_APPLIES - handled)
    if unknown:
        raise ValueError(f"moto 5.2.5 drops the bucket properties {unknown} and the layer does not "
                         "apply them (extend moto_cfn.configure_bucket)")
    backend = s3_backend(account_id, region_name)
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(bucket.name, properties["VersioningConfiguration"]["Status"])
    if "PublicAccessBlockConfiguration" in properties:
        backend.put_public_access_block(bucket.name, dict(properties["PublicAccessBlockConfiguration"]))
    if "OwnershipControls" in properties:
        rules = properties["OwnershipControls"]["Rules"]
        if len(rules) != 1:  # as S3 requires
            raise ValueError(f"OwnershipControls must have exactly one rule, has {len(rules)}")
        backend.put_bucket_ownership_controls(bucket.name, ownership=rules[0]["ObjectOwnership"])
    if "LifecycleConfiguration" in properties:
        rules = [lifecycle_rule(r) for r in properties["LifecycleConfiguration"]["Rules"]]
        backend.put_bucket_lifecycle(bucket.name, rules)


def put_bucket_policy(properties, account_id, region_name):
    """AWS::S3::BucketPolicy, which moto 5.2.5 does not model: PutBucketPolicy on its bucket."""
    policy = properties["PolicyDocument"]
    text = policy if isinstance(policy, str) else json.dumps(policy)
    s3_backend(account_id, region_name).put_bucket_policy(properties["Bucket"], text.encode())


# Unmodelled types the layer applies: type -> a call with the resolved properties.
APPLIED_BY_LAYER = {"AWS::S3::BucketPolicy": put_bucket_policy}
# Modelled types whose dropped properties the layer applies after moto creates them.
CONFIGURED_BY_LAYER = {"AWS::S3::Bucket": configure_bucket}


# -- patches ---------------------------------------------------------------------------------


def load(self):
    """Replaces ResourceMap.load (moto 5.2.5). Gaps closed: no parameter constraint checked;
    conditions evaluated leniently (an out-of-range Select in one is an IndexError); Rules
    ignored. Builds the strict evaluator, which validates the parameters, evaluates every
    condition and checks every rule up front, as CreateStack does; an error is a
    ValidationError and no stack is created."""
    self.load_mapping()
    self.transform_mapping()
    pseudo = {k: self._parsed_resources[k] for k in
              ("AWS::AccountId", "AWS::Region", "AWS::StackId", "AWS::StackName",
               "AWS::Partition", "AWS::URLSuffix")}
    imports = {e.name: e.value for e in (self.cross_stack_resources or {}).values()}
    try:
        self.cfn = cfn_eval.Evaluator(self._template, self.input_parameters, pseudo,
                                      MotoResources(self), imports)
        conditions = self.cfn.conditions()
        self.cfn.rules()
    except cfn_eval.CfnError as e:
        raise ValidationError(message=f"Template error: {e}") from None
    self.load_parameters()  # moto's own: the Parameters that DescribeStacks shows
    self.lazy_condition_map = parsing.LazyDict(conditions)
    self.resolved_properties = {}
    # moto's validate_outputs is dropped: the outputs are evaluated strictly at creation.


def strictly(logical_id, kind, enabled, resolve):
    """`resolve(logical_id)` for a resource or output whose condition holds (never None: a
    resource's properties are at least {}, an output's value a string), None for one whose
    condition is false. An evaluation error fails it, as CloudFormation fails the stack."""
    try:
        return resolve(logical_id) if enabled(logical_id) else None
    except cfn_eval.CfnError as e:
        raise ResourceFailed(logical_id, kind, str(e)) from None


def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    """Replaces parsing.parse_and_create_resource (moto 5.2.5). Gap closed: properties of types
    moto does not model were never evaluated. Resolves every resource's properties strictly,
    keeps them in resources_map.resolved_properties, then lets moto create what it models."""
    resource_type = resource_json["Type"]
    evaluator = resources_map.cfn
    properties = strictly(logical_id, resource_type, evaluator.resource_enabled, evaluator.resource_properties)
    if properties is None:
        return None
    resources_map.resolved_properties[logical_id] = properties
    stack_name = resources_map["AWS::StackName"]
    name_property, arn_of = UNMODELLED_NAMES.get(resource_type, (None, None))
    name_property = name_property or parsing.resource_name_property_from_type(resource_type)
    physical_name = properties.get(name_property) if name_property else None
    physical_name = physical_name or parsing.generate_resource_name(resource_type, stack_name, logical_id)
    resource_class = parsing.resource_class_from_type(resource_type)
    if resource_class is None:
        arn = arn_of and arn_of(resources_map["AWS::Partition"], resources_map["AWS::Region"],
                                resources_map["AWS::AccountId"], physical_name, properties)
        resource = Unmodelled(physical_name, arn)
        apply = APPLIED_BY_LAYER.get(resource_type)
        try:
            if apply:
                apply(properties, account_id, region_name)
        except Exception as e:  # as the service would refuse it: the resource fails
            raise ResourceFailed(logical_id, resource_type, f"{type(e).__name__}: {e}") from e
    else:
        cfn_json = dict(resource_json, Properties=for_moto(resource_type, properties))
        configure = CONFIGURED_BY_LAYER.get(resource_type)
        try:
            resource = resource_class.create_from_cloudformation_json(
                physical_name, cfn_json, account_id, region_name, LogicalId=logical_id,
                StackId=resources_map.stack_id, ResourceType=resource_type)
            if configure:
                configure(resource, properties, account_id, region_name)
        except ResourceFailed:
            raise
        except Exception as e:  # moto's model refused the properties: the resource fails
            raise ResourceFailed(logical_id, resource_type, f"{type(e).__name__}: {e}") from e
    resource.cf_resource_type = resource_type
    resource.logical_resource_id = logical_id
    return resource


def parse_output(output_logical_id, output_json, resources_map):
    """Replaces parsing.parse_output (moto 5.2.5). Gap closed: outputs evaluated leniently
    (dicts or "None" left in values). Resolves the Value strictly, a string or an error."""
    evaluator = resources_map.cfn
    value = strictly(output_logical_id, "Output", evaluator.output_enabled, evaluator.output_value)
    if value is None:
        return None
    return parsing.Output(output_logical_id, value, output_json.get("Description"))


def clean_json(resource_json, resources_map):
    """Replaces parsing.clean_json (moto 5.2.5), for the callers left (exports, updates). Gaps
    closed: NoValue kept in lists, out-of-range Select as IndexError, unknown Sub variables."""
    try:
        return resources_map.cfn.resolve(resource_json, "(moto clean_json)")
    except cfn_eval.CfnError as e:
        raise ValidationError(message=f"Template error: {e}") from None


def create_resources(self):
    """Replaces Stack.create_resources (moto 5.2.5). Gap closed: a failing resource left the
    stack CREATE_IN_PROGRESS and raised out of CreateStack. Creates the resources, then resolves
    the outputs (CloudFormation resolves them before it completes); a failure makes the stack
    CREATE_FAILED with an event saying why, and CreateStack itself succeeds, as it does in AWS."""
    self.status = "CREATE_IN_PROGRESS"
    try:
        ready = self.resource_map.create(self.template_dict)
        for name in self.output_map.outputs:
            self.output_map[name]
    except ResourceFailed as e:
        self.events.append(models.Event(self.stack_id, self.name, e.logical_id, "", e.resource_type,
                                        "CREATE_FAILED", e.reason, None))
        self.status = "CREATE_FAILED"
        self._add_stack_event("CREATE_FAILED",
                              f"The following resource(s) failed to create: [{e.logical_id}].")
        return
    self.description = self.template_dict.get("Description")
    if ready:
        self.mark_creation_complete()


_moto_outputs = models.Stack.outputs


def outputs(self):
    """Replaces the Stack.outputs property (moto 5.2.5), which evaluates outputs on every
    DescribeStacks: a failed stack has none, rather than re-raising its failure."""
    return None if self.status == "CREATE_FAILED" else _moto_outputs.fget(self)


def stack_resources(self):
    """Replaces the Stack.stack_resources property (moto 5.2.5), which creates resources while
    listing them (re-raising a failed one) and lists a resource whose Condition is false as an
    empty entry: lists the resources created, in template order."""
    created = self.resource_map._parsed_resources
    return [created[lid] for lid in self.resource_map.resources
            if lid in created and created[lid] is not None]


def install():
    """Applies the patches (idempotent)."""
    parsing.ResourceMap.load = load
    parsing.parse_and_create_resource = parse_and_create_resource
    parsing.parse_output = parse_output
    parsing.clean_json = clean_json
    models.Stack.create_resources = create_resources
    models.Stack.outputs = property(outputs)
    models.Stack.stack_resources = property(stack_resources)


def resolved_properties(stack_id):
    """{logical id: resolved properties} of every created resource of a stack (by its id)."""
    _, _, _, region, account_id, _ = stack_id.split(":", 5)
    stack = models.cloudformation_backends[account_id][region].get_stack(stack_id)
    return stack.resource_map.resolved_properties


install()
