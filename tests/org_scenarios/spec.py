"""How a scenario states its expected verdict, and how a verdict is checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from analyzer import Diagnostic
from sst_deployer.permissions import expand, grants_for
from sst_deployer.settings import DeployerSettings

from .bruteforce import Need, Unsupported

SHAPES = ("update", "preview", "change", "refreshed")
"""After ``pulumi up`` (read-backs as right after a create), in ``pulumi preview`` of a new
stack (unknowns), in ``pulumi preview`` of a change to an existing stack (what is in state
is known, what is new is unknown: :func:`in_state`), and after ``pulumi up --refresh`` /
``pulumi refresh`` (read-backs list what AWS really has).

Each run is one fresh pack process, as the engine starts one per preview or update
(:mod:`org_scenarios.engine`)."""

COMPONENT = "sst:aws:DeployerRole"
ROLE_TYPE = "aws:iam/role:Role"


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
    # The change shape: what is new in it (logical names; None: the default of in_state),
    # and its verdict (None: the update's, see verdict()).
    new: tuple[str, ...] | None = None
    change: Verdict | None = None

    def verdict(self, shape: str) -> Verdict:
        """The reasoned verdict in ``shape``. A change's default is the update's: in the
        default split the deployer (its role, tags, trust, own policies and attachments) is
        in state and known as the update left it; what the change adds states its documents
        and the existing roles' names in the program, and only its own ARNs and auto-names
        are unknown, which the pack links by property dependencies as in a preview. A
        scenario whose verdict rests on those unknowns gives ``change`` with its reason."""
        if shape == "refreshed":
            return self.refreshed or self.update
        if shape == "change":
            return self.change or self.update
        return self.update if shape == "update" else self.preview

    def in_state(self, resources: Iterable[Any]) -> frozenset[str]:
        """The URNs already in state when the change is previewed, from the update's
        captured ``resources`` (``harness.Captured``: urn, type, name, parent, dependencies).

        Default: the arrangement is what the organisation adds to a deployer that exists:
        the DeployerRole components with all their children, every IAM role and every
        provider are in state, and every other resource (policies, attachments, exclusive
        sets, boundaries outside the component) is new; ``new`` names the new resources
        instead (logical names). Then, because the engine creates what a resource depends
        on before it, whatever a resource in state depends on (parent, dependencies,
        property dependencies) is in state too; naming such a resource in ``new`` is an
        error."""
        resources = list(resources)
        by_urn = {r.urn: r for r in resources}

        def seed(r: Any) -> bool:
            if self.new is not None:
                return r.name not in self.new
            chain = r.urn.split("::")[2].split("$")
            return COMPONENT in chain or r.type == ROLE_TYPE or r.type.startswith("pulumi:providers:")

        state = {r.urn for r in resources if seed(r)}
        todo = list(state)
        while todo:
            r = by_urn[todo.pop()]
            for dep in [r.parent, *r.dependencies, *(u for us in r.property_dependencies.values() for u in us)]:
                if dep in by_urn and dep not in state:
                    if self.new is not None and by_urn[dep].name in self.new:
                        raise ValueError(f"{self.id}: new={self.new} names {by_urn[dep].name!r}, "
                                         f"which {r.name!r} (in state) depends on")
                    state.add(dep)
                    todo.append(dep)
        return frozenset(state)


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
