"""Read a drill file's YAML safely, keeping every key's line for error messages.

A drill file is user input, possibly hostile. PyYAML's SafeLoader constructs no Python
objects, but on its own it still lets a small file cost unbounded time and memory:

* a "billion laughs" file (nine levels of ten aliases, 342 bytes) expands to 10^9 values
  when anything walks the data (the line-number walk, pydantic, an error message);
* composing is recursive, so 500 levels of nesting end in ``RecursionError``;
* a 50 MB file of unknown keys is read, validated and reported in full.

So the file is read through :func:`defidrill.input_files.read_text` (a regular file of at most
:data:`~defidrill.drill.limits.MAX_DRILL_FILE_BYTES`: a FIFO, a device or a directory is refused before
anything blocks), nesting deeper than ``MAX_YAML_DEPTH`` is refused while composing, and the composed
node graph (where an alias is the same node object, so it costs nothing yet) is measured
expanded before anything walks it: more than ``MAX_YAML_ALIASES`` alias uses, more than
``MAX_YAML_NODES`` values once expanded, or an alias inside itself is refused. Each refusal
is one ConfigError naming the file, the line and the limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from defidrill.drill.limits import MAX_DRILL_FILE_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES
from defidrill.drill.schema import Problem
from defidrill.errors import ConfigError
from defidrill.input_files import UnreadableFile, read_text

__all__ = ["Marks", "read_yaml", "dotted"]


def dotted(path: tuple[Any, ...] | list[Any]) -> str:
    """``("a", 0, "b")`` -> ``a[0].b``: how messages spell a YAML path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Marks:
    """Line numbers (1-based) of every key and value, by data path."""

    def __init__(self) -> None:
        self.key_line: dict[tuple[Any, ...], int] = {}
        self.value_line: dict[tuple[Any, ...], int] = {}
        self.duplicates: list[tuple[Problem, int]] = []  # (problem, line of the repeated key)

    def walk(self, node: yaml.Node, path: tuple[Any, ...] = ()) -> None:
        """Record lines under ``node``; the graph was measured by :func:`_measure` first."""
        self.value_line[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in node.value:
                key = _scalar_key(key_node)
                child = path + (key,)
                if key in seen:
                    self.duplicates.append((Problem(child, "duplicate key (YAML keeps only the last)",
                                                    key, "each key once per mapping"), key_node.start_mark.line + 1))
                seen.add(key)
                self.key_line[child] = key_node.start_mark.line + 1
                self.walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.key_line[path + (i,)] = item.start_mark.line + 1
                self.walk(item, path + (i,))

    def line_for(self, path: tuple[Any, ...], *, key: bool) -> int | None:
        """The line of ``path`` (its key when ``key``), else of the nearest ancestor."""
        probe = path
        while True:
            table = self.key_line if key else self.value_line
            if probe in table:
                return table[probe]
            if probe in self.key_line:
                return self.key_line[probe]
            if not probe:
                return None
            probe = probe[:-1]
            key = True  # an ancestor is best located by its key


def _scalar_key(node: yaml.Node) -> Any:
    """A mapping key as YAML types it (``1:`` is int); a non-scalar key as None (refused later)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        key = _KEY_LOADER.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    return key if isinstance(key, (str, int, float, bool)) or key is None else node.value


_KEY_LOADER = yaml.SafeLoader("")


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader refusing deep nesting and many aliases while it composes (before recursion bites)."""

    def __init__(self, stream: str, what: str = "drill file") -> None:
        super().__init__(stream)
        self.what = what
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _Refused(f"more than {MAX_YAML_ALIASES} aliases (*name)", line,
                               f"at most {MAX_YAML_ALIASES} aliases in a {self.what}")
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _Refused(f"nested more than {MAX_YAML_DEPTH} levels deep", line,
                               f"at most {MAX_YAML_DEPTH} levels of nesting (a drill needs about 6)")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Refused(Exception):
    """A limit hit while composing; becomes a ConfigError with the file name."""

    def __init__(self, message: str, line: int | None, allowed: str) -> None:
        super().__init__(message)
        self.line = line
        self.allowed = allowed


def _measure(root: yaml.Node) -> None:
    """Refuse a graph that expands past MAX_YAML_NODES values, or an alias inside itself.

    Aliases reuse node objects, so the expanded size is computed once per node (memoised by
    id): linear in the file, however large the expansion.
    """
    size: dict[int, int] = {}
    in_progress: set[int] = set()
    # Iterative post-order walk: depth is already bounded, but recursion is not needed.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        ident = id(node)
        if children_done:
            kids = _children(node)
            total = 1 + sum(size[id(k)] for k in kids)
            in_progress.discard(ident)
            size[ident] = total
            if total > MAX_YAML_NODES:
                raise _Refused(f"the document expands to more than {MAX_YAML_NODES:,} values (YAML aliases "
                               "repeat what they name)", node.start_mark.line + 1,
                               f"at most {MAX_YAML_NODES:,} values after aliases are expanded")
            continue
        if ident in size:
            continue
        if ident in in_progress:
            raise _Refused("an alias refers to a node that contains it (a recursive structure)",
                           node.start_mark.line + 1, "aliases to complete values only")
        in_progress.add(ident)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in in_progress:
                raise _Refused("an alias refers to a node that contains it (a recursive structure)",
                               kid.start_mark.line + 1, "aliases to complete values only")
            if id(kid) not in size:
                stack.append((kid, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_yaml(file: str | Path, what: str = "drill file", *,
              max_bytes: int = MAX_DRILL_FILE_BYTES) -> tuple[Any, Marks]:
    """Parse ``file`` within the limits above; the data and the lines of every key and value.

    The one YAML reader of defidrill: drill files, sweep files and risk files all come through here
    (``what`` names the kind in messages: "sweep file", "risk file"), read by
    :func:`defidrill.input_files.read_text` (regular files only, at most ``max_bytes``, UTF-8).
    """
    file = Path(file)
    try:
        text = read_text(file, max_bytes=max_bytes, what=what)
    except UnreadableFile as err:
        message = f"{what} not found" if err.reason == "not found" else f"cannot read the {what}: it {err.reason}"
        raise ConfigError(message, file=str(file), allowed=err.allowed) from None
    try:
        loader = _BoundedLoader(text, what)  # the reader checks every character here
    except yaml.reader.ReaderError as err:
        raise ConfigError(f"not valid YAML: character U+{err.character:04X} is not allowed in YAML text",
                          file=str(file), line=text.count("\n", 0, err.position) + 1,
                          allowed="printable UTF-8 text (write control characters as escapes in quotes)") from None
    try:
        node = loader.get_single_node()
        if node is not None:
            _measure(node)
        data = loader.construct_document(node) if node is not None else None
    except _Refused as err:
        raise ConfigError(str(err), file=str(file), line=err.line, allowed=err.allowed) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise ConfigError(
            f"not valid YAML: {err.problem or err}", file=str(file),
            line=None if mark is None else mark.line + 1, allowed="YAML syntax (mappings, lists, scalars)",
        ) from None
    except yaml.YAMLError as err:  # any other reader or parser error
        raise ConfigError(f"not valid YAML: {err}", file=str(file), allowed="printable UTF-8 YAML text") from None
    finally:
        loader.dispose()
    marks = Marks()
    if node is not None:
        marks.walk(node)
    return data, marks
