from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "Couples and accounts"

    def ready(self) -> None:
        # Register the invitation, restore and download e-mails with the outbox, and Mend's own system checks.
        from recovery import care, checks, closing, data_export, invitations  # noqa: F401
