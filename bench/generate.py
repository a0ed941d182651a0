"""Generated deployment tables over the real sites, sources, nations and missions of data/.

The rows are valid (``geo.tables.load_deployments`` accepts them) and the same for a seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
from pathlib import Path

from geo import settings

# Files copied unchanged from the bundled data into a generated data folder.
COPIED_FILES: tuple[str, ...] = ("sites.geojson", "sources.csv", "events.csv", "scenes.json")
# Dates of the generated rows, inclusive.
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2026, 3, 1)
# Share of rows without an end (ongoing) and without a personnel figure.
ONGOING_SHARE = 0.3
NO_PERSONNEL_SHARE = 0.35
# Domain by site kind (a sea area gets "sea"), the others chosen among all domains.
_DOMAIN_BY_KIND = {"sea_area": "sea", "air_base": "air"}


def _real_values(source_dir: Path) -> tuple[list[str], list[str], list[str]]:
    with (source_dir / "deployments.csv").open(encoding=settings.CSV_ENCODING, newline="") as f:
        rows = list(csv.DictReader(f))
    with (source_dir / "sources.csv").open(encoding=settings.CSV_ENCODING, newline="") as f:
        sources = [row["id"] for row in csv.DictReader(f)]
    nations = sorted({row["nation"] for row in rows})
    missions = sorted({row["mission"] for row in rows})
    return nations, missions, sources


def _sites(source_dir: Path) -> list[tuple[str, str, str]]:
    """(id, kind, country) of every site; country is "" for a sea area."""
    document = json.loads((source_dir / "sites.geojson").read_text(encoding="utf-8"))
    return [
        (
            str(props["id"]),
            str(props["kind"]),
            "" if props.get("country") is None else str(props["country"]),
        )
        for props in (feature["properties"] for feature in document["features"])
    ]


def deployment_rows(
    count: int, *, seed: int = 1, source_dir: Path = settings.BUNDLED_DATA_DIR
) -> list[dict[str, str]]:
    """``count`` valid deployment rows (text cells, as in the CSV), the same for a seed."""
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    nations, missions, sources = _real_values(source_dir)
    sites = _sites(source_dir)
    span = (LAST_DAY - FIRST_DAY).days
    rows: list[dict[str, str]] = []
    for number in range(count):
        site, kind, country = rng.choice(sites)
        start = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
        end = (
            ""
            if rng.random() < ONGOING_SHARE
            else (start + dt.timedelta(days=rng.randint(0, (LAST_DAY - start).days))).isoformat()
        )
        personnel = "" if rng.random() < NO_PERSONNEL_SHARE else str(rng.randint(1, 1500))
        rows.append(
            {
                "id": f"gen-{number:06d}",
                "nation": rng.choice(nations),
                "mission": rng.choice(missions),
                "site": site,
                "host": country,  # the site's country; empty for a sea area
                "start": start.isoformat(),
                "end": end,
                "date_precision": "day",
                "personnel": personnel,
                "assets": rng.choice(("", "", "F-16", "frigate", "staff officers")),
                "domain": _DOMAIN_BY_KIND.get(kind) or rng.choice(settings.DOMAINS),
                "command": rng.choice(("", *nations)),
                "status": rng.choices(settings.STATUSES, weights=(2, 6, 2, 1))[0],
                "source": rng.choice(sources),
                "also_sources": "",
                "reported": "",
                "note": f"Generated row {number} (benchmark, seed {seed}).",
            }
        )
    return rows


def write_deployments(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as a deployments CSV with the columns of data/deployments.csv."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(settings.DEPLOYMENT_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def data_folder(
    target: Path, count: int, *, seed: int = 1, source_dir: Path = settings.BUNDLED_DATA_DIR
) -> Path:
    """A data folder for ``BRIEFING_DATA_DIR``: the real files and ``count`` generated rows."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED_FILES:
        shutil.copyfile(source_dir / name, target / name)
    write_deployments(
        target / "deployments.csv", deployment_rows(count, seed=seed, source_dir=source_dir)
    )
    return target
