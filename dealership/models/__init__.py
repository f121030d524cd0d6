from dealership.models.audit import Audited, AuditEntry
from dealership.models.catalogue import Brand, Colour, PriceChange, Series, Trim
from dealership.models.customers import Customer
from dealership.models.stock import StockVehicle
from dealership.models.stores import DealerGroup, Store, Team
from dealership.models.users import User

__all__ = [
    "AuditEntry", "Audited", "Brand", "Colour", "Customer", "DealerGroup", "PriceChange",
    "Series", "StockVehicle", "Store", "Team", "Trim", "User",
]
