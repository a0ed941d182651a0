"""Slide-ready images of a view (PNG, SVG, PDF), drawn without a browser and without internet.

:func:`render` draws a :class:`~geo.filters.FilterState` as the interactive map shows it, from
the same data (:func:`geo.dataset.select`) and the same style constants (``geo.settings``), in
a projection that suits the region (:mod:`export.view`). A :class:`Renderer` keeps what is
costly to prepare (the outline files read, and projected once per projection), so many images
in one run share it; :func:`render` uses one module-level renderer.

Example
-------
>>> from geo.filters import FilterState
>>> png = render(FilterState.build(nations=["DEU"]), fmt="png", size="slide")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from export import basemap, legend
from export.draw import (
    Curve,
    EventMark,
    Marker,
    PlainSite,
    SeaArea,
    Sheet,
)
from export.style import Units, units_for
from export.view import (
    Bounds,
    Extent,
    Projection,
    ViewError,
    check_bounds,
    choose_crs,
    choose_lod,
    default_bounds,
    fit_extent,
    ground_scale,
    grow_extent,
    padded,
    union,
    zoom_of,
)
from geo import nations, settings, summary
from geo.anchors import largest_part
from geo.dataset import Dataset, Selection, load_dataset, select
from geo.filters import FilterState
from geo.story import Story, story

__all__ = ["Drawing", "Renderer", "ViewError", "render"]

# matplotlib settings while drawing and saving: text as text (SVG keeps <text>, PDF embeds
# TrueType), never mathtext or TeX (site names are data: "$x$" must stay "$x$"), browser-like
# dashes, and reproducible files (no random ids, no dates in the metadata).
_RC: dict[str, object] = {
    "font.family": settings.EXPORT_FONT,
    "text.usetex": False,
    "text.parse_math": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "briefing-map",
    "pdf.fonttype": 42,
    "lines.scale_dashes": False,
    "path.simplify": True,
    "axes.unicode_minus": False,
}
_METADATA: dict[str, dict[str, str | None]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}
# When a nation's several rows to one site differ, its line shows the most current status
# (as layers/contributions.py and layers/deployments.py rank them).
# A contribution line is not drawn when the nation hosts the site (degrees, as the map).
_SAME_PLACE_DEG = 0.5


# matplotlib's rcParams are global: images drawn at once from several threads (Streamlit
# sessions) take turns, so that no one restores the defaults under another's feet.
_RC_LOCK = threading.RLock()


@contextmanager
def _style() -> Iterator[None]:
    with _RC_LOCK, matplotlib.rc_context(cast(Any, _RC)):
        yield


@dataclass(frozen=True)
class Drawing:
    """One image, drawn and not yet saved.

    Attributes
    ----------
    figure : Figure
        The matplotlib figure (Agg canvas; SVG and PDF switch backends when saving).
    ax : Axes
        The map's axes, in projected metres.
    projection : Projection
        The map's projection.
    bounds : (west, south, east, north)
        The view asked for, in degrees.
    extent : (xmin, xmax, ymin, ymax)
        What the map shows, in projected metres (the view widened to the map's shape).
    lod : str
        The outline file drawn (a stem of ``settings.BOUNDARY_LODS``).
    units : Units
        The image's size.
    north : float
        The north arrow's angle, degrees clockwise from straight up.
    """

    figure: Figure
    ax: Axes
    projection: Projection
    bounds: Bounds
    extent: Extent
    lod: str
    units: Units
    north: float
    labels: tuple[tuple[float, float, float, float], ...] = ()  # label boxes, display px
    events: tuple[tuple[str, float, float], ...] = ()  # (title line, x, y) display px
    symbols: tuple[tuple[float, float, float, float], ...] = ()  # marker cores and badges
    edge_badges: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()  # (nation, box)
    lines: tuple[tuple[str, np.ndarray], ...] = ()  # (nation or "leader", display points)
    named: tuple[tuple[str, str, tuple[float, float, float, float]], ...] = ()  # (kind, text, box)

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        """(column, row) of a longitude/latitude in the PNG, rows counted from the top."""
        x, y = self.projection.project(np.array([lon]), np.array([lat]))
        dx, dy = self.ax.transData.transform((float(x[0]), float(y[0])))
        return int(dx), int(self.units.height_px - dy)

    def save(self, fmt: str = "png") -> bytes:
        """The image as PNG, SVG or PDF bytes.

        Raises
        ------
        ValueError
            If the format is not one of ``settings.EXPORT_FORMATS``.
        """
        if fmt not in settings.EXPORT_FORMATS:
            raise ValueError(
                f"format must be one of {', '.join(settings.EXPORT_FORMATS)}, not {fmt!r}"
            )
        buffer = io.BytesIO()
        with _style():
            self.figure.savefig(
                buffer,
                format=fmt,
                dpi=self.units.dpi,
                facecolor=self.figure.get_facecolor(),
                metadata=_METADATA[fmt],
            )
        return buffer.getvalue()

    def rgba(self) -> np.ndarray:
        """The image's pixels, rows from the top, (height, width, 4) bytes: what :meth:`save`
        writes as PNG, for a caller that encodes them itself."""
        with _style():
            self.figure.canvas.draw()
            return np.asarray(self.figure.canvas.buffer_rgba())  # type: ignore[attr-defined]


class Renderer:
    """Draws images of views; reads each outline file once and projects it once per CRS.

    Parameters
    ----------
    dataset : Dataset, optional
        The briefing's data; loaded with :func:`geo.dataset.load_dataset` on first use if not
        given (and when a call does not pass its own).
    boundaries_dir : str or Path
        Folder of the ``countries_lod*.geojson`` files.

    Notes
    -----
    Thread-safe: the caches fill under a lock, and each image has its own figure (no pyplot).
    """

    def __init__(
        self,
        *,
        dataset: Dataset | None = None,
        boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
    ) -> None:
        self._dataset = dataset
        self._boundaries_dir = Path(boundaries_dir)
        self._frames: dict[str, gpd.GeoDataFrame] = {}
        self._projections: dict[str, Projection] = {}
        self._outlines: dict[tuple[str, str], basemap.Outlines] = {}
        self._country_bounds: dict[str, Bounds] | None = None
        self._lock = threading.RLock()

    @property
    def dataset(self) -> Dataset:
        """The renderer's dataset (loaded on first use)."""
        with self._lock:
            if self._dataset is None:
                self._dataset = load_dataset()
            return self._dataset

    def boundaries(self, stem: str) -> gpd.GeoDataFrame:
        """An outline file in EPSG:4326, read once."""
        with self._lock:
            if stem not in self._frames:
                self._frames[stem] = basemap.read_boundaries(
                    self._boundaries_dir / f"{stem}.geojson"
                )
            return self._frames[stem]

    def projection(self, crs: str) -> Projection:
        """A checked projection, built once per CRS text.

        Raises
        ------
        ViewError
            If the CRS is not a projection in metres, or is Web Mercator.
        """
        with self._lock:
            if crs not in self._projections:
                self._projections[crs] = Projection.from_text(crs)
            return self._projections[crs]

    def outlines(self, stem: str, projection: Projection) -> basemap.Outlines:
        """An outline file cut to the projection's window and projected, once per CRS."""
        key = (stem, projection.text)
        with self._lock:
            if key not in self._outlines:
                self._outlines[key] = basemap.project_outlines(self.boundaries(stem), projection)
            return self._outlines[key]

    def country_bounds(self) -> dict[str, Bounds]:
        """(west, south, east, north) of each country, from the coarsest outline file."""
        with self._lock:
            if self._country_bounds is None:
                frame = self.boundaries(settings.EXPORT_BOUNDARY_LODS[0])
                self._country_bounds = {
                    str(code): (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
                    for code, b in zip(
                        frame["iso_a3"], frame.geometry.bounds.to_numpy(), strict=True
                    )
                    if isinstance(code, str)
                }
            return self._country_bounds

    def render(
        self,
        state: FilterState,
        *,
        dataset: Dataset | None = None,
        fmt: str = "png",
        size: str = "slide",
        title: str | None = None,
        subtitle: str | None = None,
        banner: str | None = None,
        crs: str | None = None,
        bounds: tuple[float, float, float, float] | None = None,
        layers: Collection[str] | None = None,
        other_sites: str | None = None,
    ) -> bytes:
        """One image of a view as bytes (see :meth:`draw` for the parameters).

        Raises
        ------
        ValueError
            Unknown format, size or layer; unusable bounds or CRS (:class:`ViewError`).
        """
        if fmt not in settings.EXPORT_FORMATS:
            raise ValueError(
                f"format must be one of {', '.join(settings.EXPORT_FORMATS)}, not {fmt!r}"
            )
        drawing = self.draw(
            state,
            dataset=dataset,
            size=size,
            title=title,
            subtitle=subtitle,
            banner=banner,
            crs=crs,
            bounds=bounds,
            layers=layers,
            other_sites=other_sites,
        )
        return drawing.save(fmt)

    def draw(
        self,
        state: FilterState,
        *,
        dataset: Dataset | None = None,
        size: str = "slide",
        title: str | None = None,
        subtitle: str | None = None,
        banner: str | None = None,
        crs: str | None = None,
        bounds: tuple[float, float, float, float] | None = None,
        layers: Collection[str] | None = None,
        other_sites: str | None = None,
    ) -> Drawing:
        """Draw one image of a view.

        Parameters
        ----------
        state : FilterState
            The filter (nations, missions, domains, statuses, date or period), the selected
            site, the marker style and the flows mode.
        dataset : Dataset, optional
            The data to draw from; the renderer's by default.
        size : str
            A name of ``settings.EXPORT_SIZES``: "slide" (1920 x 1080) or "print" (A4, 300 dpi).
        title : str, optional
            The image's title; ``settings.EXPORT_TITLE`` by default.
        subtitle : str, optional
            A first subtitle line (e.g. a scene's); the date and filters follow it.
        banner : str, optional
            Classification or handling text, drawn in a band at the top and the bottom.
        crs : str, optional
            A projected CRS in metres (anything pyproj reads); chosen from the view otherwise.
        bounds : (west, south, east, north), optional
            The view in degrees; by default the selected rows plus a margin when the filter
            narrows the data, else ``settings.DEFAULT_BOUNDS``.
        layers : collection of str, optional
            Names of the layers to draw (``settings.LAYER_NAMES``); all by default.
        other_sites : str, optional
            "hidden" or "quiet": the sites the selection does not name (a scene's option,
            :func:`geo.story.story`); ``settings.VIEW_OTHER_SITES_DEFAULT`` by default.

        Returns
        -------
        Drawing
        """
        data = dataset if dataset is not None else self.dataset
        units = units_for(size)
        shown = _check_layers(layers)
        chosen = select(data, state)
        rows = chosen.deployments
        told = story(
            data,
            state,
            other_sites=other_sites or settings.VIEW_OTHER_SITES_DEFAULT,
            selection=chosen,
            with_events="events" in shown,
        )
        curves_wanted = "contributions" in shown and (state.flows or state.site is not None)
        curve_rows = (
            rows
            if state.flows
            else rows[rows["site"] == state.site]
            if state.site
            else rows.iloc[0:0]
        )
        view = (
            check_bounds(bounds)
            if bounds is not None
            else self._view_bounds(
                state, chosen, data, curve_rows if curves_wanted else rows.iloc[0:0]
            )
        )
        projection = self.projection(crs if crs else choose_crs(view))

        with _style():
            sheet = Sheet(units)
            header = self._subtitle(state, chosen, subtitle, sheet)
            sources = _sources(rows, chosen.events, data)
            footer = self._footer(projection, sources, data, sheet)
            frame = sheet.layout(
                banner=bool(banner), header_lines=len(header), footer_lines=len(footer)
            )
            left, top, right, bottom = frame.map_box
            aspect = (right - left) / (bottom - top)
            extent = fit_extent(view, projection, aspect=aspect)
            if "countries" in shown:
                extent = self._story_extent(extent, told, projection, aspect=aspect)
            sheet.map_axes(frame, projection, extent)
            centre_x, centre_y = (extent[0] + extent[1]) / 2, (extent[2] + extent[3]) / 2
            ground_mpp = sheet.metres_per_px * ground_scale(projection, centre_x, centre_y)
            lod = choose_lod(ground_mpp)
            centre_lat = float(
                projection.unproject(np.array([centre_x]), np.array([centre_y]))[1][0]
            )
            zoom = zoom_of(ground_mpp * units.scale, centre_lat)

            sheet.scale_bar()
            north = sheet.north_arrow()
            seas = self._seas(data, rows, projection, sheet)
            areas = {sea.site: sea.geometry for sea in seas}
            site_markers = (
                self._markers(rows, state, projection, sheet, areas)
                if "deployments" in shown
                else []
            )
            plain = self._plain_sites(data, told, projection, sheet) if "sites" in shown else []
            if "sea_areas" not in shown:
                seas = []
            if "countries" in shown:
                sheet.countries(self.outlines(lod, projection).within(extent), told.role)
            sheet.sea_areas(seas)
            if "overlays" in shown:
                sheet.overlays(self._overlays(data, projection))
            if curves_wanted:
                sheet.curves(self._curves(curve_rows, data, projection))
            sheet.sites(plain)
            sheet.deployments(site_markers)
            drawn_events = (
                self._events(chosen.events, data, projection, sheet) if "events" in shown else []
            )
            sheet.events(drawn_events)
            marked = {marker.site for marker in site_markers}
            sheet.labels(
                site_markers,
                [site for site in plain if site.site not in marked],
                seas,
                zoom=zoom,
            )
            if "countries" in shown:
                sheet.country_labels(self.outlines(lod, projection).within(extent), told.role)
            legend.draw_legend(sheet, frame)
            drawn_sources = _sources(rows, _events_frame(chosen.events, drawn_events), data)
            sheet.header(title if title is not None else settings.EXPORT_TITLE, header, frame)
            sheet.footer(self._footer(projection, drawn_sources, data, sheet)[: len(footer)], frame)
            if banner:
                sheet.banners(banner, frame)
        return Drawing(
            figure=sheet.figure,
            ax=sheet.ax,
            projection=projection,
            bounds=view,
            extent=extent,
            lod=lod,
            units=units,
            north=north,
            labels=tuple(sheet.label_boxes),
            events=tuple(sheet.event_points),
            symbols=tuple(sheet.symbol_boxes),
            edge_badges=tuple(sheet.edge_badges),
            lines=tuple(sheet.line_paths),
            named=tuple(sheet.named_boxes),
        )

    def _story_extent(
        self, extent: Extent, told: Story, projection: Projection, *, aspect: float
    ) -> Extent:
        """``extent`` grown to hold the largest part of every host country, and of every
        contributing nation it already cuts (no sliver at the edge)."""
        outlines = self.outlines(settings.EXPORT_BOUNDARY_LODS[0], projection)
        xmin, xmax, ymin, ymax = extent
        area = (xmax - xmin) * (ymax - ymin)
        boxes = []
        for code, shape in zip(outlines.codes, outlines.geometries, strict=True):
            if code not in told.hosts and code not in told.contributors:
                continue
            bx0, by0, bx1, by1 = largest_part(shape).bounds
            inside = xmin <= bx0 and bx1 <= xmax and ymin <= by0 and by1 <= ymax
            cut = bx0 < xmax and bx1 > xmin and by0 < ymax and by1 > ymin
            if inside or (code not in told.hosts and not cut):
                continue
            grown = grow_extent(extent, [(bx0, by0, bx1, by1)], aspect=aspect)
            # A contributor's whole country is worth at most doubling the view.
            size = (grown[1] - grown[0]) * (grown[3] - grown[2])
            if code in told.hosts or size <= settings.EXPORT_MAX_GROWTH * area:
                boxes.append((bx0, by0, bx1, by1))
        return grow_extent(extent, boxes, aspect=aspect) if boxes else extent

    # --- what the view shows --------------------------------------------------------------

    def _view_bounds(
        self, state: FilterState, chosen: Selection, data: Dataset, curve_rows: pd.DataFrame
    ) -> Bounds:
        # The app's view, unless the filter narrows the rows: then the rows, plus a margin. A
        # selected site does not filter (as in the app); its lines must still fit in.
        narrowed = bool(state.nations or state.missions or state.domains or state.statuses)
        rows = chosen.deployments
        lines: list[Bounds] = [
            (point.x, point.y, point.x, point.y) for point in curve_rows.geometry
        ] + [
            (anchor[1], anchor[0], anchor[1], anchor[0])
            for anchor in (data.anchors.get(str(code)) for code in set(curve_rows["nation"]))
            if anchor is not None
        ]
        if not narrowed or rows.empty:
            base = default_bounds()
            outside = union([base, *lines])
            return base if outside == base or outside is None else padded(outside)
        countries = self.country_bounds()
        boxes: list[Bounds] = []
        areas = data.sites.set_index("id").geometry
        for site, kind, country, point in zip(
            rows["site"], rows["site_kind"], rows["site_country"], rows.geometry, strict=True
        ):
            box = countries.get(str(country)) if kind == "region" else None
            if box is not None and box[2] - box[0] <= 90:
                boxes.append(box)  # a place not stated: the whole country is meant
            elif kind == "sea_area" and site in areas.index:
                west, south, east, north = areas[site].bounds
                boxes.append((west, south, east, north))
            else:
                boxes.append((point.x, point.y, point.x, point.y))
        found = union([*boxes, *lines])
        return padded(found) if found is not None else default_bounds()

    def _markers(
        self,
        rows: gpd.GeoDataFrame,
        state: FilterState,
        projection: Projection,
        sheet: Sheet,
        areas: Mapping[str, object],
    ) -> list[Marker]:
        sites = summary.site_summary(rows)
        if sites.empty:
            return []
        x, y = projection.project(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
        by_site = dict(tuple(rows.groupby("site", sort=True)))
        markers = []
        for (site_id, site), px, py in zip(sites.iterrows(), x, y, strict=True):
            if not sheet.in_view(float(px), float(py)):
                continue
            site_rows = by_site[site_id]
            statuses = site_rows.groupby("nation")["status"].agg(_best_status)
            diameter = summary.marker_diameter(
                int(site["personnel"]), known=bool(site["personnel_known"])
            )
            svg, key = _app6(site, site_rows, diameter) if state.symbols == "app6" else (None, None)
            markers.append(
                Marker(
                    site=str(site_id),
                    name=str(site["site_name"]),
                    kind=str(site["site_kind"]),
                    x=float(px),
                    y=float(py),
                    diameter=float(diameter),
                    figure=str(int(site["personnel"])) if site["personnel_known"] else "",
                    badges=tuple(
                        (str(code), nations.color(str(code)), str(statuses[code]))
                        for code in site["nations"]
                    ),
                    selected=state.site == site_id,
                    app6_svg=svg,
                    app6_key=key,
                    area=areas.get(str(site_id)),
                )
            )
        return markers

    def _plain_sites(
        self, data: Dataset, told: Story, projection: Projection, sheet: Sheet
    ) -> list[PlainSite]:
        # A place at sea is drawn by the event that happened there.
        points = data.sites[
            ~data.sites["kind"].isin(("sea_area", "sea_point"))
            & data.sites["id"].isin(told.sites | told.quiet)
        ]
        if points.empty:
            return []
        centres = points.geometry.where(
            points.geometry.geom_type == "Point", points.geometry.representative_point()
        )
        x, y = projection.project(centres.x.to_numpy(float), centres.y.to_numpy(float))
        out = []
        for (_, row), px, py in zip(points.iterrows(), x, y, strict=True):
            if sheet.in_view(float(px), float(py)):
                site_id = str(row["id"])
                out.append(
                    PlainSite(
                        site_id,
                        str(row["name"]),
                        str(row["kind"]),
                        float(px),
                        float(py),
                        quiet=site_id not in told.sites,
                    )
                )
        return out

    def _overlays(self, data: Dataset, projection: Projection) -> list[object]:
        """The user's uploaded layers, cut to the projection's window and projected."""
        window = projection.clip_window()

        def forward(coords: np.ndarray) -> np.ndarray:
            px, py = projection.project(coords[:, 0], coords[:, 1])
            return np.column_stack([px, py])

        out = []
        for geometry in data.overlays.geometry:
            if geometry is None or geometry.is_empty:
                continue
            inside = shapely.intersection(geometry, window)
            if not inside.is_empty:
                # Straight in degrees is curved in the projection: add points along edges.
                dense = shapely.segmentize(inside, settings.EXPORT_SEGMENT_DEG)
                out.append(shapely.transform(dense, forward))
        return out

    def _seas(
        self, data: Dataset, rows: gpd.GeoDataFrame, projection: Projection, sheet: Sheet
    ) -> list[SeaArea]:
        areas = data.sites[data.sites["kind"] == "sea_area"]
        active = set(rows.loc[rows["site_kind"] == "sea_area", "site"].astype(str))
        out = []
        window = projection.clip_window()
        for _, row in areas.iterrows():
            geometry = shapely.intersection(row.geometry, window)
            if geometry.is_empty:
                continue

            def forward(coords: np.ndarray) -> np.ndarray:
                px, py = projection.project(coords[:, 0], coords[:, 1])
                return np.column_stack([px, py])

            projected = shapely.orient_polygons(shapely.transform(geometry, forward))
            xmin, xmax, ymin, ymax = sheet.extent
            visible = shapely.clip_by_rect(projected, xmin, ymin, xmax, ymax)
            if visible.is_empty:
                continue
            point = visible.representative_point()
            out.append(
                SeaArea(
                    site=str(row["id"]),
                    name=str(row["name"]),
                    geometry=projected,
                    active=str(row["id"]) in active,
                    label_x=point.x,
                    label_y=point.y,
                )
            )
        return out

    def _curves(self, rows: gpd.GeoDataFrame, data: Dataset, projection: Projection) -> list[Curve]:
        out: list[Curve] = []
        if rows.empty:
            return out
        for (code, _site), pair in rows.groupby(["nation", "site"], sort=True):
            start = data.anchors.get(str(code))
            if start is None:
                continue  # a nation without an outline
            point = pair.geometry.iloc[0]
            end = (point.y, point.x)
            if abs(start[0] - end[0]) + abs(start[1] - end[1]) < _SAME_PLACE_DEG:
                continue  # the nation hosts the site
            status = _best_status(pair["status"])
            line = summary.curve(start, end, points=settings.EXPORT_CURVE_POINTS)
            lat = np.array([p[0] for p in line])
            lon = np.array([p[1] for p in line])
            x, y = projection.project(lon, lat)
            out.append(Curve(x, y, nations.color(str(code)), status, code=str(code)))
        return out

    def _events(
        self, events: pd.DataFrame, data: Dataset, projection: Projection, sheet: Sheet
    ) -> list[EventMark]:
        located = events[events["site"].astype(str) != ""]
        if located.empty:
            return []
        sites = data.sites.set_index("id")
        points = sites.geometry.where(
            sites.geometry.geom_type == "Point", sites.geometry.representative_point()
        )
        out = []
        for place, at_site in located.groupby("site", sort=True):
            if place not in points.index:
                continue
            point = points[place]
            x, y = projection.project(np.array([point.x]), np.array([point.y]))
            if not sheet.in_view(float(x[0]), float(y[0])):
                continue
            for position, (index, event) in enumerate(at_site.sort_values("date").iterrows()):
                when = summary.period_text(
                    event["date"], event["date"], str(event["date_precision"])
                )
                out.append(
                    EventMark(
                        site=str(place),
                        x=float(x[0]),
                        y=float(y[0]),
                        position=position,
                        label=f"{when}: {event['title']}",
                        index=index,
                        exact=str(sites.at[place, "kind"]) == "sea_point",
                    )
                )
        return out

    # --- texts -------------------------------------------------------------------------------

    def _subtitle(
        self, state: FilterState, chosen: Selection, first: str | None, sheet: Sheet
    ) -> list[str]:
        # A scene's subtitle that already gives the dates is not followed by them again.
        parts: list[str] = []
        when = summary.when_after(first, state.date, state.date_range)
        if when:
            parts.append(when)
        if state.nations:
            parts.append("Nations: " + ", ".join(nations.name(code) for code in state.nations))
        if state.missions:
            parts.append("Missions: " + ", ".join(state.missions))
        if state.domains:
            parts.append("Domains: " + ", ".join(state.domains))
        if state.statuses:
            parts.append("Status: " + ", ".join(state.statuses))
        if state.site:
            names = dict(
                zip(chosen.deployments["site"], chosen.deployments["site_name"], strict=True)
            )
            parts.append(f"Selected: {names.get(state.site, state.site)}")
        counts = chosen.counts
        facts = [
            f"{counts.nations} nation{'s' if counts.nations != 1 else ''}",
            f"{counts.deployments} deployment row{'s' if counts.deployments != 1 else ''}",
        ]
        if counts.personnel_rows:
            known = f"{counts.personnel_rows} of {counts.deployments} rows"
            facts.append(f"{counts.personnel} personnel where stated ({known})")
        else:
            facts.append("personnel not stated")
        width = sheet.units.width - 2 * settings.EXPORT_MARGIN_PX
        size = settings.EXPORT_TEXT_PX["subtitle"]
        lines = sheet.wrap(first, width, size) if first else []
        lines += sheet.wrap(" · ".join(parts), width, size)
        lines += sheet.wrap(" · ".join(facts), width, size)
        return lines

    def _footer(
        self, projection: Projection, sources: list[str], data: Dataset, sheet: Sheet
    ) -> list[str]:
        titles = [data.source_titles.get(source, source) for source in sources]
        text = f"Projection: {projection.label}. {settings.EXPORT_OUTLINE_CREDIT}."
        if titles:
            text += " Sources: " + "; ".join(titles) + "."
        width = sheet.units.width - 2 * settings.EXPORT_MARGIN_PX
        return sheet.wrap(text, width, settings.EXPORT_TEXT_PX["attribution"])


def _check_layers(layers: Collection[str] | None) -> frozenset[str]:
    if not layers:
        return frozenset(settings.LAYER_NAMES)
    unknown = sorted(set(layers) - set(settings.LAYER_NAMES))
    if unknown:
        raise ValueError(f"unknown layers {unknown}; known: {', '.join(settings.LAYER_NAMES)}")
    return frozenset(layers)


def _best_status(statuses: pd.Series) -> str:
    return summary.best_status(statuses)


def _app6(
    site: pd.Series, rows: pd.DataFrame, diameter: int
) -> tuple[str | None, tuple[str, str] | None]:
    """The site's APP-6 symbol as the map draws it, and its (domain, look) for the legend."""
    from layers import symbols  # only when the APP-6 style is chosen

    domain = str(rows["domain"].mode().iloc[0])
    status = _best_status(rows["status"])
    svg = symbols.app6_svg(
        domain=domain,
        status=status,
        mission=str(rows["mission"].iloc[0]),
        assets=str(rows["assets"].iloc[0]),
        size=max(diameter, settings.APP6_MIN_SIZE_PX),
        label=" ".join(site["nations"]),
    )
    look = "announced" if status in ("announced", "declined") else "active"
    return svg, (domain, look)


def _events_frame(events: pd.DataFrame, drawn: list[EventMark]) -> pd.DataFrame:
    return events.loc[[mark.index for mark in drawn]]


def _sources(rows: pd.DataFrame, events: pd.DataFrame, data: Dataset) -> list[str]:
    """Ids of the source documents cited by the rows and events shown, in file order."""
    cited: set[str] = set()
    for value in rows["source"]:
        cited.add(str(value))
    for value in rows["also_sources"]:
        if isinstance(value, str) and value:
            cited.update(
                part.strip() for part in value.split(settings.LIST_SEPARATOR) if part.strip()
            )
    for value in events["source"]:
        cited.add(str(value))
    order = [str(source) for source in data.sources["id"]]
    return [source for source in order if source in cited]


_DEFAULT: Renderer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_renderer() -> Renderer:
    """The module's renderer, shared by every call of :func:`render`."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Renderer()
        return _DEFAULT


def render(
    state: FilterState,
    *,
    dataset: Dataset | None = None,
    fmt: str = "png",
    size: str = "slide",
    title: str | None = None,
    banner: str | None = None,
    crs: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> bytes:
    """An image of a view: PNG, SVG or PDF bytes.

    Parameters
    ----------
    state : FilterState
        What to show (as in the app).
    dataset : Dataset, optional
        The data; :func:`geo.dataset.load_dataset` once by default.
    fmt : str
        "png", "svg" or "pdf".
    size : str
        "slide" (1920 x 1080 pixels) or "print" (A4 landscape, 300 dpi).
    title : str, optional
        Title on the image; ``settings.EXPORT_TITLE`` by default.
    banner : str, optional
        Classification / handling text for a band at the top and the bottom.
    crs : str, optional
        Projected CRS in metres; by default ETRS89-LAEA for Europe, else an equal-area
        azimuthal projection centred on the view.
    bounds : (west, south, east, north), optional
        The view in degrees; by default the selected rows (when filtered) or the app's view.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        Unknown format or size; bounds or CRS that cannot be drawn (:class:`ViewError`).
    """
    return default_renderer().render(
        state,
        dataset=dataset,
        fmt=fmt,
        size=size,
        title=title,
        banner=banner,
        crs=crs,
        bounds=bounds,
    )
