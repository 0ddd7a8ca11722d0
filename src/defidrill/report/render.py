"""Render the report's blocks as Markdown and as one self-contained HTML page.

The HTML has no external resource (no script, font, stylesheet or image URL): CSS is
inline and charts are inline SVG, so the file opens offline and can be mailed as is.
Markdown keeps the tables and points to report.html for the charts.
"""

from __future__ import annotations

import html
import re

from defidrill.report.blocks import Block, Bullets, Chart, Heading, Para, TableBlock

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.7em;border-bottom:2px solid #333;padding-bottom:.2em}
h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-top:1.3em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em}
th,td{border:1px solid #d0d0d0;padding:.3em .6em;vertical-align:top;text-align:left}
th{background:#f2f2f2}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.pass td:nth-child(2){color:#116611;font-weight:bold}
tr.fail td{background:#fdecec}tr.fail td:nth-child(2){color:#b00000;font-weight:bold}
figure{margin:1em 0 1.6em}figcaption{font-size:.9em;color:#444;max-width:760px}
code{background:#f4f4f4;padding:0 .2em;border-radius:3px;font-size:.9em}
""".strip()

_NUMERIC = re.compile(r"^[-$\d.,\s%]+(k|M|B|s|/min| ETH)?$|^—$")


def _inline_html(text: str) -> str:
    """Escape, then the two Markdown inlines the document uses: **bold** and `code`."""
    out = html.escape(text)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    charts = 0
    for b in blocks:
        if isinstance(b, Heading):
            lines += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Para):
            lines += [b.text, ""]
        elif isinstance(b, Bullets):
            lines += [f"- {item}" for item in b.items] + [""]
        elif isinstance(b, TableBlock):
            lines.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
            lines.append("|" + "|".join("---" for _ in b.headers) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            lines.append("")
        elif isinstance(b, Chart):
            charts += 1
            lines += [f"*Chart {charts} (in report.html):* {b.caption}", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(blocks: list[Block], title: str) -> str:
    body: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            body.append(f"<h{b.level}>{_inline_html(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            body.append(f"<p>{_inline_html(b.text)}</p>")
        elif isinstance(b, Bullets):
            body.append("<ul>" + "".join(f"<li>{_inline_html(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, TableBlock):
            head = "".join(f"<th>{html.escape(h)}</th>" for h in b.headers)
            rows = []
            for i, row in enumerate(b.rows):
                cls = b.row_classes[i] if i < len(b.row_classes) else None
                cells = "".join(
                    f'<td class="num">{_inline_html(c)}</td>' if _NUMERIC.match(c) else f"<td>{_inline_html(c)}</td>"
                    for c in row)
                rows.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        elif isinstance(b, Chart):
            body.append(f"<figure>{b.svg}<figcaption>{_inline_html(b.caption)}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
