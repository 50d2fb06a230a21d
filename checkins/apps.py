from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins and reminders"

    def ready(self) -> None:
        # Registers the reminder and update e-mails with the outbox, and listens for the plan's partner_ready.
        from checkins import emails, notifications  # noqa: F401
