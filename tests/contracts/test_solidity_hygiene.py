"""No unused imports and no unused `using L for T` in contracts/: a static check over solc's own AST.

Why solc's AST and not a regex: solc has already resolved every name, so a use is a node whose
`referencedDeclaration` is the imported declaration (an identifier, an inheritance or override name, a
type path such as `DataTypes.Market`, whose first segment is found by walking the declarations' scopes),
and a `using L for T` is used when its scope holds a bound call `x.f()` to one of L's functions (a
direct `L.f(x)` does not need the directive). The checker is pinned on a hand-made project first, then
run over the real contracts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from defidrill.toolchain import find_solc, project_root, source_asts

Node = dict[str, Any]
INHERITDOC = re.compile(r"@inheritdoc\s+(\w+)")


def _walk(node: Any, *, skip: str | None = None) -> Iterator[Node]:
    """Every AST node under `node` (itself included), not descending into nodes of type `skip`."""
    if isinstance(node, dict):
        if node.get("nodeType") == skip:
            return
        if "nodeType" in node:
            yield node
        for value in node.values():
            yield from _walk(value, skip=skip)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, skip=skip)


def _line(text: str, src: str) -> int:
    """1-based line of a solc `src` ("start:length:file") in the file's text (offsets are bytes)."""
    start = int(src.split(":")[0])
    return text.encode()[:start].count(b"\n") + 1


def _inheritdoc_names(unit: Node) -> set[str]:
    """Contract names after `@inheritdoc` in the unit's NatSpec: solc resolves them (an unknown name is a
    compile error), but its AST does not record the reference."""
    return {m for node in _walk(unit) if node["nodeType"] == "StructuredDocumentation"
            for m in INHERITDOC.findall(node.get("text", ""))}


def _used_declarations(unit: Node, scope_of: dict[int, int]) -> set[int]:
    """Ids of every declaration the unit refers to outside its import directives; for a dotted type path
    `A.B` the declarations of its leading segments too (solc resolves only the last one)."""
    used: set[int] = set()
    for node in _walk(unit, skip="ImportDirective"):
        ref = node.get("referencedDeclaration")
        if not isinstance(ref, int) or ref < 0:
            continue
        used.add(ref)
        if node["nodeType"] == "IdentifierPath":
            for _ in range(node["name"].count(".")):
                ref = scope_of.get(ref, -1)
                used.add(ref)
    return used


def _using_directives(unit: Node) -> Iterator[tuple[Node, Node]]:
    """(directive, the node it applies in): a contract's own body, or the whole file for a file-level one."""
    for top in unit["nodes"]:
        if top["nodeType"] == "UsingForDirective":
            yield top, unit
        elif top["nodeType"] == "ContractDefinition":
            for member in top["nodes"]:
                if member["nodeType"] == "UsingForDirective":
                    yield member, top


def hygiene_findings(asts: dict[str, Node], root: Path) -> list[str]:
    """One line per unused imported symbol and per unused `using`, as `file:line: message`."""
    scope_of: dict[int, int] = {}
    functions_of: dict[int, set[int]] = {}
    for unit in asts.values():
        for node in _walk(unit):
            if isinstance(node.get("id"), int) and isinstance(node.get("scope"), int):
                scope_of[node["id"]] = node["scope"]
                if node["nodeType"] == "FunctionDefinition":
                    functions_of.setdefault(node["scope"], set()).add(node["id"])

    findings: list[str] = []
    for name, unit in sorted(asts.items()):
        text = (root / name).read_text()
        used, documented = _used_declarations(unit, scope_of), _inheritdoc_names(unit)
        for directive in (n for n in unit["nodes"] if n["nodeType"] == "ImportDirective"):
            for alias in directive.get("symbolAliases", []):
                symbol = alias.get("local") or alias["foreign"]["name"]
                if alias["foreign"]["referencedDeclaration"] not in used and symbol not in documented:
                    findings.append(f"{name}:{_line(text, directive['src'])}: imported symbol {symbol} is never used")
        for directive, scope in _using_directives(unit):
            if "libraryName" in directive:
                library = directive["libraryName"]
                library_id, label = library["referencedDeclaration"], library["name"]
                bound = functions_of.get(library_id, set())
            else:  # `using {f, g} for T`
                library_id, label = -1, "{" + ", ".join(f["function"]["name"] for f in directive["functionList"]) + "}"
                bound = {f["function"]["referencedDeclaration"] for f in directive["functionList"]}
            bound_calls = [m for m in _walk(scope) if m["nodeType"] == "MemberAccess"
                           and m.get("referencedDeclaration") in bound
                           and m["expression"].get("referencedDeclaration") != library_id]
            if not bound_calls:
                target = directive.get("typeName", {}).get("typeDescriptions", {}).get("typeString", "*")
                where = scope.get("name", "file level")
                findings.append(f"{name}:{_line(text, directive['src'])}: `using {label} for {target}` in {where} "
                                "is never used (no bound x.f() call)")
    return findings


# ----------------------------------------------------------------------------- the checker, pinned

LIB = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
library L {
    struct S { uint256 a; }
    uint256 internal constant K = 1;
    function twice(uint256 x) internal pure returns (uint256) { return 2 * x; }
}
library M {
    function f(uint256 x) internal pure returns (uint256) { return x; }
}
"""
IFACE = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
interface I { function g() external; }
interface J { function h() external; }
interface P { function p() external view returns (uint256); }
interface Q is P {}
"""
# L bound (x.twice()), M imported and called directly (its `using` is dead), I imported and never named,
# J used only as a base contract.
DIRTY = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {L, M} from "./lib/L.sol";
import {I, J} from "./I.sol";
abstract contract A is J {
    using L for uint256;
    using M for uint256;
    function k(uint256 x) external pure returns (uint256) { L.S memory s = L.S(x); return x.twice() + M.f(s.a); }
}
"""
# L named only in a type path and a constant, `using {twice}` bound, P named only by `@inheritdoc`:
# nothing to report.
CLEAN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {L as Lib} from "./lib/L.sol";
import {P, Q} from "./I.sol";
contract B is Q {
    using {Lib.twice} for uint256;
    function k(Lib.S calldata s) external pure returns (uint256) { return s.a.twice() + Lib.K; }
    /// @inheritdoc P
    function p() external pure returns (uint256) { return 1; }
}
"""


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hygiene")
    for rel, text in {"lib/L.sol": LIB, "I.sol": IFACE, "A.sol": DIRTY, "B.sol": CLEAN}.items():
        (root / "contracts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "contracts" / rel).write_text(text)
    return root


def test_the_checker_names_file_line_and_symbol_of_each_unused_import_and_using(hand_made: Path) -> None:
    asts = source_asts(hand_made, solc=find_solc(project_root()))
    assert hygiene_findings(asts, hand_made) == [
        "contracts/A.sol:4: imported symbol I is never used",
        "contracts/A.sol:7: `using M for uint256` in A is never used (no bound x.f() call)",
    ]


def test_no_contract_imports_or_binds_what_it_does_not_use() -> None:
    root = project_root()
    findings = hygiene_findings(source_asts(root), root)
    assert findings == [], "unused imports / using directives:\n" + "\n".join(findings)
