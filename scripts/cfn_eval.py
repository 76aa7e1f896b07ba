"""A strict evaluator of CloudFormation intrinsic functions, conditions and parameter constraints.

Stdlib only, so any venv (or plain python3) can import it. Strict where CloudFormation is:
- every term of Fn::And / Fn::Or is evaluated (no document promises a short-circuit), and each
  takes 2 to 10 conditions;
- Fn::Select out of range, or selecting a null, is an error (a stack error in CloudFormation);
- a Ref, GetAtt or Sub variable that names nothing, or a resource whose Condition is false, is
  an error; Conditions and Rules may reference parameters only;
- Rules are checked as CreateStack checks them: an assertion that fails, where its rule's
  RuleCondition holds, is an error with its AssertDescription; every assertion is evaluated, and
  the rule functions (Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn) work only there;
- parameters are checked as CreateStack checks them: AllowedPattern (whole value), AllowedValues,
  MinLength/MaxLength, Number parsing and MinValue/MaxValue, CommaDelimitedList members.
Values follow CloudFormation: a Ref to a Number parameter is its string, a CommaDelimitedList is a
list of space-trimmed strings ("" gives [""]), AWS::NoValue removes a list item or a property.

Every error is a CfnError whose text starts with where it happened, e.g.
`Conditions/DeliverToBus/Fn::And[1]/Fn::Equals[0]/Fn::Select: ...`.

Resources are resolved by a resolver: SymbolicResources (default) leaves `${Id}` / `${Id.Attr}`
placeholders, MapResources takes known values, and callers (scripts/moto_cfn.py) may supply
their own object with ref(logical_id) and get_att(logical_id, attribute).
"""
import base64
import re

PSEUDO_DEFAULTS = {
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::StackName": "lightsail-key-audit",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
LIST_TYPES = ("CommaDelimitedList", "List<")
# CloudFormation's Number: an integer or a decimal, no spaces, no Python extras ("1_0", "nan").
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
SUB_VARIABLE_RE = re.compile(r"[A-Za-z0-9_:.]+")


class CfnError(Exception):
    """An evaluation or validation error; `path` says where in the template."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class _NoValue:
    """AWS::NoValue: removed from the list or object that holds it."""

    def __repr__(self):
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def pseudo_parameters(stack_name=None, region=None, account_id=None):
    """The pseudo parameters of a stack, with offline defaults for what is not given."""
    values = dict(PSEUDO_DEFAULTS)
    values["AWS::StackName"] = stack_name or values["AWS::StackName"]
    values["AWS::Region"] = region or values["AWS::Region"]
    values["AWS::AccountId"] = account_id or values["AWS::AccountId"]
    values["AWS::StackId"] = (
        f"arn:aws:cloudformation:{values['AWS::Region']}:{values['AWS::AccountId']}:"
        f"stack/{values['AWS::StackName']}/00000000-0000-0000-0000-000000000000")
    return values


# ---------------------------------------------------------------------------------------------
# Parameters


def _default_text(name, default):
    """A Default as CloudFormation reads it: a string (YAML numbers and booleans become text)."""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, (int, float, str)):
        return str(default)
    raise CfnError(f"Parameters/{name}/Default", f"must be a string, got {default!r}")


def _check_number(name, text, spec):
    """Parses a Number parameter (or List<Number> member) and checks MinValue/MaxValue."""
    if not NUMBER_RE.fullmatch(text):
        raise CfnError(f"Parameters/{name}", f"Parameter '{name}' must be a number, got {text!r}")
    number = float(text)
    if "MinValue" in spec and number < float(spec["MinValue"]):
        raise CfnError(f"Parameters/{name}",
                       f"Parameter '{name}' must be a number not less than {spec['MinValue']}, got {text}")
    if "MaxValue" in spec and number > float(spec["MaxValue"]):
        raise CfnError(f"Parameters/{name}",
                       f"Parameter '{name}' must be a number not greater than {spec['MaxValue']}, got {text}")
    return number


def _constraint_failed(name, spec, detail):
    """CloudFormation prints the ConstraintDescription instead of the rule when there is one."""
    reason = spec.get("ConstraintDescription") or detail
    return CfnError(f"Parameters/{name}", f"Parameter '{name}' failed to satisfy constraint: {reason}")


def _check_member(name, spec, text, numeric):
    """AllowedValues and AllowedPattern, for a String value or each member of a list."""
    if "AllowedValues" in spec:
        allowed = [_default_text(name, v) for v in spec["AllowedValues"]]
        ok = (any(float(text) == float(v) for v in allowed if NUMBER_RE.fullmatch(v))
              if numeric else text in allowed)
        if not ok:
            raise _constraint_failed(name, spec, f"{text!r} must be one of AllowedValues {allowed}")
    if "AllowedPattern" in spec and not numeric:
        # CloudFormation matches the whole value, anchors or not.
        if re.fullmatch(spec["AllowedPattern"], text) is None:
            raise _constraint_failed(name, spec,
                                     f"{text!r} must match pattern {spec['AllowedPattern']}")


def check_parameter(name, spec, text):
    """Validates one parameter value (a string, as CreateStack receives it); returns its value:
    a string, or a list of strings for list types."""
    kind = spec.get("Type")
    if not isinstance(text, str):
        raise CfnError(f"Parameters/{name}", f"value must be a string, got {text!r}")
    if kind is None:
        raise CfnError(f"Parameters/{name}", "has no Type")
    if kind.startswith("AWS::SSM::Parameter::"):
        raise CfnError(f"Parameters/{name}", f"type {kind} needs SSM; it is not evaluated offline")
    if kind.startswith(LIST_TYPES):
        numeric = kind == "List<Number>"
        members = [m.strip() for m in text.split(",")]  # CloudFormation trims each member
        for member in members:
            if numeric:
                _check_number(name, member, spec)
            _check_member(name, spec, member, numeric)
        return members
    if kind == "Number":
        _check_number(name, text, spec)
        _check_member(name, spec, text, numeric=True)
        return text
    if kind != "String" and not kind.startswith("AWS::"):
        raise CfnError(f"Parameters/{name}", f"unknown parameter type {kind}")
    if "MinLength" in spec and len(text) < int(spec["MinLength"]):
        raise _constraint_failed(name, spec, f"must contain at least {spec['MinLength']} characters")
    if "MaxLength" in spec and len(text) > int(spec["MaxLength"]):
        raise _constraint_failed(name, spec, f"must contain at most {spec['MaxLength']} characters")
    _check_member(name, spec, text, numeric=False)
    return text


def resolve_parameters(template, given):
    """Every parameter's value for a parameter set (name -> string), defaults filled in and
    every constraint checked; unknown or missing parameters are errors, as in CreateStack."""
    specs = template.get("Parameters") or {}
    unknown = sorted(set(given) - set(specs))
    if unknown:
        raise CfnError("Parameters", f"Parameters: {unknown} do not exist in the template")
    missing = [n for n, s in specs.items() if n not in given and "Default" not in s]
    if missing:
        raise CfnError("Parameters", f"Parameters: {missing} must have values")
    values = {}
    for name, spec in specs.items():
        text = given[name] if name in given else _default_text(name, spec["Default"])
        values[name] = check_parameter(name, spec, text)
    return values


# ---------------------------------------------------------------------------------------------
# Resources


class SymbolicResources:
    """Leaves resources symbolic: a Ref is `${Id}`, a GetAtt `${Id.Attr}` (as Fn::Sub writes them)."""

    def ref(self, logical_id):
        return "${%s}" % logical_id

    def get_att(self, logical_id, attribute):
        return "${%s.%s}" % (logical_id, attribute)


class MapResources:
    """Resources given as {logical id: {"Ref": value, attribute: value, ...}}."""

    def __init__(self, values):
        self.values = values

    def ref(self, logical_id):
        if "Ref" not in self.values.get(logical_id, {}):
            raise LookupError(f"no Ref value given for resource {logical_id}")
        return self.values[logical_id]["Ref"]

    def get_att(self, logical_id, attribute):
        if attribute not in self.values.get(logical_id, {}):
            raise LookupError(f"resource {logical_id} has no attribute {attribute}")
        return self.values[logical_id][attribute]


# ---------------------------------------------------------------------------------------------
# The evaluator


def _text(value, path, what):
    """A scalar as the string CloudFormation would use (numbers and booleans as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise CfnError(path, f"{what} must be a string, got {value!r}")


def _args(arg, path, fn, count):
    """The argument list of an intrinsic, checked for its length."""
    if not isinstance(arg, list) or len(arg) != count:
        raise CfnError(path, f"{fn} takes a list of {count} elements, got {arg!r}")
    return arg


class Evaluator:
    """Evaluates one template for one parameter set. Conditions are evaluated once and cached."""

    def __init__(self, template, params=None, pseudo=None, resources=None, imports=None):
        self.template = template
        self.params = resolve_parameters(template, params or {})
        self.pseudo = pseudo or pseudo_parameters()
        self.resources = resources or SymbolicResources()
        self.imports = imports or {}
        self._conditions = {}
        self._evaluating = []  # conditions being evaluated, to report cycles
        self._in_conditions = 0  # evaluating a condition or a rule: parameters only
        self._in_rules = 0

    # -- conditions ---------------------------------------------------------------------------

    def condition(self, name, path="Conditions"):
        """The value of condition `name`, evaluated strictly (and once)."""
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise CfnError(path, f"condition {name!r} is not defined in Conditions")
        if name in self._conditions:
            return self._conditions[name]
        if name in self._evaluating:
            raise CfnError(path, f"conditions refer to each other in a cycle: {self._evaluating + [name]}")
        self._evaluating.append(name)
        self._in_conditions += 1
        try:
            value = self.resolve(conditions[name], f"Conditions/{name}")
        finally:
            self._in_conditions -= 1
            self._evaluating.pop()
        if not isinstance(value, bool):
            raise CfnError(f"Conditions/{name}", f"must evaluate to true or false, got {value!r}")
        self._conditions[name] = value
        return value

    def conditions(self):
        """Every condition of the template, in order: name -> bool. The first error raises."""
        return {name: self.condition(name) for name in self.template.get("Conditions") or {}}

    # -- rules --------------------------------------------------------------------------------

    def rules(self):
        """Checks every rule: raises CfnError (the AssertDescription) for the first assertion
        that fails where its RuleCondition holds. Every RuleCondition and Assert is evaluated,
        whatever the others gave; returns the names of the rules whose condition held."""
        applied = []
        for name, rule in (self.template.get("Rules") or {}).items():
            path = f"Rules/{name}"
            self._in_rules += 1
            self._in_conditions += 1
            try:
                holds = True if "RuleCondition" not in rule else \
                    self.boolean(rule["RuleCondition"], f"{path}/RuleCondition")
                results = [(self.boolean(a["Assert"], f"{path}/Assertions[{i}]/Assert"), a)
                           for i, a in enumerate(rule.get("Assertions") or [])]
            finally:
                self._in_rules -= 1
                self._in_conditions -= 1
            if not rule.get("Assertions"):
                raise CfnError(path, "has no Assertions")
            failed = [a for ok, a in results if not ok]
            if holds and failed:
                raise CfnError(path, failed[0].get("AssertDescription") or "Assertion failed")
            if holds:
                applied.append(name)
        return applied

    def _condition_of(self, section, logical_id):
        entry = (self.template.get(section) or {})[logical_id]
        name = entry.get("Condition")
        return True if name is None else self.condition(name, f"{section}/{logical_id}/Condition")

    def resource_enabled(self, logical_id):
        """Whether the resource is created (its Condition, if any, is true)."""
        return self._condition_of("Resources", logical_id)

    def output_enabled(self, name):
        """Whether the output is shown (its Condition, if any, is true)."""
        return self._condition_of("Outputs", name)

    # -- whole sections -----------------------------------------------------------------------

    def resource_properties(self, logical_id):
        """The resolved Properties of one resource."""
        props = (self.template["Resources"][logical_id]).get("Properties") or {}
        value = self.resolve(props, f"Resources/{logical_id}/Properties")
        return {} if value is NO_VALUE else value

    def output_value(self, name):
        """The resolved Value of one output: a string, as CloudFormation requires."""
        output = self.template["Outputs"][name]
        if "Value" not in output:
            raise CfnError(f"Outputs/{name}", "has no Value")
        path = f"Outputs/{name}/Value"
        return _text(self.resolve(output["Value"], path), path, "an output's Value")

    def resolve_template(self):
        """Every enabled resource's properties and every shown output, resolved:
        {"Resources": {id: properties}, "Outputs": {name: value}}."""
        resources = {lid: self.resource_properties(lid)
                     for lid in self.template.get("Resources") or {} if self.resource_enabled(lid)}
        outputs = {name: self.output_value(name)
                   for name in self.template.get("Outputs") or {} if self.output_enabled(name)}
        return {"Resources": resources, "Outputs": outputs}

    # -- values -------------------------------------------------------------------------------

    def resolve(self, node, path):
        """Resolves every intrinsic in `node`; NO_VALUE items and properties are removed."""
        if isinstance(node, list):
            items = [self.resolve(item, f"{path}[{i}]") for i, item in enumerate(node)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            handler = INTRINSICS.get(key)
            if handler is not None and not (key == "Condition" and not isinstance(arg, str)):
                return handler(self, arg, f"{path}/{key}")
            if key.startswith("Fn::"):
                raise CfnError(f"{path}/{key}", f"{key} is not supported by this evaluator")
        resolved = {key: self.resolve(value, f"{path}/{key}") for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}

    def ref(self, name, path):
        """A Ref: a parameter, a pseudo parameter or a resource."""
        if not isinstance(name, str):
            raise CfnError(path, f"Ref takes a name, got {name!r}")
        if name in self.params:
            value = self.params[name]
            return list(value) if isinstance(value, list) else value
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        return self._resource(name, path, lambda: self.resources.ref(name))

    def get_att(self, logical_id, attribute, path):
        """A GetAtt of a resource's attribute."""
        return self._resource(logical_id, path,
                              lambda: self.resources.get_att(logical_id, attribute))

    def _resource(self, logical_id, path, read):
        """Reads a resource through the resolver, once the reference is known to be valid."""
        if logical_id not in (self.template.get("Resources") or {}):
            raise CfnError(path, f"{logical_id!r} is not a parameter, pseudo parameter or resource")
        if self._in_conditions:
            raise CfnError(path, f"Conditions and Rules cannot reference resource {logical_id!r}")
        if not self.resource_enabled(logical_id):
            condition = self.template["Resources"][logical_id]["Condition"]
            raise CfnError(path, f"resource {logical_id!r} is not created (condition {condition} is false)")
        try:
            return read()
        except CfnError:
            raise
        except LookupError as e:
            raise CfnError(path, str(e).strip("'\"")) from None

    def boolean(self, node, path):
        """A condition operand: a condition function or {"Condition": name}, evaluated to a bool."""
        value = self.resolve(node, path)
        if not isinstance(value, bool):
            raise CfnError(path, f"must be a condition (true or false), got {value!r}")
        return value

    def text(self, node, path, what):
        """An operand that must resolve to a string."""
        value = self.resolve(node, path)
        if isinstance(value, (list, dict)) or value is NO_VALUE or value is None:
            raise CfnError(path, f"{what} must be a string, got {value!r}")
        return _text(value, path, what)

    def strings(self, node, path, what):
        """An operand that must resolve to a list of strings."""
        value = self.resolve(node, path)
        if not isinstance(value, list):
            raise CfnError(path, f"{what} must be a list, got {value!r}")
        return [_text(v, f"{path}[{i}]", f"{what} element") for i, v in enumerate(value)]


# ---------------------------------------------------------------------------------------------
# Intrinsic functions: each takes (evaluator, argument, path).


def fn_ref(ev, arg, path):
    return ev.ref(arg, path)


def fn_get_att(ev, arg, path):
    if isinstance(arg, str) and "." in arg:
        logical_id, attribute = arg.split(".", 1)
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        logical_id, attribute = arg[0], ev.text(arg[1], f"{path}[1]", "Fn::GetAtt attribute")
    else:
        raise CfnError(path, f"Fn::GetAtt takes [resource, attribute] or 'resource.attribute', got {arg!r}")
    return ev.get_att(logical_id, attribute, path)


def fn_condition(ev, arg, path):
    return ev.condition(arg, path)


def fn_if(ev, arg, path):
    name, then, other = _args(arg, path, "Fn::If", 3)
    if not isinstance(name, str):
        raise CfnError(path, f"Fn::If takes a condition name first, got {name!r}")
    # Only the branch taken is evaluated: that is what makes Fn::If with AWS::NoValue useful.
    if ev.condition(name, path):
        return ev.resolve(then, f"{path}[1]")
    return ev.resolve(other, f"{path}[2]")


def fn_equals(ev, arg, path):
    left, right = _args(arg, path, "Fn::Equals", 2)
    values = [ev.resolve(left, f"{path}[0]"), ev.resolve(right, f"{path}[1]")]
    for i, value in enumerate(values):
        if value is NO_VALUE or isinstance(value, dict):
            raise CfnError(f"{path}[{i}]", f"Fn::Equals cannot compare {value!r}")
    normal = [[_text(v, path, "Fn::Equals list element") for v in value] if isinstance(value, list)
              else _text(value, path, "Fn::Equals operand") for value in values]
    return normal[0] == normal[1]


def fn_not(ev, arg, path):
    (operand,) = _args(arg, path, "Fn::Not", 1)
    return not ev.boolean(operand, f"{path}[0]")


def _terms(ev, arg, path, fn):
    """All the terms of Fn::And / Fn::Or, every one evaluated before any is combined."""
    if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
        raise CfnError(path, f"{fn} takes 2 to 10 conditions, got {arg!r}")
    return [ev.boolean(term, f"{path}[{i}]") for i, term in enumerate(arg)]


def fn_and(ev, arg, path):
    return all(_terms(ev, arg, path, "Fn::And"))


def fn_or(ev, arg, path):
    return any(_terms(ev, arg, path, "Fn::Or"))


def fn_select(ev, arg, path):
    index_node, list_node = _args(arg, path, "Fn::Select", 2)
    index_text = ev.text(index_node, f"{path}[0]", "Fn::Select index")
    if not re.fullmatch(r"\d+", index_text):
        raise CfnError(path, f"Fn::Select index must be a non-negative integer, got {index_text!r}")
    index = int(index_text)
    items = ev.resolve(list_node, f"{path}[1]")
    if not isinstance(items, list):
        raise CfnError(path, f"Fn::Select takes a list, got {items!r}")
    # CloudFormation checks neither bounds nor nulls before it fails the stack: say which.
    if index >= len(items):
        raise CfnError(path, f"Fn::Select cannot select nonexistent value at index {index}: "
                             f"the list has {len(items)} element(s) {items!r}")
    if items[index] is None:
        raise CfnError(path, f"Fn::Select selected a null value at index {index} of {items!r}")
    return items[index]


def fn_split(ev, arg, path):
    delimiter, source = _args(arg, path, "Fn::Split", 2)
    if not isinstance(delimiter, str) or not delimiter:
        raise CfnError(path, f"Fn::Split takes a non-empty delimiter string, got {delimiter!r}")
    return ev.text(source, f"{path}[1]", "Fn::Split source").split(delimiter)


def fn_join(ev, arg, path):
    delimiter, items = _args(arg, path, "Fn::Join", 2)
    if not isinstance(delimiter, str):
        raise CfnError(path, f"Fn::Join takes a delimiter string, got {delimiter!r}")
    return delimiter.join(ev.strings(items, f"{path}[1]", "Fn::Join list"))


def _sub_variable(ev, name, variables, path):
    """The value of ${name} in Fn::Sub: its variable map first, then Ref / GetAtt."""
    if name in variables:
        return variables[name]
    if not SUB_VARIABLE_RE.fullmatch(name):
        raise CfnError(path, f"Fn::Sub: invalid variable ${{{name}}}")
    if name in ev.params or name in ev.pseudo or name == "AWS::NoValue":
        value = ev.ref(name, path)
    elif "." in name and name.split(".", 1)[0] in (ev.template.get("Resources") or {}):
        value = ev.get_att(*name.split(".", 1), path)
    elif name in (ev.template.get("Resources") or {}):
        value = ev.ref(name, path)
    else:
        raise CfnError(path, f"Fn::Sub: ${{{name}}} is not a variable, parameter, pseudo parameter "
                             "or resource")
    if value is NO_VALUE or isinstance(value, (list, dict)) or value is None:
        raise CfnError(path, f"Fn::Sub: ${{{name}}} is {value!r}, not a string")
    return _text(value, path, f"${{{name}}}")


def fn_sub(ev, arg, path):
    if isinstance(arg, str):
        text, variable_nodes = arg, {}
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) \
            and isinstance(arg[1], dict):
        text, variable_nodes = arg
    else:
        raise CfnError(path, f"Fn::Sub takes a string or [string, {{variables}}], got {arg!r}")
    variables = {k: ev.text(v, f"{path}[1]/{k}", f"Fn::Sub variable {k}")
                 for k, v in variable_nodes.items()}
    out, i = [], 0
    while True:
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        end = text.find("}", start)
        if end < 0:
            raise CfnError(path, f"Fn::Sub: unterminated ${{ at offset {start} in {text!r}")
        out.append(text[i:start])
        name = text[start + 2:end]
        if name.startswith("!"):  # ${!Literal} is the text ${Literal}
            out.append("${" + name[1:] + "}")
        else:
            out.append(_sub_variable(ev, name, variables, path))
        i = end + 1


def fn_find_in_map(ev, arg, path):
    map_name, top, second = [ev.text(a, f"{path}[{i}]", "Fn::FindInMap key")
                             for i, a in enumerate(_args(arg, path, "Fn::FindInMap", 3))]
    mappings = ev.template.get("Mappings") or {}
    try:
        return mappings[map_name][top][second]
    except (KeyError, TypeError):
        raise CfnError(path, f"Fn::FindInMap: no {map_name}/{top}/{second} in Mappings") from None


def fn_base64(ev, arg, path):
    return base64.b64encode(ev.text(arg, path, "Fn::Base64 value").encode()).decode()


def fn_import_value(ev, arg, path):
    name = ev.text(arg, path, "Fn::ImportValue name")
    if name not in ev.imports:
        raise CfnError(path, f"Fn::ImportValue: no export named {name!r}")
    return ev.imports[name]


def _rule_only(fn, handler):
    """A rule function: an error outside Rules, as in CloudFormation."""
    def checked(ev, arg, path):
        if not ev._in_rules:
            raise CfnError(path, f"{fn} can be used only in Rules")
        return handler(ev, arg, path)
    return checked


def fn_contains(ev, arg, path):
    items, wanted = _args(arg, path, "Fn::Contains", 2)
    return ev.text(wanted, f"{path}[1]", "Fn::Contains value") in \
        ev.strings(items, f"{path}[0]", "Fn::Contains list")


def fn_each_member_equals(ev, arg, path):
    items, wanted = _args(arg, path, "Fn::EachMemberEquals", 2)
    wanted = ev.text(wanted, f"{path}[1]", "Fn::EachMemberEquals value")
    return all(v == wanted for v in ev.strings(items, f"{path}[0]", "Fn::EachMemberEquals list"))


def fn_each_member_in(ev, arg, path):
    items, allowed = _args(arg, path, "Fn::EachMemberIn", 2)
    allowed = ev.strings(allowed, f"{path}[1]", "Fn::EachMemberIn values")
    return all(v in allowed for v in ev.strings(items, f"{path}[0]", "Fn::EachMemberIn list"))


INTRINSICS = {
    "Ref": fn_ref,
    "Condition": fn_condition,
    "Fn::GetAtt": fn_get_att,
    "Fn::If": fn_if,
    "Fn::Equals": fn_equals,
    "Fn::Not": fn_not,
    "Fn::And": fn_and,
    "Fn::Or": fn_or,
    "Fn::Select": fn_select,
    "Fn::Split": fn_split,
    "Fn::Join": fn_join,
    "Fn::Sub": fn_sub,
    "Fn::FindInMap": fn_find_in_map,
    "Fn::Base64": fn_base64,
    "Fn::ImportValue": fn_import_value,
    "Fn::Contains": _rule_only("Fn::Contains", fn_contains),
    "Fn::EachMemberEquals": _rule_only("Fn::EachMemberEquals", fn_each_member_equals),
    "Fn::EachMemberIn": _rule_only("Fn::EachMemberIn", fn_each_member_in),
}


def evaluate_conditions(template, params):
    """Every condition of `template` for the parameter set `params` (name -> string value, as
    given to CreateStack): the parameters are validated first, then each condition is evaluated
    strictly. Returns {condition: bool}; raises CfnError naming the parameter or condition."""
    return Evaluator(template, params).conditions()
