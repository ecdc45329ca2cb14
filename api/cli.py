"""The `coopflow` command: migrate, create users, load demo data, serve."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from cases import users
from cases.db import make_engine, unit_of_work
from cases.errors import Invalid, NotFound
from cases.migrate import upgrade
from cases.settings import get_settings

app = typer.Typer(help="coopflow: the cooperatives office's case engine.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="Office staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
register_app = typer.Typer(help="The central register of cooperatives.", no_args_is_help=True)
app.add_typer(register_app, name="register")
workflows_app = typer.Typer(help="Case types and their versions.", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")


@register_app.command("import")
def register_import(
    path: str,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="import the good lines, report the rest")] = False,
) -> None:
    """Import a CSV (UTF-8) of the register: nothing unless every line is valid."""
    import os

    from rich.progress import Progress

    from cases import register

    settings = get_settings()
    size = os.path.getsize(path)
    with open(path, "rb") as stream, Progress(transient=True) as bar:
        task = bar.add_task("importing", total=size)
        try:
            with unit_of_work(make_engine(settings.database_url)) as session:
                report = register.import_csv(
                    stream, db_session=session, skip_invalid=skip_invalid,
                    progress=lambda _: bar.update(task, completed=stream.tell()),
                )
                if report.errors and not skip_invalid:
                    session.rollback()
        except Invalid as exc:
            typer.echo(f"refused: {exc.errors[0]['msg']}", err=True)
            raise typer.Exit(2) from exc
    for line in register.lines(report.errors):
        typer.echo(line, err=True)
    typer.echo(f"read {report.read} lines, imported {report.imported}, refused {len(report.errors)}")
    if report.errors and not skip_invalid:
        typer.echo("nothing imported: correct the lines above, or use --skip-invalid", err=True)
        raise typer.Exit(1)


@register_app.command("export")
def register_export(path: str) -> None:
    """Write the whole register to a CSV file (UTF-8)."""
    from cases import register

    with open(path, "w", encoding="utf-8-sig", newline="") as out, \
            unit_of_work(make_engine(get_settings().database_url)) as session:
        count = register.export_csv(db_session=session, out=out)
    typer.echo(f"{count} cooperatives written to {path}")


@workflows_app.command("migrate")
def workflows_migrate(
    key: str,
    from_version: Annotated[int, typer.Option("--from")],
    to_version: Annotated[int, typer.Option("--to")],
    map_: Annotated[list[str] | None, typer.Option("--map", help="old_state=new_state (same name by default)")] = None,
    apply: Annotated[bool, typer.Option("--apply/--dry-run", help="dry run unless --apply")] = False,
) -> None:
    """Move the open cases of a definition version to the next, or say what would move."""
    from cases import versions
    from cases.clock import Clock
    from workflows.spec import SYSTEM

    mapping = dict(pair.split("=", 1) for pair in (map_ or []))
    settings = get_settings()
    try:
        with unit_of_work(make_engine(settings.database_url)) as session:
            report = versions.migrate(db_session=session, key=key, from_version=from_version,
                                      to_version=to_version, mapping=mapping, actor=SYSTEM,
                                      now=Clock().now(), settings=settings, dry_run=not apply)
    except Invalid as exc:
        typer.echo(f"refused: {exc.errors}", err=True)
        raise typer.Exit(2) from exc
    for line in report.lines():
        typer.echo(line)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations (an upgrade never loses data)."""
    settings = get_settings()
    upgrade(make_engine(settings.database_url), revision)
    typer.echo(f"database at {revision}: {settings.database_url.split('@')[-1]}")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="officer, legal, manager or admin")],
    full_name: Annotated[str, typer.Option("--name")] = "",
    delegation: Annotated[str | None, typer.Option(help="delegation code; none = headquarters")] = None,
    email: str | None = None,
    language: str = "fr",
    password: Annotated[str | None, typer.Option(help="asked for when not given")] = None,
) -> None:
    """Create a staff account."""
    secret = password or getpass.getpass("password: ")
    engine = make_engine(get_settings().database_url)
    try:
        with unit_of_work(engine) as session:
            users.create(
                db_session=session, username=username, password=secret, role=role,
                full_name=full_name or username, delegation_code=delegation, email=email,
                language=language,
            )
    except (Invalid, NotFound) as exc:
        typer.echo(f"refused: {getattr(exc, 'errors', exc)}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"created {role} {username}")


@app.command()
def diagrams(folder: str = "docs/workflows") -> None:
    """Redraw every case type's diagram from its definition."""
    from workflows.diagram import write_all

    for path in write_all(folder):
        typer.echo(path)


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing if data exists")] = False,
    cooperatives: int = 3000,
    seed: int = 112,
) -> None:
    """Load demo data: regions, delegations, cooperatives, users and cases in every state."""
    from cases import demo as demo_data

    engine = make_engine(get_settings().database_url)
    loaded = demo_data.load(engine, settings=get_settings(), cooperatives=cooperatives, seed=seed,
                            if_empty=if_empty, other_case_types=True)
    typer.echo(loaded)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    scheduler: Annotated[bool, typer.Option("--scheduler/--no-scheduler")] = True,
    demo_outbox: Annotated[bool | None, typer.Option(
        "--demo-outbox/--no-demo-outbox",
        help="catch every email and SMS locally, never sending them (make run); "
             "default: COOPFLOW_DEMO_OUTBOX")] = None,
) -> None:
    """Serve the API (and, by default, the scheduler in the same process)."""
    import uvicorn

    from api.app import create_app
    from notifications.catcher import MailCatcher
    from notifications.sms_log import SmsLog

    settings = get_settings()
    catcher, sms_log = None, None
    if settings.demo_outbox if demo_outbox is None else demo_outbox:
        # Nothing leaves the machine: mail goes to a local catcher, SMS to a local log.
        catcher = MailCatcher("127.0.0.1", settings.smtp_port).start()
        sms_log = SmsLog("127.0.0.1", settings.demo_sms_gateway_port).start()
        settings = settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_starttls": False, "smtp_tls": False,
            "smtp_username": None, "smtp_password": None, "sms_gateway_url": sms_log.url,
        })
        typer.echo(f"demo outbox: emails at http://{host}:{port}/api/v1/demo/mailbox/page, "
                   f"SMS at http://{host}:{port}/api/v1/demo/sms")
    api = create_app(settings=settings, run_scheduler=scheduler)
    api.state.mail_catcher, api.state.sms_log = catcher, sms_log
    uvicorn.run(api, host=host, port=port)


@app.command("scheduler")
def run_scheduler() -> None:
    """Run the scheduler alone (then serve with --no-scheduler). Several may run at once
    on one PostgreSQL database: each timer still fires once."""
    from api import scheduler as jobs
    from cases.clock import Clock

    settings = get_settings()
    ctx = jobs.Context(engine=make_engine(settings.database_url), settings=settings, clock=Clock(),
                       worker=jobs.worker_name())
    typer.echo(f"scheduler {ctx.worker} running; Ctrl-C to stop")
    jobs.build(ctx, blocking=True).start()


@app.command()
def tick(
    at: Annotated[str | None, typer.Option(help="fire what is due by then, e.g. 2027-01-15T09:00 (office time)")] = None,
    worker: str = "",
) -> None:
    """Fire every timer due by `--at` (default: now), once, with a progress line per batch."""
    from datetime import datetime

    from api import scheduler as jobs
    from cases import timers
    from rules.calendar import OFFICE_TZ

    settings = get_settings()
    if at is None:
        from cases.clock import Clock

        now = Clock().now()
    else:
        try:
            now = datetime.fromisoformat(at)
        except ValueError as exc:
            typer.echo(f"refused: --at {at!r} is not a date and time (2027-01-15T09:00)", err=True)
            raise typer.Exit(2) from exc
        if now.tzinfo is None:
            now = now.replace(tzinfo=OFFICE_TZ)
    report = timers.tick(
        engine=make_engine(settings.database_url), now=now, worker=worker or jobs.worker_name(),
        settings=settings, on_batch=lambda r: typer.echo(f"batch: {r.claimed} claimed, {r.fired} fired"),
    )
    typer.echo(f"due by {now.isoformat()}: claimed {report.claimed}, fired {report.fired}, "
               f"collapsed {report.collapsed}, blocked {report.blocked}, skipped {report.skipped}")


if __name__ == "__main__":
    app()
