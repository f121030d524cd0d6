from contracts.models.catalogue import Accessory, DiscountPolicy, ValuePackage
from contracts.models.contracts import (
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
)
from contracts.models.ledger import Payment, RefundObligation
from contracts.models.quotes import ApprovalRequest, Quote, QuoteVersion

__all__ = [
    "Accessory", "ApprovalRequest", "Contract", "ContractDocument", "ContractEvent",
    "ContractSequence", "DiscountPolicy", "Payment", "Quote", "QuoteVersion", "RefundObligation",
    "ValuePackage",
]
