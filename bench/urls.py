"""Mend's URLs plus the floor views (`bench/wsgi.py` serves the floor behind two middleware stacks)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from recovery.models import User
from recovery.urls import urlpatterns as mend_urlpatterns


def _one_query(request: HttpRequest) -> str | None:
    """The floors' one query of their own: the signed-in person's name."""
    assert request.user.pk is not None  # signed in
    return User.objects.filter(pk=request.user.pk).values_list("display_name", flat=True).first()


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """An authenticated page doing one query of its own: the least any signed-in page can cost."""
    return HttpResponse(f"Hello {_one_query(request)}", content_type="text/plain")


# Mend's page layout (header, menu, footer, the context processors) around one line: what any page costs
# before it shows anything of its own. Compiled once, like every template under the cached loader.
_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1>Hello {{ name }}</h1>{% endblock content %}'
)


@login_required
def layout(request: HttpRequest) -> HttpResponse:
    """The floor's one query, drawn in the page layout every signed-in page uses."""
    return HttpResponse(_LAYOUT.render({"name": _one_query(request)}, request))


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/layout/", layout, name="bench_layout"),
    path("bench/bare/floor/", floor, name="bench_bare_floor"),
    *mend_urlpatterns,
]
