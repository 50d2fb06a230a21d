from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_migrate


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Recovery plan"

    def ready(self) -> None:
        from plans import content_cache
        from plans.sync import sync_after_migrate

        request_started.connect(content_cache.request_started, dispatch_uid="plans.content_cache.request_started")
        request_finished.connect(content_cache.request_finished, dispatch_uid="plans.content_cache.request_finished")
        # The plan's text lives in content/plan.toml; every `migrate` brings the tables in line with it.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="plans.sync_after_migrate")
