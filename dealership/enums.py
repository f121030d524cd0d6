"""Choices shared across the whole product (roles, seniority, catalogue and stock states)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Receptionist")
    CONSULTANT = "consultant", _("Sales consultant")
    SUPERVISOR = "supervisor", _("Sales supervisor")
    MANAGER = "manager", _("Sales manager")
    FINANCE = "finance", _("Finance")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")
    CUSTOMER_CARE = "customer_care", _("Customer care")
    MARKETING = "marketing", _("Marketing")
    GROUP_EXEC = "group_exec", _("Group executive")
    ADMIN = "admin", _("System administrator")


# Roles that are not bound to one store.
CROSS_STORE_ROLES = (Role.GROUP_EXEC, Role.ADMIN)


class NavGroup(models.TextChoices):
    """The menu's sections, one per stage of the day and the process, in menu order."""

    TODAY = "today", pgettext_lazy("menu section", "Today")
    LEADS = "leads", pgettext_lazy("menu section", "Leads")
    SHOWROOM = "showroom", pgettext_lazy("menu section", "Showroom")
    DEALS = "deals", pgettext_lazy("menu section", "Deals")
    DELIVERY = "delivery", pgettext_lazy("menu section", "Delivery")
    AFTERSALES = "aftersales", pgettext_lazy("menu section", "After-sales")
    REPORTS = "reports", pgettext_lazy("menu section", "Reports")
    SETTINGS = "settings", pgettext_lazy("menu section", "Settings")


class Seniority(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    SENIOR = "senior", _("Senior")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not stated")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class ConsentSource(models.TextChoices):
    SHOWROOM_FORM = "showroom_form", _("Showroom form")
    WEBSITE = "website", _("Website")
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat")
    IMPORT = "import", _("Import")
    API = "api", _("Lead API")
    OTHER = "other", _("Other")


class Powertrain(models.TextChoices):
    ICE = "ice", _("Petrol/diesel (ICE)")
    HEV = "hev", _("Hybrid (HEV)")
    PHEV = "phev", _("Plug-in hybrid (PHEV)")
    EV = "ev", _("Battery electric (EV)")
    EREV = "erev", _("Range extender (EREV)")


class StockStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    IN_STOCK = "in_stock", _("In stock")
    RESERVED = "reserved", _("Reserved")
    SOLD = "sold", _("Sold")
    DELIVERED = "delivered", _("Delivered")
    DEMO = "demo", _("Demo vehicle")


# Vehicles physically at the store whose age counts (DESIGN §3 "stock age").
ON_HAND_STOCK_STATUSES = (StockStatus.IN_STOCK, StockStatus.RESERVED, StockStatus.DEMO)
SLOW_STOCK_DAYS = 60


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW_PII = "view_pii", _("Viewed personal data in full")
    LOCKOUT = "lockout", _("Sign-in locked after failed attempts")
    UNLOCK = "unlock", _("Sign-in unlocked")
    EXPORT = "export", _("Personal data exported")
    ERASE = "erase", _("Personal data erased")


class PriceKind(models.TextChoices):
    """What a price history row is about. Accessories and packages belong to the contracts
    stage, which the core may not import: the row names them by kind and id."""

    TRIM = "trim", _("trim")
    COLOUR = "colour", _("colour")
    ACCESSORY = "accessory", _("accessory")
    PACKAGE = "package", _("value-added package")
