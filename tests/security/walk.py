"""Every URL pattern the resolver knows, with sample arguments, for the security walk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the full pattern, for messages
    params: tuple[str, ...]


def all_routes() -> list[Route]:
    return sorted(_walk(get_resolver().url_patterns, "", ""), key=lambda r: (r.name, r.pattern))


def _walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            params = tuple(entry.pattern.regex.groupindex)
            converters = getattr(entry.pattern, "converters", {})
            params = tuple(dict.fromkeys([*params, *converters]))
            yield Route(name=name, pattern=prefix + str(entry.pattern), params=params)


_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def concrete_path(route: Route, samples: dict[str, object]) -> str:
    """The route's pattern with each parameter replaced by its sample value."""
    path = route.pattern.replace("^", "").replace("$", "")
    path = _REGEX_PARAM.sub(lambda m: str(samples[m.group(1)]), path)
    path = _ROUTE_PARAM.sub(lambda m: str(samples[m.group(1)]), path)
    return "/" + path
