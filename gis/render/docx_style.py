"""Word (.docx) layout for a Chinese government office: fonts, language, page, tables.

What readers in a Wuhan office expect of a report (GB/T 9704-2012 "党政机关公文格式" as
the model, not a formal 公文):

* fonts a Chinese Windows office has: 宋体 (SimSun) for the body, 黑体 (SimHei) for the
  title and headings, Times New Roman / Arial for Latin text (``w:ascii``/``w:hAnsi``);
  the font table names SimSun / SimHei as ``w:altName`` so a Word without the Chinese
  font names (or LibreOffice) still finds them; theme fonts (Japanese in python-docx's
  template) are removed so they cannot win over these;
* East Asian text tagged ``zh-CN`` (``w:lang w:eastAsia``), Latin ``en-US``;
* A4 portrait, margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm (GB/T 9704
  §5.2.1: text block 156 mm × 225 mm), page numbers "— 1 —" centred in the footer;
* a centred title, then the 文号 line of the plan the report serves (武政办〔2024〕121号);
* tables: columns sized to their content within the text width, the header row repeated
  on every page, rows never split across pages, and never one row alone on a page
  (keep-with-next on the header, the first and the next-to-last rows; a short table kept
  whole); numbers right-aligned.

Every function edits a python-docx ``Document`` or ``Table`` in place.
"""

from __future__ import annotations

import re
from typing import Any

#: (East Asian font, its English name for ``w:altName``, Latin font)
BODY_FONT = ("宋体", "SimSun", "Times New Roman")
HEADING_FONT = ("黑体", "SimHei", "Arial")
#: Font-table entries (name, altName, panose, family) added so Word/LibreOffice resolve them.
_FONT_TABLE = (
    ("宋体", "SimSun", "02010600030101010101", "auto"),
    ("黑体", "SimHei", "02010609060101010101", "modern"),
)
LANG_LATIN = "en-US"
LANG_EAST_ASIA = "zh-CN"

#: A4 and GB/T 9704-like margins, in cm: top, bottom, left, right.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = (3.7, 3.5, 2.8, 2.6)
#: Width of the text block (cm): figures and tables are sized to it.
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM[2] - MARGINS_CM[3]

#: Point sizes (Chinese 字号): 二号 title, 三号 heading 1, 四号 heading 2, 小四 body, 小五 table.
TITLE_PT, H1_PT, H2_PT, BODY_PT, TABLE_PT, NOTE_PT = 22, 16, 14, 12, 9, 9
#: A table of at most this many data rows is kept on one page.
KEEP_WHOLE_ROWS = 15

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr: Any, fonts: tuple[str, str, str]) -> None:
    """Explicit fonts on a ``w:rPr`` (East Asian, Latin), theme fonts removed."""
    from docx.oxml.ns import qn

    east, _alt, latin = fonts
    rfonts = rpr.get_or_add_rFonts()
    for a in _THEME_ATTRS:
        rfonts.attrib.pop(qn(a), None)
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)


def set_lang(rpr: Any) -> None:
    """``<w:lang w:val="en-US" w:eastAsia="zh-CN"/>`` on a ``w:rPr``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANG_LATIN)
    lang.set(qn("w:eastAsia"), LANG_EAST_ASIA)
    lang.attrib.pop(qn("w:bidi"), None)


def _font_table(doc: Any) -> None:
    """Add 宋体/黑体 (altName SimSun/SimHei, GB2312 charset) to ``word/fontTable.xml``."""
    from xml.etree import ElementTree as ET

    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            break
    else:
        return
    ET.register_namespace("w", ns)
    root = ET.fromstring(part.blob)
    have = {f.get(f"{{{ns}}}name") for f in root}
    for name, alt, panose, family in _FONT_TABLE:
        if name in have:
            continue
        f = ET.SubElement(root, f"{{{ns}}}font", {f"{{{ns}}}name": name})
        ET.SubElement(f, f"{{{ns}}}altName", {f"{{{ns}}}val": alt})
        ET.SubElement(f, f"{{{ns}}}panose1", {f"{{{ns}}}val": panose})
        ET.SubElement(f, f"{{{ns}}}charset", {f"{{{ns}}}val": "86"})
        ET.SubElement(f, f"{{{ns}}}family", {f"{{{ns}}}val": family})
        ET.SubElement(f, f"{{{ns}}}pitch", {f"{{{ns}}}val": "variable"})
    part._blob = ET.tostring(root, xml_declaration=True, encoding="UTF-8")


def style_document(doc: Any) -> None:
    """Page, fonts, language and heading styles of the whole document."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    top, bottom, left, right = MARGINS_CM
    sec.top_margin, sec.bottom_margin = Cm(top), Cm(bottom)
    sec.left_margin, sec.right_margin = Cm(left), Cm(right)
    sec.footer_distance = Cm(2.5)
    _page_numbers(sec)
    # defaults of every run: explicit fonts and zh-CN (theme fonts would win otherwise)
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, BODY_FONT)
    set_lang(rpr_default)
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for a in _THEME_ATTRS:
            rfonts.attrib.pop(qn(a), None)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    set_lang(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(4)
    # at least 20 pt a line: a figure's paragraph grows to the figure (a multiple would
    # scale the figure's line too and push it to the next page)
    normal.paragraph_format.line_spacing = Pt(20)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    for name, size in (("Heading 1", H1_PT), ("Heading 2", H2_PT), ("Heading 3", BODY_PT)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = name != "Heading 1"  # 黑体 is heavy enough for 一级标题
        st.font.color.rgb = RGBColor(0, 0, 0)
        set_fonts(st.element.get_or_add_rPr(), HEADING_FONT)
        st.paragraph_format.keep_with_next = True
        st.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
        st.paragraph_format.space_after = Pt(6)
    _font_table(doc)


def _page_numbers(section: Any) -> None:
    """Footer "— N —", centred (GB/T 9704 §7.5 puts it outside; centred reads the same)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    par = section.footer.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.add_run("— ")
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    par._p.append(fld)
    par._p.append(par.add_run(" —")._r)


def split_title(title: str) -> tuple[str, str]:
    """A bilingual title split into its Chinese part and its English part.

    >>> split_title("武汉市生产性服务业空间布局报告 Wuhan productive services: map report")
    ('武汉市生产性服务业空间布局报告', 'Wuhan productive services: map report')
    >>> split_title("Wuhan")
    ('Wuhan', '')
    """
    import re

    m = re.match(r"^(.*[\u2e80-\uffff][^A-Za-z]*?)\s+([A-Za-z].*)$", title)
    return (m.group(1), m.group(2)) if m else (title, "")


def add_title_block(doc: Any, title: str, reference: str, date: str) -> None:
    """The centred title (黑体 二号), then the 文号 line of the plan and the date."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.space_after = Pt(12)
    head.paragraph_format.keep_with_next = True
    zh, en = split_title(title)
    run = head.add_run(zh)
    run.font.size = Pt(TITLE_PT)
    set_fonts(run._r.get_or_add_rPr(), HEADING_FONT)
    if en:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.paragraph_format.keep_with_next = True
        r2 = sub.add_run(en)
        r2.font.size = Pt(H2_PT)
        set_fonts(r2._r.get_or_add_rPr(), HEADING_FONT)
    ref = doc.add_paragraph()
    ref.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ref.add_run(reference).font.size = Pt(BODY_PT)
    when = doc.add_paragraph()
    when.alignment = WD_ALIGN_PARAGRAPH.CENTER
    when.paragraph_format.space_after = Pt(18)
    when.add_run(date).font.size = Pt(BODY_PT)


def add_note(doc: Any, text: str) -> None:
    """The sentence saying what the next table shows, kept with the table."""
    from docx.shared import Pt

    if not text:
        return
    par = doc.add_paragraph()
    par.paragraph_format.keep_with_next = True
    par.add_run(text).font.size = Pt(NOTE_PT + 1)


#: Tallest figure (cm): a section heading and its figure fit under the title on page 1.
FIGURE_MAX_HEIGHT_CM = 14.0


def figure_width_cm(png: bytes) -> float:
    """Width of a figure: the text width, narrower when the figure would be too tall."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    return round(min(TEXT_WIDTH_CM, FIGURE_MAX_HEIGHT_CM * w / h), 2)


def add_figure(doc: Any, png: bytes) -> None:
    """A figure centred in the text block, at most :data:`FIGURE_MAX_HEIGHT_CM` tall."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(png), width=Cm(figure_width_cm(png)))
    par = doc.paragraphs[-1]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.keep_with_next = True  # with its sources line


def add_sources(doc: Any, text: str) -> None:
    """A small, single-spaced line of data sources under a figure."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    par = doc.add_paragraph()
    par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    par.add_run(text).font.size = Pt(8)


def _text_width(text: str) -> float:
    """Width of ``text`` in Latin-character units (a CJK character counts 2)."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.0 for ch in text)


#: cm per Latin-character unit at the table's 9 pt (half an em), and a cell's side padding.
_UNIT_CM = TABLE_PT * 0.5 / 72 * 2.54 * 1.05
_PAD_CM = 0.45
#: Content up to this many units (e.g. "≥3,000 亿元") is never wrapped when room allows.
_SHORT_UNITS = 12.0


def _header_word_width(word: str) -> float:
    """Room a header word needs: a Latin word (``Indicator``, ``(km²)``) cannot break, a
    Chinese one may take two lines (``区内集/聚区``), so half of it, to leave room for the
    cells below that cannot break (``converted`` split as ``converte/d``)."""
    latin = re.findall(r"[^\u2e80-\U0010ffff]+", word)  # runs that cannot break
    return max([_text_width(r) for r in latin] + [_text_width(word) / 2])


def _units_cm(units: float) -> float:
    return units * _UNIT_CM + _PAD_CM


def column_widths_cm(header: list[str], rows: list[list[str]], total: float) -> list[float]:
    """Widths (cm) sized to content, adding up to ``total``.

    Each column first gets room for its longest header word and for its content when
    short (codes, numbers, "≥3,000 亿元"), so those never wrap; the rest of the width goes
    to the columns of long text in proportion to what they still need. Table text is 9 pt.

    >>> column_widths_cm(["#", "指标 Indicator"], [["T03", "全市技术合同成交额"]], 10.0)
    [2.16, 7.84]
    >>> column_widths_cm(["#", "说明"], [["1", "很长" * 60]], 15.6)
    [0.65, 14.95]
    """
    desired, floor = [], []
    for j, h in enumerate(header):
        # header words are bold: a little wider than the same text in a cell
        word = 1.2 * max((_header_word_width(w) for w in h.split()), default=1.0)
        content = max([_text_width(r[j]) for r in rows if j < len(r)] or [0.0])
        desired.append(_units_cm(max(word, content)))
        floor.append(_units_cm(max(word, min(content, _SHORT_UNITS))))
    if sum(desired) <= total:
        scale = total / sum(desired)
        widths = [d * scale for d in desired]
    elif sum(floor) >= total:
        widths = [f * total / sum(floor) for f in floor]
    else:
        room = total - sum(floor)
        want = [d - f for d, f in zip(desired, floor)]
        widths = [f + room * w / sum(want) for f, w in zip(floor, want)]
    out = [round(w, 2) for w in widths]
    out[-1] = round(total - sum(out[:-1]), 2)
    return out


def format_table(table: Any, header: list[str], rows: list[list[str]], right: list[bool]) -> None:
    """Widths, repeated header, unsplittable rows, no orphan row, alignment, 小五 text."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = tblpr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tblpr.append(layout)
    layout.set(qn("w:type"), "fixed")
    widths = column_widths_cm(header, rows, TEXT_WIDTH_CM)
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
    n = len(table.rows)
    whole = n - 1 <= KEEP_WHOLE_ROWS
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            trpr.append(OxmlElement("w:tblHeader"))
        keep = i < n - 1 and (whole or i <= 1 or i == n - 2)
        for j, cell in enumerate(row.cells):
            cell.width = Cm(widths[j])
            for par in cell.paragraphs:
                par.paragraph_format.keep_with_next = keep
                par.paragraph_format.space_after = Pt(0)
                par.paragraph_format.line_spacing = 1.0
                if i == 0:
                    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif j < len(right) and right[j]:
                    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for r in par.runs:
                    r.font.size = Pt(TABLE_PT)
                    if i == 0:
                        r.bold = True
                        set_fonts(r._r.get_or_add_rPr(), HEADING_FONT)
