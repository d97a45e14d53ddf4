"""Command-line tools: `flask users ...`, `flask audit verify|anchor`, `flask demo seed`,
`flask maintenance plan`."""
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app import trail
from app.auth import service as auth
from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db

users = AppGroup("users", help="Create users and API tokens, unlock sign-in.")
audit_group = AppGroup("audit", help="Check the audit trail.")
demo = AppGroup("demo", help="Demo data.")
maintenance = AppGroup("maintenance", help="Plan preventive maintenance.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="technician")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
def create_user(email, role, password, name):
    """Create a user who can sign in."""
    try:
        user = auth.create_user(email, role=Role(role), password=password, name=name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token(email, name):
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    try:
        plain = auth.issue_token(email, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(plain)


@users.command("unlock")
@click.argument("email")
def unlock(email):
    """Let EMAIL sign in again after too many failed sign-ins, from every address."""
    try:
        was_locked = auth.unlock(email)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    email = email.strip().lower()
    click.echo(f"Sign-in unlocked for {email}." if was_locked else
               f"{email} was not locked out; its failed sign-ins are forgotten.")


@audit_group.command("anchor")
@click.option("--append", "append_to", type=click.Path(dir_okay=False),
              help="Also append the line to this file.")
def anchor(append_to):
    """Print the chain's head as one line to keep outside the database (a log, a ticket);
    it is appended to the instance's audit-anchors.log too. `audit verify` then proves no
    later rewrite removed or changed what the line saw."""
    click.echo(trail.anchor(Path(append_to) if append_to else None))


@audit_group.command("verify")
@click.option("--anchors", "anchor_files", multiple=True, type=click.Path(exists=True,
              dir_okay=False), help="A file of lines from `audit anchor` (repeatable); the "
              "instance's audit-anchors.log is read as well.")
def verify(anchor_files):
    """Check the audit trail: the keyed hash chain, the anchors kept outside the database,
    each asset against its events, and each certificate against what it issued. Exit 1
    naming what is wrong."""
    report = trail.check(anchor_files)
    if not report.ok:
        click.echo("Audit trail BROKEN: " + "\n".join(report.problems), err=True)
        sys.exit(1)
    click.echo(f"Audit trail intact: {report.events:,} events, {report.anchors:,} anchors "
               "held; every asset and certificate is what its events say.")


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when there are assets already.")
def seed(if_empty):
    """Fill the database with demo sites, people, models, assets and a year of history."""
    from app.demo import seed_demo
    logins = seed_demo(only_if_empty=if_empty)
    if not if_empty:  # `make run` seeds with --if-empty, then `serve` shows the logins
        click.echo("\n".join(logins))


@maintenance.command("plan")
@click.option("--days", default=14, show_default=True, type=click.IntRange(0, 3660),
              help="Open the orders falling due within this many days.")
def plan(days):
    """Open the work orders the schedules make due within DAYS, each occurrence once (for
    cron); an occurrence whose previous order is still open is reported overdue instead."""
    from app.maintenance import planner
    result = planner.run(days)
    db.session.commit()
    click.echo(f"Made {result.made} work order{'s' * (result.made != 1)} due within {days} "
               f"days.")
    if result.already:
        click.echo(f"{result.already} another planner had made meanwhile.")
    for schedule, tag, last in result.overdue[:50]:
        click.echo(f"Overdue: {tag} {schedule.title} — {last.number} (due {last.due}) is "
                   "still open.")
    if len(result.overdue) > 50:
        click.echo(f"... and {len(result.overdue) - 50} more overdue.")
    for problem in result.refused[:50]:
        click.echo(f"Not opened: {problem}", err=True)


def register(app: Flask) -> None:
    from app.serve import serve
    for command in (users, audit_group, demo, maintenance, serve):
        app.cli.add_command(command)
