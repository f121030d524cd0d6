from contracts.models.catalogue import Accessory, DiscountPolicy, ValuePackage
from contracts.models.contracts import (
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
)
from contracts.models.quotes import ApprovalRequest, Quote, QuoteVersion

__all__ = [
    "Accessory", "ApprovalRequest", "Contract", "ContractDocument", "ContractEvent",
    "ContractSequence", "DiscountPolicy", "Quote", "QuoteVersion", "ValuePackage",
]
