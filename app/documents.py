"""Documents that are not assets (stock-takes, conflicts; soon work orders, requests and
purchase orders) keep a status enum with a transitions table beside it. This is the one way a
document's status moves: checked against its table, and written so that of two people
moving it at once only one wins."""
from collections.abc import Mapping
from enum import StrEnum

import sqlalchemy as sa

from app.errors import DomainError, InvalidTransition
from app.extensions import db


def move(document, to: StrEnum, transitions: Mapping[StrEnum, frozenset], *, what: str,
         refusal: type[DomainError] = InvalidTransition, **values) -> None:
    """Move `document` (a flushed row with `id` and `status`) to status `to`, setting
    `values` with it, or raise `refusal` when its table does not allow it from where it is,
    or when someone else moved it first. The caller commits."""
    now = document.status
    if to not in transitions.get(now, frozenset()):
        raise refusal(f"{what} is {now}: it cannot be {to} now.", {"status": str(now)})
    model = type(document)
    moved = db.session.execute(
        sa.update(model).where(model.id == document.id, model.status == now)
        .values(status=to, **values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise refusal(f"{what} was changed by someone else just now: reload it.",
                      {"status": "changed"})
    db.session.refresh(document)
