"""Every domain's event types, registered with the pipeline once; defines nothing. Like
app/models.py for the models: a new domain adds its line here."""
from app import documents
from app.assets.events import TYPES as REGISTER
from app.certificates.events import TYPES as END_OF_LIFE
from app.finance.events import TYPES as FINANCE
from app.licences import service as licences
from app.lifecycle.conflicts import TYPES as CONFLICTS
from app.lifecycle.types import after_applied, register
from app.maintenance.events import TYPES as MAINTENANCE
from app.meters.events import TYPES as METERS
from app.movements.events import TYPES as MOVEMENTS
from app.org import service as org
from app.procurement.orders import STEPS as ORDER_STEPS
from app.procurement.receiving import TYPES as RECEIVING
from app.procurement.requests import STEPS as REQUEST_STEPS
from app.repairs.events import TYPES as REPAIRS
from app.stocktakes.events import TYPES as STOCKTAKES
from app.warranty.claims import TYPES as CLAIMS
from app.warranty.events import TYPES as WARRANTY

register(*REGISTER, *MOVEMENTS, *REPAIRS, *WARRANTY, *CLAIMS, *END_OF_LIFE, *STOCKTAKES,
         *MAINTENANCE, *METERS, *RECEIVING, *CONFLICTS,
         *FINANCE)
# The steps documents without an asset record in the audit trail (app/documents.py).
documents.STEP_TYPES.update(REQUEST_STEPS | ORDER_STEPS | licences.STEPS)
# What domains do once something happens elsewhere: seats are freed when their holder goes.
after_applied("dispose", licences.asset_disposed)
org.LEAVING.append(licences.person_left)
