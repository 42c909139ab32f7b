"""``DeployerRole`` from a Python program, as ``pip install sst-deployer-component`` users
write it: plain dicts (``DeployerRoleArgs``), errors naming the snake_case key before
anything is registered, and the same resources as the stack config gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import harness
import pulumi
import pytest
from harness import ROOT, run_program
from hypothesis import given
from hypothesis import strategies as st

import sst_deployer_component
from sst_deployer_component import DeployerArgsError, DeployerRole, DeployerRoleArgs, Strategy
from sst_deployer_component.spec import camel_case, snake_case


def program(tmp_path: Path, body: str) -> Path:
    """A consumer's ``__main__.py``: imports the installed package, nothing of this repository."""
    path = tmp_path / "__main__.py"
    path.write_text("import pulumi\nfrom sst_deployer_component import DeployerRole, Strategy\n" + body)
    return path


def test_a_python_consumer_gets_what_the_stack_config_gives(tmp_path: Path) -> None:
    consumer = program(tmp_path, (
        "DeployerRole('sst-deployer-dev', {'regions': ['eu-west-1', 'us-east-1'], 'account_id': '998877665544',\n"
        "    'features': {'live_lambda': False}, 'trust': {'require_mfa': True}, 'max_session_duration': 7200})\n"))
    consumed = run_program({"aws:region": "eu-west-1"}, program=consumer)
    configured = run_program({"aws:region": "eu-west-1", "sst-deployer:regions": ["eu-west-1", "us-east-1"],
                              "sst-deployer:accountId": "998877665544", "sst-deployer:features": {"liveLambda": False},
                              "sst-deployer:trust": {"requireMfa": True}, "sst-deployer:maxSessionDuration": 7200})
    assert sorted((r.type, r.name, str(r.inputs)) for r in consumed.resources) == \
        sorted((r.type, r.name, str(r.inputs)) for r in configured.resources)


@pytest.mark.parametrize(("args", "prop"), [
    ("{'regions': ['cn-north-1']}", "regions"),
    ("{'account_id': '12'}", "account_id"),
    ("{'trust': {'github_oidc': {'repository': 'acme/*'}}}", "trust.github_oidc.repository"),
    ("{'features': {'live_lambda': 'yes'}}", "features.live_lambda"),
    ("{'strategy': Strategy.CUSTOM}", "policy_document"),
    ("{'regoins': ['eu-west-1']}", "args"),
])
def test_a_bad_argument_names_the_snake_case_key_and_registers_nothing(tmp_path: Path, args: str, prop: str) -> None:
    consumer = program(tmp_path, f"DeployerRole('d', {args})\n")
    with pytest.raises(DeployerArgsError) as err:
        run_program({"aws:region": "eu-west-1"}, program=consumer)
    assert err.value.property == prop
    assert str(err.value).startswith(f"DeployerRole {prop}: ")
    from harness import LAST_RUN

    assert LAST_RUN["monitor"].captured == {}


def test_an_output_argument_is_refused_naming_it(tmp_path: Path) -> None:
    consumer = program(tmp_path, "DeployerRole('d', {'account_id': pulumi.Output.from_input('112233445566')})\n")
    with pytest.raises(DeployerArgsError, match=r"account_id: is an Output .* must be known when the deployer is "
                                                r"declared"):
        run_program({"aws:region": "eu-west-1"}, program=consumer)


def test_the_program_reports_bad_config_as_the_stack_config_key() -> None:
    with pytest.raises(pulumi.RunError, match=r"^sst-deployer:trust\.githubOidc\.repository: "):
        run_program({"aws:region": "eu-west-1", "sst-deployer:trust": {"githubOidc": {"repository": "acme/*"}}})


def test_this_repositorys_program_imports_the_component_like_a_consumer() -> None:
    source = (ROOT / "__main__.py").read_text()
    assert "from sst_deployer_component import" in source
    assert "components" not in source.replace("component_", "")  # not the directory, the package


def test_the_package_exports_its_public_names() -> None:
    assert set(sst_deployer_component.__all__) >= {"DeployerRole", "DeployerRoleArgs", "Strategy", "PolicyProfile",
                                                  "Features", "Trust", "GithubOidc", "__version__"}
    args: DeployerRoleArgs = {"regions": ["eu-west-1"], "strategy": Strategy.ADMINISTRATOR}
    assert DeployerRole.__init__.__annotations__["args"] is DeployerRoleArgs and args


_WORD = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)


@given(st.lists(_WORD, min_size=1, max_size=4))
def test_snake_and_camel_case_are_inverse_for_python_names(parts: list[str]) -> None:
    name = "_".join(parts)
    assert snake_case(camel_case(name)) == name
    assert camel_case(name) == parts[0] + "".join(p.capitalize() for p in parts[1:])



@pytest.mark.parametrize("option", ["provider=org", "providers=[org]", "providers={'aws': org}"])
def test_the_callers_account_is_asked_of_the_provider_the_children_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    """An explicit provider for another account: its caller identity, not the default one's."""
    asked: list[tuple[str, str]] = []
    original = harness.RecordingMocks.call

    def call(self: harness.RecordingMocks, args: Any) -> Any:
        asked.append((args.token, args.provider))
        return original(self, args)

    monkeypatch.setattr(harness.RecordingMocks, "call", call)
    consumer = program(tmp_path, "import pulumi_aws as aws\norg = aws.Provider('org', region='eu-west-1')\n"
                                 f"DeployerRole('d', {{}}, pulumi.ResourceOptions({option}))\n")
    run_program({"aws:region": "eu-west-1"}, program=consumer)
    assert {token for token, _ in asked} == {"aws:index/getCallerIdentity:getCallerIdentity",
                                             "aws:index/getPartition:getPartition"}
    assert all("::pulumi:providers:aws::org::" in provider for _, provider in asked), asked
