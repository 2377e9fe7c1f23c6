"""The common field schema of the plan's layers (clusters, pilot zones, corridors, …).

Every feature of a plan layer carries:

==========  ==============================================================
field       meaning
==========  ==============================================================
id          stable identifier, unique in the layer
name_zh     Chinese name as the source writes it
name_en     English name ("" when none is sourced)
domains     the plan's domains (of its 12), joined with "、" ("" if unknown)
district    adcode of the host district (420102…420117), or a functional
            zone id (``fz_…``), several joined with ";" ("" if unknown)
level       国家级, 省级, 市级 or "" (where the plan's list says)
source      URL(s) or package/file the feature comes from
precision   official, converted, cited_point, schematic, indicative or coarse
note        short free text: what the geometry is and is not
==========  ==============================================================

The 12 domains are those of 武政办〔2024〕121号, sections (一)–(十二).

>>> normalize_domains("软件、金融服务")
['软件信息', '金融']
>>> normalize_level("国家")
'国家级'
>>> normalize_level("municipal")
'市级'
"""

from __future__ import annotations

import difflib
import re

from .errors import InputError
from .io import PRECISION_CLASSES
from .names import fold

#: Fields of every plan-layer feature, in file order.
PLAN_FIELDS = (
    "id",
    "name_zh",
    "name_en",
    "domains",
    "district",
    "level",
    "source",
    "precision",
    "note",
)

#: The plan's 12 productive-service domains (武政办〔2024〕121号 二、三).
DOMAINS = (
    "研发和科技推广",
    "检验检测",
    "知识产权",
    "工业设计",
    "软件信息",
    "工程设计",
    "金融",
    "物流",
    "人力资源",
    "会展",
    "会计审计",
    "法律",
)

#: English names of the domains, for legends and the English side of the UI.
DOMAINS_EN = {
    "研发和科技推广": "R&D and technology transfer",
    "检验检测": "testing and certification",
    "知识产权": "intellectual property",
    "工业设计": "industrial design",
    "软件信息": "software and information",
    "工程设计": "engineering design",
    "金融": "finance",
    "物流": "logistics",
    "人力资源": "human resources",
    "会展": "conventions and exhibitions",
    "会计审计": "accounting and auditing",
    "法律": "legal services",
}

_DOMAIN_ALIASES = {
    "研发": "研发和科技推广",
    "科技推广": "研发和科技推广",
    "研发设计": "研发和科技推广",
    "科技服务": "研发和科技推广",
    "研发和科技推广服务": "研发和科技推广",
    "检测": "检验检测",
    "检验检测服务": "检验检测",
    "检验检测认证": "检验检测",
    "知识产权服务": "知识产权",
    "工业设计服务": "工业设计",
    "软件": "软件信息",
    "信息服务": "软件信息",
    "软件和信息服务": "软件信息",
    "软件信息服务": "软件信息",
    "软件和信息技术服务": "软件信息",
    "工程设计服务": "工程设计",
    "金融服务": "金融",
    "物流服务": "物流",
    "现代物流": "物流",
    "人力资源服务": "人力资源",
    "会展服务": "会展",
    "会计": "会计审计",
    "审计": "会计审计",
    "会计审计服务": "会计审计",
    "会计服务": "会计审计",
    "审计服务": "会计审计",
    "检验检测认证服务": "检验检测",
    "法律服务": "法律",
}
for _d, _en in DOMAINS_EN.items():
    _DOMAIN_ALIASES[_en] = _d

LEVELS = ("国家级", "省级", "市级")
_LEVEL_ALIASES = {
    "国家级": "国家级",
    "国家": "国家级",
    "national": "国家级",
    "省级": "省级",
    "省": "省级",
    "provincial": "省级",
    "市级": "市级",
    "市": "市级",
    "municipal": "市级",
    "city": "市级",
}

_LEVEL_SUFFIX = re.compile(r"(生产性)?(服务业)?(集聚区|示范区|示范园区|示范|园区)$")

#: Separators between several domains in one cell.
_SPLIT = re.compile(r"[、,，;；/|]+")


_DOMAIN_INDEX = {fold(d): d for d in DOMAINS} | {fold(k): v for k, v in _DOMAIN_ALIASES.items()}
_LEVEL_INDEX = {fold(k): v for k, v in _LEVEL_ALIASES.items()}


def normalize_domains(text: object) -> list[str]:
    """The plan domains named in a cell (split on 、 , ; / |), in the plan's order.

    Raises :class:`InputError` naming each unrecognised part and the 12 domains.
    """
    if text is None or (isinstance(text, float) and text != text):
        return []
    parts = [p.strip() for p in _SPLIT.split(str(text)) if p.strip()]
    found: set[str] = set()
    unknown = []
    for part in parts:
        d = _DOMAIN_INDEX.get(fold(part))
        words = part.split()
        if d is None and len(words) > 1 and all(fold(w) in _DOMAIN_INDEX for w in words):
            found.update(_DOMAIN_INDEX[fold(w)] for w in words)  # 金融 物流
        elif d is None:
            unknown.append(part)
        else:
            found.add(d)
    if unknown:
        near = [
            m
            for u in unknown
            for m in difflib.get_close_matches(u, DOMAINS, n=2, cutoff=0.4)
            if m not in found
        ]
        hint = f" (did you mean {' / '.join(dict.fromkeys(near))}?)" if near else ""
        raise InputError(
            f"unknown domain(s) {', '.join(repr(u) for u in unknown)}{hint}; "
            f"use the plan's 12 domains: {'、'.join(DOMAINS)}"
        )
    return [d for d in DOMAINS if d in found]


def join_domains(domains: list[str]) -> str:
    """Domains as stored in a layer file: joined with 、."""
    return "、".join(domains)


def normalize_level(text: object) -> str:
    """国家级, 省级 or 市级 for the forms planners write ('' for an empty cell)."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return ""
    folded = fold(str(text))
    # 国家级服务业集聚区, 市级示范: the level with the kind of place after it
    level = _LEVEL_INDEX.get(folded) or _LEVEL_INDEX.get(_LEVEL_SUFFIX.sub("", folded))
    if level is None:
        raise InputError(
            f"unknown level {str(text)!r}; use 国家级, 省级 or 市级 (national/provincial/municipal)"
        )
    return level


def normalize_precision(text: object) -> str:
    """A precision class (see :data:`gis.io.PRECISION_CLASSES`)."""
    value = str(text).strip().lower()
    if value not in PRECISION_CLASSES:
        raise InputError(f"unknown precision {text!r}; use one of {', '.join(PRECISION_CLASSES)}")
    return value
