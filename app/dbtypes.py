"""Column helpers shared by every domain's models."""
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa

MAX_INT = 2**31 - 1  # the largest INTEGER (ids, counts) both databases store
MONEY = sa.Numeric(12, 2)
# What a MONEY column holds (9,999,999,999.99): every form and schema checks against this.
MAX_MONEY = Decimal(10) ** (MONEY.precision - MONEY.scale) - Decimal(1).scaleb(-MONEY.scale)


def str_enum(enum_cls: type[StrEnum]) -> sa.Enum:
    """Store the enum's value ("in_repair"), not its name, in a plain string column."""
    return sa.Enum(enum_cls, native_enum=False, create_constraint=False, length=32,
                   values_callable=lambda cls: [m.value for m in cls])
