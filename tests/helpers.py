from __future__ import annotations

import html

from django.http import HttpResponse


def page(response: HttpResponse) -> str:
    """The response body with HTML entities decoded, for assertions on what a person reads."""
    return html.unescape(response.content.decode())
