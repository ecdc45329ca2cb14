"""`make bench`: run every benchmark and write docs/benchmarks.md."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from cases.settings import Settings
from tests.benchmarks import act_step, email_bench, name_check, timers_bench
from tests.benchmarks.databases import backends, fresh
from tests.benchmarks.harness import machine

RUNS = int(os.environ.get("COOPFLOW_BENCH_RUNS", "5"))
REPORT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


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

    print("name check...", file=sys.stderr)
    with fresh("sqlite") as engine:
        figures = name_check.run(engine, settings)
    lines += [
        "",
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
    ]
    pending = int(os.environ.get("COOPFLOW_BENCH_PENDING_TIMERS", "1000000"))
    lines += [
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
    lines += email_section(settings)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


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


if __name__ == "__main__":
    raise SystemExit(main())
