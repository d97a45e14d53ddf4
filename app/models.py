"""Imports every domain's models so the metadata is complete (Alembic, flask shell)."""
from app.assets.models import Asset, AssetCode, TagReservation  # noqa: F401
from app.auth.models import ApiToken, LoginThrottle, User  # noqa: F401
from app.catalog.models import AssetModel, Category  # noqa: F401
from app.certificates.models import Certificate, DisposalBatch  # noqa: F401
from app.finance.models import Book, DepreciationProfile  # noqa: F401
from app.licences.models import Licence, LicenceAssignment  # noqa: F401
from app.lifecycle.models import ChainHead, Conflict, Event  # noqa: F401
from app.maintenance.models import WorkOrder, WorkOrderItem, WorkOrderPart  # noqa: F401
from app.maintenance.schedules import Schedule, ScheduleOccurrence  # noqa: F401
from app.meters.models import Meter, Reading  # noqa: F401
from app.numbering import NumberCounter  # noqa: F401
from app.org.models import Department, Location, Person  # noqa: F401
from app.procurement.models import (  # noqa: F401
    OrderLine,
    PurchaseOrder,
    PurchaseRequest,
    Receipt,
    RequestApproval,
)
from app.stocktakes.models import (  # noqa: F401
    Stocktake,
    StocktakeCount,
    StocktakeExpected,
    StocktakeUnknown,
)
from app.warranty.models import Warranty, WarrantyClaim  # noqa: F401
