"""Builders for the referral and points tests: an owner (a customer whose contract is
delivered, through the real contract services), a referral through the real service, the
friend's contract signed or cancelled through the real services, and service packages."""

from __future__ import annotations

import factory

from aftersales.models import LoyaltyAccount, ServicePackage
from aftersales.services.loyalty import referral_create
from contracts.enums import ContractStatus
from contracts.services import contracts as contract_services
from dealership.models import Customer
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, StoreFactory

FRIEND_PHONE = "+8613987654321"


class ServicePackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePackage

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"保养套餐{n}")
    points = 1500
    active = True


def owner(consultant, manager, **kwargs):
    """A customer of `consultant` whose car is delivered (contract signed, paid, marked
    delivered by the contract services)."""
    kwargs.setdefault("store", consultant.store)
    kwargs.setdefault("owner", consultant)
    customer = CustomerFactory(**kwargs)
    make_contract(consultant, customer, manager=manager, status=ContractStatus.DELIVERED)
    return customer


def refer(actor, referrer, *, phone: str = FRIEND_PHONE, name: str = "李朋友", **kwargs):
    return referral_create(actor=actor, referrer=referrer, name=name, phone=phone, **kwargs)


def sign_friend(referral, consultant, manager):
    """The referred friend signs a contract of the referral's lead (the real signing)."""
    lead = referral.lead
    friend = Customer.objects.get(pk=lead.customer_id)  # its consultant set by the capture
    return make_contract(consultant, friend, manager=manager,
                         status=ContractStatus.SIGNED, lead=lead)


def cancel(contract, manager, reason: str = "客户改变主意"):
    return contract_services.contract_cancel(actor=manager, contract=contract, reason=reason)


def balance_of(customer) -> int:
    return (LoyaltyAccount.objects.filter(customer=customer)
            .values_list("balance", flat=True).first()) or 0
