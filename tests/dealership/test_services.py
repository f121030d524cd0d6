"""Customer services, customer selectors, and roles as groups of permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dealership.enums import AuditAction, ConsentSource, Role
from dealership.models import AuditEntry, Customer
from dealership.roles import role_permissions_merged, user_sync_groups
from dealership.selectors import customer_get_for_user, customer_scope_for_user
from dealership.services.customers import customer_create, customer_reveal_pii, customer_update
from dealership.services.users import user_set_role
from dealership.validators import normalize_phone
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

CONSENTED_AT = dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC)


def _groups_of(user) -> list[str]:
    return list(user.groups.order_by("name").values_list("name", flat=True))


# --- customer_create -----------------------------------------------------------------------
def test_customer_create_saves_customer(store, consultant):
    created = customer_create(
        actor=consultant, store=store, owner=consultant,
        data={"name": "李雷", "phone": "+8613900001111", "city": "广州"},
    )

    customer = Customer.objects.get(pk=created.pk)
    assert (customer.store, customer.owner, customer.name, customer.phone, customer.city) == (
        store, consultant, "李雷", "+8613900001111", "广州")


def test_customer_create_writes_one_masked_audit_row(store, consultant):
    customer = customer_create(
        actor=consultant, store=store, owner=consultant,
        data={"name": "李雷", "phone": "+8613900001111", "city": "广州",
              "id_number": "440301199001011234"},
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.store, entry.object_id, entry.object_repr) == (
        AuditAction.CREATE, consultant, store, str(customer.pk), "李雷")
    assert entry.changes == {
        "name": [None, "李雷"],
        "phone": [None, "139****1111"],
        "city": [None, "广州"],
        "id_number": [None, "4403**********1234"],
        "marketing_consent": [None, False],
        "owner": [None, {"id": consultant.pk, "label": "王芳"}],
    }


def test_customer_create_with_consent_records_when_and_how(store, consultant):
    before = timezone.now()

    customer = customer_create(
        actor=consultant, store=store, owner=consultant,
        data={"name": "李雷", "phone": "+8613900001111", "marketing_consent": True,
              "consent_source": ConsentSource.WECHAT},
    )

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.consent_source) == (True, ConsentSource.WECHAT)
    assert before <= customer.consent_at <= timezone.now()


def test_customer_create_without_consent_ignores_source(store, consultant):
    customer = customer_create(
        actor=consultant, store=store, owner=consultant,
        data={"name": "李雷", "phone": "+8613900001111", "marketing_consent": False,
              "consent_source": ConsentSource.WECHAT},
    )

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.consent_at, customer.consent_source) == (
        False, None, "")


def test_customer_create_duplicate_phone_in_another_format_names_owner(customer, manager):
    phone = normalize_phone("138 1234 5678")

    with pytest.raises(ValidationError) as caught:
        customer_create(actor=manager, store=customer.store,
                        data={"name": "张三", "phone": phone})

    assert caught.value.message_dict == {
        "phone": ["This phone number is already a customer of this store, served by 王芳."],
    }
    assert (Customer.objects.count(), AuditEntry.objects.count()) == (1, 0)


def test_customer_create_duplicate_phone_of_unowned_customer_refused(store, manager):
    CustomerFactory(store=store, phone="+8613812345678", owner=None)

    with pytest.raises(ValidationError) as caught:
        customer_create(actor=manager, store=store,
                        data={"name": "张三", "phone": "+8613812345678"})

    assert caught.value.message_dict == {
        "phone": ["This phone number is already a customer of this store."],
    }


def test_customer_create_duplicate_id_number_reported_on_id_number(customer, manager):
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=manager, store=customer.store,
                        data={"name": "张三", "phone": "+8613900001111",
                              "id_number": customer.id_number})

    assert list(caught.value.message_dict) == ["id_number"]
    assert Customer.objects.count() == 1


def test_customer_create_phone_not_in_e164_refused(store, consultant):
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=consultant, store=store,
                        data={"name": "李雷", "phone": "139 0000 1111"})

    assert list(caught.value.message_dict) == ["phone"]
    assert Customer.objects.count() == 0


def test_customer_create_same_phone_in_another_store_allowed(customer, outsider, other_store):
    created = customer_create(actor=outsider, store=other_store, owner=outsider,
                              data={"name": "张三丰", "phone": customer.phone})

    assert Customer.objects.filter(phone=customer.phone).count() == 2
    assert created.store == other_store


def test_customer_create_by_role_without_add_permission_refused(store, make_user):
    finance = make_user(Role.FINANCE)

    with pytest.raises(PermissionDenied):
        customer_create(actor=finance, store=store,
                        data={"name": "李雷", "phone": "+8613900001111"})

    assert (Customer.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_customer_create_for_another_store_refused(store, outsider):
    with pytest.raises(PermissionDenied):
        customer_create(actor=outsider, store=store,
                        data={"name": "李雷", "phone": "+8613900001111"})

    assert Customer.objects.count() == 0


# --- customer_update -----------------------------------------------------------------------
def test_customer_update_saves_changes(customer, consultant):
    customer_update(actor=consultant, customer=customer,
                    data={"name": "张无忌", "city": "广州"})

    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("张无忌", "广州")


def test_customer_update_audits_exactly_the_changed_fields(customer, consultant):
    customer_update(actor=consultant, customer=customer,
                    data={"name": "张无忌", "city": "广州", "phone": customer.phone,
                          "address": ""})

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.store_id, entry.object_id) == (
        AuditAction.UPDATE, consultant, customer.store_id, str(customer.pk))
    assert entry.changes == {"name": ["张三丰", "张无忌"], "city": ["深圳", "广州"]}


def test_customer_update_audits_id_number_masked(customer, consultant):
    customer_update(actor=consultant, customer=customer,
                    data={"id_number": "440301199001011234"})

    assert AuditEntry.objects.get().changes == {
        "id_number": ["1101**********002X", "4403**********1234"],
    }


def test_customer_update_audits_phone_masked(customer, consultant):
    customer_update(actor=consultant, customer=customer, data={"phone": "+8613987654321"})

    assert AuditEntry.objects.get().changes == {"phone": ["138****5678", "139****4321"]}


def test_customer_update_nothing_changed_writes_no_audit_row(customer, consultant):
    customer_update(actor=consultant, customer=customer,
                    data={"name": "张三丰", "city": "深圳", "phone": customer.phone})

    assert AuditEntry.objects.count() == 0


def test_customer_update_consent_given_sets_timestamp_and_source(customer, consultant):
    before = timezone.now()

    customer_update(actor=consultant, customer=customer,
                    data={"marketing_consent": True, "consent_source": ConsentSource.PHONE})

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.consent_source) == (True, ConsentSource.PHONE)
    assert before <= customer.consent_at <= timezone.now()
    assert AuditEntry.objects.get().changes == {
        "marketing_consent": [False, True], "consent_source": ["", ConsentSource.PHONE],
    }


def test_customer_update_consent_withdrawn_clears_timestamp_and_source(store, consultant):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=CONSENTED_AT, consent_source=ConsentSource.WEBSITE)

    customer_update(actor=consultant, customer=customer, data={"marketing_consent": False})

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.consent_at, customer.consent_source) == (
        False, None, "")


def test_customer_update_consent_kept_keeps_original_timestamp(store, consultant):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=CONSENTED_AT, consent_source=ConsentSource.WEBSITE)

    customer_update(actor=consultant, customer=customer,
                    data={"marketing_consent": True, "consent_source": ConsentSource.WECHAT,
                          "city": "广州"})

    customer.refresh_from_db()
    assert (customer.consent_at, customer.consent_source, customer.city) == (
        CONSENTED_AT, ConsentSource.WEBSITE, "广州")


def test_customer_update_without_consent_key_leaves_consent(store, consultant):
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=CONSENTED_AT, consent_source=ConsentSource.WEBSITE)

    customer_update(actor=consultant, customer=customer, data={"city": "广州"})

    customer.refresh_from_db()
    assert (customer.marketing_consent, customer.consent_at) == (True, CONSENTED_AT)


def test_customer_update_phone_of_another_customer_refused(customer, consultant, store):
    other = CustomerFactory(store=store, owner=consultant, phone="+8613987654321")

    with pytest.raises(ValidationError) as caught:
        customer_update(actor=consultant, customer=other, data={"phone": customer.phone})

    assert caught.value.message_dict == {
        "phone": ["This phone number is already a customer of this store, served by 王芳."],
    }
    other.refresh_from_db()
    assert (other.phone, AuditEntry.objects.count()) == ("+8613987654321", 0)


def test_customer_update_id_number_of_another_customer_reported_on_id_number(
        customer, consultant, store):
    other = CustomerFactory(store=store, owner=consultant, phone="+8613987654321")

    with pytest.raises(ValidationError) as caught:
        customer_update(actor=consultant, customer=other,
                        data={"id_number": customer.id_number})

    assert list(caught.value.message_dict) == ["id_number"]
    other.refresh_from_db()
    assert other.id_number == ""


def test_customer_update_by_manager_allowed(customer, manager):
    customer_update(actor=manager, customer=customer, data={"city": "广州"})

    assert AuditEntry.objects.get().actor == manager


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_customer_update_outside_scope_refused(customer, persona, request):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        customer_update(actor=actor, customer=customer, data={"name": "张无忌"})

    customer.refresh_from_db()
    assert (customer.name, AuditEntry.objects.count()) == ("张三丰", 0)


def test_customer_update_by_role_without_change_permission_refused(customer, make_user):
    marketing = make_user(Role.MARKETING)

    with pytest.raises(PermissionDenied):
        customer_update(actor=marketing, customer=customer, data={"name": "张无忌"})

    customer.refresh_from_db()
    assert customer.name == "张三丰"


# --- customer_reveal_pii -------------------------------------------------------------------
def test_customer_reveal_pii_writes_view_audit_row(customer, consultant):
    entry = customer_reveal_pii(actor=consultant, customer=customer)

    assert AuditEntry.objects.get() == entry
    assert (entry.action, entry.actor, entry.store_id, entry.object_id, entry.changes) == (
        AuditAction.VIEW_PII, consultant, customer.store_id, str(customer.pk),
        {"fields": ["phone", "id_number"]})


def test_customer_reveal_pii_without_id_number_lists_phone_only(store, consultant):
    customer = CustomerFactory(store=store, owner=consultant, id_number="")

    entry = customer_reveal_pii(actor=consultant, customer=customer)

    assert entry.changes == {"fields": ["phone"]}


def test_customer_reveal_pii_by_manager_allowed(customer, manager):
    entry = customer_reveal_pii(actor=manager, customer=customer)

    assert (entry.action, entry.actor) == (AuditAction.VIEW_PII, manager)


def test_customer_reveal_pii_by_role_without_pii_permission_refused(customer, make_user):
    marketing = make_user(Role.MARKETING)

    with pytest.raises(PermissionDenied):
        customer_reveal_pii(actor=marketing, customer=customer)

    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_customer_reveal_pii_outside_scope_refused(customer, persona, request):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        customer_reveal_pii(actor=actor, customer=customer)

    assert AuditEntry.objects.count() == 0


# --- customer selectors --------------------------------------------------------------------
@pytest.fixture
def book(store, other_store, consultant, teammate, supervisor, outsider):
    """Customers of every kind of owner, in our store and in the other one."""
    loner = UserFactory(username="loner", role=Role.CONSULTANT, store=store, team=None)
    return {
        "own": CustomerFactory(store=store, owner=consultant),
        "teammate": CustomerFactory(store=store, owner=teammate),
        "supervisor": CustomerFactory(store=store, owner=supervisor),
        "other_team": CustomerFactory(store=store, owner=loner),
        "unowned": CustomerFactory(store=store, owner=None),
        "foreign": CustomerFactory(store=other_store, owner=outsider),
    }


def _scope_of(user, book) -> set[str]:
    ids = set(customer_scope_for_user(user).values_list("pk", flat=True))
    return {key for key, customer in book.items() if customer.pk in ids}


STORE_KEYS = {"own", "teammate", "supervisor", "other_team", "unowned"}


def test_customer_scope_consultant_sees_own_only(book, consultant):
    assert _scope_of(consultant, book) == {"own"}


def test_customer_scope_supervisor_sees_team_and_own(book, supervisor):
    assert _scope_of(supervisor, book) == {"own", "teammate", "supervisor"}


def test_customer_scope_manager_sees_whole_store(book, manager):
    assert _scope_of(manager, book) == STORE_KEYS


@pytest.mark.parametrize(
    "role", [Role.FINANCE, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING],
)
def test_customer_scope_store_wide_role_sees_whole_store(book, make_user, role):
    assert _scope_of(make_user(role), book) == STORE_KEYS


def test_customer_scope_outsider_sees_only_own_store(book, outsider):
    assert _scope_of(outsider, book) == {"foreign"}


def test_customer_scope_group_exec_sees_none(book, make_user):
    assert _scope_of(make_user(Role.GROUP_EXEC), book) == set()


def test_customer_scope_admin_sees_all_stores(book, make_user):
    assert _scope_of(make_user(Role.ADMIN), book) == {*STORE_KEYS, "foreign"}


def test_customer_get_for_user_own_customer_returned(customer, consultant):
    assert customer_get_for_user(user=consultant, pk=customer.pk) == customer


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_customer_get_for_user_outside_scope_404(customer, persona, request):
    actor = request.getfixturevalue(persona)

    with pytest.raises(Http404):
        customer_get_for_user(user=actor, pk=customer.pk)


@pytest.mark.parametrize("pk", [999_999, "abc"])
def test_customer_get_for_user_unknown_pk_404(consultant, pk):
    with pytest.raises(Http404):
        customer_get_for_user(user=consultant, pk=pk)


# --- roles ---------------------------------------------------------------------------------
def test_role_permissions_table_covers_every_role():
    assert set(role_permissions_merged()) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_role_group_after_migrations_has_exactly_table_permissions(role):
    group = Group.objects.get(name=role)

    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename")
    }
    assert granted == role_permissions_merged()[role]


def test_role_group_permissions_reach_the_user(consultant, make_user):
    marketing = make_user(Role.MARKETING)

    assert (consultant.has_perm("dealership.view_customer_pii"),
            marketing.has_perm("dealership.view_customer_pii")) == (True, False)


def test_user_sync_groups_leaves_exactly_the_role_group(make_user):
    user = make_user(Role.FINANCE)
    user.groups.add(Group.objects.get(name=Role.MANAGER), Group.objects.get(name=Role.ADMIN))

    user_sync_groups(user)

    assert _groups_of(user) == [Role.FINANCE]


def test_user_sync_groups_follows_changed_role(make_user):
    user = make_user(Role.FINANCE)
    user.role = Role.CUSTOMER_CARE

    user_sync_groups(user)

    assert _groups_of(user) == [Role.CUSTOMER_CARE]


def test_user_set_role_changes_role_and_group(consultant, make_user):
    admin = make_user(Role.ADMIN)

    changed = user_set_role(actor=admin, user=consultant, role=Role.SUPERVISOR)

    consultant.refresh_from_db()
    assert (changed.role, consultant.role, consultant.seniority) == (
        Role.SUPERVISOR, Role.SUPERVISOR, "")
    assert _groups_of(consultant) == [Role.SUPERVISOR]


def test_user_set_role_writes_audit_row(consultant, make_user):
    admin = make_user(Role.ADMIN)

    user_set_role(actor=admin, user=consultant, role=Role.SUPERVISOR)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.store_id, entry.object_id) == (
        AuditAction.UPDATE, admin, consultant.store_id, str(consultant.pk))
    assert entry.changes == {"role": ["consultant", "supervisor"], "seniority": ["senior", ""]}


def test_user_set_role_consultant_without_seniority_refused(manager, make_user):
    admin = make_user(Role.ADMIN)

    with pytest.raises(ValidationError) as caught:
        user_set_role(actor=admin, user=manager, role=Role.CONSULTANT, seniority="")

    manager.refresh_from_db()
    assert list(caught.value.message_dict) == ["seniority"]
    assert (manager.role, _groups_of(manager), AuditEntry.objects.count()) == (
        Role.MANAGER, [Role.MANAGER], 0)
