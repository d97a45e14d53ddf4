"""Locations (a tree: site > building > room), departments and people."""
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.dbtypes import str_enum
from app.extensions import db


class LocationKind(StrEnum):
    SITE = "site"
    BUILDING = "building"
    FLOOR = "floor"
    ROOM = "room"
    AREA = "area"


class Location(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[LocationKind] = so.mapped_column(str_enum(LocationKind),
                                                     default=LocationKind.ROOM)
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("location.id"),
                                                        index=True)
    # Materialised path of ids ("/1/4/9/") so "everything under a site" is one prefix match.
    path: so.Mapped[str] = so.mapped_column(sa.String(400), index=True, default="/")

    parent: so.Mapped["Location | None"] = so.relationship(remote_side=[id])

    @property
    def site_id(self) -> int:
        return int(self.path.strip("/").split("/")[0])

    def __str__(self) -> str:
        return self.name


class Department(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))

    def __str__(self) -> str:
        return self.name


class Person(db.Model):
    """Someone assets can be assigned to; need not be a user of Tagtrail."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    department_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("department.id"),
                                                            index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)

    department: so.Mapped[Department | None] = so.relationship()

    def __str__(self) -> str:
        return self.name
