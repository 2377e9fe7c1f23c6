"""Copy the sourced statistics and the plan text into ``layers/indicators/``.

Sources (read here only, never by ``gis/`` or the tests):

* ``/work/shared/data/stats/city_baselines.csv`` and ``district_stats.csv``: figures
  gathered from public web pages, each with ``source_url`` and the exact quote
  (see ``/work/shared/data/PROVENANCE.md``).
* ``/work/shared/data/stats/city_baselines_2.csv``: figures gathered for named targets
  (``target_id``), each with its ``comparability`` to the target (same measure, close,
  narrower, different, province only) and a ``quality`` class with a note naming mirrors;
  appended to ``city_baselines.csv`` with both kept as given.
* ``/work/shared/seed/000_8a0c3c99e34f6af9.txt``: the full text of 武汉市加快生产性
  服务业高质量发展实施方案(2024—2027年), 武政办〔2024〕121号 (issued 2024-12-03,
  printed 2024-12-06), issued by 武汉市人民政府办公厅; the same text is reposted at
  http://whht.org.cn/news/info/id/7757.html (the official URL is not recorded here).

Every copied row keeps the value as written (``>8.6`` stays a lower bound), and gains
``value_num``, ``bound``, ``is_estimate``, ``scope``, a ``source_quality`` class with a
note, and ``copied_from``. Rows of ``city_baselines.csv`` that are plan targets
(``目标:…``) are not baselines: they are skipped, and the script says so.

Run: ``python scripts/build_indicators.py [SHARED_DIR]`` (default ``/work/shared``).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gis.districts import CITY_ADCODE, district_name, match_district  # noqa: E402
from gis.io import atomic_write  # noqa: E402
from gis.table_out import csv_text, write_csv_text  # noqa: E402

OUT = ROOT / "layers" / "indicators"
#: Where the text can be read: the same text is reposted at this address (the official
#: publication by 武汉市人民政府办公厅 is not recorded here with its URL).
PLAN_URL = "http://whht.org.cn/news/info/id/7757.html (repost of 武政办〔2024〕121号)"

#: Source quality by host, following PROVENANCE.md: yearbook / government / main media are
#: strong; reposts of statistical bulletins and trade or regional press are medium; spam
#: mirrors, forum posts and SEO pages are leads only. Unknown hosts count as leads.
HOST_QUALITY: dict[str, tuple[str, str]] = {
    "dfz.wuhan.gov.cn": ("strong", "Wuhan local chronicles office (方志/年鉴)"),
    "japanese.wuhan.gov.cn": ("strong", "Wuhan government website (Japanese edition)"),
    "ger.whkfq.gov.cn": ("strong", "武汉经开区 government website (German edition)"),
    "news.cjn.cn": ("strong", "长江日报 (Changjiang Daily)"),
    "hb.people.com.cn": ("strong", "人民网 湖北频道"),
    "zgbk.com": ("strong", "中国大百科全书 online"),
    "big5.cri.cn": ("strong", "China Radio International (state media)"),
    "bx2200.com": ("medium", "aggregator repost of the statistical bulletin"),
    "tjgb.hongheiku.com": ("medium", "aggregator repost of the statistical bulletin"),
    "m.163.com": ("medium", "NetEase repost of a district government work report"),
    "news.jznews.com.cn": ("medium", "regional news site repost"),
    "news.xnnews.com.cn": ("medium", "咸宁 regional news site"),
    "ttgbtmice.com": ("medium", "trade press (MICE)"),
    "whht.org.cn": ("medium", "association website quoting the plan"),
    "brydyp.com": (
        "medium",
        "spam-mirror host, but the page is the official 武汉市第七次全国人口普查公报(第二号) "
        "of 2021-05-28; its 15 areas (含功能区) sum exactly to the city total 12,326,518, "
        "which other reports also give; checked by this script",
    ),
}
LEAD_NOTE = "lead only: mirror, forum or SEO page; confirm with an official source before use"

CENSUS_TOTAL = 12326518  # 武汉市七普常住人口, the bulletin's 全市 row


def quality(url: str) -> tuple[str, str]:
    host = urlparse(url).netloc.lower()
    return HOST_QUALITY.get(host, ("lead", LEAD_NOTE))


_BOUND = re.compile(
    r"^\s*(>=|≥|>|<=|≤|<|约|≈|~)?\s*([0-9][0-9,]*\.?[0-9]*)\s*(\((近|约|超过|突破)\))?\s*$"
)


def split_value(text: str) -> tuple[str, str]:
    """(number text, bound) of a value as written: '>8.6' -> ('8.6', '>'), '30(近)' -> ('30', '≈')."""
    m = _BOUND.match(text)
    if not m:
        raise SystemExit(f"cannot read value {text!r}")
    sign, num, _, word = m.groups()
    bound = {">=": "≥", "<=": "≤", "约": "≈", "~": "≈"}.get(sign or "", sign or "")
    if word in ("近", "约"):
        bound = "≈"
    elif word in ("超过", "突破"):
        bound = ">"
    return num.replace(",", ""), bound


def split_year(text: str) -> tuple[str, str]:
    m = re.match(r"^\s*(\d{4})\s*(.*)$", text or "")
    if not m:
        return "", "year not stated in the source"
    return m.group(1), m.group(2).strip("() （）")


def area_key(adcode: str, name: str) -> str:
    if adcode:
        return adcode
    bare = re.sub(r"[(（].*?[)）]", "", name)
    key = match_district(bare)
    if key is None:
        raise SystemExit(f"no district or functional zone matches {name!r}")
    return key


FIELDS = [
    "key",
    "name_zh",
    "scope",
    "indicator",
    "value",
    "value_num",
    "bound",
    "is_estimate",
    "unit",
    "year",
    "year_note",
    "source_url",
    "source_quote",
    "source_quality",
    "quality_note",
    "target_id",
    "comparability",
    "copied_from",
]
#: Quality classes of ``city_baselines_2.csv`` (kept as the file gives them).
QUALITIES = ("strong", "medium", "lead")


def convert(path: Path, *, city: bool) -> list[dict[str, str]]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            ind = r["indicator"].strip()
            if ind.startswith("目标:"):
                print(f"  {path.name} row {i}: skipped, a plan target not a baseline: {ind}")
                continue
            num, bound = split_value(r["value"])
            year, year_note = split_year(r["year"])
            q, note = quality(r["source_url"])
            key = CITY_ADCODE if city else area_key(r["adcode"].strip(), r["name"].strip())
            name = "武汉市" if city else r["name"].strip()
            scope = "湖北省 (province, not Wuhan)" if "湖北省" in ind else name
            rows.append(
                {
                    "key": key,
                    "name_zh": name if city else district_name(key),
                    "scope": scope,
                    "indicator": ind,
                    "value": r["value"].strip(),
                    "value_num": num,
                    "bound": bound,
                    "is_estimate": "yes" if "预计" in ind else "no",
                    "unit": r["unit"].strip(),
                    "year": year,
                    "year_note": year_note,
                    "source_url": r["source_url"].strip(),
                    "source_quote": r["source_quote"].strip(),
                    "source_quality": q,
                    "quality_note": note,
                    "copied_from": f"{path} row {i}",
                }
            )
    return rows


def convert_targets(path: Path) -> list[dict[str, str]]:
    """Rows of ``city_baselines_2.csv``: figures gathered for named targets, each with its
    ``comparability`` to the target and a ``quality`` class and note, both kept as given."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            ind = r["indicator_zh"].strip()
            num, bound = split_value(r["value"])
            year, year_note = split_year(r["year"])
            if r["quality"] not in QUALITIES:
                raise SystemExit(
                    f"{path.name} row {i}: quality {r['quality']!r} not in {QUALITIES}"
                )
            rows.append(
                {
                    "key": CITY_ADCODE,
                    "name_zh": "武汉市",
                    "scope": "湖北省 (province, not Wuhan)" if "湖北省" in ind else "武汉市",
                    "indicator": ind,
                    "value": r["value"].strip(),
                    "value_num": num,
                    "bound": bound,
                    "is_estimate": "yes" if "预计" in ind else "no",
                    "unit": r["unit"].strip(),
                    "year": year,
                    "year_note": year_note,
                    "source_url": r["source_url"].strip(),
                    "source_quote": r["quote"].strip(),
                    "source_quality": r["quality"],
                    "quality_note": r["quality_note"].strip(),
                    "target_id": r["target_id"].strip(),
                    "comparability": r["comparability"].strip(),
                    "copied_from": f"{path} row {i}",
                }
            )
    return rows


def check_census(rows: list[dict[str, str]]) -> None:
    census = [r for r in rows if r["indicator"].startswith("常住人口(七普")]
    # 汉南 is listed in the bulletin as 其中 (part of) 武汉经开, and 临空港经开区 shares the
    # row of 东西湖区: neither is added twice.
    total = sum(int(r["value_num"]) for r in census if r["key"] not in ("420113", "fz_linkonggang"))
    if total != CENSUS_TOTAL:
        raise SystemExit(f"七普 areas sum to {total}, not the city total {CENSUS_TOTAL}")
    print(f"  七普: {len(census)} rows; 15 areas sum to {total} = city total")


def write_csv(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    """UTF-8 with BOM (Chinese Excel), cells neutralised, atomic: the project's table writer."""
    write_csv_text(path, csv_text(rows, fields))
    print(f"wrote {path.relative_to(ROOT)} ({len(rows)} rows)")


def main(shared: Path) -> None:
    stats = shared / "data" / "stats"
    city: list[dict[str, str]] = convert(stats / "city_baselines.csv", city=True)
    city += convert_targets(stats / "city_baselines_2.csv")
    districts = convert(stats / "district_stats.csv", city=False)
    check_census(districts)
    write_csv(OUT / "city_baselines.csv", city, FIELDS)
    target_fields = ("target_id", "comparability")
    write_csv(OUT / "district_stats.csv", districts, [f for f in FIELDS if f not in target_fields])
    plan = (shared / "seed" / "000_8a0c3c99e34f6af9.txt").read_text(encoding="utf-8")
    header = (
        "# 武汉市加快生产性服务业高质量发展实施方案(2024—2027年), 武政办〔2024〕121号.\n"
        f"# Source: {PLAN_URL}; copied verbatim from "
        f"{shared}/seed/000_8a0c3c99e34f6af9.txt by scripts/build_indicators.py.\n"
        "# Lines starting with '# ' are this header; the rest is the plan text unchanged.\n"
    )
    with atomic_write(OUT / "plan_text.txt", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(header + plan)
    print(f"wrote {(OUT / 'plan_text.txt').relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared"))
