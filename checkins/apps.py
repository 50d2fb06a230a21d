from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Check-ins and reminders"

    def ready(self) -> None:
        from checkins import emails  # noqa: F401  (registers the reminder and update e-mails with the outbox)
