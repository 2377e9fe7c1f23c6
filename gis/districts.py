"""Wuhan's 13 districts and 5 functional zones: names, adcodes and matching.

Planners write a district as 武昌, 武昌区, Wuchang, Wuchang District or 420106;
:func:`match_district` maps all of them to the adcode. Functional zones
(功能区: 东湖高新区, 武汉经开区, …) are not districts and have no adcode or
published boundary; they match to their own ids (``fz_…``) and are never
merged into a district.

>>> match_district("武昌")
'420106'
>>> match_district("Wuchang District")
'420106'
>>> match_district("光谷")
'fz_donghu_hitech'
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from .names import fold

CITY_ADCODE = "420100"


@dataclass(frozen=True)
class District:
    adcode: str
    name_zh: str
    name_en: str


DISTRICTS: tuple[District, ...] = (
    District("420102", "江岸区", "Jiang'an"),
    District("420103", "江汉区", "Jianghan"),
    District("420104", "硚口区", "Qiaokou"),
    District("420105", "汉阳区", "Hanyang"),
    District("420106", "武昌区", "Wuchang"),
    District("420107", "青山区", "Qingshan"),
    District("420111", "洪山区", "Hongshan"),
    District("420112", "东西湖区", "Dongxihu"),
    District("420113", "汉南区", "Hannan"),
    District("420114", "蔡甸区", "Caidian"),
    District("420115", "江夏区", "Jiangxia"),
    District("420116", "黄陂区", "Huangpi"),
    District("420117", "新洲区", "Xinzhou"),
)

#: Central urban districts (中心城区) as the plan uses the term.
CENTRAL_ADCODES = ("420102", "420103", "420104", "420105", "420106", "420107", "420111")


@dataclass(frozen=True)
class FunctionalZone:
    id: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]


FUNCTIONAL_ZONES: tuple[FunctionalZone, ...] = (
    FunctionalZone(
        "fz_donghu_hitech",
        "东湖高新区",
        "East Lake High-tech Development Zone",
        (
            "东湖新技术开发区",
            "东湖新技术产业开发区",
            "武汉东湖新技术开发区",
            "光谷",
            "中国光谷",
            "East Lake High-tech Zone",
            "Optics Valley",
            "Donghu High-tech",
        ),
    ),
    FunctionalZone(
        "fz_wedz",
        "武汉经开区",
        "Wuhan Economic and Technological Development Zone",
        (
            "武汉经济技术开发区",
            "经开区",
            "车谷",
            "中国车谷",
            "沌口",
            "WEDZ",
            "Wuhan Economic Development Zone",
        ),
    ),
    FunctionalZone(
        "fz_linkonggang",
        "临空港经开区",
        "Wuhan Airport Economic and Technological Development Zone",
        ("武汉临空港经济技术开发区", "临空港经济技术开发区", "临空港", "Linkonggang"),
    ),
    FunctionalZone(
        "fz_changjiang",
        "长江新区",
        "Changjiang New Area",
        ("武汉长江新区", "长江新城", "Changjiang New District"),
    ),
    FunctionalZone(
        "fz_donghu_scenic",
        "东湖风景区",
        "East Lake Scenic Area",
        ("东湖生态旅游风景区", "东湖生态风景区", "East Lake Ecological Scenic Area"),
    ),
)


def _build_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for d in DISTRICTS:
        short = d.name_zh[:-1]
        en = d.name_en
        for form in (
            d.adcode,
            d.name_zh,
            short,
            "武汉市" + d.name_zh,
            "武汉" + d.name_zh,
            en,
            en + " District",
            en + "qu",
            en + " qu",
        ):
            idx[fold(form)] = d.adcode
    for z in FUNCTIONAL_ZONES:
        for form in (z.id, z.name_zh, z.name_en, *z.aliases):
            idx[fold(form)] = z.id
    idx[fold("武汉市")] = CITY_ADCODE
    idx[fold("武汉")] = CITY_ADCODE
    idx[fold("Wuhan")] = CITY_ADCODE
    idx[fold(CITY_ADCODE)] = CITY_ADCODE
    return idx


_INDEX = _build_index()


@functools.lru_cache(maxsize=4096)
def _match_text(text: str) -> str | None:
    t = re.sub(r"^(\d{6})\.0+$", r"\1", text.strip())  # an adcode a tool wrote as a float
    t = re.sub(r"^湖北省\s*", "", t)
    code = _INDEX.get(fold(t))
    if code is None and t and not t.endswith("区"):
        code = _INDEX.get(fold(t + "区"))  # 东湖高新 for 东湖高新区
    return code


def match_district(text: object) -> str | None:
    """Adcode of a district (or ``fz_…`` id of a functional zone) named by ``text``; else None.

    Accepts 武昌 / 武昌区 / 武汉市武昌区 / 湖北省武汉市武昌区 / Wuchang / Wuchang District /
    420106 (also as the integer 420106 or the float 420106.0 that spreadsheets produce),
    and a zone's short form without 区 (东湖高新).

    >>> [match_district(t) for t in ("湖北省武汉市江汉区", "东湖高新", "420106.0", "武昌县")]
    ['420103', 'fz_donghu_hitech', '420106', None]
    """
    if text is None:
        return None
    if isinstance(text, float):
        if text != text:  # NaN
            return None
        if text.is_integer():
            text = int(text)
    return _match_text(str(text))


def suggest_district(text: object, n: int = 3) -> list[str]:
    """Near-miss names for an unmatched district label, for error messages."""
    names = [d.name_zh for d in DISTRICTS] + [z.name_zh for z in FUNCTIONAL_ZONES]
    names += [d.name_en for d in DISTRICTS]
    return difflib.get_close_matches(str(text).strip(), names, n=n, cutoff=0.5)


def district_name(code: str) -> str:
    """Chinese name of an adcode or functional-zone id (the code itself if unknown)."""
    for d in DISTRICTS:
        if d.adcode == code:
            return d.name_zh
    for z in FUNCTIONAL_ZONES:
        if z.id == code:
            return z.name_zh
    return "武汉市" if code == CITY_ADCODE else code
