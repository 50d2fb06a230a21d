"""The SVG line charts: pure functions, no database."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from checkins.charts import NARROW, WIDE, Chart, Series, line_chart

NS = "{http://www.w3.org/2000/svg}"
START = date(2025, 11, 1)
END = date(2025, 11, 30)


def day(n: int) -> date:
    """Day n of November 2025."""
    return date(2025, 11, n)


def daily(*, series: list[Series], **overrides: object) -> Chart:
    kwargs: dict[str, object] = {
        "chart_id": "mood",
        "title": "Daily check-ins",
        "description": "How each of you felt each day",
        "series": series,
        "start": START,
        "end": END,
        "y_min": 0,
        "y_max": 10,
        "y_ticks": [0, 5, 10],
    }
    kwargs.update(overrides)
    return line_chart(**kwargs)  # type: ignore[arg-type]


def weekly(*, series: list[Series], **overrides: object) -> Chart:
    first_monday = date(2025, 9, 1)
    kwargs: dict[str, object] = {
        "chart_id": "csi",
        "title": "Relationship satisfaction",
        "description": "CSI-4 each week",
        "series": series,
        "start": first_monday,
        "end": first_monday + timedelta(weeks=11),
        "y_min": 0,
        "y_max": 21,
        "y_ticks": [0, 7, 14, 21],
        "weekly": True,
    }
    kwargs.update(overrides)
    return line_chart(**kwargs)  # type: ignore[arg-type]


def tree(chart: Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def polylines(chart: Chart, css_class: str = "series-1") -> list[ET.Element]:
    return [e for e in tree(chart).iter(f"{NS}polyline") if e.get("class") == f"line {css_class}"]


def markers(chart: Chart) -> list[ET.Element]:
    return [e for e in tree(chart).iter() if (e.get("class") or "").startswith("marker ")]


def texts(chart: Chart) -> list[str]:
    return ["".join(e.itertext()) for e in tree(chart).iter(f"{NS}text")]


def points_of(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = [p.split(",") for p in (polyline.get("points") or "").split()]
    return [(float(x), float(y)) for x, y in pairs]


def you(*days_and_values: tuple[int, float]) -> Series:
    return Series(name="You", points=tuple((day(d), v) for d, v in days_and_values))


def test_it_renders_well_formed_xml_with_a_viewbox_and_no_fixed_width() -> None:
    chart = daily(series=[you((1, 5), (2, 6)), Series(name="Sam", points=((day(1), 4),), css_class="series-2")])

    root = tree(chart)

    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 640 240"
    assert root.get("preserveAspectRatio")
    assert root.get("class") == "chart"
    assert root.get("width") is None
    assert root.get("height") is None


def test_it_wires_title_and_desc_to_aria_labelledby() -> None:
    root = tree(daily(series=[you((1, 5))]))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "mood-title mood-desc"
    first, second = list(root)[:2]
    assert first.tag == f"{NS}title"
    assert first.get("id") == "mood-title"
    assert first.text == "Daily check-ins"
    assert second.tag == f"{NS}desc"
    assert second.get("id") == "mood-desc"
    assert second.text == "How each of you felt each day"


def test_it_escapes_names_title_description_and_threshold_label() -> None:
    chart = daily(
        series=[Series(name="<script>a()</script>", points=((day(1), 5),))],
        title='<b>"Title"</b> & more',
        description="<img src=x onerror=alert(1)>",
        threshold=5,
        threshold_label="<i>line</i>",
    )

    svg = str(chart.svg)
    assert "<script" not in svg
    assert "<b>" not in svg
    assert "<img" not in svg
    assert "<i>" not in svg
    assert "&lt;script&gt;a()&lt;/script&gt;" in svg
    root = tree(chart)
    assert root.find(f"{NS}title").text == '<b>"Title"</b> & more'  # type: ignore[union-attr]
    assert root.find(f"{NS}desc").text == "<img src=x onerror=alert(1)>"  # type: ignore[union-attr]
    assert "<script>a()</script>" in texts(chart)
    assert "<i>line</i>" in texts(chart)
    assert chart.series_names == ["<script>a()</script>"]  # raw: the template escapes it
    (marker,) = markers(chart)
    assert marker.find(f"{NS}title").text == "<script>a()</script>, 1 Nov: 5"  # type: ignore[union-attr]


def test_it_drops_characters_xml_cannot_carry() -> None:
    chart = daily(series=[Series(name="Sam\x00\x1b\ufffe", points=((day(1), 5),))], title="a\x0bb")

    root = tree(chart)

    assert root.find(f"{NS}title").text == "ab"  # type: ignore[union-attr]
    assert "Sam" in texts(chart)


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=40), title=st.text(max_size=40), value=st.floats(-1e6, 1e6))
def test_it_always_renders_well_formed_xml_without_style_or_script(name: str, title: str, value: float) -> None:
    chart = daily(series=[Series(name=name, points=((day(3), value), (day(4), 2)))], title=title, description=name)

    ET.fromstring(str(chart.svg))
    assert_csp_safe(str(chart.svg))


def assert_csp_safe(svg: str) -> None:
    for element in ET.fromstring(svg).iter():
        assert element.tag not in {f"{NS}style", f"{NS}script", f"{NS}foreignObject", f"{NS}a"}
        for attribute in element.attrib:
            assert attribute != "style"
            assert not attribute.lower().startswith("on")  # no event handlers
            assert "href" not in attribute


def test_it_has_no_style_attribute_style_element_or_script() -> None:
    charts = [
        daily(series=[you((1, 5), (2, 6)), Series(name="Sam", points=((day(1), 4),), css_class="series-2")]),
        daily(series=[]),
        weekly(series=[Series(name="You", points=((date(2025, 9, 1), 12),))], threshold=13.5, threshold_label="Line"),
    ]

    for chart in charts:
        svg = str(chart.svg)
        assert "style=" not in svg
        assert "<style" not in svg
        assert "<script" not in svg
        assert_csp_safe(svg)


def test_it_breaks_the_line_where_a_day_is_missing() -> None:
    chart = daily(series=[you((1, 5), (2, 6), (3, 7), (6, 4), (7, 5))])

    lines = polylines(chart)

    assert [len(points_of(line)) for line in lines] == [3, 2]


def test_it_draws_no_line_for_a_lone_point_but_still_marks_it() -> None:
    chart = daily(series=[you((1, 5), (2, 6), (4, 7), (6, 4), (7, 5))])

    assert [len(points_of(line)) for line in polylines(chart)] == [2, 2]
    assert len(markers(chart)) == 5


def test_it_joins_unsorted_points_in_date_order() -> None:
    chart = daily(series=[you((3, 7), (1, 5), (2, 6))])

    (line,) = polylines(chart)
    xs = [x for x, _ in points_of(line)]
    assert xs == sorted(xs)


def test_it_breaks_a_weekly_line_only_where_a_week_is_missing() -> None:
    monday = date(2025, 9, 1)
    weeks = [0, 1, 2, 4, 5, 9]  # weeks 3, 6, 7 and 8 have no score
    chart = weekly(series=[Series(name="You", points=tuple((monday + timedelta(weeks=w), 15) for w in weeks))])

    assert [len(points_of(line)) for line in polylines(chart)] == [3, 2]
    assert len(markers(chart)) == 6


def test_it_keeps_consecutive_weeks_joined() -> None:
    monday = date(2025, 9, 1)
    chart = weekly(series=[Series(name="You", points=tuple((monday + timedelta(weeks=w), 10 + w) for w in range(12)))])

    (line,) = polylines(chart)
    assert len(points_of(line)) == 12


def test_it_draws_one_marker_per_point_with_a_title() -> None:
    chart = daily(
        series=[
            you((17, 7), (18, 6.5)),
            Series(name="Sam", points=((day(17), 4),), css_class="series-2"),
        ]
    )

    found = markers(chart)

    assert [(e.tag, e.get("class")) for e in found] == [
        (f"{NS}circle", "marker series-1"),
        (f"{NS}circle", "marker series-1"),
        (f"{NS}rect", "marker series-2"),
    ]
    assert [e.find(f"{NS}title").text for e in found] == [  # type: ignore[union-attr]
        "You, 17 Nov: 7",
        "You, 18 Nov: 6.5",
        "Sam, 17 Nov: 4",
    ]


def test_it_names_the_week_in_weekly_marker_titles() -> None:
    chart = weekly(series=[Series(name="Sam", points=((date(2025, 11, 17), 14.5),), css_class="series-2")])

    (marker,) = markers(chart)

    assert marker.find(f"{NS}title").text == "Sam, week of 17 Nov: 14.5"  # type: ignore[union-attr]


def test_it_uses_the_given_label_format() -> None:
    chart = daily(series=[you((7, 7))], x_label_format="%d/%m")

    (marker,) = markers(chart)

    assert marker.find(f"{NS}title").text == "You, 07/11: 7"  # type: ignore[union-attr]
    assert "30/11" in texts(chart)


def test_it_labels_at_most_eight_x_ticks_including_the_last_day() -> None:
    for end in (START, START + timedelta(days=6), START + timedelta(days=13), END, START + timedelta(days=89)):
        chart = daily(series=[], end=end)
        x_labels = [e for e in tree(chart).iter(f"{NS}text") if e.get("y") == "226"]
        assert 1 <= len(x_labels) <= 8
        assert x_labels[-1].text == f"{end.day} {end:%b}"


def test_it_labels_the_y_ticks_with_gridlines() -> None:
    chart = daily(series=[], y_ticks=[0, 2.5, 5, 10, 12])  # 12 is outside 0..10: left out

    grid = [e for e in tree(chart).iter(f"{NS}line") if e.get("class") == "chart-grid"]

    assert len(grid) == 4
    assert {"0", "2.5", "5", "10"} <= set(texts(chart))
    assert "12" not in texts(chart)


def test_it_draws_the_threshold_line_and_label_when_given() -> None:
    chart = weekly(series=[], threshold=13.5, threshold_label="Distress line (13.5)")
    root = tree(chart)

    (line,) = [e for e in root.iter(f"{NS}line") if e.get("class") == "threshold"]

    assert line.get("stroke-dasharray")
    assert line.get("y1") == line.get("y2")
    # 13.5 of 0..21 on a plot from y=206 (0) to y=34 (21).
    assert float(line.get("y1")) == pytest.approx(206 - 13.5 / 21 * 172, abs=0.05)  # type: ignore[arg-type]
    assert [e.text for e in root.iter(f"{NS}text") if e.get("class") == "threshold-label"] == ["Distress line (13.5)"]


def test_it_draws_no_threshold_without_one() -> None:
    chart = weekly(series=[], threshold_label="Ignored without a threshold")

    svg = str(chart.svg)

    assert "threshold" not in svg
    assert "Ignored" not in svg


def test_it_draws_a_threshold_without_label_when_the_label_is_empty() -> None:
    chart = weekly(series=[], threshold=13.5)

    svg = str(chart.svg)

    assert 'class="threshold"' in svg
    assert "threshold-label" not in svg


def test_it_shows_no_entries_yet_on_empty_axes() -> None:
    chart = daily(series=[you(), Series(name="Sam", points=(), css_class="series-2")], threshold=5)

    assert chart.has_data is False
    assert chart.rows == []
    assert "No entries yet" in texts(chart)
    root = tree(chart)
    assert [e for e in root.iter(f"{NS}line") if e.get("class") == "chart-axis"]
    assert [e for e in root.iter(f"{NS}line") if e.get("class") == "chart-grid"]
    assert not list(root.iter(f"{NS}polyline"))
    assert not markers(chart)


def test_it_does_not_say_no_entries_when_there_are_some() -> None:
    chart = daily(series=[you(), Series(name="Sam", points=((day(4), 3),), css_class="series-2")])

    assert chart.has_data is True
    assert "No entries yet" not in texts(chart)


def test_it_clamps_values_for_drawing_but_keeps_them_in_the_table() -> None:
    chart = daily(series=[you((1, 15), (2, -3), (3, 10), (4, 0))])

    (line,) = polylines(chart)
    ys = [y for _, y in points_of(line)]

    assert ys == [34, 206, 34, 206]  # the top and the bottom of the plot
    assert [values for _, values in chart.rows] == [[15], [-3], [10], [0]]


def test_it_builds_the_table_from_the_union_of_dates() -> None:
    chart = daily(
        series=[
            you((3, 7), (1, 5)),
            Series(name="Sam", points=((day(2), 4), (day(3), 6)), css_class="series-2"),
        ]
    )

    assert chart.rows == [
        (day(1), [5.0, None]),
        (day(2), [None, 4.0]),
        (day(3), [7.0, 6.0]),
    ]
    assert chart.series_names == ["You", "Sam"]
    assert chart.has_data is True


def test_it_leaves_out_points_outside_the_range() -> None:
    chart = daily(series=[you((1, 5), (2, 6))], start=day(2), end=day(5))

    assert chart.rows == [(day(2), [6.0])]
    assert len(markers(chart)) == 1


def test_it_keeps_the_last_value_given_for_a_date() -> None:
    chart = daily(series=[you((1, 5), (1, 8))])

    assert chart.rows == [(day(1), [8.0])]


def test_it_writes_coordinates_with_at_most_one_decimal() -> None:
    chart = daily(series=[you(*((d, d / 3) for d in range(1, 31)))], y_ticks=[0, 10 / 3, 10])

    for element in tree(chart).iter():
        for attribute in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"):
            value = element.get(attribute)
            if value is not None:
                assert len(value.partition(".")[2]) <= 1, (attribute, value)
        for pair in (element.get("points") or "").split():
            assert all(len(n.partition(".")[2]) <= 1 for n in pair.split(",")), pair
    assert "3.3" in texts(chart)


def test_it_shows_a_legend_with_each_name_and_marker_shape() -> None:
    chart = daily(series=[you((1, 5)), Series(name="Sam", points=(), css_class="series-2")])
    root = tree(chart)

    (legend,) = [e for e in root.iter(f"{NS}g") if e.get("class") == "chart-legend"]

    assert [e.text for e in legend.iter(f"{NS}text")] == ["You", "Sam"]
    assert [(e.tag, e.get("class")) for e in legend if (e.get("class") or "").startswith("legend-marker")] == [
        (f"{NS}circle", "legend-marker series-1"),
        (f"{NS}rect", "legend-marker series-2"),
    ]


def test_it_shortens_a_long_name_in_the_legend_only() -> None:
    name = "Alexandra Konstantinopoulou-Smith"
    chart = daily(series=[Series(name=name, points=((day(1), 5),))])

    assert "Alexandra Konstantinopo…" in texts(chart)
    (marker,) = markers(chart)
    assert marker.find(f"{NS}title").text == f"{name}, 1 Nov: 5"  # type: ignore[union-attr]
    assert chart.series_names == [name]


def test_it_is_deterministic() -> None:
    def build() -> Chart:
        return weekly(
            series=[
                Series(name="You", points=((date(2025, 9, 8), 12), (date(2025, 9, 1), 11.25))),
                Series(name="Sam", points=((date(2025, 9, 15), 16),), css_class="series-2"),
            ],
            threshold=13.5,
            threshold_label="Distress line",
        )

    assert str(build().svg) == str(build().svg)
    assert build().rows == build().rows


def test_it_centres_a_single_day_range() -> None:
    chart = daily(series=[you((1, 5))], start=day(1), end=day(1))

    (marker,) = markers(chart)

    assert marker.get("cx") == "328"  # (44 + 612) / 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"chart_id": 'x" onload="alert(1)'}, "chart_id"),
        ({"chart_id": ""}, "chart_id"),
        ({"start": END, "end": START}, "end"),
        ({"y_min": 10, "y_max": 10}, "y_max"),
        ({"series": [Series(name="You", points=(), css_class="series-3")]}, "css_class"),
        ({"series": [Series(name="You", points=((START, float("nan")),))]}, "finite"),
    ],
)
def test_it_rejects_invalid_arguments(overrides: dict[str, object], message: str) -> None:
    kwargs: dict[str, object] = {"series": []}
    kwargs.update(overrides)

    with pytest.raises(ValueError, match=message):
        daily(**kwargs)  # type: ignore[arg-type]


# --- the phone layout ----------------------------------------------------------------------------------

PHONE_COLUMN = 358  # a 390-px screen less the page's 16-px margins


def _text_sizes_at(chart: Chart, rendered_width: float) -> list[float]:
    root = tree(chart)
    view_width = float(root.get("viewBox").split()[2])  # type: ignore[union-attr]
    base = float(root.get("font-size"))  # type: ignore[arg-type]
    return [float(e.get("font-size") or base) * rendered_width / view_width for e in root.iter(f"{NS}text")]


def test_the_narrow_layout_shows_text_of_at_least_12_px_in_a_phone_column() -> None:
    narrow = daily(series=[you((1, 5), (2, 6))], layout=NARROW, threshold=5, threshold_label="5: a line")
    empty = weekly(series=[you()], layout=NARROW)

    assert min(_text_sizes_at(narrow, PHONE_COLUMN)) >= 12
    assert min(_text_sizes_at(empty, PHONE_COLUMN)) >= 12  # "No entries yet" too
    # The page layout, squeezed into the same column, would not be readable: hence the second drawing.
    assert min(_text_sizes_at(daily(series=[you((1, 5))]), PHONE_COLUMN)) < 8


def test_the_narrow_layout_scales_to_its_column_without_a_fixed_width() -> None:
    root = tree(daily(series=[you((1, 5))], layout=NARROW))

    assert root.get("viewBox") == f"0 0 {NARROW.width} {NARROW.height}"
    assert root.get("width") is None and root.get("height") is None
    assert NARROW.width <= PHONE_COLUMN + 10


def test_the_narrow_layout_labels_at_most_four_dates_ending_with_the_latest() -> None:
    chart = daily(series=[you((1, 5))], layout=NARROW, start=day(3), end=day(30))

    labels = [e.text for e in tree(chart).iter(f"{NS}text") if e.get("class") == "chart-tick" and " " in e.text]

    assert labels == ["9 Nov", "16 Nov", "23 Nov", "30 Nov"]


def test_a_legend_too_long_for_the_narrow_layout_wraps_onto_a_second_row() -> None:
    long_names = [
        Series(name="Christopher", points=((day(1), 5),)),
        Series(name="Maximiliana", points=((day(1), 6),), css_class="series-2"),
    ]
    one_row = daily(series=[you((1, 5))], layout=NARROW)
    two_rows = daily(series=long_names, layout=NARROW, threshold=5, threshold_label="13.5: distress line")

    def legend_rows(chart: Chart) -> set[str]:
        return {e.get("y") for e in tree(chart).iter(f"{NS}text") if "label" in (e.get("class") or "")}  # type: ignore[misc]

    def top_gridline(chart: Chart) -> float:
        return min(float(e.get("y1")) for e in tree(chart).iter(f"{NS}line") if e.get("class") == "chart-grid")  # type: ignore[arg-type]

    assert len(legend_rows(one_row)) == 1
    assert len(legend_rows(two_rows)) == 2
    assert top_gridline(two_rows) > top_gridline(one_row)  # the plot moves down to make room
    for label in tree(two_rows).iter(f"{NS}text"):
        if "label" in (label.get("class") or ""):
            assert float(label.get("x")) + NARROW.char_width * len(label.text) <= NARROW.width  # type: ignore[arg-type]


def test_the_wide_layout_is_unchanged_by_default() -> None:
    assert str(daily(series=[you((1, 5))]).svg) == str(daily(series=[you((1, 5))], layout=WIDE).svg)


@given(
    st.lists(
        st.one_of(
            st.text(),
            st.integers(),
            st.floats(allow_nan=False),
            st.text().map(lambda t: mark_safe(t)),
            st.text().map(lambda t: gettext_lazy(t)),
        ),
        max_size=4,
    )
)
def test_the_charts_own_format_html_escapes_every_argument_exactly_as_djangos(args: list[object]) -> None:
    from checkins.charts import _svg

    template = "<g>" + "[{}]" * len(args) + "{named}</g>"
    expected = format_html(template, *args, named="\"<&>'")
    got = _svg(template, *args, named="\"<&>'")
    assert got == expected and isinstance(got, SafeString)


def test_the_data_table_shows_each_date_and_value_formatted_in_the_readers_language() -> None:
    from django.utils import translation

    march = date(2025, 3, 1)
    chart = daily(
        series=[
            Series(name="Alex", points=((march, 6.5), (march + timedelta(days=1), 7))),
            Series(name="Sam", points=((march, 3),), css_class="series-2"),
        ],
        start=march,
        end=march + timedelta(days=6),
    )
    assert chart.table == [("1 Mar", ["6.5", "3.0"]), ("2 Mar", ["7.0", "—"])]  # as {{ value }} shows a float
    with translation.override("de"):  # the labels are cached by language: never another reader's
        assert chart.table == [("1 Mär", ["6,5", "3,0"]), ("2 Mär", ["7,0", "—"])]
    assert chart.table[0][0] == "1 Mar"
