"""The synthesis report as CSV, XLSX (openpyxl) and DOCX (python-docx), Vietnamese headings."""

from __future__ import annotations

import csv
import io

from backend.reports.service import SynthesisReport
from backend.synthesis.periods import VIETNAM

HEADINGS = [
    "Lĩnh vực",
    "Nhóm vấn đề",
    "Số ý kiến",
    "Số người",
    "Đã trả lời",
    "Tình trạng trả lời",
    "Ý kiến tiêu biểu",
]


def _period(report: SynthesisReport) -> str:
    start = report.period_from.astimezone(VIETNAM).strftime("%d/%m/%Y")
    end = report.period_to.astimezone(VIETNAM).strftime("%d/%m/%Y")
    return f"Từ {start} đến {end}"


def _rows(report: SynthesisReport) -> list[list[object]]:
    return [
        [
            topic.topic_name,
            group.title,
            group.cases,
            group.citizens,
            group.answered,
            group.status,
            " | ".join(group.quotes),
        ]
        for topic in report.topics
        for group in topic.groups
    ]


def to_csv(report: SynthesisReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([report.title])
    writer.writerow([report.scope, _period(report), f"Tổng số ý kiến: {report.total_cases}"])
    writer.writerow(HEADINGS)
    writer.writerows(_rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def to_xlsx(report: SynthesisReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([report.scope, _period(report), f"Tổng số ý kiến: {report.total_cases}"])
    sheet.append(HEADINGS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        sheet.append(row)
    for column, width in zip("ABCDEFG", (28, 50, 10, 10, 10, 16, 80), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_docx(report: SynthesisReport) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(report.title, level=1)
    document.add_paragraph(
        f"{report.scope}. {_period(report)}. Tổng số ý kiến, kiến nghị: {report.total_cases}."
    )
    for number, topic in enumerate(report.topics, start=1):
        document.add_heading(
            f"{number}. {topic.topic_name} ({topic.cases} ý kiến, đã trả lời {topic.answered})",
            level=2,
        )
        for group in topic.groups:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(group.title or "(không tiêu đề)").bold = True
            paragraph.add_run(
                f" — {group.cases} ý kiến của {group.citizens} người; {group.status.lower()}."
            )
            for quote in group.quotes:
                document.add_paragraph(f"“{quote}”", style="Quote")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
