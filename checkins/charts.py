"""Server-rendered, accessible SVG line charts: no JavaScript, no chart library, nothing inline for the CSP.

The markup carries no ``style`` attribute, no ``<style>`` and no ``<script>`` (the site runs under
``style-src 'self'``). Every element has a class for the stylesheet, plus presentation attributes
(``stroke``, ``fill``, ...) as calm defaults, which any CSS rule on the class overrides.

Classes used (all inside ``svg.chart``):

``chart``               the ``<svg>`` itself (give it ``width: 100%; height: auto``)
``chart-grid``          horizontal gridlines at the y ticks
``chart-axis``          the x axis baseline
``chart-tick``          x and y tick labels
``chart-empty``         the centred "No entries yet" when nothing is charted
``threshold``           the dashed horizontal reference line (e.g. the CSI-4 distress line), with a <title>
``threshold-label``     its label, shown in the legend (where no data line can run through it)
``series series-N``     the ``<g>`` of one series
``line series-N``       a polyline segment (a line breaks where a check-in is missing)
``marker series-N``     a point: a circle for ``series-1``, a square for ``series-2``
``chart-legend``        the legend ``<g>``: ``legend-line series-N``, ``legend-marker series-N`` and
                        ``legend-label`` for each series, then ``legend-threshold`` and ``threshold-label``

Points outside ``start..end`` are left out of both the drawing and the data table; values outside
``y_min..y_max`` are clamped for drawing only (the table keeps the real value).

The SVG has a viewBox and no width or height, so it scales to its container; a ``Layout`` sets the
viewBox and the font size for the widths it will be drawn at (``WIDE`` for a page column, ``NARROW``
for a phone, where its text shows at about 14 px).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = ["NARROW", "WIDE", "Chart", "Layout", "Series", "line_chart"]

NO_DATA_TEXT = "No entries yet"


@dataclass(frozen=True)
class Layout:
    """Geometry of the viewBox (user units). The chart scales to its container's width, so text is drawn
    at ``font_size * rendered width / width`` CSS pixels: a layout is made for a range of widths."""

    width: int
    height: int
    left: int  # room for the y tick labels
    right_pad: int  # room for half of the last x tick label
    bottom_pad: int  # room for the x tick labels
    font_size: int
    max_x_labels: int
    char_width: float  # a character's width at font_size, roughly, for laying out the legend
    legend_y: int = 14  # the middle of the first legend row
    legend_row: int = 20  # from one legend row to the next
    legend_gap: int = 20  # room between the legend and the top gridline

    @property
    def right(self) -> int:
        return self.width - self.right_pad

    @property
    def bottom(self) -> int:
        return self.height - self.bottom_pad


# Drawn about 1.5 times its viewBox on a desktop page: 12-unit text shows at 14-18 px.
WIDE = Layout(width=640, height=240, left=44, right_pad=28, bottom_pad=34, font_size=12, max_x_labels=8, char_width=7)
# For a phone: drawn about 1:1 in a 358-px column (a 390-px screen less the page margins), so 14-unit
# text shows at about 14 px; fewer x labels fit, and a long legend wraps onto a second row.
NARROW = Layout(
    width=360, height=270, left=34, right_pad=30, bottom_pad=36, font_size=14, max_x_labels=4, char_width=8.2,
    legend_row=22,
)  # fmt: skip

# The wide layout's geometry, as names (the plot area when the legend takes one row).
WIDTH = WIDE.width
HEIGHT = WIDE.height
LEFT = WIDE.left
RIGHT = WIDE.right
TOP = WIDE.legend_y + WIDE.legend_gap
BOTTOM = WIDE.bottom
LEGEND_Y = WIDE.legend_y
MAX_X_LABELS = WIDE.max_x_labels

# Fallback colours (presentation attributes); the stylesheet's rules win over these.
INK_MUTED = "#5b6b70"
GRID = "#e3ddd5"
AXIS = "#b9b0a5"
THRESHOLD = "#8b1e1e"
SERIES_COLOURS = {"series-1": "#1f5f5b", "series-2": "#a0522d"}
MARKER_EDGE = "#ffffff"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 forbids even as references: C0 controls other than tab, LF and CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    name: str  # user-provided text: escaped on output
    points: tuple[tuple[date, float], ...]  # (day or week start, value); any order; a repeated date: the last wins
    css_class: str = "series-1"  # "series-1" (circles) or "series-2" (squares)


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    rows: list[tuple[date, list[float | None]]]  # the data-table fallback, one row per date, sorted
    series_names: list[str]
    has_data: bool
    # The same chart drawn for a phone (NARROW, often over fewer days), shown instead of this one on a
    # narrow screen; `rows` stay this chart's, so the table always has every number.
    narrow: Chart | None = None

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        """`rows` as the data table shows them: each date as "j M" in the reader's language, each value localised,
        "—" for none. Formatted here rather than in the template, where the tables were most of a page's
        charts' cost; charts over the same days share each date's label."""
        language = get_language()
        return [
            (_table_date(day, language), ["—" if value is None else localize(value) for value in values])
            for day, values in self.rows
        ]


@lru_cache(maxsize=512)
def _table_date(day: date, language: str | None) -> str:
    """A day as the table shows it ("3 Nov"), in `language` (the active one: part of the key)."""
    return date_format(day, "j M")


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    start: date,
    end: date,
    y_min: float,
    y_max: float,
    y_ticks: Sequence[float],
    threshold: float | None = None,
    threshold_label: str = "",
    x_label_format: str = "%-d %b",
    weekly: bool = False,
    layout: Layout = WIDE,
) -> Chart:
    """A line chart of ``series`` over ``start..end`` (inclusive), by day, or by week when ``weekly``.

    ``x_label_format`` is a strftime format; ``%-d`` (day without a leading zero) works on every platform.
    """
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must be a plain identifier (letters, digits, _ and -), not {chart_id!r}")
    if end < start:
        raise ValueError("end must not be before start")
    if not (math.isfinite(y_min) and math.isfinite(y_max) and y_max > y_min):
        raise ValueError("y_max must be greater than y_min")
    for s in series:
        if s.css_class not in SERIES_COLOURS:
            raise ValueError(f"css_class must be one of {sorted(SERIES_COLOURS)}, not {s.css_class!r}")

    values = [_values_in_range(s, start, end) for s in series]
    dates = sorted({d for by_date in values for d in by_date})
    rows = [(d, [by_date.get(d) for by_date in values]) for d in dates]
    has_data = bool(dates)

    legend, legend_rows = _legend(series, threshold_label if threshold is not None else "", layout)
    top = layout.legend_y + (legend_rows - 1) * layout.legend_row + layout.legend_gap
    scale = _Scale(start=start, end=end, y_min=y_min, y_max=y_max, layout=layout, top=top)
    max_gap = 7 if weekly else 1
    dense = (end - start).days > (45 * 7 if weekly else 45)

    parts: list[str] = [
        _svg(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
            'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{}-title {}-desc" '
            'font-family="{}" font-size="{}">',
            layout.width,
            layout.height,
            chart_id,
            chart_id,
            FONT,
            layout.font_size,
        ),
        _svg('<title id="{}-title">{}</title>', chart_id, _clean(title)),
        _svg('<desc id="{}-desc">{}</desc>', chart_id, _clean(description)),
    ]
    parts += _y_axis(scale, y_ticks)
    parts += _x_axis(scale, x_label_format, weekly)
    if threshold is not None:
        parts += _threshold(scale, threshold, threshold_label)
    for s, by_date in zip(series, values, strict=True):
        parts += _series(scale, s, by_date, max_gap=max_gap, label_format=x_label_format, weekly=weekly, dense=dense)
    parts += legend
    if not has_data:
        parts.append(
            _svg(
                '<text class="chart-empty" x="{}" y="{}" text-anchor="middle" dy="0.35em" fill="{}" font-size="{}">'
                "{}</text>",
                _num((layout.left + layout.right) / 2),
                _num((top + layout.bottom) / 2),
                INK_MUTED,
                layout.font_size + 2,
                NO_DATA_TEXT,
            )
        )
    parts.append("</svg>")
    return Chart(
        svg=mark_safe("\n".join(parts)),  # every part is built with _svg (format_html) or _clean
        rows=rows,
        series_names=[s.name for s in series],
        has_data=has_data,
    )


@dataclass(frozen=True)
class _Scale:
    start: date
    end: date
    y_min: float
    y_max: float
    layout: Layout = WIDE
    top: float = TOP  # below the legend

    @property
    def left(self) -> int:
        return self.layout.left

    @property
    def right(self) -> int:
        return self.layout.right

    @property
    def bottom(self) -> int:
        return self.layout.bottom

    def x(self, day: date) -> float:
        span = (self.end - self.start).days
        if span == 0:
            return (self.left + self.right) / 2
        return self.left + (day - self.start).days / span * (self.right - self.left)

    def y(self, value: float) -> float:
        clamped = min(max(value, self.y_min), self.y_max)
        return self.bottom - (clamped - self.y_min) / (self.y_max - self.y_min) * (self.bottom - self.top)


def _values_in_range(s: Series, start: date, end: date) -> dict[date, float]:
    by_date: dict[date, float] = {}
    for day, value in s.points:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{s.name!r} has a value that is not a finite number on {day}")
        if start <= day <= end:
            by_date[day] = number
    return dict(sorted(by_date.items()))


def _y_axis(scale: _Scale, y_ticks: Iterable[float]) -> list[str]:
    parts: list[str] = []
    for tick in sorted(set(y_ticks)):
        if not scale.y_min <= tick <= scale.y_max:
            continue
        y = _num(scale.y(tick))
        parts.append(
            _svg(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
                scale.left,
                y,
                scale.right,
                y,
                GRID,
            )
        )
        parts.append(
            _svg(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dy="0.35em" fill="{}">{}</text>',
                scale.left - 8,
                y,
                INK_MUTED,
                _num(tick),
            )
        )
    return parts


def _x_axis(scale: _Scale, label_format: str, weekly: bool) -> list[str]:
    parts: list[str] = [
        _svg(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            scale.left,
            scale.bottom,
            scale.right,
            scale.bottom,
            AXIS,
        )
    ]
    for day in _x_ticks(scale.start, scale.end, weekly, scale.layout.max_x_labels):
        parts.append(
            _svg(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                _num(scale.x(day)),
                scale.bottom + scale.layout.font_size + 8,
                INK_MUTED,
                _clean(_format_date(day, label_format)),
            )
        )
    return parts


def _x_ticks(start: date, end: date, weekly: bool, max_labels: int = MAX_X_LABELS) -> list[date]:
    """At most ``max_labels`` dates to label, counted back from the latest day (or week start)."""
    if weekly:
        count = (end - start).days // 7  # week starts after the first
        step = _step(count, (1, 2, 4, 8, 13, 26, 52), max_labels) * 7
        last = start + timedelta(days=count * 7)
    else:
        count = (end - start).days
        step = _step(count, (1, 2, 3, 7, 14, 28, 56, 91, 182, 364), max_labels)
        last = end
    ticks = []
    day = last
    while day >= start:
        ticks.append(day)
        day -= timedelta(days=step)
    return sorted(ticks)


def _step(count: int, candidates: Sequence[int], max_labels: int) -> int:
    for step in candidates:
        if count // step + 1 <= max_labels:
            return step
    return math.ceil((count + 1) / max_labels)


def _threshold(scale: _Scale, threshold: float, label: str) -> list[str]:
    """The dashed reference line; its label goes in the legend, where no data line can cross it."""
    y = _num(scale.y(threshold))
    return [
        _svg(
            '<line class="threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="6 4">{}</line>',
            scale.left,
            y,
            scale.right,
            y,
            THRESHOLD,
            _svg("<title>{}</title>", _clean(label)) if label else "",
        )
    ]


def _series(
    scale: _Scale,
    s: Series,
    by_date: dict[date, float],
    *,
    max_gap: int,
    label_format: str,
    weekly: bool,
    dense: bool,
) -> list[str]:
    colour = SERIES_COLOURS[s.css_class]
    parts: list[str] = [_svg('<g class="series {}">', s.css_class)]
    for segment in _segments(list(by_date), max_gap):
        if len(segment) < 2:
            continue  # a lone point is shown by its marker alone
        coordinates = " ".join(f"{_num(scale.x(d))},{_num(scale.y(by_date[d]))}" for d in segment)
        parts.append(
            _svg(
                '<polyline class="line {}" points="{}" fill="none" stroke="{}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>',
                s.css_class,
                coordinates,
                colour,
            )
        )
    size = 2.5 if dense else 4  # circle radius; half the square's side
    for day, value in by_date.items():
        when = _format_date(day, label_format)
        label = f"{s.name}, {'week of ' if weekly else ''}{when}: {_num(value)}"
        parts.append(_marker(s.css_class, scale.x(day), scale.y(value), size, colour, title=label))
    parts.append("</g>")
    return parts


def _segments(days: list[date], max_gap: int) -> list[list[date]]:
    """Sorted days split where two neighbours are more than max_gap days apart."""
    segments: list[list[date]] = []
    for day in days:
        if segments and (day - segments[-1][-1]).days <= max_gap:
            segments[-1].append(day)
        else:
            segments.append([day])
    return segments


def _marker(
    css_class: str, x: float, y: float, size: float, colour: str, *, title: str = "", role: str = "marker"
) -> str:
    """A circle (series-1) or a square (series-2) centred on (x, y), with an optional <title>."""
    tooltip = _svg("<title>{}</title>", _clean(title)) if title else ""
    if css_class == "series-2":
        side = size * 2 * 0.9  # a square looks larger than a circle of the same width
        return _svg(
            '<rect class="{} {}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1.5">'
            "{}</rect>",
            role,
            css_class,
            _num(x - side / 2),
            _num(y - side / 2),
            _num(side),
            _num(side),
            colour,
            MARKER_EDGE,
            tooltip,
        )
    return _svg(
        '<circle class="{} {}" cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1.5">{}</circle>',
        role,
        css_class,
        _num(x),
        _num(y),
        _num(size),
        colour,
        MARKER_EDGE,
        tooltip,
    )


def _legend(series: Sequence[Series], threshold_label: str, layout: Layout = WIDE) -> tuple[list[str], int]:
    """One entry a series (line, marker, name), then the threshold's (dashed line, label), left to right;
    an entry that would run past the right edge starts a new row. Returns the parts and the rows used."""
    if not series and not threshold_label:
        return [], 1
    parts: list[str] = ['<g class="chart-legend">']
    x, y, rows = float(layout.left), layout.legend_y, 1

    def place(text: str) -> tuple[float, int]:
        nonlocal x, y, rows
        width = 24 + layout.char_width * len(text)
        if x > layout.left and x + width > layout.width - 4:
            x, y, rows = float(layout.left), y + layout.legend_row, rows + 1
        at = x
        x += width + 20
        return at, y

    for s in series:
        name = s.name if len(s.name) <= 24 else s.name[:23].rstrip() + "…"
        colour = SERIES_COLOURS[s.css_class]
        at, row_y = place(name)
        parts.append(
            _svg(
                '<line class="legend-line {}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>',
                s.css_class,
                _num(at),
                row_y,
                _num(at + 18),
                row_y,
                colour,
            )
        )
        parts.append(_marker(s.css_class, at + 9, row_y, 4, colour, role="legend-marker"))
        parts.append(
            _svg(
                '<text class="legend-label" x="{}" y="{}" dy="0.35em" fill="{}">{}</text>',
                _num(at + 24),
                row_y,
                INK_MUTED,
                _clean(name),
            )
        )
    if threshold_label:
        at, row_y = place(threshold_label)
        parts.append(
            _svg(
                '<line class="legend-threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="4 3"/>',
                _num(at),
                row_y,
                _num(at + 18),
                row_y,
                THRESHOLD,
            )
        )
        parts.append(
            _svg(
                '<text class="threshold-label" x="{}" y="{}" dy="0.35em" fill="{}">{}</text>',
                _num(at + 24),
                row_y,
                THRESHOLD,
                _clean(threshold_label),
            )
        )
    parts.append("</g>")
    return parts, rows


def _format_date(day: date, label_format: str) -> str:
    return day.strftime(label_format.replace("%-d", str(day.day)))


def _num(value: float) -> str:
    """At most one decimal, no trailing zeros, no "-0"."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clean(text: str) -> str:
    """User text, escaped, without the characters XML cannot carry."""
    return SafeString(html.escape(_NOT_XML.sub("", str(text))))


def _svg(format_string: str, *args: object, **kwargs: object) -> SafeString:
    """Django's format_html, for the hundreds of small parts of a chart: every argument is escaped the same way
    (conditional_escape: what is already safe stays as it is, anything else goes through html.escape), without
    the lazy-string wrapper around each escape, which made format_html most of a chart's cost."""
    return SafeString(
        format_string.format(*map(_escaped, args), **{name: _escaped(value) for name, value in kwargs.items()})
    )


def _escaped(value: object) -> str:
    """django.utils.html.conditional_escape, less its per-call overhead (a lazy string has no __html__: it is
    escaped as the text it stands for)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def sparkline(values: list[float | None], *, high: float, label: str, width: int = 80, height: int = 24) -> SafeString:
    """A small trend line (inline SVG, no script or style: the strict CSP holds) with its numbers as its
    accessible name; a week without data breaks the line rather than inventing a value."""
    step = width / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        y = height - 2 - (value / high) * (height - 4)
        segments[-1].append(f"{index * step:.1f},{y:.1f}")
    spoken = ", ".join("—" if v is None else f"{v:.1f}".rstrip("0").rstrip(".") for v in values)
    lines = SafeString(
        "".join(_svg('<polyline points="{}" class="sparkline__line"/>', " ".join(p)) for p in segments if len(p) > 1)
    )
    dots = SafeString(
        "".join(
            _svg('<circle cx="{}" cy="{}" r="2" class="sparkline__dot"/>', *p[0].split(","))
            for p in segments
            if len(p) == 1
        )
    )
    return _svg(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}: {spoken}">{lines}{dots}</svg>',
        w=width,
        h=height,
        label=label,
        spoken=spoken or _("no data"),
        lines=lines,
        dots=dots,
    )
