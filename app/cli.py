"""Command-line tools: `flask users ...`, `flask audit verify`, `flask demo seed`."""
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth import service as auth
from app.auth.roles import Role
from app.errors import DomainError
from app.extensions import db
from app.lifecycle import audit

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


@audit_group.command("verify")
def verify():
    """Recompute the event hash chain; exit 1 naming the first broken entry."""
    verdict = audit.verify()
    if verdict.ok:
        click.echo(f"Audit trail intact: {verdict.checked:,} events.")
        return
    click.echo(f"Audit trail BROKEN: {verdict.problem} "
               f"({verdict.checked:,} events checked before it).", err=True)
    sys.exit(1)


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
