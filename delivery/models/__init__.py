from delivery.models.allocation import Allocation
from delivery.models.finance import InsurancePolicy, LoanApplication
from delivery.models.handover import Handover, PdiCheck, PdiItem
from delivery.models.inventory import DeliverySettings, StockImport
from delivery.models.reminders import DeliveryReminder

__all__ = ["Allocation", "DeliveryReminder", "DeliverySettings", "Handover",
           "InsurancePolicy", "LoanApplication", "PdiCheck", "PdiItem", "StockImport"]
