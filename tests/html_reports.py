"""Reading the load-test reports' HTML in tests: their tables, images and outside references."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


class Report(HTMLParser):
    """A report's tables (table → rows → cells, header row first), images' src, svg count, headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.images: list[str] = []
        self.svgs = 0
        self.headings: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        elif tag == "svg":
            self.svgs += 1
        elif tag == "h2":
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def rows_of(self, first_header: str) -> list[list[str]]:
        """The data rows of the first table whose first column is headed ``first_header``."""
        for rows in self.tables:
            if rows and rows[0] and rows[0][0] == first_header:
                return rows[1:]
        raise AssertionError(f"no table headed {first_header!r}; tables: {[t[0] for t in self.tables if t]}")


def read_report(document: str) -> Report:
    report = Report()
    report.feed(document)
    report.close()
    return report


def outside_references(document: str) -> list[str]:
    """Every ``src=``/``href=`` that points off the file (http, https or protocol-relative)."""
    return [document[m.start() : m.end() + 40] for m in OUTSIDE.finditer(document)]


def inline_pngs(report: Report) -> list[bytes]:
    """The images embedded as base64 PNG (those that are not are left out)."""
    prefix = "data:image/png;base64,"
    return [base64.b64decode(src[len(prefix) :]) for src in report.images if src.startswith(prefix)]
