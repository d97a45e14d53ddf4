"""/admin/audit: the audit trail for auditors. Every event, searched by asset, actor, type
and date; and the trail's state as `flask audit verify` gives it, checked on request."""
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, render_template, request

from app import documents, trail
from app.api import page_arg
from app.assets.models import Asset, tag_is
from app.auth.access import requires
from app.auth.models import User
from app.auth.roles import Permission
from app.extensions import db
from app.lifecycle import types
from app.lifecycle.audit import anchor_line
from app.lifecycle.models import Event
from app.timeutil import EARLIEST, LATEST

bp = Blueprint("trail", __name__, url_prefix="/admin/audit")
PER_PAGE = 50


def _day(name: str) -> datetime | None:
    try:
        day = datetime.strptime(request.args.get(name, ""), "%Y-%m-%d")
    except ValueError:
        return None  # blank or not a date: no bound
    return day if EARLIEST <= day < LATEST else None  # a day past can still be added


@bp.get("/")
@requires(Permission.VIEW)
def index():
    args = {k: v.strip() for k, v in request.args.items()
            if v.strip() and k not in ("page", "verify")}
    stmt = (sa.select(Event).outerjoin(Asset, Asset.id == Event.asset_id)  # none: a document
            .join(User, User.id == Event.actor_id)
            .options(so.contains_eager(Event.asset), so.contains_eager(Event.actor))
            .order_by(Event.seq.desc()))
    if args.get("asset"):  # an asset's tag, or a document's number
        stmt = stmt.where(sa.or_(tag_is(args["asset"]),
                                 sa.func.upper(Event.document) == args["asset"].upper()))
    if args.get("actor"):
        stmt = stmt.where(sa.or_(User.email.icontains(args["actor"], autoescape=True),
                                 User.name.icontains(args["actor"], autoescape=True)))
    if args.get("type") in kinds():
        stmt = stmt.where(Event.type == args["type"])
    if args.get("outcome") in ("applied", "conflict"):
        stmt = stmt.where(Event.outcome == args["outcome"])
    if since := _day("from"):
        stmt = stmt.where(Event.occurred_at >= since)
    if until := _day("to"):
        stmt = stmt.where(Event.occurred_at < until + timedelta(days=1))
    page = db.paginate(stmt, page=page_arg(), per_page=PER_PAGE, error_out=False)
    report = trail.check() if request.args.get("verify") == "1" else None
    return render_template("trail/index.html", page=page, args=args, report=report,
                           head=anchor_line(), kinds=kinds())


def kinds() -> list[str]:
    """What an event may be: the pipeline's types and the documents' steps."""
    return sorted({*types.REGISTERED, *documents.STEP_TYPES})
