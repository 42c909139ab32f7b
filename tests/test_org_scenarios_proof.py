"""Issue 15's "block only on proof" scenarios (tests/org_scenarios/scenarios_proof.py) through
the analyzer protocol in every shape, and their stated losses cross-checked by the brute-force
evaluator, with the organisation's stated facts in its request contexts and SST's names
enumerated from its own grammar table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import test_org_scenarios as base
from org_scenarios import bruteforce
from org_scenarios.engine import FreshPacks
from org_scenarios.scenarios_proof import PROOF, UNDECIDED
from org_scenarios.spec import Scenario
from org_scenarios.world import RoleState

packs = base.packs
SCENARIOS = PROOF.scenarios


@pytest.mark.parametrize("scenario_id, shape", base.cases(SCENARIOS))
def test_the_pack_gives_the_reasoned_verdict(packs: FreshPacks, scenario_id: str, shape: str,
                                             standalone_pack_dir: Path) -> None:
    base.give_verdict(SCENARIOS[scenario_id], shape, packs, standalone_pack_dir)


def with_facts(s: Scenario, contexts: Callable[..., list[dict[str, tuple[str, ...]]]]) -> Callable[..., list[
        dict[str, tuple[str, ...]]]]:
    """SST's contexts plus what the organisation states (IAM: aws:PrincipalOrgID and, for
    resources in the same account, aws:ResourceOrgID; session tags over role tags)."""
    stated: Mapping[str, object] = (s.pack_config or {}).get(UNDECIDED, {})

    def out(need: bruteforce.Need, arn: str) -> list[dict[str, tuple[str, ...]]]:
        found = []
        for ctx in contexts(need, arn):
            ctx = dict(ctx)
            org = stated.get("organizationId")
            if isinstance(org, str):
                ctx["aws:principalorgid"] = ctx["aws:resourceorgid"] = (org,)
            paths = stated.get("organizationPaths")
            if isinstance(paths, list):
                ctx["aws:principalorgpaths"] = ctx["aws:resourceorgpaths"] = tuple(paths)
            tags = stated.get("principalTags")
            if isinstance(tags, dict):
                ctx.update({f"aws:principaltag/{k.lower()}": (v,) for k, v in tags.items()})
            if need.action.lower() == "sts:assumerole" and "-role-" in arn and ":role/cdk-" in arn:
                kind = arn.split(":role/cdk-", 1)[1].split("-", 1)[1].rsplit("-role-", 1)[0]
                if kind == "cfn-exec":  # its trust lets only CloudFormation assume it: SST never does
                    return []
                ctx["aws:resourcetag/aws-cdk:bootstrap-role"] = (kind,)  # the bootstrap template's tag
            found.append(ctx)
        return found

    return out


def as_principal(contexts: Callable[..., list[dict[str, tuple[str, ...]]]], arn: str) -> Callable[..., list[
        dict[str, tuple[str, ...]]]]:
    """The contexts of the role's sessions: aws:PrincipalArn is the role's ARN (IAM User Guide)."""
    return lambda need, resource: [dict(ctx, **{"aws:principalarn": (arn,)}) for ctx in contexts(need, resource)]


@pytest.mark.parametrize("scenario_id", [s.id for s in SCENARIOS.values() if s.lost is not None])
def test_the_expected_losses_agree_with_brute_force(scenario_id: str) -> None:
    def contexts_for(s: Scenario, state: RoleState, contexts: Any) -> Any:
        arn = f"arn:aws:iam::{state.key[0]}:role/{state.key[1]}"
        return with_facts(s, as_principal(contexts, arn))

    base.losses_agree_with_brute_force(SCENARIOS[scenario_id], contexts_for)


def test_every_class_is_pinned_in_both_directions() -> None:
    """Each class has a scenario that passes and one that is a proven loss."""
    ids = set(SCENARIOS)
    for passes, loses in [("p15-ssm-other-team", "p15-ssm-sst-tree"), ("p15-another-toolkit", "p15-own-toolkit"),
                          ("p15-org-gate-ours", "p15-org-gate-other"), ("p15-prefix-exempt", "p15-prefix-not-exempt"),
                          ("p15-bootstrap-tag", "p15-bootstrap-tag-kinds")]:
        assert {passes, loses} <= ids
        assert not SCENARIOS[passes].update.findings and SCENARIOS[loses].update.findings


def test_the_brute_force_grammar_keeps_only_real_names() -> None:
    regex, built = bruteforce.real_names("arn:aws:ssm:us-east-1:112233445566:parameter/sst/*") or (None, [])
    assert regex is not None and built and all(regex.fullmatch(b) for b in built)
    assert not regex.fullmatch("arn:aws:ssm:us-east-1:112233445566:parameter/sst/x:parameter/payments/y")
    regex, _ = bruteforce.real_names("arn:aws:cloudformation:us-east-1:1:stack/*") or (None, [])
    assert regex is not None and not regex.fullmatch("arn:aws:cloudformation:us-east-1:1:stack/CDKToolkit/abc-1")
    assert bruteforce.real_names("arn:aws:iam::1:role/*ServerFunctionRole*") is None


def test_the_brute_force_resolves_policy_variables() -> None:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:ssm:*:${aws:PrincipalAccount}:*"}]}
    ctx = {"aws:principalaccount": ("112233445566",)}
    req = bruteforce.Request("ssm:GetParameter", "arn:aws:ssm:us-east-1:112233445566:parameter/x", ctx)
    assert bruteforce.decide(req, [bruteforce.statements(doc)], None) == "denied"
    other = bruteforce.Request(req.action, req.resource.replace("112233445566", "999999999999"), ctx)
    assert bruteforce.decide(other, [bruteforce.statements(doc)], None) == "allowed"
    text = dict(doc)
    del text["Version"]
    assert bruteforce.decide(req, [bruteforce.statements(text)], None) == "allowed"  # 2008: literal text
    cond = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}}]}
    same = {"aws:principalorgid": ("o-a1b2c3d4e5",), "aws:resourceorgid": ("o-a1b2c3d4e5",)}
    assert bruteforce.decide(bruteforce.Request("s3:GetObject", "x", same), [bruteforce.statements(cond)],
                             None) == "allowed"
    assert bruteforce.decide(bruteforce.Request("s3:GetObject", "x", {}), [bruteforce.statements(cond)],
                             None) == "denied"
