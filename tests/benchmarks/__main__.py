"""`make bench`: run every benchmark and write docs/benchmarks.md.

One or some sections only: `COOPFLOW_BENCH_ONLY=act,names,timers,email,api,dashboard`
(comma-separated; the report then holds those sections only).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cases.settings import Settings
from tests.benchmarks import (
    act_step,
    api_bench,
    dashboard_bench,
    email_bench,
    name_check,
    timers_bench,
)
from tests.benchmarks.databases import backends, fresh
from tests.benchmarks.harness import Spread, machine

RUNS = int(os.environ.get("COOPFLOW_BENCH_RUNS", "5"))
REPORT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTIONS = ("act", "names", "timers", "email", "api", "dashboard")


def wanted(section: str) -> bool:
    only = os.environ.get("COOPFLOW_BENCH_ONLY", "").strip()
    chosen = {s.strip() for s in only.split(",") if s.strip()} if only else set(SECTIONS)
    unknown = chosen - set(SECTIONS)
    if unknown:
        raise SystemExit(f"COOPFLOW_BENCH_ONLY: unknown sections {sorted(unknown)}; choose among {SECTIONS}")
    return section in chosen


def main() -> int:
    settings = Settings(secret_key="bench-secret-key-long-enough-for-hs256-0123456789")  # type: ignore[arg-type]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine()}.",
        f"Each figure: median (min–max) of {RUNS} runs; every ratio is to a baseline measured in",
        "the same run, side by side (the machines are shared and noisy).",
        "",
    ]
    runs: dict[str, Callable[[Settings], list[str]]] = {
        "act": act_section, "names": names_section, "timers": timers_section, "email": email_section,
        "api": api_section, "dashboard": dashboard_section,
    }
    blocks = {name: timed(name, runs[name], settings) for name in SECTIONS if wanted(name)}
    if len(blocks) < len(SECTIONS) and REPORT.exists():
        # one section run alone replaces its own part of the report and keeps the others'
        kept = _sections(REPORT.read_text(encoding="utf-8"))
        blocks = {name: blocks.get(name) or kept.get(name, []) for name in SECTIONS}
    for name in SECTIONS:
        lines += blocks.get(name, [])
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


HEADINGS = {"act": "## One step", "names": "## The name check", "timers": "## Timers", "email": "## Email",
            "api": "## The API", "dashboard": "## Managers' views"}


def _sections(report: str) -> dict[str, list[str]]:
    """The parts of a written report, by section, from its `## ` headings."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in report.splitlines():
        if line.startswith("## "):
            current = next((k for k, h in HEADINGS.items() if line.startswith(h)), None)
        if current is not None:
            out.setdefault(current, []).append(line)
    return out


def timed(name: str, section: Callable[[Settings], list[str]], settings: Settings) -> list[str]:
    """A section's lines, ending with how long it took to run."""
    began = time.perf_counter()
    lines = section(settings)
    minutes = (time.perf_counter() - began) / 60
    print(f"{name}: {minutes:.1f} min", file=sys.stderr)
    while lines and not lines[-1]:
        lines.pop()
    return [*lines, "", f"This section took {minutes:.1f} minutes to run.", ""]


def act_section(settings: Settings) -> list[str]:
    lines = [
        "## One step: `act()` approving a name request vs the bare SQL of the same step",
        "",
        "The bare SQL: name look-up, versioned update, history insert, timer cancel and insert,",
        "outbox insert, certificate name entry — one transaction per step, as a hand-written",
        f"system would issue it. {act_step.CASES_PER_RUN} steps per run, {act_step.REGISTER} registered names.",
        "",
        "| database | act() per step | bare SQL per step | ratio |",
        "|---|---|---|---|",
    ]
    for backend in backends():
        print(f"act() on {backend}...", file=sys.stderr)
        with fresh(backend) as engine:
            ours, bare = act_step.run(engine, settings, RUNS)
        lines.append(f"| {backend} | {ours.fmt()} | {bare.fmt()} | {ours.median / bare.median:.1f}× |")
    if backends() == ["sqlite"]:
        lines.append("")
        lines.append("(PostgreSQL: set COOPFLOW_BENCH_POSTGRES_URL to include it.)")
    lines.append("")
    return lines


def names_section(settings: Settings) -> list[str]:
    print("name check...", file=sys.stderr)
    with fresh("sqlite") as engine:
        figures = name_check.run(engine, settings)
    lines = [
        f"## The name check against {name_check.NAMES:,} registered names",
        "",
        f"{name_check.REQUESTS} requests of 1 to 3 names (half new proposals, half near-copies of",
        "registered names): same-as by indexed keys in the database, too-like through the",
        "in-memory index of transliteration keys. Baseline: a plain rapidfuzz scan",
        "(`process.extract`, `fuzz.ratio`) over the same 100,000 names, per request.",
        "",
        "| | p50 | p95 |",
        "|---|---|---|",
        f"| coopflow name check | {figures['ours_p50'] * 1000:.2f} ms | {figures['ours_p95'] * 1000:.2f} ms |",
        f"| plain rapidfuzz scan | {figures['scan_p50'] * 1000:.2f} ms | {figures['scan_p95'] * 1000:.2f} ms |",
        f"| ratio | {figures['ours_p50'] / figures['scan_p50']:.2f}× | {figures['ours_p95'] / figures['scan_p95']:.2f}× |",
        "",
        "The index scores only the keys whose letter counts are within the edit budget a ratio",
        "of the threshold allows, and finds containment candidates by word-set size",
        "(`cases/name_index.py`). That it finds exactly what the scan finds is checked by",
        "`tests/test_name_index.py` and, on these 100,000 names, by",
        "`.venv/bin/python -m tests.benchmarks.name_check 3000` (requests scored both ways).",
        "",
    ]
    return lines


def timers_section(settings: Settings) -> list[str]:
    pending = int(os.environ.get("COOPFLOW_BENCH_PENDING_TIMERS", "1000000"))
    lines = [
        f"## Timers: a tick with nothing due, and firing {timers_bench.DUE:,} due timers",
        "",
        f"An empty tick (claim finds nothing) on 1,000 pending timers, then on {pending:,}; then",
        f"{timers_bench.DUE:,} due timers among them are claimed and fired (each a reminder: a",
        "history event and a timer update, in its own transaction).",
        "",
        f"| database | empty tick, 1,000 pending | empty tick, {pending:,} pending | ratio | fire rate |",
        "|---|---|---|---|---|",
    ]
    for backend in backends():
        print(f"timers on {backend}...", file=sys.stderr)
        with fresh(backend) as engine:
            t = timers_bench.run(engine, settings, pending=pending)
        lines.append(
            f"| {backend} | {t['small'].fmt()} | {t['large'].fmt()} | {t['ratio']:.2f}× | "  # type: ignore[attr-defined]
            f"{t['rate']:,.0f} timers/s |"
        )
    lines.append("")
    return lines


def email_section(settings: Settings) -> list[str]:
    """The outbox dispatcher against a bare aiosmtplib loop, on each database."""
    runs = min(RUNS, int(os.environ.get("COOPFLOW_BENCH_EMAIL_RUNS", "3")))
    lines = [
        f"## Email: dispatching {email_bench.EMAILS:,} queued emails vs a bare aiosmtplib loop",
        "",
        f"{email_bench.EMAILS:,} rendered approvals (half Arabic, half French, text and HTML) in the",
        "outbox, sent to a local aiosmtpd server (its Sink handler, in its own process) by the",
        "dispatcher (claim a batch with a lease, build each email from its row, one SMTP connection,",
        "record every verdict), then the same messages by a bare loop over one aiosmtplib",
        f"connection. Median (min–max) of {runs} runs.",
        "",
        "| database | dispatcher | bare aiosmtplib loop | ratio | dispatcher rate |",
        "|---|---|---|---|---|",
    ]
    for backend in backends():
        print(f"email on {backend}...", file=sys.stderr)
        with fresh(backend) as engine:
            e = email_bench.run(engine, settings, runs)
        lines.append(
            f"| {backend} | {e['ours'].fmt('s', 1.0)} | {e['bare'].fmt('s', 1.0)} | "
            f"{e['ratio']:.2f}× | {e['rate']:,.0f} emails/s (batches of {e['batch']}) |"
        )
    lines.append("")
    return lines



def api_section(settings: Settings) -> list[str]:
    """Approvals through uvicorn against a do-nothing FastAPI route, on each database."""
    lines = [
        "## The API: `POST /api/v1/cases/{ref}/actions/approve` through uvicorn vs a do-nothing route",
        "",
        "Two uvicorn processes on localhost (one worker each, no access log, `--factory`):",
        "coopflow's `api.app:create_app` on a fresh database, and a FastAPI app whose one route",
        "parses the same body in a plain `def` and returns a small object (the framework's ceiling",
        f"here). {api_bench.CLIENTS} client threads (httpx, keep-alive) in the benchmark's process post",
        f"{api_bench.REQUESTS:,} requests per round with a real officer's token, each approving a different",
        "name request (the name check, the step, the history, the deadlines, the outbox, the",
        f"certificate's name, and the case read back with its actions); {api_bench.ROUNDS} rounds, the two",
        "servers alternately. The client shares the machine's 2 cores with the server: the",
        "do-nothing figure is what this pair reaches, not uvicorn's own limit.",
        "",
        "| database | approvals/s | do-nothing/s | ratio | approval p50 / p95 | do-nothing p50 / p95 |",
        "|---|---|---|---|---|---|",
    ]
    for backend in backends():
        print(f"api on {backend}...", file=sys.stderr)
        with fresh(backend) as engine:
            r = api_bench.run(engine, settings)
        lines.append(
            f"| {backend} | {_rate(r['ours'])} | {_rate(r['noop'])} | {r['ratio']:.1f}× | "
            f"{r['ours_p50'] * 1000:.0f} / {r['ours_p95'] * 1000:.0f} ms | "
            f"{r['noop_p50'] * 1000:.1f} / {r['noop_p95'] * 1000:.1f} ms |"
        )
    lines.append("")
    return lines


def _rate(spread: Spread) -> str:
    return f"{spread.median:,.0f} ({spread.low:,.0f}–{spread.high:,.0f})"


def dashboard_section(settings: Settings) -> list[str]:
    """The managers' views on a large store against the same calls on 10,000 cases."""
    d = dashboard_bench
    lines = [
        f"## Managers' views at {d.CASES:,} cases vs {d.SMALL:,} cases",
        "",
        (d.__doc__ or "").split("\n\n")[1].strip(),
        "The service functions are called directly (one session each), on the two databases in",
        f"turn, {d.REPEATS} times each or until {d.BUDGET_SECONDS:.0f} s are spent (at least 3). PostgreSQL is",
        "analysed after the bulk load (as autovacuum would); SQLite runs as the application",
        "ships it (no ANALYZE, default page cache).",
        "",
    ]
    for backend in backends():
        print(f"dashboard on {backend}...", file=sys.stderr)
        with fresh(backend) as small, fresh(backend) as large:
            r = d.run(small, large)
        big, little = r["large"], r["small"]
        lines += [
            f"### {backend}",
            "",
            f"Large store: {big['cases']:,} cases, {big['timers']:,} timers, {big['overdue']:,} overdue and "
            f"{big['at_risk']:,} at risk, {big['compliance_due']:,} deadlines ended in the last six months "
            f"(small: {little['cases']:,}, {little['overdue']:,}, {little['at_risk']:,}, {little['compliance_due']:,}). "
            f"Bulk load {r['build_seconds']:.0f} s, measurements {r['measure_seconds']:.0f} s.",
            "",
            f"| call | {d.SMALL:,} cases p50 / p95 | {d.CASES:,} cases p50 / p95 | ratio of p50 |",
            "|---|---|---|---|",
        ]
        for name, a, b in r["rows"]:
            lines.append(f"| {name} | {a.p50 * 1000:.1f} / {a.p95 * 1000:.1f} ms | "
                         f"{b.p50 * 1000:.1f} / {b.p95 * 1000:.1f} ms | {b.p50 / a.p50:.1f}× |")
        lines.append("")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
