"""``python -m benchmarks [--quick]``: the pack, the IAM semantics, the renderer and the
program, measured side by side in one run. Prints tables with targets marked met or not,
writes ``benchmarks/out/results.json`` and ``benchmarks/out/benchmarks.png``."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from analyzer import Analyzer, serve, stack_request  # noqa: E402
from sst_deployer import audit, iam  # noqa: E402
from sst_deployer.iam import evaluate, parse_document  # noqa: E402
from sst_deployer.partitions import REGIONS  # noqa: E402
from sst_deployer.permissions import requirements  # noqa: E402
from sst_deployer.render import policy_size, render, to_json  # noqa: E402
from sst_deployer.settings import DeployerSettings  # noqa: E402

from .stacks import deployer_templates, synthetic_stack  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
NOOP_PACK = Path(__file__).resolve().parent / "noop_pack"
ACCOUNT = "112233445566"


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


# ------------------------------------------------------------------ 1. pack cost at scale


def preview(analyzer: Analyzer, resources: list[dict[str, Any]], request: Any) -> tuple[float, float]:
    """(seconds for every Analyze, seconds for AnalyzeStack), as the engine sends a preview."""
    start = time.perf_counter()
    for r in resources:
        # The engine's Analyze sees inputs; outputs stand in where a resource has none recorded.
        analyzer.analyze({**r, "inputs": r.get("inputs") or r.get("outputs", {})})
    analyze = time.perf_counter() - start
    start = time.perf_counter()
    response = analyzer.stub.AnalyzeStack(request)
    seconds = time.perf_counter() - start
    assert not response.diagnostics, response.diagnostics[0].message  # copied deployers pass
    return analyze, seconds


def pack_cost(sizes: list[int], deployer_counts: list[int], repeat: int) -> list[dict[str, Any]]:
    """Each stack goes to freshly started packs, as each `pulumi preview` starts its own:
    the first AnalyzeStack is the cold cost the engine pays; the median of ``repeat``
    more is the warm one."""
    templates = deployer_templates()
    rows = []
    for size in sizes:
        for deployers in deployer_counts:
            resources = synthetic_stack(size, deployers, templates)
            request = stack_request(resources)
            with serve() as real, serve(NOOP_PACK) as noop:
                real.configure()
                noop.configure()
                row: dict[str, Any] = {"resources": len(resources), "deployers": deployers}
                if deployers == max(deployer_counts):
                    # A whole preview: Analyze for every resource, then AnalyzeStack (cold).
                    a_real, s_real = preview(real, resources, request)
                    a_noop, s_noop = preview(noop, resources, request)
                    row.update(preview_real_s=a_real + s_real, preview_noop_s=a_noop + s_noop,
                               preview_ratio=(a_real + s_real) / (a_noop + s_noop))
                    cold_real, cold_noop = s_real, s_noop
                else:
                    start = time.perf_counter()
                    diagnostics = real.stub.AnalyzeStack(request).diagnostics
                    cold_real = time.perf_counter() - start
                    assert not diagnostics, diagnostics[0].message  # copied deployers pass
                    start = time.perf_counter()
                    noop.stub.AnalyzeStack(request)
                    cold_noop = time.perf_counter() - start
                warm_real = median_time(lambda r=request: real.stub.AnalyzeStack(r), repeat)
                warm_noop = median_time(lambda r=request: noop.stub.AnalyzeStack(r), repeat)
            row.update(analyze_stack_real_s=cold_real, analyze_stack_noop_s=cold_noop,
                       analyze_stack_ratio=cold_real / cold_noop, warm_real_s=warm_real, warm_noop_s=warm_noop,
                       warm_ratio=warm_real / warm_noop)
            rows.append(row)
            print(f"  {len(resources):>6} resources, {deployers:>3} deployers: AnalyzeStack "
                  f"{cold_real * 1000:8.1f} ms vs {cold_noop * 1000:8.1f} ms do-nothing = "
                  f"{row['analyze_stack_ratio']:.2f}x (warm {row['warm_ratio']:.2f}x)"
                  + (f"; whole preview {row['preview_real_s']:.2f} s vs {row['preview_noop_s']:.2f} s = "
                     f"{row['preview_ratio']:.2f}x" if "preview_ratio" in row else ""), flush=True)
    return rows


# ------------------------------------------------------------------ 2. IAM semantics


def clear_caches() -> None:
    for fn in (iam._covered, iam.tokens, iam.matches, iam.pair_overlaps, iam.condition_outcome, audit._losses,
               audit._excess):
        fn.cache_clear()


def semantics_throughput() -> dict[str, Any]:
    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1", "us-east-1", "us-west-2"))
    docs = [parse_document(to_json(d), "p") for d in render(s)]
    reqs = requirements(s)
    clear_caches()
    start = time.perf_counter()
    for r in reqs:
        evaluate(r, docs)
    cold = len(reqs) / (time.perf_counter() - start)
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for r in reqs:
            evaluate(r, docs)
    warm = rounds * len(reqs) / (time.perf_counter() - start)
    return {"requirements": len(reqs), "cold_checks_per_s": cold, "warm_checks_per_s": warm}


def worst_cases() -> list[dict[str, Any]]:
    """Inputs built to be slow: many statements, long patterns full of wildcards."""
    class Req:
        def __init__(self, action: str, resource: str) -> None:
            self.action, self.resource, self.condition = action, resource, frozenset()

    cases: dict[str, tuple[Req, list[Any]]] = {}
    star_heavy = "arn:aws:s3:::" + "*a" * 40 + "*"
    cases["40-star pattern vs 40-star pattern"] = (
        Req("s3:GetObject", "arn:aws:s3:::" + "a*" * 40),
        [parse_document({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": star_heavy}]})])
    cases["alternating ? and * (60)"] = (
        Req("s3:GetObject", "arn:aws:s3:::" + "?*" * 30 + "b"),
        [parse_document({"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                        "Resource": "arn:aws:s3:::" + "*?" * 30 + "*b"}]})])
    many = [{"Effect": "Allow", "Action": f"s3:Get{i}*", "Resource": f"arn:aws:s3:::bucket-{i}-*/*x*y*"}
            for i in range(400)]
    many.append({"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::*{i}*{i}*" for i in range(60)]
                 + ["arn:aws:s3:::1*", "arn:aws:s3:::?1*"]})  # these two defeat the sample refutation
    cases["400 statements, 60-pattern union"] = (
        Req("s3:GetObject", "arn:aws:s3:::*1*2*3*4*5*6*7*8*9*"), [parse_document({"Statement": many})])
    denies = [{"Effect": "Deny", "Action": "*", "Resource": f"arn:aws:*:*:*:{'*?' * 20}{i}",
               "Condition": {"StringLike": {"aws:PrincipalTag/team": f"t{i}"}}} for i in range(200)]
    cases["200 conditional wildcard Denies"] = (
        Req("cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:1:stack/*"),
        [parse_document({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, *denies]})])
    out = []
    for name, (req, docs) in cases.items():
        clear_caches()
        start = time.perf_counter()
        evaluate(req, docs)  # type: ignore[arg-type]
        seconds = time.perf_counter() - start
        out.append({"case": name, "ms": seconds * 1000})
    return out


def guardrail_cases() -> list[dict[str, Any]]:
    """Organisation guardrails as they are written: long literal Deny lists, many
    statements, boundaries with region and MFA conditions. Each judgement (one required
    call in one request context, caches cold) against the 100 ms target; and a whole
    deployer's verdict (every call in every context) for scale."""
    from sst_deployer.context import PrincipalContext, Session
    from sst_deployer.iam import Context
    from sst_deployer.permissions import calls

    s = DeployerSettings(account=ACCOUNT, regions=("eu-west-1", "us-east-1", "us-west-2"),
                         features=frozenset({"secrets", "liveLambda", "rdsMigrations", "bind"}))
    own = [parse_document(to_json(d), "p") for d in render(s)]
    literal = [f"arn:aws:s3:::acme-data-{i:04d}/*" for i in range(1000)] + [
        f"arn:aws:iam::{ACCOUNT}:role/acme-admin-{i}" for i in range(1000)]
    prefixes = [f"arn:aws:s3:::team-{i}-*" for i in range(300)] + [f"arn:aws:ssm:*:*:parameter/team{i}/*"
                                                                   for i in range(300)]
    shapes: dict[str, list[dict[str, Any]]] = {
        "Deny listing 2,000 literal ARNs": [
            {"Sid": "Protect", "Effect": "Deny", "Action": ["s3:*", "iam:*", "sts:*"], "Resource": literal}],
        "NotResource Deny of 600 prefixes + 2,000 literals": [
            {"Sid": "OnlyThese", "Effect": "Deny", "Action": "*", "NotResource": prefixes + literal + [
                "arn:aws:cloudformation:*", "arn:aws:s3:::*", "arn:aws:iam::*", "arn:aws:ssm:*", "arn:aws:lambda:*",
                "arn:aws:ecr:*", "arn:aws:iot:*", "arn:aws:rds:*", "*"]}],
        "500 conditional Deny statements": [
            {"Sid": f"Team{i}", "Effect": "Deny", "Action": ["s3:*", "iam:*", "cloudformation:*", "lambda:*"],
             "Resource": [f"arn:aws:s3:::team{i}-*", f"arn:aws:cloudformation:*:*:stack/team{i}-*/*"],
             "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"t{i}"}}} for i in range(500)],
        "region lock + MFA Deny": [
            {"Sid": "RegionLock", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1", "us-west-2"]}}},
            {"Sid": "Mfa", "Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}],
    }
    boundary = parse_document({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {
            "StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1", "us-west-2"]},
            "Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}, "boundary")
    principal = PrincipalContext(ACCOUNT, tags=(("environment", "dev"),), sessions=(Session("people", True),))
    reqs = calls(s)
    contexts = {r: Context.of({"aws:RequestedRegion": "us-east-1", "aws:MultiFactorAuthPresent": "true",
                               "aws:PrincipalTag/environment": "dev"}, closed=["aws:PrincipalTag/"]) for r in reqs}
    out = []
    cases = [(name, [*own, parse_document({"Statement": sts}, "guardrail")], None) for name, sts in shapes.items()]
    cases.append(("boundary with region and MFA conditions", own, boundary))
    for name, documents, b in cases:
        clear_caches()
        worst = 0.0
        for r in reqs:
            start = time.perf_counter()
            decision = evaluate(r, documents, b, contexts[r])
            worst = max(worst, time.perf_counter() - start)
            assert not decision.undecided, decision.undecided
        clear_caches()
        start = time.perf_counter()
        audit.losses(s, tuple(documents), b, principal)
        whole = time.perf_counter() - start
        out.append({"case": name, "worst_ms": worst * 1000, "deployer_ms": whole * 1000, "calls": len(reqs)})
    return out


# ------------------------------------------------------------------ 3. renderer


def page_policy_size() -> int:
    page = json.loads((ROOT / "tests" / "fixtures" / "sst_iam_page.json").read_text())
    return policy_size(to_json(page["copyPastePolicy"]))


def renderer() -> dict[str, Any]:
    rows = []
    for partition, regions in REGIONS.items():
        for k in sorted({1, 2, 3, 5, 10, 15, 20, 25, 30, len(regions)}):
            if k > len(regions):
                continue
            s = DeployerSettings(account=ACCOUNT, regions=regions[:k], partition=partition)
            docs = [to_json(d) for d in render(s)]
            sizes = [policy_size(d) for d in docs]
            rows.append({"partition": partition, "regions": k, "total_chars": sum(sizes), "policies": len(docs),
                         "largest": max(sizes)})
    page = page_policy_size()
    one = DeployerSettings(account=ACCOUNT, regions=("us-east-1",))
    ours = policy_size(to_json(render(one)[0]))
    # What the copy-paste policy lacks: the default rows not in it, as statements of their own.
    from sst_deployer.permissions import PAGE, expand, grants_for

    lacking = [g for g in grants_for(one) if g.source != PAGE]
    lacks_chars = sum(policy_size(json.dumps({
        "Sid": g.sid, "Effect": "Allow", "Action": list(g.actions),
        "Resource": [arn for t in g.resources for arn in expand(t, one)]})) + 1 for g in lacking)
    return {"rows": rows, "page_one_region": page, "ours_one_region": ours, "page_lacks": lacks_chars}


# ------------------------------------------------------------------ 4. program cost


def program_cost(repeat: int) -> list[dict[str, Any]]:
    from harness import run_program

    rows = []
    for k in (1, 5, len(REGIONS["aws"])):
        config = {"aws:region": "us-east-1", "sst-deployer:regions": list(REGIONS["aws"][:k])}
        run_program(config)  # warm imports
        rows.append({"regions": k, "seconds": median_time(lambda c=config: run_program(c), repeat)})
    return rows


# ------------------------------------------------------------------ report


def plot(results: dict[str, Any]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    top = max(r["deployers"] for r in results["pack"])
    rows = [r for r in results["pack"] if r["deployers"] == top]
    xs = [r["resources"] for r in rows]
    left.plot(xs, [r["analyze_stack_real_s"] for r in rows], "o-", label="AnalyzeStack, sst-deployer")
    left.plot(xs, [r["analyze_stack_noop_s"] for r in rows], "o--", label="AnalyzeStack, do-nothing pack")
    left.plot(xs, [r["preview_real_s"] for r in rows], "s-", label="whole preview, sst-deployer")
    left.plot(xs, [r["preview_noop_s"] for r in rows], "s--", label="whole preview, do-nothing pack")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("resources in the stack")
    left.set_ylabel("seconds")
    left.set_title(f"Pack cost, {top} SST deployers")
    left.legend()
    aws = [r for r in results["renderer"]["rows"] if r["partition"] == "aws"]
    right.plot([r["regions"] for r in aws], [r["total_chars"] for r in aws], "o-", label="total characters")
    for n in range(1, 5):
        right.axhline(6144 * n, color="grey", lw=0.5)
    right.set_xlabel("aws regions")
    right.set_ylabel("characters (whitespace excluded)")
    right.set_title("Rendered policy size; grey lines: 1-4 managed policies")
    right.legend()
    fig.tight_layout()
    path = OUT / "benchmarks.png"
    fig.savefig(path, dpi=110)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller stacks and fewer repeats (a smoke run)")
    parser.add_argument("--iam-only", action="store_true", help="only the IAM semantics section (seconds)")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [100, 1000, 10000, 50000]
    counts = [1, 10] if args.quick else [1, 10, 100]
    repeat = 1 if args.quick else 3
    OUT.mkdir(exist_ok=True)
    results: dict[str, Any] = {}

    if not args.iam_only:
        print("1. Pack cost: first AnalyzeStack of a fresh pack (warm: median of", repeat, "more)")
        results["pack"] = pack_cost(sizes, counts, repeat)
    print("\n2. IAM semantics")
    results["semantics"] = semantics_throughput()
    print(f"  {results['semantics']['requirements']} requirements of a 3-region deployer: "
          f"{results['semantics']['cold_checks_per_s']:,.0f} checks/s cold, "
          f"{results['semantics']['warm_checks_per_s']:,.0f} checks/s warm")
    results["worst"] = worst_cases()
    for w in results["worst"]:
        print(f"  worst case {w['case']}: {w['ms']:.1f} ms  [{mark(w['ms'] <= 100)}: <= 100 ms]")
    results["guardrails"] = guardrail_cases()
    for g in results["guardrails"]:
        print(f"  guardrail {g['case']}: slowest judgement {g['worst_ms']:.1f} ms  "
              f"[{mark(g['worst_ms'] <= 100)}: <= 100 ms]; whole deployer ({g['calls']} calls, every context, "
              f"cold) {g['deployer_ms']:.0f} ms")
    if args.iam_only:
        return 0
    print("\n3. Renderer against IAM's quotas")
    results["renderer"] = renderer()
    print(f"  {'partition':<11}{'regions':>8}{'chars':>8}{'policies':>9}{'largest':>9}")
    for r in results["renderer"]["rows"]:
        print(f"  {r['partition']:<11}{r['regions']:>8}{r['total_chars']:>8}{r['policies']:>9}{r['largest']:>9}")
    rr = results["renderer"]
    print(f"  one region: {rr['ours_one_region']} chars; the page's policy {rr['page_one_region']} + what it lacks "
          f"{rr['page_lacks']} = {rr['page_one_region'] + rr['page_lacks']}  "
          f"[{mark(rr['ours_one_region'] <= rr['page_one_region'] + rr['page_lacks'])}]")
    all_aws = next(r for r in rr["rows"] if r["partition"] == "aws" and r["regions"] == len(REGIONS["aws"]))
    print(f"  every aws region: {all_aws['policies']} managed policies  [{mark(all_aws['policies'] <= 3)}: <= 3]")
    print("\n4. Program under mocks (median of", max(repeat, 3), "runs)")
    results["program"] = program_cost(max(repeat, 3))
    for r in results["program"]:
        print(f"  {r['regions']:>2} regions: {r['seconds'] * 1000:.0f} ms")

    print("\nTargets")
    at = [r for r in results["pack"] if r["resources"] >= 10000 and r["deployers"] == max(counts)]
    for r in at[:1]:
        print(f"  AnalyzeStack at {r['resources']} resources, {r['deployers']} deployers: "
              f"{r['analyze_stack_ratio']:.2f}x  [{mark(r['analyze_stack_ratio'] <= 1.5)}: <= 1.5x]")
        print(f"  whole preview at {r['resources']} resources: {r['preview_ratio']:.2f}x  "
              f"[{mark(r['preview_ratio'] <= 2)}: <= 2x]")
    top = [r for r in results["pack"] if r["deployers"] == max(counts)]
    if len(top) >= 2:
        per = [r["analyze_stack_real_s"] / r["resources"] * 1e6 for r in top]
        print(f"  AnalyzeStack cost per resource: {', '.join(f'{p:.0f}' for p in per)} us "
              f"(for {', '.join(str(r['resources']) for r in top)} resources; flat means linear)")
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    print(f"\nwrote {plot(results)} and {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
