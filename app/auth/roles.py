"""The five roles and what each may see or change outside the lifecycle rules."""
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    TECHNICIAN = "technician"
    AUDITOR = "auditor"
    FINANCE = "finance"


class Permission(StrEnum):
    VIEW = "view"  # read inventory, history and reports
    FIELD = "field"  # apply field events (check in/out, transfer, repair, ...)
    MANAGE = "manage"  # edit the register and its reference data
    ADMIN = "admin"  # users, roles and tokens
    # Financial fields, depreciation profiles and books, financial reports, and the second
    # approval of requests above APPROVAL_FINANCE_ABOVE.
    FINANCE = "finance"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset({Permission.VIEW, Permission.FIELD, Permission.MANAGE}),
    Role.TECHNICIAN: frozenset({Permission.VIEW, Permission.FIELD}),
    Role.AUDITOR: frozenset({Permission.VIEW}),
    Role.FINANCE: frozenset({Permission.VIEW, Permission.FINANCE}),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]
