from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Recovery plan"

    def ready(self) -> None:
        from plans.sync import sync_after_migrate

        # The plan's text lives in content/plan.toml; every `migrate` brings the tables in line with it.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="plans.sync_after_migrate")
