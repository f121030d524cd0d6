"""Factories of the survey tests: a delivery survey sent through the real service about a
signed contract (the delivery hook is not needed to send one), a service survey about a
service record, and a consenting customer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.enums import AppointmentType, SurveyKind
from aftersales.models import ServiceRecord, Survey
from aftersales.services.surveys import survey_send
from contracts.enums import ContractStatus
from dealership.enums import ConsentSource
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory


def consenting_customer(store, owner, **kwargs):
    return CustomerFactory(store=store, owner=owner, marketing_consent=True,
                           consent_at=timezone.now(),
                           consent_source=ConsentSource.SHOWROOM_FORM, **kwargs)


def delivery_survey(consultant, customer, *, manager=None, now: dt.datetime | None = None
                    ) -> Survey:
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    return survey_send(kind=SurveyKind.DELIVERY, customer=customer, staff=consultant,
                       contract=contract, now=now or timezone.now())


def service_record(advisor, customer, *, serviced_on: dt.date | None = None) -> ServiceRecord:
    return ServiceRecord.objects.create(
        store=customer.store, customer=customer, advisor=advisor,
        appointment_type=AppointmentType.MAINTENANCE,
        serviced_on=serviced_on or customer.store.today(), mileage=5200)


def service_survey(advisor, customer, *, now: dt.datetime | None = None,
                   serviced_on: dt.date | None = None) -> Survey:
    record = service_record(advisor, customer, serviced_on=serviced_on)
    return survey_send(kind=SurveyKind.SERVICE, customer=customer, staff=advisor,
                       service_record=record, now=now or timezone.now())
