from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DealershipConfig(AppConfig):
    name = "dealership"
    verbose_name = _("Dealership core")

    def ready(self) -> None:
        from dealership.roles import roles_sync_after_migrate

        # Every app's post_migrate: permissions of later apps exist only after theirs.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="dealership.roles_sync")
