"""Command-line tools: `flask users ...`, `flask audit verify|anchor`, `flask demo seed`."""
import itertools
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth import service as auth
from app.auth.roles import Role
from app.certificates import audit as certificate_audit
from app.errors import DomainError
from app.extensions import db
from app.lifecycle import audit, replay

users = AppGroup("users", help="Create users and API tokens, unlock sign-in.")
audit_group = AppGroup("audit", help="Check the audit trail.")
demo = AppGroup("demo", help="Demo data.")


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


ANCHORS_FILE = "audit-anchors.log"  # in the instance folder: outside the database
SHOWN = 20  # problems listed per check


def _anchors_file() -> Path:
    return Path(current_app.instance_path, ANCHORS_FILE)


@audit_group.command("anchor")
@click.option("--append", "append_to", type=click.Path(dir_okay=False),
              help="Also append the line to this file.")
def anchor(append_to):
    """Print the chain's head as one line to keep outside the database (a log, a ticket);
    it is appended to the instance's audit-anchors.log too. `audit verify` then proves no
    later rewrite removed or changed what the line saw."""
    line = audit.anchor_line()
    for path in dict.fromkeys([_anchors_file(), *([Path(append_to)] if append_to else [])]):
        with path.open("a") as out:
            out.write(line + "\n")
    click.echo(line)


@audit_group.command("verify")
@click.option("--anchors", "anchor_files", multiple=True, type=click.Path(exists=True,
              dir_okay=False), help="A file of lines from `audit anchor` (repeatable); the "
              "instance's audit-anchors.log is read as well.")
def verify(anchor_files):
    """Check the audit trail: the keyed hash chain, the anchors kept outside the database,
    each asset against its events, and each certificate against what it issued. Exit 1
    naming what is wrong."""
    verdict = audit.verify()
    problems = [] if verdict.ok else [
        f"{verdict.problem} ({verdict.checked:,} events checked before it)"]
    files = [path for path in (_anchors_file(), *map(Path, anchor_files)) if path.exists()]
    anchors, wrong = audit.check_anchors(line for path in dict.fromkeys(files)
                                         for line in path.read_text().splitlines())
    problems += wrong
    for check in (replay.problems, certificate_audit.problems):
        found = list(itertools.islice(check(), SHOWN + 1))
        problems += found[:SHOWN] + (["... and more"] if len(found) > SHOWN else [])
    if problems:
        click.echo("Audit trail BROKEN: " + "\n".join(problems), err=True)
        sys.exit(1)
    click.echo(f"Audit trail intact: {verdict.checked:,} events, {anchors:,} anchors held; "
               "every asset and certificate is what its events say.")


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when there are assets already.")
def seed(if_empty):
    """Fill the database with demo sites, people, models, assets and a year of history."""
    from app.demo import seed_demo
    logins = seed_demo(only_if_empty=if_empty)
    if not if_empty:  # `make run` seeds with --if-empty, then `serve` shows the logins
        click.echo("\n".join(logins))


def register(app: Flask) -> None:
    from app.serve import serve
    for command in (users, audit_group, demo, serve):
        app.cli.add_command(command)
