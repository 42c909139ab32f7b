"""A mandatory verdict needs proof (issue 15, classes 2 and 4): a conditional Deny is a loss
only when its condition holds for a call SST makes, harmless when it cannot, and otherwise
undecided, naming the key whose value would decide it. Organisation facts, policy
variables, the CDK roles' tag and a ``namePrefix`` role's ARN decide what they can."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sst_deployer import iam
from sst_deployer.audit import losses
from sst_deployer.context import NO_FACTS, OrgFacts, PrincipalContext, Session, decided_by
from sst_deployer.iam import PATTERN_VALUE, Context, Outcome, condition_outcome, normalize_conditions
from sst_deployer.policies.pack import org_facts
from sst_deployer.settings import DeployerSettings

ACCOUNT = "112233445566"
ORG = "o-a1b2c3d4e5"
SETTINGS = DeployerSettings(account=ACCOUNT, regions=("eu-west-1",))
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/"


def _verdict(deny: dict[str, Any], org: OrgFacts = NO_FACTS, arn: str | None = None,
             version: str | None = "2012-10-17") -> tuple[set[str], dict[str, tuple[str, ...]]]:
    raw: dict[str, Any] = {"Statement": [ALLOW_ALL, deny]}
    if version:
        raw["Version"] = version
    doc = iam.parse_document(raw, "guardrail")
    who = PrincipalContext(ACCOUNT, sessions=(Session("people", True),), org=org, role_arn=arn)
    lost, risks = losses(SETTINGS, (doc,), None, who)
    return {x.requirement.sid for x in lost}, {r.requirement.sid: r.open_keys for r in risks}


def _deny(condition: dict[str, Any], action: str = "*", resource: str = "*") -> dict[str, Any]:
    return {"Sid": "Guard", "Effect": "Deny", "Action": action, "Resource": resource, "Condition": condition}


PERIMETER = _deny({"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}})
NOT_OUR_ORG = _deny({"StringNotEquals": {"aws:PrincipalOrgID": ORG}})


def test_the_data_perimeter_is_undecided_without_the_organisation_and_harmless_with_it() -> None:
    lost, risks = _verdict(PERIMETER)
    assert lost == set() and risks  # an account outside any organisation would lose everything
    assert all("aws:resourceorgid" in keys for keys in risks.values())
    assert _verdict(PERIMETER, OrgFacts(ORG)) == (set(), {})


def test_a_principal_org_gate_is_harmless_for_that_organisation_and_a_loss_for_another() -> None:
    lost, risks = _verdict(NOT_OUR_ORG)
    assert lost == set() and set(risks.values()) == {("aws:principalorgid",)}
    assert _verdict(NOT_OUR_ORG, OrgFacts(ORG)) == (set(), {})
    lost, risks = _verdict(NOT_OUR_ORG, OrgFacts("o-zzzzzzzzzz"))
    assert "AllowSSTDeployStacks" in lost and not risks


def test_org_paths_decide_a_paths_gate() -> None:
    gate = _deny({"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-11111111/*"}})
    assert _verdict(gate, OrgFacts(ORG, (f"{ORG}/r-ab12/ou-ab12-11111111/ou-ab12-22222222/",))) == (set(), {})
    lost, _ = _verdict(gate, OrgFacts(ORG, (f"{ORG}/r-ab12/ou-ab12-33333333/",)))
    assert lost


def test_the_cdk_roles_carry_their_bootstrap_tag() -> None:
    untagged = _deny({"Null": {"aws:ResourceTag/aws-cdk:bootstrap-role": "true"}}, action="sts:AssumeRole")
    assert _verdict(untagged) == (set(), {})
    other_kind = _deny({"StringNotEquals": {"aws:ResourceTag/aws-cdk:bootstrap-role": ["deploy", "lookup"]}},
                       action="sts:AssumeRole")
    lost, _ = _verdict(other_kind)
    assert lost == {"AllowSSTAssumeCDKToolkitRoles"}  # file- and image-publishing are assumed too


def test_stated_session_tags_decide_a_principal_tag_gate() -> None:
    gate = _deny({"StringNotEquals": {"aws:PrincipalTag/team": "platform"}})
    assert _verdict(gate, OrgFacts(tags=(("team", "platform"),))) == (set(), {})
    lost, _ = _verdict(gate, OrgFacts(tags=(("team", "web"),)))
    assert lost


def test_resource_variables_are_resolved_from_the_request() -> None:
    own = _deny({}, action="ssm:*", resource="arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/sst/*")
    del own["Condition"]
    lost, risks = _verdict(own)
    assert lost == {"AllowSSTCLIManageAppSecrets", "AllowSSTCLIManageFallbackSecrets"} and not risks
    unknown = dict(own, Resource="arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}/*")
    lost, risks = _verdict(unknown)
    assert lost == set() and set(risks.values()) == {("aws:principaltag/team",)}


def test_variables_are_text_outside_version_2012_10_17() -> None:
    own = {"Effect": "Deny", "Action": "ssm:*", "Resource": "arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/*"}
    assert _verdict(own, version=None)[0] == set()  # 2008-10-17: no ARN holds "${aws:PrincipalAccount}"
    assert _verdict(own)[0]


def test_a_default_value_stands_in_for_a_missing_key() -> None:
    gate = _deny({"StringNotEquals": {"aws:PrincipalTag/team": "${aws:username, 'nobody'}"}})
    lost, _ = _verdict(gate, OrgFacts(tags=(("team", "nobody"),)))  # roles have no aws:username
    assert lost == set()


PREFIXED = _deny({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/sst-deployer-*"}})


def _prefixed(prefix: str) -> str:
    return PATTERN_VALUE + ROLE + prefix + "?" * 26


def test_a_name_prefix_decides_a_principal_arn_exemption() -> None:
    assert _verdict(PREFIXED, arn=_prefixed("sst-deployer-")) == (set(), {})
    lost, _ = _verdict(PREFIXED, arn=_prefixed("ci-"))
    assert lost
    lost, risks = _verdict(PREFIXED, arn=_prefixed("sst-"))  # "sst-" + suffix may or may not match
    assert lost == set() and set(risks.values()) == {("aws:principalarn",)}


@given(st.text(alphabet="ab*?", max_size=5), st.text(alphabet="ab", max_size=3), st.integers(0, 3))
def test_a_pattern_value_is_judged_as_every_string_it_stands_for(policy: str, prefix: str, unknown: int) -> None:
    """The verdict on ``prefix`` + ``unknown`` unknown characters holds for each of them."""
    conditions = normalize_conditions({"StringLike": {"k": policy}})
    ctx = Context.of({"k": PATTERN_VALUE + prefix + "?" * unknown})
    outcome = condition_outcome(conditions, ctx)
    values = [prefix + "".join(t) for t in _words("ab", unknown)]
    truth = {iam.matches(policy, v) for v in values}  # some of the strings it stands for
    if outcome is Outcome.HOLDS:
        assert truth == {True}
    elif outcome is Outcome.CANNOT_HOLD:
        assert truth == {False}
    else:  # open: it depends on the unknown characters, which "a" and "b" may not show
        assert unknown > 0 or policy.count("*") + policy.count("?") > 0


def _words(alphabet: str, n: int) -> list[str]:
    return [""] if n == 0 else [a + w for a in alphabet for w in _words(alphabet, n - 1)]


def test_every_fact_the_pack_asks_for_is_named() -> None:
    assert decided_by("aws:principalorgid") == "organizationId"
    assert decided_by("aws:resourceorgpaths") == "organizationPaths"
    assert decided_by("aws:principaltag/team").startswith("principalTags")
    assert "not known" in decided_by("aws:sourceip")


@pytest.mark.parametrize("config, expected", [
    ({}, NO_FACTS),
    ({"organizationId": ORG}, OrgFacts(ORG)),
    ({"organizationId": "o-BAD"}, NO_FACTS),
    ({"organizationPaths": [f"{ORG}/r-ab12/", "nope", 3]}, OrgFacts(None, (f"{ORG}/r-ab12/",))),
    ({"principalTags": {"team": "platform", "n": 1}}, OrgFacts(tags=(("team", "platform"),))),
    ({"principalTags": "team=platform"}, NO_FACTS),
])
def test_organisation_facts_that_do_not_fit_the_schema_are_left_out(config: dict[str, Any],
                                                                    expected: OrgFacts) -> None:
    assert org_facts(config) == expected


def test_the_schema_patterns_are_the_ones_the_pack_reads() -> None:
    from sst_deployer.policies.pack import ORG_ID, ORG_PATH, POLICIES, UNDECIDED

    (policy,) = [p for p in POLICIES if p.name == UNDECIDED]
    props = policy.config_schema.properties  # type: ignore[union-attr]
    for value in (ORG, "o-BAD", "o-abc", ""):
        assert bool(re.match(props["organizationId"]["pattern"], value)) == bool(ORG_ID.match(value) or value == "")
    assert props["organizationPaths"]["items"]["pattern"] == ORG_PATH.pattern
