"""Mend's URLs plus the floor view (`bench/wsgi.py` serves it behind two middleware stacks)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from recovery.models import User
from recovery.urls import urlpatterns as mend_urlpatterns


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """An authenticated page doing one query of its own: the least any signed-in page can cost."""
    assert request.user.pk is not None  # signed in
    name = User.objects.filter(pk=request.user.pk).values_list("display_name", flat=True).first()
    return HttpResponse(f"Hello {name}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/bare/floor/", floor, name="bench_bare_floor"),
    *mend_urlpatterns,
]
