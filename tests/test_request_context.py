"""SST's real calls, and the request context each really has: the catalogue's calls are
inside the page's statements; the principal's part comes from the trust policy and tags."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sst_deployer.audit import losses
from sst_deployer.context import HOME_REGIONS, PrincipalContext, Session, request_contexts
from sst_deployer.iam import evaluate, parse_document
from sst_deployer.partitions import REGIONS
from sst_deployer.permissions import CATALOGUE, calls, requirements
from sst_deployer.render import render, to_json
from sst_deployer.settings import FEATURES, DeployerSettings
from sst_deployer.trust import GithubOidc, TrustSettings, principal_context, trust_document

ACCOUNT = "112233445566"


def docs(s: DeployerSettings) -> tuple:
    return tuple(parse_document(to_json(d), f"policy {n}") for n, d in enumerate(render(s), 1))


deployer_settings = st.builds(
    lambda partition, k, features, version, bucket: DeployerSettings(
        account=ACCOUNT, regions=REGIONS[partition][:k], partition=partition, features=frozenset(features),
        sst_version=version, file_assets_bucket_name=bucket),
    st.sampled_from(sorted(REGIONS)), st.integers(1, 3), st.sets(st.sampled_from(sorted(FEATURES))),
    st.sampled_from(["2.44.0", "2.48.1", "2.49.4", "2.49.8"]), st.none() | st.just("acme-cdk-assets"))


@settings(max_examples=40, deadline=None)
@given(s=deployer_settings)
def test_the_pages_statements_serve_every_real_call(s: DeployerSettings) -> None:
    lost, risks = losses(s, docs(s), None)
    assert lost == () and risks == ()


def test_every_call_is_inside_the_pages_statement_for_its_action() -> None:
    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1", "us-east-1"), features=frozenset(FEATURES))
    page = requirements(s)
    for call in calls(s):
        same = [parse_document({"Statement": [{"Effect": "Allow", "Action": r.action, "Resource": r.resource}]})
                for r in page if r.sid == call.sid and r.action == call.action]
        assert same and evaluate(call, same).granted, call.describe()


def test_calls_name_the_resource_type_each_action_is_authorised_against() -> None:
    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1",))
    by = {(c.action, c.resource) for c in calls(s)}
    # Object actions on objects, bucket actions on the bucket.
    assert ("s3:GetObject", "arn:aws:s3:::sstbootstrap-*/appMetadata/*") in by
    assert ("s3:ListBucket", "arn:aws:s3:::sstbootstrap-*") in by
    assert not any(a == "s3:GetObject" and r == "arn:aws:s3:::sstbootstrap-*" for a, r in by)
    # CDK's names carry the account and the region.
    assert ("s3:CreateBucket", f"arn:aws:s3:::cdk-hnb659fds-assets-{ACCOUNT}-eu-west-1") in by
    assert ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-deploy-role-{ACCOUNT}-eu-west-1") in by
    assert not any(a == "sts:AssumeRole" and "cfn-exec" in r for a, r in by)  # only CloudFormation assumes it
    # IoT: the endpoint on *, MQTT on SST's client, topics and topic filters.
    assert ("iot:DescribeEndpoint", "*") in by
    assert ("iot:Connect", f"arn:aws:iot:eu-west-1:{ACCOUNT}:client/mqttjs_*") in by
    assert ("iot:Subscribe", f"arn:aws:iot:eu-west-1:{ACCOUNT}:topicfilter//sst/*") in by
    assert ("iot:Receive", f"arn:aws:iot:eu-west-1:{ACCOUNT}:topic//sst/*") in by
    assert ("cloudformation:ListImports", "*") in by


def test_every_row_with_its_own_calls_cites_them() -> None:
    for grant in CATALOGUE:
        for call in grant.calls or ():
            assert call.source, f"{grant.sid}: a call without a source"


def tighter(s: DeployerSettings, drop: str | None = None) -> tuple:
    """A policy of exactly SST's calls (one statement per call), optionally missing one action."""
    statements = [{"Effect": "Allow", "Action": c.action, "Resource": c.resource} for c in calls(s)
                  if c.action != drop]
    return (parse_document({"Statement": statements}, "tight"),)


def test_a_policy_tighter_than_the_page_that_serves_every_call_passes() -> None:
    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1", "us-east-1"))
    assert losses(s, tighter(s), None) == ((), ())


@pytest.mark.parametrize("action", ["s3:ListBucket", "iot:Subscribe", "iam:PassRole", "s3:PutObject"])
def test_a_policy_that_misses_a_real_call_fails(action: str) -> None:
    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1",))
    lost, _ = losses(s, tighter(s, drop=action), None)
    assert lost and {loss.requirement.action for loss in lost} == {action}


# ------------------------------------------------------------------ request contexts


@pytest.mark.parametrize("partition", sorted(REGIONS))
def test_iam_is_called_in_the_partitions_home_region(partition: str) -> None:
    regions = REGIONS[partition][-2:]
    (ctx,) = request_contexts("iam:CreateRole", f"arn:{partition}:iam::{ACCOUNT}:role/x", ("cloudformation",),
                              partition, ACCOUNT, regions, None)
    assert ctx.state("aws:RequestedRegion") == ("known", (HOME_REGIONS[partition],))
    assert ctx.state("aws:CalledVia") == ("known", ("cloudformation.amazonaws.com",))
    assert ctx.state("aws:ViaAWSService") == ("known", ("true",))


def test_sts_and_buckets_are_called_in_each_region_and_arns_in_theirs() -> None:
    regions = ("eu-west-1", "us-east-1")
    sts = request_contexts("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/x", ("caller",), "aws", ACCOUNT,
                           regions, None)
    assert sorted(c.state("aws:RequestedRegion")[1][0] for c in sts) == list(regions)
    (stack,) = request_contexts("cloudformation:DescribeStacks", f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/*",
                                ("caller",), "aws", ACCOUNT, regions, None)
    assert stack.state("aws:RequestedRegion") == ("known", ("us-east-1",))
    assert stack.state("aws:CalledVia") == ("absent", ())
    (bucket,) = request_contexts("s3:GetObject", "arn:aws:s3:::sstbootstrap-*/*", ("caller",), "aws", ACCOUNT,
                                 regions, None, frozenset({"aws:resourceaccount"}))
    assert bucket.state("aws:ResourceAccount") == ("known", (ACCOUNT,))
    assert bucket.state("aws:RequestedRegion") == ("open", ())  # not a key any document tests


def test_contexts_are_reduced_to_the_keys_the_documents_test() -> None:
    principal = PrincipalContext(ACCOUNT, sessions=(Session("people", True), Session("ci", False)))
    many = request_contexts("sts:AssumeRole", "arn:aws:iam::1:role/x", ("caller", "cloudformation"), "aws", ACCOUNT,
                            ("eu-west-1", "us-east-1", "us-west-2"), principal)
    assert len(many) == 12
    assert len(request_contexts("sts:AssumeRole", "arn:aws:iam::1:role/x", ("caller", "cloudformation"), "aws",
                                ACCOUNT, ("eu-west-1", "us-east-1", "us-west-2"), principal, frozenset())) == 1


def trust(**kwargs: object) -> dict:
    return trust_document(TrustSettings(**kwargs), ACCOUNT, "aws", "arn:aws:iam::1:oidc-provider/x")  # type: ignore[arg-type]


def mfa_values(p: PrincipalContext) -> set[str]:
    return {c.state("aws:MultiFactorAuthPresent")[1][0] for c in p.contexts()}


def test_mfa_is_present_only_when_every_trust_path_requires_it() -> None:
    people = principal_context(trust(require_mfa=True), {}, ACCOUNT)
    assert mfa_values(people) == {"true"}
    with_ci = principal_context(trust(require_mfa=True, github=GithubOidc("acme/app", ("main",))), {}, ACCOUNT)
    assert mfa_values(with_ci) == {"true", "false"}
    vendor = principal_context(trust(principals=("222233334444",), external_id="vendor-1", require_mfa=True), {},
                               ACCOUNT)
    assert mfa_values(vendor) == {"false"}


def test_principal_tags_come_from_the_roles_tags_and_no_others() -> None:
    p = principal_context(trust(), {"environment": "dev"}, ACCOUNT)
    (ctx,) = p.contexts()
    assert ctx.state("aws:PrincipalTag/environment") == ("known", ("dev",))
    assert ctx.state("aws:PrincipalTag/team") == ("absent", ())
    unknown_tags = principal_context(trust(), None, ACCOUNT)
    assert unknown_tags.contexts()[0].state("aws:PrincipalTag/team") == ("open", ())
    tagging = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                              "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    assert principal_context(tagging, {}, ACCOUNT).contexts()[0].state("aws:PrincipalTag/team") == ("open", ())


@pytest.mark.parametrize("raw", ["{not json", 42, {"Statement": "x"}, None])
def test_an_unreadable_trust_policy_leaves_the_sessions_unknown(raw: object) -> None:
    p = principal_context(raw, {}, ACCOUNT)
    assert p.sessions == () and p.contexts()[0].state("aws:MultiFactorAuthPresent") == ("open", ())


def test_losses_keep_their_old_signature_and_take_a_context() -> None:
    s = DeployerSettings(account=ACCOUNT, regions=("us-east-1",))
    mfa_deny = parse_document({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Sid": "Mfa",
                                              "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]},
                              "guardrail")
    documents = (*docs(s), mfa_deny)
    lost, risks = losses(s, documents, None)  # nothing known of the sessions: a risk
    assert not lost and risks
    people = principal_context(trust(require_mfa=True), {}, ACCOUNT)
    assert losses(s, documents, None, context=people) == ((), ())
    ci = principal_context(trust(principals=(), github=GithubOidc("acme/app", ("main",))), {}, ACCOUNT)
    lost, _ = losses(s, documents, None, context=ci)
    assert lost and all("denied by statement 'Mfa' of guardrail" in x.reason for x in lost)
