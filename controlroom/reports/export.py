"""The monthly report as a PDF (fpdf2, Chinese in a Noto Sans CJK / WenQuanYi font from the
Debian packages fonts-noto-cjk or fonts-wqy-zenhei) and as an Excel workbook (openpyxl). Both
lay out `rows(report)`, so the page, the PDF and the Excel file show the same figures."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Sequence
from pathlib import Path

from controlroom.reports.monthly import MonthlyReport

__all__ = ["NoChineseFont", "chinese_font", "rows", "to_pdf", "to_xlsx"]

# (file, index in the collection): Simplified Chinese faces of the Debian font packages.
FONTS = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
         ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
         ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0))

PROMISE_WORDS = {"respond": "响应 respond", "on_site": "到场 on site",
                 "feedback": "反馈 feedback", "resolve": "解决 resolve", "work": "完工 work"}
TYPE_WORDS = {"repair": "维修 repair", "urgent_repair": "紧急维修 urgent repair",
              "complaint": "投诉 complaint", "enquiry": "咨询 enquiry",
              "suggestion": "建议 suggestion", "help": "求助 help",
              "service_order": "特约服务 paid order", "assistance": "无偿服务 assistance"}
COMPLAINT_WORDS = {"total": "投诉总数 total", "ordinary": "一般 ordinary",
                   "serious": "重大 serious", "valid": "有效 valid", "invalid": "无效 invalid",
                   "not_judged": "未判定 not judged",
                   "closed_confirmed": "住户确认关闭 closed, confirmed", "open": "未关闭 open"}
KIND_WORDS = {"parcel": "快递 parcel", "deposit": "寄存 deposit", "handover": "转交 hand-over",
              "key": "钥匙 key"}

Section = tuple[str, Sequence[Sequence[str]]]  # a heading, then rows of cells (first = header)


class NoChineseFont(RuntimeError):
    """No font with Chinese glyphs: install fonts-noto-cjk (scripts/system-deps.sh)."""


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def rows(rep: MonthlyReport) -> list[Section]:
    """The report as sections of text cells, in the order every format shows them."""
    types = sorted({t for v in rep.by_building_type.values() for t in v})
    out: list[Section] = [
        ("服务请求 Requests (按类型 by type)",
         [("类型 type", "数量 count")]
         + [(TYPE_WORDS.get(k, k), str(v)) for k, v in rep.by_type.items()]
         + [("合计 total", str(rep.requests_total))]),
        ("按楼栋 By building",
         [("楼栋 building", *[TYPE_WORDS.get(t, t) for t in types], "合计 total")]
         + [(b, *[str(v.get(t, 0)) for t in types], str(rep.by_building.get(b, 0)))
            for b, v in rep.by_building_type.items()]),
        ("服务承诺达成 SLA compliance per promise",
         [("承诺 promise", "达成 kept", "超时 broken", "未到期 pending", "达成率 compliance")]
         + [(PROMISE_WORDS.get(p.promise, p.promise), str(p.kept), str(p.broken),
             str(p.pending), _pct(p.compliance)) for p in rep.sla]),
        ("超时请求 Overdue requests",
         [("数量 count", "编号 numbers"), (str(len(rep.overdue)), ", ".join(rep.overdue))]),
        ("投诉及结果 Complaints and outcomes",
         [("项目 item", "数量 count")]
         + [(COMPLAINT_WORDS[k], str(v)) for k, v in rep.complaints.items()]),
        ("回访评分 Return-visit ratings",
         [("项目 item", "值 value"), ("本月关闭 closed", str(rep.closed)),
          ("已回访评分 rated", str(rep.rated)),
          ("回访率 ratio", _pct(rep.return_visit_ratio)),
          *[(f"{zh} {en}", "—" if rep.rating_avg.get(en) is None else
             f"{rep.rating_avg[en]:.2f}")
            for zh, en in (("态度", "attitude"), ("质量", "quality"),
                           ("及时", "punctuality"))]]),
        ("寄存物品与钥匙 Held items and keys",
         [("项目 item", "数量 count")]
         + [(f"收件 received: {KIND_WORDS.get(k, k)}", str(v))
            for k, v in rep.items_received.items()]
         + [("本月取件 released", str(rep.items_released)),
            ("月末在存 held at month end", str(rep.items_held_at_end)),
            ("在存≥14天 held 14 days+", str(rep.items_held_14d)),
            ("在存≥30天 held 30 days+", str(rep.items_held_30d)),
            ("新托管钥匙 keys taken into custody", str(rep.keys_taken)),
            ("钥匙借出次数 key movements out", str(rep.keys_lent)),
            ("月末托管钥匙 keys in custody at month end", str(rep.keys_in_custody))]),
        ("报警 Alarms (不含测试 test events excluded: "
         f"{rep.test_events_excluded})",
         [("优先级 priority", "数量 count", "30秒内 within 30 s", "60秒内 within 60 s")]
         + [(f"P{a.priority}", str(a.count), _pct(a.within_30s), _pct(a.within_60s))
            for a in rep.alarms]
         + [("合计 total", str(rep.alarms_total), "", "")]),
    ]
    return out


def title(rep: MonthlyReport, site_name: str) -> str:
    return f"{site_name} 月度服务报告 Monthly report {rep.month}"


def chinese_font() -> tuple[str, int]:
    """A font file with Simplified Chinese glyphs and its index in the collection."""
    for path, index in FONTS:
        if Path(path).exists():
            return path, index
    try:  # another distribution: ask fontconfig
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        found, _, number = out.partition("\t")
        if found and Path(found).exists():
            return found, int(number or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    raise NoChineseFont("no Chinese font found: install fonts-noto-cjk")


def to_pdf(rep: MonthlyReport, site_name: str) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    path, index = chinese_font()
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, title(rep, site_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, f"{rep.start.date().isoformat()} – {rep.end.date().isoformat()} "
                   f"(不含 exclusive)", new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(fill_color=(225, 232, 240))
    for name, table in rows(rep):
        pdf.ln(2)
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 7, name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8.5)
        with pdf.table(headings_style=heading, line_height=5.5, text_align="LEFT") as t:
            for cells in table:
                row = t.row()
                for c in cells:
                    row.cell(c)
    return bytes(pdf.output())


def to_xlsx(rep: MonthlyReport, site_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = rep.month
    sheet.append([title(rep, site_name)])
    sheet["A1"].font = Font(bold=True, size=14)
    for name, table in rows(rep):
        sheet.append([])
        sheet.append([name])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for i, cells in enumerate(table):
            # Counts as numbers, so the manager can add them up in Excel.
            sheet.append([int(c) if c.isdigit() else c for c in cells])
            if i == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    for col in "BCDEFGHIJ":
        sheet.column_dimensions[col].width = 16
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
