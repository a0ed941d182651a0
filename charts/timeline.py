"""Gantt-style timeline of deployments and events (Altair / Vega-Lite), shown below the map.

The chart has one row per deployment (or, when there are more than ``max_rows``, one per
nation × mission), a bar over the days it covers clipped to the window, and a top lane
labelled "Events" with a point per event. A rule marks the as-of day, or a band the chosen
period. The app shows it with ``st.altair_chart``; this module only builds the spec and
imports no streamlit.

Texts from the data (names, titles, places, sources) travel only as *values* of the chart's
inline data: never inside a Vega expression, a field name, a scale domain or a format string.
The columns of that data are fixed names chosen here (``kind``, ``order``, ``row``, ``color``,
``status``, ``x0``, ``x1``, ``xm``, ...), the filters are field predicates on them, and Vega's
tooltip handler shows values as escaped text. Each bar carries its nation's colour (scale-less),
so no nation label has to become a scale domain either.

Dates in the data are ISO strings: days (``"2026-01-15"``) for bar ends, UTC date-times at
noon (``"2026-01-15T12:00:00Z"``) for points in a day. The x scale is UTC so a day stays that
day in every time zone. A bar runs from the start of its first day to the end of its last.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from geo import settings

# Statuses in legend order, most current first; an unknown status sorts after them.
STATUS_ORDER: tuple[str, ...] = ("active", "announced", "ended", "declined")
# Opacity of a bar by status: under way is solid, only announced is lighter, ended and declined
# are faint (opacity, not fillOpacity: Vega-Lite's legend shows only the former).
STATUS_OPACITY: dict[str, float] = {
    "active": 0.95,
    "announced": 0.6,
    "ended": 0.4,
    "declined": 0.3,
}
# Outline dash of a bar by status, [dash, gap] in px ([1, 0] is solid): the contribution
# lines of the map dash announced, ended and declined rows the same way.
STATUS_DASH: dict[str, list[int]] = {
    "active": [1, 0],
    "announced": [6, 3],
    "ended": [2, 3],
    "declined": [1, 4],
}
# Fill of the status legend's swatches (their opacity and dash are the status's).
STATUS_SYMBOL_COLOR = "#5b6f86"
# Bar outline width; rows at the selected site get a thicker, dark outline.
STROKE_WIDTH = 1.2
SELECTED_STROKE_WIDTH = 3.0
SELECTED_STROKE = "#111111"
# Colour of a nation missing from the ``colors`` mapping.
FALLBACK_COLOR = "#8a8f98"
# Arrowheads drawn inside the open end of a bar: legend text -> Vega symbol shape.
OPEN_START = "start not stated"
ONGOING = "ongoing"
OPEN_END_SHAPES: dict[str, str] = {OPEN_START: "triangle-left", ONGOING: "triangle-right"}
# Colour and area (px²) of those arrowheads, and how far inside the bar end they sit (px).
OPEN_END_COLOR = "#13283f"
OPEN_END_SIZE = 50
OPEN_END_INSET_PX = 6
# Label of the events lane, the top row of the chart.
EVENTS_LANE = "Events"
# Events keep the colours of the map's events layer.
EVENT_COLOR = str(settings.EVENT_STYLE["color"])
EVENT_FILL = str(settings.EVENT_STYLE["fillColor"])
# Area (px²) of an event's diamond.
EVENT_SIZE = 90
# As-of day: a rule; a chosen period: a band.
MARKER_COLOR = "#d1495b"
BAND_COLOR = "#f7c948"
BAND_OPACITY = 0.22
# Longest text kept per value of the chart data, in characters (the spec stays small).
MAX_TEXT_CHARS = 160
# Width (px) the row labels may take before Vega cuts them with an ellipsis.
LABEL_LIMIT_PX = 320
# What an empty chart says.
EMPTY_TEXT = "Nothing in this period"

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
_ONE_DAY = pd.Timedelta(days=1)


# --- texts ---------------------------------------------------------------------------------------


def _text(value: object, *, limit: int = MAX_TEXT_CHARS) -> str:
    """One value as plain text, NA as "", cut to ``limit`` characters."""
    if value is None:
        return ""
    missing = pd.isna(value)  # type: ignore[call-overload]
    if isinstance(missing, bool) and missing:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _date_text(day: pd.Timestamp, precision: str) -> str:
    """A day as precisely as its source gives it: "2014", "2022-09" or "2022-09-26"."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.strftime("%Y-%m-%d")


def _period_text(
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    *,
    start_precision: str,
    end_precision: str,
) -> str:
    first = OPEN_START if start is None else _date_text(start, start_precision)
    last = ONGOING if end is None else _date_text(end, end_precision)
    return first if first == last else f"{first} – {last}"


def _nation_sort_key(label: str) -> str:
    # Sort by the nation's name, not by the flag in front of it.
    name = "".join(ch for ch in label if not unicodedata.category(ch).startswith("S"))
    return name.strip().casefold()


def _iso_day(day: pd.Timestamp) -> str:
    return day.strftime("%Y-%m-%d")


def _iso_instant(moment: pd.Timestamp) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(day: pd.Timestamp) -> alt.DateTime:
    # Scale domains as Vega-Lite date-time objects (the form every layer compiles alike).
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def _timestamp(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    missing = pd.isna(value)  # type: ignore[call-overload]
    if isinstance(missing, bool) and missing:
        return None
    return pd.Timestamp(value).normalize()  # type: ignore[arg-type]


def _as_day(day: dt.date) -> pd.Timestamp:
    if isinstance(day, dt.datetime):
        day = day.date()
    return pd.Timestamp(day)


# --- deployments ---------------------------------------------------------------------------------


def _column(df: pd.DataFrame, name: str, default: object = "") -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _deployment_rows(
    deployments: pd.DataFrame,
    *,
    first: pd.Timestamp,
    last: pd.Timestamp,
    labels: Mapping[str, str],
    selected_site: str | None,
) -> pd.DataFrame:
    """The deployments that overlap ``[first, last]``, in plain columns, sorted for display."""
    start = pd.to_datetime(deployments["start_day"]).dt.normalize()
    end = pd.to_datetime(deployments["end_day"]).dt.normalize()
    keep = (start.isna() | (start <= last)) & (end.isna() | (end >= first))
    df = deployments.loc[keep]
    code = df["nation"].astype(str)
    names = {c: _text(labels.get(c) or c) for c in code.unique()}
    site = df["site"].astype(str)
    site_name = _column(df, "site_name").fillna("").astype(str)
    site_name = site_name.where(site_name.str.strip() != "", site)
    precision = _column(df, "date_precision").fillna("").astype(str)
    status = df["status"].astype(str)
    rows = pd.DataFrame(
        {
            "code": code,
            "label": code.map(names),
            "mission": df["mission"].astype(str),
            "site": site,
            "site_name": site_name,
            "status": status,
            "rank": status.map(_STATUS_RANK).fillna(len(STATUS_ORDER)).astype(int),
            "start_day": start[keep],
            "end_day": end[keep],
            "start_precision": precision,
            "end_precision": precision,
            "personnel": pd.to_numeric(_column(df, "personnel", None), errors="coerce"),
            "assets": _column(df, "assets"),
            "source": _column(df, "source").fillna("").astype(str),
            "also": _column(df, "also_sources", ()),
            "selected": site == selected_site if selected_site else False,
            "count": 1,
            "sites": 1,
            "sources": 1,
        },
        index=df.index,
    )
    return _sorted(rows)


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    keys = {label: _nation_sort_key(label) for label in rows["label"].unique()}
    ordered = rows.assign(_nation_key=rows["label"].map(keys))
    ordered = ordered.sort_values(
        ["_nation_key", "code", "start_day", "mission", "site_name"],
        na_position="first",
        kind="stable",
    )
    return ordered.drop(columns="_nation_key")


def _aggregated(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per nation × mission: earliest start, latest end, most current status."""
    groups = rows.assign(_group=rows.groupby(["code", "mission"], sort=False).ngroup())
    # An unstated start is the earliest of all, an ongoing end the latest.
    by_start = groups.sort_values("start_day", na_position="first", kind="stable")
    by_end = groups.sort_values("end_day", na_position="last", kind="stable")
    by_status = groups.sort_values("rank", kind="stable")
    firsts = by_start.drop_duplicates("_group", keep="first").set_index("_group")
    lasts = by_end.drop_duplicates("_group", keep="last").set_index("_group")
    best = by_status.drop_duplicates("_group", keep="first").set_index("_group")
    grouped = groups.groupby("_group")
    out = firsts[["code", "label", "mission", "site", "site_name", "start_day", "start_precision"]]
    out = out.assign(
        end_day=lasts["end_day"],
        end_precision=lasts["end_precision"],
        status=best["status"],
        rank=best["rank"],
        personnel=grouped["personnel"].sum(min_count=1),
        known=grouped["personnel"].count(),
        assets="",
        source=firsts["source"],
        also=firsts["also"],  # not shown: a merged row names its sources by count
        selected=grouped["selected"].any(),
        count=grouped.size(),
        sites=grouped["site"].nunique(),
        sources=grouped["source"].nunique(),
    )
    return _sorted(out.reset_index(drop=True))


def _personnel_text(row: Mapping[Hashable, Any]) -> str:
    total = row["personnel"]
    if pd.isna(total):
        return "not stated"
    known = int(row.get("known", row["count"]))
    if known < int(row["count"]):
        return f"{int(total)} (stated for {known} of {int(row['count'])})"
    return str(int(total))


def _source_text(row: Mapping[Hashable, Any], source_titles: Mapping[str, str]) -> str:
    if int(row["count"]) > 1 and int(row["sources"]) > 1:
        return f"{int(row['sources'])} sources"
    source = str(row["source"])
    title = _text(source_titles.get(source) or source)
    also = row["also"]
    extra = len(also) if int(row["count"]) == 1 and isinstance(also, tuple | list) else 0
    return f"{title} (+{extra} more)" if extra else title


def _row_label(row: Mapping[Hashable, Any]) -> str:
    where = str(row["site_name"]) if int(row["sites"]) == 1 else f"{int(row['sites'])} sites"
    count = int(row["count"])
    # A merged row leads with its count, which a cut label would otherwise lose.
    mission = f"{count}× {row['mission']}" if count > 1 else str(row["mission"])
    return _text(" · ".join([str(row["label"]), mission, where]))


def _row_labels(rows: list[dict[Hashable, Any]]) -> list[str]:
    """One distinct label per row: the y axis has a row per label."""
    labels = [_row_label(row) for row in rows]
    counts = Counter(labels)
    # Rows of one nation, mission and site (e.g. declined, then announced) add their status.
    labels = [
        f"{label} · {row['status']}" if counts[label] > 1 else label
        for label, row in zip(labels, rows, strict=True)
    ]
    seen: set[str] = set()
    distinct = []
    for label in labels:
        unique, suffix = label, 2
        while unique in seen:
            unique, suffix = f"{label} ({suffix})", suffix + 1
        seen.add(unique)
        distinct.append(unique)
    return distinct


def _bar_records(
    rows: pd.DataFrame,
    *,
    first: pd.Timestamp,
    last: pd.Timestamp,
    colors: Mapping[str, str],
    source_titles: Mapping[str, str],
) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    table = rows.to_dict("records")
    for order, (row, label) in enumerate(zip(table, _row_labels(table), strict=True)):
        start, end = _timestamp(row["start_day"]), _timestamp(row["end_day"])
        record: dict[str, object] = {
            "kind": "bar",
            "order": order,
            "row": label,
            "color": colors.get(str(row["code"])) or FALLBACK_COLOR,
            "status": _text(row["status"]),
            "x0": _iso_day(first if start is None else max(start, first)),
            "x1": _iso_day((last if end is None else min(end, last)) + _ONE_DAY),
            "selected": bool(row["selected"]),
            "period": _period_text(
                start,
                end,
                start_precision=str(row["start_precision"]),
                end_precision=str(row["end_precision"]),
            ),
            "personnel": _personnel_text(row),
            "assets": _text(row["assets"]) or "not stated",
            "source": _source_text(row, source_titles),
            "count": int(row["count"]),
        }
        # Open ends are marked by fields present only on those rows; the arrowheads' layers keep
        # the rows that have them, and the value is the legend's text.
        if start is None:
            record["open_start"] = OPEN_START
        if end is None:
            record["ongoing"] = ONGOING
        records.append(record)
    return records


# --- events --------------------------------------------------------------------------------------


def _event_rows(events: pd.DataFrame, *, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """The events whose period overlaps ``[first, last]``, by date then title."""
    date = pd.to_datetime(_column(events, "date", None)).dt.normalize()
    start = pd.to_datetime(_column(events, "start_day", None)).dt.normalize().fillna(date)
    end = pd.to_datetime(_column(events, "end_day", None)).dt.normalize().fillna(start)
    keep = start.notna() & (start <= last) & (end >= first)
    rows = pd.DataFrame(
        {
            "start_day": start[keep],
            "end_day": end[keep],
            "precision": _column(events, "date_precision").fillna("").astype(str)[keep],
            "title": _column(events, "title").fillna("").astype(str)[keep],
            "place": _column(events, "place")[keep],
            "source": _column(events, "source").fillna("").astype(str)[keep],
        }
    )
    return rows.sort_values(["start_day", "title"], kind="stable")


def _event_records(
    rows: pd.DataFrame,
    *,
    first: pd.Timestamp,
    last: pd.Timestamp,
    source_titles: Mapping[str, str],
    height_per_row: int,
) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for row in rows.to_dict("records"):
        start, end = pd.Timestamp(row["start_day"]), pd.Timestamp(row["end_day"])
        shown_from, shown_to = max(start, first), min(end, last) + _ONE_DAY
        # A month or a year is drawn at its middle, with a thin span over the whole period.
        middle = shown_from + (shown_to - shown_from) / 2
        source = str(row["source"])
        record: dict[str, object] = {
            "kind": "event",
            "order": -1,
            "row": EVENTS_LANE,
            "xm": _iso_instant(middle),
            "title": _text(row["title"]),
            "date": _date_text(start, str(row["precision"])),
            "place": _text(row["place"]) or "not stated",
            "source": _text(source_titles.get(source) or source),
        }
        if end > start:
            record.update(span=True, x0=_iso_day(shown_from), x1=_iso_day(shown_to))
        records.append(record)
    # Events on the same day are spread across the lane so each keeps its own tooltip.
    by_day: dict[object, list[dict[str, object]]] = {}
    for record in records:
        by_day.setdefault(record["xm"], []).append(record)
    spread = height_per_row * 0.6
    for same_day in by_day.values():
        step = min(6.0, spread / max(len(same_day) - 1, 1))
        for slot, record in enumerate(same_day):
            record["yoff"] = round((slot - (len(same_day) - 1) / 2) * step, 1)
    return records


# --- chart ---------------------------------------------------------------------------------------


def _period(period: tuple[dt.date, dt.date]) -> tuple[pd.Timestamp, pd.Timestamp]:
    first, last = (_as_day(day) for day in period)
    if last < first:
        raise ValueError(f"period ends ({last.date()}) before it starts ({first.date()})")
    return first, last


@dataclass(frozen=True)
class _Axes:
    """The x and y encodings the layers share.

    The x domain (the window) is given on one layer only: Vega-Lite warns about "conflicting"
    domains when layers repeat a temporal one, even an equal one (vega-lite issue 5733).
    """

    window: alt.Scale
    shared: alt.Scale
    axis: alt.Axis
    y: alt.Y

    def x(self, field: str, *, with_window: bool = False) -> alt.X:
        scale = self.window if with_window else self.shared
        return alt.X(f"{field}:T", scale=scale, axis=self.axis)


def _axes(first: pd.Timestamp, last: pd.Timestamp) -> _Axes:
    return _Axes(
        window=alt.Scale(type="utc", domain=[_utc(first), _utc(last + _ONE_DAY)]),
        shared=alt.Scale(type="utc"),
        axis=alt.Axis(title=None, orient="top", grid=True, labelOverlap=True, tickCount=8),
        y=alt.Y(
            "row:N",
            sort=alt.EncodingSortField(field="order", op="min"),
            scale=alt.Scale(paddingInner=0.3, paddingOuter=0.15),
            axis=alt.Axis(
                title=None,
                labelLimit=LABEL_LIMIT_PX,
                labelOverlap=False,
                ticks=False,
                domain=False,
            ),
        ),
    )


def _rows_where(field: str, value: str | bool) -> alt.Chart:
    # A layer of the rows whose ``field`` equals ``value`` (data inherited from the layer
    # chart). Fields such as ``ongoing`` are only in the records they apply to.
    return alt.Chart().transform_filter(alt.FieldEqualPredicate(field=field, equal=value))


_BAR_TOOLTIP = [
    alt.Tooltip("row:N", title="Deployment"),
    alt.Tooltip("status:N", title="Status"),
    alt.Tooltip("period:N", title="Period"),
    alt.Tooltip("personnel:N", title="Personnel"),
    alt.Tooltip("assets:N", title="Assets"),
    alt.Tooltip("count:Q", title="Deployments"),
    alt.Tooltip("source:N", title="Source"),
]
_EVENT_TOOLTIP = [
    alt.Tooltip("title:N", title="Event"),
    alt.Tooltip("date:N", title="Date"),
    alt.Tooltip("place:N", title="Place"),
    alt.Tooltip("source:N", title="Source"),
]


def _status_channel(channel: type[alt.Opacity] | type[alt.StrokeDash], values: list[Any]) -> Any:
    """Status on one channel; the opacity and dash legends merge into one "Status" key."""
    # Ordinal, in STATUS_ORDER: Vega-Lite warns about opacity on an unsorted nominal field.
    return channel(
        "status:O",
        sort=list(STATUS_ORDER),
        scale=alt.Scale(domain=list(STATUS_ORDER), range=values),
        title="Status",
        legend=alt.Legend(
            symbolType="square",
            symbolFillColor=STATUS_SYMBOL_COLOR,
            symbolStrokeColor=OPEN_END_COLOR,
            symbolStrokeWidth=1.5,
            columns=2,
        ),
    )


def _bar_layers(axes: _Axes, bars: list[dict[str, object]]) -> list[alt.Chart]:
    """The deployment bars, and arrowheads at their open ends."""
    selected = alt.FieldEqualPredicate(field="selected", equal=True)
    layers = [
        _rows_where("kind", "bar")
        .mark_bar(cornerRadius=2)
        .encode(
            x=axes.x("x0", with_window=True),
            x2="x1:T",
            y=axes.y,
            # The colour itself is in the data: no nation legend, as each row label names its
            # nation (flag and name), and no nation text outside the data.
            color=alt.Color("color:N", scale=None),
            opacity=_status_channel(alt.Opacity, [STATUS_OPACITY[s] for s in STATUS_ORDER]),
            strokeDash=_status_channel(alt.StrokeDash, [STATUS_DASH[s] for s in STATUS_ORDER]),
            stroke=alt.when(selected)
            .then(alt.value(SELECTED_STROKE))
            .otherwise(alt.Stroke("color:N", scale=None)),
            strokeWidth=alt.when(selected)
            .then(alt.value(SELECTED_STROKE_WIDTH))
            .otherwise(alt.value(STROKE_WIDTH)),
            tooltip=_BAR_TOOLTIP,
        )
    ]
    shapes = alt.Scale(domain=list(OPEN_END_SHAPES), range=list(OPEN_END_SHAPES.values()))
    for field, value, side, inset in (
        ("open_start", OPEN_START, "x0", OPEN_END_INSET_PX),
        ("ongoing", ONGOING, "x1", -OPEN_END_INSET_PX),
    ):
        if any(field in bar for bar in bars):
            layers.append(
                _rows_where(field, value)
                .mark_point(filled=True, color=OPEN_END_COLOR, size=OPEN_END_SIZE, xOffset=inset)
                .encode(
                    x=axes.x(side),
                    y=axes.y,
                    shape=alt.Shape(
                        f"{field}:N",
                        scale=shapes,
                        title="Open end",
                        legend=alt.Legend(columns=1),
                    ),
                    tooltip=_BAR_TOOLTIP,
                )
            )
    return layers


def _event_layers(
    axes: _Axes, events: list[dict[str, object]], *, with_window: bool
) -> list[alt.Chart]:
    """A diamond per event; a faint span under those dated only to a month or a year."""
    layers = []
    if any("span" in event for event in events):
        layers.append(
            _rows_where("span", True)
            .mark_rule(color=EVENT_COLOR, strokeWidth=3, opacity=0.35)
            .encode(x=axes.x("x0"), x2="x1:T", y=axes.y, tooltip=_EVENT_TOOLTIP)
        )
    layers.append(
        _rows_where("kind", "event")
        .mark_point(
            shape="diamond",
            filled=True,
            size=EVENT_SIZE,
            color=EVENT_FILL,
            stroke=EVENT_COLOR,
            strokeWidth=1.5,
            opacity=1,
        )
        .encode(
            x=axes.x("xm", with_window=with_window),
            y=axes.y,
            yOffset=alt.YOffset("yoff:Q", scale=None),
            tooltip=_EVENT_TOOLTIP,
        )
    )
    return layers


def _text_layer(axes: _Axes, kind: str) -> alt.Chart:
    """The italic text of a row without marks: the empty events lane, or "… and N more"."""
    return (
        _rows_where("kind", kind)
        .mark_text(align="left", dx=4, fontStyle="italic", color=STATUS_SYMBOL_COLOR)
        .encode(x=axes.x("x0"), y=axes.y, text="text:N")
    )


def _marker_layers(
    marker: dt.date | tuple[dt.date, dt.date] | None,
    *,
    first: pd.Timestamp,
    last: pd.Timestamp,
    axes: _Axes,
) -> tuple[list[alt.Chart], list[alt.Chart]]:
    """Layers below the bars (a chosen period's band) and above them (the as-of rule)."""
    if marker is None:
        return [], []
    if isinstance(marker, tuple):
        band_first, band_last = _period(marker)
        if band_last < first or band_first > last:
            return [], []
        band = {
            "x0": _iso_day(max(band_first, first)),
            "x1": _iso_day(min(band_last, last) + _ONE_DAY),
            "period": f"{_iso_day(band_first)} – {_iso_day(band_last)}",
        }
        layer = (
            alt.Chart(alt.Data(values=[band]))
            .mark_rect(color=BAND_COLOR, opacity=BAND_OPACITY)
            .encode(
                x=axes.x("x0"),
                x2="x1:T",
                tooltip=[alt.Tooltip("period:N", title="Chosen period")],
            )
        )
        return [layer], []
    day = _as_day(marker)
    if not first <= day <= last:
        return [], []
    # At noon: the as-of day is the whole day, from the start of its bar cell to the end.
    rule = {"xm": _iso_instant(day + pd.Timedelta(hours=12)), "day": _iso_day(day)}
    layer = (
        alt.Chart(alt.Data(values=[rule]))
        .mark_rule(color=MARKER_COLOR, strokeWidth=2)
        .encode(x=axes.x("xm"), tooltip=[alt.Tooltip("day:N", title="As of")])
    )
    return [], [layer]


def _sized(chart: alt.LayerChart, *, height: int) -> alt.LayerChart:
    # Set on the chart just made here, not with .properties() / .configure_*(): each of those
    # copies the whole chart, which was most of the time spent building the timeline.
    chart.width = "container"
    chart.height = height
    # Fit the container's width and grow in height for the axis and the legends
    # (Streamlit's default "fit" would squeeze them into the plot height and cut them).
    chart.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    # Compact keys above the chart (status in two columns, open ends in one): under "fit-x" a
    # legend at the side would not add to the height and be cut off a short chart, and one
    # above does not add to the width, so it must stay narrow.
    chart.config = alt.Config(
        legend=alt.LegendConfig(orient="top", direction="horizontal", titleOrient="left"),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


def _empty_chart(*, height_per_row: int) -> alt.LayerChart:
    text = (
        alt.Chart(alt.Data(values=[{"text": EMPTY_TEXT}]))
        .mark_text(fontSize=14, color=STATUS_SYMBOL_COLOR)
        .encode(text=alt.Text("text:N"))
    )
    return _sized(alt.LayerChart(layer=[text]), height=max(3 * height_per_row, 60))


def _lane_record(first: pd.Timestamp) -> dict[str, object]:
    return {
        "kind": "lane",
        "order": -1,
        "row": EVENTS_LANE,
        "x0": _iso_day(first),
        "text": "no events in this period",
    }


def _note_record(
    hidden_rows: int, hidden_events: int, *, order: int, first: pd.Timestamp
) -> dict[str, object]:
    parts = []
    if hidden_rows:
        parts.append(f"{hidden_rows} more deployment rows")
    if hidden_events:
        parts.append(f"{hidden_events} more events")
    return {
        "kind": "note",
        "order": order,
        "row": f"… and {hidden_rows + hidden_events} more",
        "x0": _iso_day(first),
        "text": " and ".join(parts) + " in this period are not drawn: narrow the filters",
    }


def timeline_chart(
    deployments: pd.DataFrame,
    events: pd.DataFrame,
    *,
    window: tuple[dt.date, dt.date],
    marker: dt.date | tuple[dt.date, dt.date] | None,
    labels: Mapping[str, str],
    colors: Mapping[str, str],
    source_titles: Mapping[str, str],
    selected_site: str | None = None,
    max_rows: int = 60,
    height_per_row: int = 22,
) -> alt.LayerChart | alt.VConcatChart:
    """A Gantt-style timeline of deployments and events over a window of days.

    Parameters
    ----------
    deployments : DataFrame
        Deployments of :func:`geo.tables.load_deployments`, usually already filtered and
        joined to their sites (:func:`geo.tables.join_sites`, for ``site_name``). Reads
        ``nation``, ``mission``, ``site``, ``status``, ``start_day`` and ``end_day``, and
        when present ``site_name``, ``date_precision``, ``personnel``, ``assets``,
        ``source`` and ``also_sources``. Not modified.
    events : DataFrame
        Events of :func:`geo.tables.load_events`. Reads ``start_day`` / ``end_day`` (or
        ``date``), ``date_precision``, ``title``, ``place`` and ``source``. Not modified.
    window : (date, date)
        First and last day of the x axis, inclusive. Bars are clipped to it; rows and events
        entirely outside it are left out. An unstated start is drawn from the first day, an
        ongoing deployment to the last, each with an arrowhead at that open end (and
        "start not stated" / "ongoing" in its tooltip).
    marker : date, (date, date) or None
        The as-of day (a vertical rule), a chosen period (a shaded band), or nothing.
    labels : mapping
        Nation alpha-3 code -> label, e.g. ``"BEL"`` -> ``"🇧🇪 Belgium"``; the code if missing.
    colors : mapping
        Nation alpha-3 code -> colour (``#rgb`` or ``#rrggbb`` hex); ``FALLBACK_COLOR`` if
        missing or not hex.
    source_titles : mapping
        Source id -> title, for tooltips; the id if missing.
    selected_site : str, optional
        Site id whose rows get a thick dark outline.
    max_rows : int
        Most deployment rows drawn. Above it, rows are merged per nation × mission (earliest
        start, latest end, most current status, a count); if that is still too many, the
        first ``max_rows`` are drawn and a last row says how many more there are. Events are
        capped at the same number.
    height_per_row : int
        Height of one row in pixels.

    Returns
    -------
    LayerChart
        Width ``"container"``, height ``rows × height_per_row`` (the events lane and any
        "… and N more" row count as rows; the axis and the legends come on top). With
        nothing in the window, a small chart that says "Nothing in this period".

    Raises
    ------
    ValueError
        If the window (or a marker period) ends before it starts, or ``max_rows`` or
        ``height_per_row`` is below 1.
    """
    if max_rows < 1 or height_per_row < 1:
        raise ValueError(
            f"max_rows and height_per_row must be at least 1, not {max_rows}, {height_per_row}"
        )
    first, last = _period(window)
    rows = _deployment_rows(
        deployments, first=first, last=last, labels=labels, selected_site=selected_site
    )
    if len(rows) > max_rows:
        rows = _aggregated(rows)
    hidden_rows = max(len(rows) - max_rows, 0)
    rows = rows.iloc[:max_rows]
    event_rows = _event_rows(events, first=first, last=last)
    hidden_events = max(len(event_rows) - max_rows, 0)
    event_rows = event_rows.iloc[:max_rows]
    if rows.empty and event_rows.empty:
        return _empty_chart(height_per_row=height_per_row)

    hex_colors = {
        code: str(color) for code, color in colors.items() if _HEX_COLOR.fullmatch(str(color))
    }
    bars = _bar_records(
        rows, first=first, last=last, colors=hex_colors, source_titles=source_titles
    )
    marks = _event_records(
        event_rows,
        first=first,
        last=last,
        source_titles=source_titles,
        height_per_row=height_per_row,
    )
    records = [*marks, *bars] if marks else [_lane_record(first), *bars]
    if hidden_rows or hidden_events:
        records.append(_note_record(hidden_rows, hidden_events, order=len(bars), first=first))

    axes = _axes(first, last)
    below, above = _marker_layers(marker, first=first, last=last, axes=axes)
    layers = [*below]
    if marks:
        layers += _event_layers(axes, marks, with_window=not bars)
    if bars:
        layers += _bar_layers(axes, bars)
    layers += [_text_layer(axes, str(r["kind"])) for r in records if r["kind"] in ("lane", "note")]
    layers += above
    lanes = len({str(record["row"]) for record in records})
    # The records are the layer chart's data, inherited by all layers but the marker's, so
    # they are in the spec once.
    chart = alt.LayerChart(layer=layers, data=alt.Data(values=records))
    return _sized(chart, height=lanes * height_per_row)
