"""Tests of scripts/cfn_eval.py: each test_* function runs on tiny templates and proves one rule
of the evaluator (strict Select, And/Or evaluating every term, parameter constraints, Rules,
Sub, NoValue, resource references).
"""
from cfn_eval import (NO_VALUE, CfnError, Evaluator, MapResources, evaluate_conditions,
                      resolve_parameters)


def raises(call, *fragments):
    """Asserts that `call()` raises CfnError whose text contains every fragment."""
    try:
        value = call()
    except CfnError as e:
        missing = [f for f in fragments if f not in str(e)]
        assert not missing, f"error {str(e)!r} does not mention {missing}"
        return str(e)
    raise AssertionError(f"no error; returned {value!r}")


def template(parameters=None, conditions=None, resources=None, outputs=None):
    """A template from its sections (a topic resource when none is given)."""
    return {"Parameters": parameters or {}, "Conditions": conditions or {},
            "Resources": resources or {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": outputs or {}}


def value(node, params=None, **sections):
    """Resolves `node` in a template made of `sections`."""
    return Evaluator(template(**sections), params).resolve(node, "Test")


# The project's own pattern: the third field of an ARN parameter that defaults to "".
ARN = {"Target": {"Type": "String", "Default": ""}}
THIRD_FIELD = {"Fn::Select": [2, {"Fn::Split": [":", {"Ref": "Target"}]}]}
PADDED_THIRD_FIELD = {"Fn::Select": [2, {"Fn::Split": [":", {"Fn::Sub": "${Target}:::"}]}]}
NEVER = {"Fn::Equals": ["a", "b"]}
ALWAYS = {"Fn::Equals": ["a", "a"]}


# --- Fn::Select ---------------------------------------------------------------------------

def test_select_out_of_range_raises():
    raises(lambda: value({"Fn::Select": [3, ["a", "b"]]}), "Test/Fn::Select", "index 3", "2 element")


def test_select_out_of_range_in_condition_names_condition():
    conditions = {"IsBus": {"Fn::Equals": [THIRD_FIELD, "events"]}}
    raises(lambda: evaluate_conditions(template(ARN, conditions), {}),
           "Conditions/IsBus/Fn::Equals[0]/Fn::Select", "nonexistent value at index 2")


def test_select_in_range_and_padded_default():
    conditions = {"IsBus": {"Fn::Equals": [PADDED_THIRD_FIELD, "events"]}}
    t = template(ARN, conditions)
    assert evaluate_conditions(t, {}) == {"IsBus": False}
    bus = "arn:aws:events:us-east-1:123456789012:event-bus/x"
    assert evaluate_conditions(t, {"Target": bus}) == {"IsBus": True}


def test_select_null_element_raises():
    raises(lambda: value({"Fn::Select": [1, ["a", None]]}), "null value at index 1")


def test_select_index_from_parameter():
    params = {"I": {"Type": "Number", "Default": 1}}
    assert value({"Fn::Select": [{"Ref": "I"}, ["a", "b"]]}, parameters=params) == "b"


# --- Fn::And, Fn::Or, Fn::Not, Fn::Equals -------------------------------------------------

def test_and_evaluates_every_term():
    # The first term is false; a short-circuit would hide the invalid Select in the second.
    conditions = {"Never": NEVER,
                  "Both": {"Fn::And": [{"Condition": "Never"}, {"Fn::Equals": [THIRD_FIELD, "x"]}]}}
    raises(lambda: evaluate_conditions(template(ARN, conditions), {}),
           "Conditions/Both/Fn::And[1]", "Fn::Select")


def test_or_evaluates_every_term():
    conditions = {"Either": {"Fn::Or": [ALWAYS, {"Fn::Equals": [THIRD_FIELD, "x"]}]}}
    raises(lambda: evaluate_conditions(template(ARN, conditions), {}), "Fn::Or[1]", "Fn::Select")


def test_and_or_need_two_to_ten_terms():
    raises(lambda: evaluate_conditions(template(conditions={"C": {"Fn::And": [ALWAYS]}}), {}),
           "2 to 10")
    raises(lambda: evaluate_conditions(template(conditions={"C": {"Fn::Or": [NEVER] * 11}}), {}),
           "2 to 10")
    assert evaluate_conditions(template(conditions={"C": {"Fn::Or": [NEVER] * 9 + [ALWAYS]}}),
                               {}) == {"C": True}


def test_not_and_equals_arity():
    raises(lambda: evaluate_conditions(template(conditions={"C": {"Fn::Not": [ALWAYS, NEVER]}}), {}),
           "Fn::Not takes a list of 1")
    raises(lambda: evaluate_conditions(template(conditions={"C": {"Fn::Equals": ["a"]}}), {}),
           "Fn::Equals takes a list of 2")


def test_condition_must_be_boolean():
    raises(lambda: evaluate_conditions(template(conditions={"C": {"Fn::Not": ["true"]}}), {}),
           "must be a condition")


def test_conditions_cannot_reference_resources():
    conditions = {"C": {"Fn::Equals": [{"Ref": "Topic"}, ""]}}
    raises(lambda: evaluate_conditions(template(conditions=conditions), {}), "cannot reference resource")


def test_condition_cycle_and_unknown_condition():
    conditions = {"A": {"Fn::Not": [{"Condition": "B"}]}, "B": {"Fn::Not": [{"Condition": "A"}]}}
    raises(lambda: evaluate_conditions(template(conditions=conditions), {}), "cycle")
    raises(lambda: value({"Fn::If": ["Missing", "a", "b"]}), "'Missing' is not defined")


def test_equals_compares_numbers_as_text():
    params = {"N": {"Type": "Number", "Default": 5}}
    assert evaluate_conditions(template(params, {"C": {"Fn::Equals": [{"Ref": "N"}, 5]}}), {}) == {"C": True}


# --- Rules ---------------------------------------------------------------------------------

ROLE_LIST = {"Mode": {"Type": "String", "Default": ""},
             "Roles": {"Type": "CommaDelimitedList", "Default": ""}}
NO_ROLES_IN_ORG = {"OrgWithoutRoles": {
    "RuleCondition": {"Fn::Equals": [{"Ref": "Mode"}, "organization"]},
    "Assertions": [{"Assert": {"Fn::EachMemberEquals": [{"Ref": "Roles"}, ""]},
                    "AssertDescription": "leave Roles empty"}]}}


def rules_of(params, rules=NO_ROLES_IN_ORG, parameters=ROLE_LIST):
    return Evaluator(dict(template(parameters), Rules=rules), params).rules()


def test_rule_assertion_fails_with_its_description():
    raises(lambda: rules_of({"Mode": "organization", "Roles": "arn:a"}),
           "Rules/OrgWithoutRoles", "leave Roles empty")
    assert rules_of({"Mode": "organization"}) == ["OrgWithoutRoles"]
    assert rules_of({"Mode": "list", "Roles": "arn:a"}) == []


def test_rule_assertions_are_evaluated_where_the_condition_is_false():
    rules = {"R": {"RuleCondition": NEVER,
                   "Assertions": [{"Assert": {"Fn::Contains": [{"Ref": "Missing"}, "x"]}}]}}
    raises(lambda: rules_of({}, rules), "Rules/R/Assertions[0]/Assert", "'Missing'")


def test_rule_functions():
    def check(assertion):
        return rules_of({"Roles": "a,b"}, {"R": {"Assertions": [{"Assert": assertion}]}})
    assert check({"Fn::Contains": [{"Ref": "Roles"}, "b"]}) == ["R"]
    assert check({"Fn::EachMemberIn": [{"Ref": "Roles"}, ["a", "b", "c"]]}) == ["R"]
    raises(lambda: check({"Fn::Contains": [{"Ref": "Roles"}, "c"]}), "Assertion failed")
    raises(lambda: check({"Fn::EachMemberEquals": [{"Ref": "Roles"}, "a"]}), "Assertion failed")
    raises(lambda: check({"Fn::EachMemberIn": [{"Ref": "Roles"}, ["a"]]}), "Assertion failed")


def test_rule_functions_only_in_rules_and_rules_only_on_parameters():
    raises(lambda: value({"Fn::Contains": [["a"], "a"]}), "only in Rules")
    rules = {"R": {"Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "Topic"}, ""]}}]}}
    raises(lambda: rules_of({}, rules), "cannot reference resource")


# --- parameters ---------------------------------------------------------------------------

def test_allowed_pattern_matches_the_whole_value():
    params = {"P": {"Type": "String", "Default": "abc", "AllowedPattern": "[a-z]+"}}
    assert resolve_parameters(template(params), {})["P"] == "abc"
    raises(lambda: resolve_parameters(template(params), {"P": "abc1"}), "Parameters/P", "[a-z]+")


def test_allowed_pattern_prints_constraint_description():
    params = {"P": {"Type": "String", "Default": "", "AllowedPattern": "^(|x)$",
                    "ConstraintDescription": "empty or x"}}
    raises(lambda: resolve_parameters(template(params), {"P": "y"}),
           "failed to satisfy constraint: empty or x")


def test_allowed_values():
    params = {"L": {"Type": "String", "Default": "INFO", "AllowedValues": ["INFO", "WARN"]},
              "D": {"Type": "Number", "Default": 90, "AllowedValues": [1, 90, 365]}}
    assert resolve_parameters(template(params), {"L": "WARN", "D": "365"}) == {"L": "WARN", "D": "365"}
    raises(lambda: resolve_parameters(template(params), {"L": "info"}), "Parameters/L", "AllowedValues")
    raises(lambda: resolve_parameters(template(params), {"D": "4"}), "Parameters/D", "AllowedValues")


def test_number_parse_and_range():
    params = {"N": {"Type": "Number", "Default": 2, "MinValue": 0, "MaxValue": 2}}
    assert resolve_parameters(template(params), {"N": "1.5"})["N"] == "1.5"
    for bad in ("3", "-1"):
        raises(lambda: resolve_parameters(template(params), {"N": bad}),
               "Parameters/N", "must be a number not")
    for bad in ("two", "1_0", " 1", "nan", ""):
        raises(lambda: resolve_parameters(template(params), {"N": bad}), "must be a number")


def test_string_length():
    params = {"S": {"Type": "String", "Default": "ab", "MinLength": 2, "MaxLength": 3}}
    raises(lambda: resolve_parameters(template(params), {"S": "a"}), "at least 2")
    raises(lambda: resolve_parameters(template(params), {"S": "abcd"}), "at most 3")


def test_comma_delimited_list():
    params = {"L": {"Type": "CommaDelimitedList", "Default": "", "AllowedPattern": "(|arn:.*)"}}
    assert resolve_parameters(template(params), {})["L"] == [""]
    assert resolve_parameters(template(params), {"L": "arn:a, arn:b"})["L"] == ["arn:a", "arn:b"]
    raises(lambda: resolve_parameters(template(params), {"L": "arn:a,b"}), "Parameters/L", "'b'")
    joined = {"Fn::Join": ["|", {"Ref": "L"}]}
    assert value(joined, {"L": "arn:a,arn:b"}, parameters=params) == "arn:a|arn:b"


def test_unknown_and_missing_parameters():
    params = {"Required": {"Type": "String"}}
    raises(lambda: resolve_parameters(template(params), {"Required": "x", "Other": "y"}),
           "Other", "do not exist")
    raises(lambda: resolve_parameters(template(params), {}), "Required", "must have values")


def test_ref_to_number_is_text():
    params = {"N": {"Type": "Number", "Default": 45}}
    assert value({"Ref": "N"}, parameters=params) == "45"


# --- Fn::Sub, Fn::Join, Fn::Split, NoValue ------------------------------------------------

def test_sub_both_forms_and_literal_escape():
    params = {"Name": {"Type": "String", "Default": "x"}}
    assert value({"Fn::Sub": "${AWS::StackName}-${Name}-${!Literal}"}, parameters=params) == \
        "lightsail-key-audit-x-${Literal}"
    assert value({"Fn::Sub": ["${A}/${Name}", {"A": {"Fn::Join": ["+", ["p", "q"]]}}]},
                 parameters=params) == "p+q/x"


def test_sub_bad_variables_raise():
    raises(lambda: value({"Fn::Sub": "${Nope}"}), "${Nope}", "not a variable")
    raises(lambda: value({"Fn::Sub": "${Topic.Arn"}), "unterminated")
    params = {"L": {"Type": "CommaDelimitedList", "Default": "a,b"}}
    raises(lambda: value({"Fn::Sub": "${L}"}, parameters=params), "not a string")


def test_join_and_split_need_their_types():
    assert value({"Fn::Split": [",", "a,b,,c"]}) == ["a", "b", "", "c"]
    raises(lambda: value({"Fn::Join": [",", "not a list"]}), "must be a list")
    raises(lambda: value({"Fn::Split": [",", ["a"]]}), "must be a string")


def test_no_value_is_removed_from_lists_and_objects():
    conditions = {"Never": NEVER}
    node = {"List": ["a", {"Fn::If": ["Never", "b", {"Ref": "AWS::NoValue"}]}],
            "Gone": {"Fn::If": ["Never", "c", {"Ref": "AWS::NoValue"}]}}
    assert value(node, conditions=conditions) == {"List": ["a"]}
    assert value({"Ref": "AWS::NoValue"}) is NO_VALUE


# --- resources ----------------------------------------------------------------------------

def test_symbolic_resources():
    assert value({"Fn::Join": [" ", [{"Ref": "Topic"}, {"Fn::GetAtt": ["Topic", "TopicName"]}]]}) == \
        "${Topic} ${Topic.TopicName}"
    assert value({"Fn::Sub": "${Topic.TopicName}"}) == "${Topic.TopicName}"


def test_unknown_and_disabled_resources_raise():
    raises(lambda: value({"Ref": "Missing"}), "'Missing' is not a parameter")
    resources = {"Topic": {"Type": "AWS::SNS::Topic", "Condition": "Never"}}
    raises(lambda: value({"Ref": "Topic"}, conditions={"Never": NEVER}, resources=resources),
           "not created", "Never")
    # The branch not taken may name it: that is how conditional resources are referenced.
    assert value({"Fn::If": ["Never", {"Ref": "Topic"}, "none"]},
                 conditions={"Never": NEVER}, resources=resources) == "none"


def test_map_resources():
    ev = Evaluator(template(), {}, resources=MapResources({"Topic": {"Ref": "arn:t", "TopicName": "t"}}))
    assert ev.resolve({"Fn::Sub": "${Topic}|${Topic.TopicName}"}, "Test") == "arn:t|t"
    raises(lambda: ev.resolve({"Fn::GetAtt": "Topic.Nope"}, "Test"), "no attribute Nope")


def test_unsupported_function_raises():
    raises(lambda: value({"Fn::Cidr": ["10.0.0.0/16", 2, 8]}), "not supported")


def test_output_value_must_be_a_string():
    params = {"L": {"Type": "CommaDelimitedList", "Default": "a,b"}}
    t = template(params, outputs={"List": {"Value": {"Ref": "L"}},
                                  "Joined": {"Value": {"Fn::Join": [",", {"Ref": "L"}]}}})
    raises(lambda: Evaluator(t).output_value("List"), "Outputs/List/Value", "must be a string")
    assert Evaluator(t).output_value("Joined") == "a,b"


def test_resolve_template_sections():
    t = template(conditions={"Never": NEVER},
                 resources={"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "x"}},
                            "Other": {"Type": "AWS::SNS::Topic", "Condition": "Never"}},
                 outputs={"Arn": {"Value": {"Ref": "Topic"}}})
    assert Evaluator(t).resolve_template() == {"Resources": {"Topic": {"DisplayName": "x"}},
                                               "Outputs": {"Arn": "${Topic}"}}

