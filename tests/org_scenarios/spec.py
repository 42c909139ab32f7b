"""How a scenario states its expected verdict, and how a verdict is checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from analyzer import Diagnostic
from sst_deployer.permissions import expand, grants_for
from sst_deployer.settings import DeployerSettings

from .bruteforce import Need, Unsupported

SHAPES = ("update", "preview", "refreshed")
"""After ``pulumi up`` (read-backs as right after a create), in ``pulumi preview`` of a new
stack (unknowns), and after ``pulumi refresh`` (read-backs list what AWS really has)."""


@dataclass(frozen=True)
class Finding:
    """A diagnostic the pack must give: on one of the resources ``on`` (logical names),
    at ``level``, from ``policy`` (any when None), its message containing every ``says``."""

    on: tuple[str, ...]
    says: tuple[str, ...] = ()
    policy: str | None = None
    level: str | None = "mandatory"  # None: any level
    says_any: tuple[str, ...] = ()  # and at least one of these, when given


@dataclass(frozen=True)
class Verdict:
    """Expected diagnostics. Mandatory diagnostics are allowed only on the resources the
    findings name (anything else blocks a correct stack); advisory ones are free unless
    ``quiet`` (then none at all is allowed outside the findings)."""

    findings: tuple[Finding, ...] = ()
    quiet: bool = False
    xfail: str | None = None  # what the current pack gets wrong, if it does


PASS = Verdict()


@dataclass(frozen=True)
class Scenario:
    id: str
    program: str
    why: str  # the reasoning and its sources
    config: Mapping[str, Any]
    update: Verdict
    preview: Verdict
    stack: str = "production"
    # Cross-check with the brute-force evaluator (update shape, converged end state):
    # role (logical name) -> the SST statements (Sids) that role must have lost.
    lost: Mapping[str, frozenset[str]] | None = None
    mfa: bool | None = True  # aws:MultiFactorAuthPresent of the role's sessions
    pack_config: Mapping[str, Mapping[str, Any]] | None = None
    refreshed: Verdict | None = None  # None: the update's verdict
    # Stale read-backs in the update shape: role (logical name) -> the policies (logical
    # names) its managedPolicyArns still lists from the last refresh.
    stale: Mapping[str, tuple[str, ...]] | None = None

    def verdict(self, shape: str) -> Verdict:
        if shape == "refreshed":
            return self.refreshed or self.update
        return self.update if shape == "update" else self.preview


_IOT: Final = {"iot:connect": "client", "iot:publish": "topic", "iot:receive": "topic",
               "iot:subscribe": "topicfilter"}
"""IoT data-plane actions and the resource type each is authorised against (Service
Authorization Reference, AWS IoT); the page writes ``*`` for them."""


def needs(settings: DeployerSettings) -> list[Need]:
    """Every (Sid, action, ARN pattern) SST needs for ``settings``, from the catalogue table.
    Where the page says ``*``, the request's resource is ``*`` (actions with no resource
    type: ListImports, DescribeEndpoint...) or, for IoT's data plane, the account's
    client/topic ARNs in each region."""
    out: list[Need] = []
    for g in grants_for(settings):
        condition = dict(g.condition or {})
        if condition and condition != {"Null": {"aws:ResourceTag/sst:app": "false"}}:
            raise Unsupported(f"{g.sid}: condition {condition}")
        for template in g.resources:
            for arn in expand(template, settings):
                for a in g.actions:
                    kind = _IOT.get(a.lower())
                    if arn == "*" and kind:
                        out.extend(Need(g.sid, a, f"arn:{settings.partition}:iot:{region}:{settings.account}:{kind}/*",
                                        bool(condition)) for region in settings.regions)
                    else:
                        out.append(Need(g.sid, a, arn, bool(condition), exact=arn == "*"))
    return out


def sst_context(settings: DeployerSettings, mfa: bool | None,
                tags: Mapping[str, str]) -> Callable[[Need, str], list[dict[str, tuple[str, ...]]]]:
    """The request context of SST's own calls (IAM User Guide, global condition keys)."""

    def contexts(need: Need, arn: str) -> list[dict[str, tuple[str, ...]]]:
        parts = arn.split(":", 5)
        service = parts[2] if len(parts) > 2 else ""
        if need.action.lower().startswith("sts:"):
            regions = list(settings.regions)  # SST's SDK calls the regional STS endpoint
        elif service == "iam":
            regions = ["us-east-1"]  # IAM's endpoint is in the partition's home region
        elif len(parts) > 3 and parts[3] and "*" not in parts[3]:
            regions = [parts[3]]
        else:
            regions = list(settings.regions)
        out = []
        for region in regions:
            base: dict[str, tuple[str, ...]] = {
                "aws:requestedregion": (region,), "aws:securetransport": ("true",),
                "aws:principalaccount": (settings.account,), "aws:resourceaccount": (settings.account,),
                "aws:viaawsservice": ("false",)}
            if mfa is not None:
                base["aws:multifactorauthpresent"] = ("true" if mfa else "false",)
            for k, v in tags.items():
                base[f"aws:principaltag/{k.lower()}"] = (v,)
            tagged = dict(base, **{"aws:resourcetag/sst:app": ("myapp",)})
            out.extend([tagged] if need.tagged else [base, tagged])
        return out

    return contexts


class WrongVerdict(AssertionError):
    """The pack's diagnostics differ from the reasoned verdict (only this may be xfail)."""


def said(d: Diagnostic) -> str:
    """The violation's own message: pulumi-policy sends the policy's description, a newline,
    then the message the policy reported (``policy.py``, ``_create_report_violation``)."""
    return d.message.split("\n", 1)[1] if "\n" in d.message else ""


def check(verdict: Verdict, diags: Sequence[Diagnostic], urns_of: Callable[[str], set[str]]) -> list[str]:
    """What is wrong with ``diags`` against ``verdict`` (empty: it holds)."""
    problems = []
    allowed_urns = {u for f in verdict.findings for n in f.on for u in urns_of(n)}
    for f in verdict.findings:
        urns = {u for n in f.on for u in urns_of(n)}
        if not any(d.urn in urns and f.level in (None, d.level) and (f.policy is None or d.policy == f.policy)
                   and all(s in said(d) for s in f.says)
                   and (not f.says_any or any(s in said(d) for s in f.says_any)) for d in diags):
            alternatives = f" and one of {f.says_any}" if f.says_any else ""
            problems.append(f"missing: {f.level or 'any level'} {f.policy or 'any policy'} on {'/'.join(f.on)} "
                            f"saying {f.says}{alternatives}")
    for d in diags:
        if d.urn in allowed_urns:
            continue
        if d.level == "mandatory" or verdict.quiet:
            problems.append(f"unexpected {d.level} {d.policy} on {d.urn or '(stack)'}: {said(d)[:300]}")
    for d in diags:
        if "could not check" in said(d) or "please report" in said(d):
            problems.append(f"the pack failed: {said(d)[:300]}")
    return problems


@dataclass
class Library:
    scenarios: dict[str, Scenario] = field(default_factory=dict)

    def add(self, s: Scenario) -> Scenario:
        assert s.id not in self.scenarios, s.id
        self.scenarios[s.id] = s
        return s
