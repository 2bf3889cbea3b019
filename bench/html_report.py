"""The load-test reports' HTML plumbing: one self-contained file (inline CSS, plots as inline PNG).

A report is a title, a line under it and sections (a heading and an HTML body); tables and plots
are built here so the checkout storm (``bench.storm_html``) and the benchmark
(``bench.benchmark_html``) look alike and neither repeats the other. Plots are drawn with
matplotlib's Agg canvas (no display, no pyplot state) and embedded as ``data:`` URIs: the file
opens anywhere, offline, and can be attached to a ticket as it is.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
img { max-width: 100%; height: auto; }
.ok { color: #1a7f37; font-weight: bold; }
.bad { color: #c62828; font-weight: bold; }
"""


@dataclass(frozen=True)
class Section:
    heading: str
    body: str  # HTML


def text(value: object) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value))


def paragraph(value: str) -> str:
    return f"<p>{text(value)}</p>"


def _cell(value: object, tag: str) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<{tag} class="num">{text(value)}</{tag}>' if numeric and tag == "td" else f"<{tag}>{text(value)}</{tag}>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table; numbers are right-aligned, every cell is escaped."""
    head = "".join(_cell(h, "th") for h in headers)
    body = "".join("<tr>" + "".join(_cell(v, "td") for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(width_in: float = 11.0, height_in: float = 4.0) -> Figure:
    """A new figure on matplotlib's Agg canvas (no display needed, nothing global)."""
    fig = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def image(fig: Figure, alt: str) -> str:
    """The figure as an ``<img>`` with the PNG inline (base64)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{text(alt)}" src="data:image/png;base64,{encoded}">'


def page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole report: one HTML document with nothing to fetch."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{text(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{text(title)}</h1>",
        f'<p class="sub">{text(subtitle)}</p>',
    ]
    parts += [f"<h2>{text(s.heading)}</h2>\n{s.body}" for s in sections]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(path: Path, document: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path
