from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "Couples and accounts"

    def ready(self) -> None:
        # Register the invitation, restore and download e-mails with the outbox, and Mend's own system checks.
        # The Celery tasks, registered in every process: services ring them by name and never import them.
        from recovery import (  # noqa: F401
            checks,
            invitations,
            tasks,
        )
        from recovery.care import consent  # noqa: F401
        from recovery.composition import closing, data_export  # noqa: F401
