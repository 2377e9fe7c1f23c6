"""Copy the cited source tables this project uses from ../shared/data into layers/sources/.

Sources (read once, at build time; gis/ and tests/ never read /work/shared):

* ``/work/shared/data/gazetteer/gazetteer.csv`` and ``gazetteer_add.csv``: WGS84 points, each
  with its own ``source_url`` (mostly Wikipedia copies), the quote that gives the coordinate,
  the road it is on and a ``confidence`` column. Copied verbatim into
  ``layers/sources/gazetteer.csv`` plus a ``copied_from`` column.
* ``/work/shared/data/gazetteer/unresolved.csv``: places with location text but no coordinate;
  copied to ``layers/sources/unresolved.csv`` so the gap is visible in the project.
* ``/work/shared/data/lists/lists_*.csv``: the plan's named hub zones, pilot zones and design
  parks with their source URLs; copied to ``layers/sources/shared_lists_*.csv``.

Every row keeps its own ``source_url``. Rows whose coordinate is marked ``memory`` or
``UNSOURCED`` are not used as coordinates by ``scripts/build_plan_layers.py``.

Run: ``.venv/bin/python scripts/copy_shared_sources.py [SHARED_DATA_DIR]``
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gis.table_out import csv_text, write_csv_text  # noqa: E402

SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
OUT = ROOT / "layers" / "sources"

COPIES = [
    (["gazetteer/gazetteer.csv", "gazetteer/gazetteer_add.csv"], "gazetteer.csv"),
    (["gazetteer/unresolved.csv"], "unresolved.csv"),
    (["lists/lists_hub_zones.csv"], "shared_lists_hub_zones.csv"),
    (["lists/lists_pilot_zones.csv"], "shared_lists_pilot_zones.csv"),
    (["lists/lists_design_parks.csv"], "shared_lists_design_parks.csv"),
]


def copy(inputs: list[str], output: str) -> int:
    rows: list[dict[str, str]] = []
    fields: list[str] = []
    for rel in inputs:
        path = SHARED / rel
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for name in reader.fieldnames or []:
                if name not in fields:
                    fields.append(name)
            for row in reader:
                row["copied_from"] = f"../shared/data/{rel}"
                rows.append(row)
    fields.append("copied_from")
    OUT.mkdir(parents=True, exist_ok=True)
    # UTF-8 with BOM (Chinese Excel), cells neutralised, atomic: the project's table writer
    write_csv_text(OUT / output, csv_text(rows, fields))
    return len(rows)


def main() -> None:
    for inputs, output in COPIES:
        n = copy(inputs, output)
        print(f"layers/sources/{output}: {n} rows from {', '.join(inputs)}")


if __name__ == "__main__":
    main()
