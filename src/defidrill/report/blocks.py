"""The report's neutral blocks: built once by document.py, rendered as Markdown and HTML by render.py."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class TableBlock:
    headers: list[str]
    rows: list[list[str]]
    row_classes: list[str | None] = field(default_factory=list)   # "pass" / "fail" for invariants


@dataclass(frozen=True)
class Chart:
    svg: str
    caption: str


Block = Heading | Para | Bullets | TableBlock | Chart
