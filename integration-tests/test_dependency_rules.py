"""DESIGN's dependency rules, checked from the sources (AST only; nothing is imported).

1. No distribution ships ``aioweb/__init__.py`` (or ``aioweb/py.typed``): PEP 420 namespace.
2. Layers: a piece imports only the pieces below it in DESIGN's table, *and* only pieces
   its ``pyproject.toml`` declares as dependencies. The kernel imports only the standard
   library, multidict, yarl and typing_extensions.
3. No package imports another package's private names (``_module`` or ``_name``).
4. ``aioweb.<piece>.sansio`` imports none of asyncio, socket, ssl, time, logging.

``nox -s lint`` checks (2) and (4) again with import-linter on the installed packages.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_DIR = ROOT / "packages"

# DESIGN.md "Layers and packages": what each piece may depend on (directly). Everything
# these reach transitively is below too, so it is allowed as well.
MAY_DEPEND_ON: dict[str, set[str]] = {
    "kernel": set(),
    "http": {"kernel"},
    "routing": {"kernel"},
    "middleware": {"kernel"},
    "websocket": {"kernel", "http"},
    "static": {"kernel", "http", "routing"},
    "client": {"http", "websocket"},
    "testing": {"kernel", "http", "client"},
    "forms": {"kernel"},
    "sessions": {"kernel"},
    "templates": {"kernel"},
}
MAY_DEPEND_ON["web"] = set(MAY_DEPEND_ON)  # the meta: all of the above
KERNEL_THIRD_PARTY = {"multidict", "yarl", "typing_extensions"}
SANSIO_FORBIDDEN = {"asyncio", "socket", "ssl", "time", "logging"}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def allowed_pieces(piece: str) -> set[str]:
    """Pieces ``piece`` may import under the layer rule (transitive closure)."""
    seen: set[str] = set()
    todo = list(MAY_DEPEND_ON[piece])
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(MAY_DEPEND_ON.get(dep, ()))
    return seen


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place."""

    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Owner:
    """What a source file belongs to, and what its package declares."""

    piece: str
    declared: frozenset[str]  # pieces of in-repo distributions the pyproject declares


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(tree: ast.Module, module: str, is_package: bool) -> list[tuple[int, str, str | None]]:
    """(line, absolute module, imported name or None) for every import in the file."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node)
            found += [(node.lineno, source, alias.name) for alias in node.names]
    return found


def _attribute_chains(tree: ast.Module) -> list[tuple[int, list[str]]]:
    """Outermost dotted ``aioweb.x.y`` attribute chains, e.g. ``aioweb.kernel._registry.X``."""
    attributes = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    inner = {id(n.value) for n in attributes}
    chains = []
    for node in attributes:
        if id(node) in inner:
            continue
        parts: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Attribute):
            parts.append(cur.attr)
            cur = cur.value
        if isinstance(cur, ast.Name) and cur.id == "aioweb":
            chains.append((node.lineno, ["aioweb", *reversed(parts)]))
    return chains


def check_source(source: str, *, module: str, is_package: bool, owner: Owner) -> list[Violation]:
    """Every rule (2)-(4) violation in one module's source."""
    tree = ast.parse(source)
    out: list[Violation] = []
    sansio = module.split(".")[2:3] == ["sansio"]

    def flag(line: int, rule: str, message: str) -> None:
        out.append(Violation(f"{module}:{line}", rule, message))

    def check_target(line: int, parts: list[str], what: str) -> None:
        """``parts`` is an absolute dotted target (module, maybe plus attribute names)."""
        top = parts[0]
        if top != "aioweb":
            if sansio and top in SANSIO_FORBIDDEN:
                flag(line, "sansio", f"sans-IO module imports {top}")
            if owner.piece == "kernel" and top not in STDLIB | KERNEL_THIRD_PARTY:
                flag(line, "layer", f"the kernel imports third-party {top!r}")
            return
        if len(parts) < 2 or parts[1] == owner.piece:
            return  # the namespace itself, or our own piece
        piece = parts[1]
        if piece not in allowed_pieces(owner.piece):
            flag(line, "layer", f"aioweb.{owner.piece} must not import aioweb.{piece} ({what})")
        if piece not in owner.declared:
            flag(
                line,
                "declared",
                f"imports aioweb.{piece} ({what}) but its pyproject does not depend on it",
            )
        if any(_is_private(p) for p in parts[2:]):
            flag(line, "private", f"uses a private name of aioweb.{piece}: {what}")

    for line, target, name in _imports(tree, module, is_package):
        parts = target.split(".") if target else []
        if name is None:
            check_target(line, parts, f"import {target}")
        elif parts == ["aioweb"]:
            check_target(line, ["aioweb", name], f"from aioweb import {name}")
        elif parts:
            check_target(line, [*parts, name], f"from {target} import {name}")
    for line, chain in _attribute_chains(tree):
        if len(chain) > 2 and chain[1] != owner.piece and any(_is_private(p) for p in chain[2:]):
            flag(line, "private", f"uses a private name of aioweb.{chain[1]}: {'.'.join(chain)}")
    return out


# ---------------------------------------------------------------------------------------
# The repository


@dataclass(frozen=True)
class PackageInfo:
    """One ``packages/<dist>/`` directory."""

    dist: str
    path: Path
    pieces: tuple[str, ...]  # directories under src/aioweb/
    pyproject: dict = field(repr=False)  # type: ignore[type-arg]

    @property
    def piece(self) -> str:
        return self.pieces[0] if len(self.pieces) == 1 else f"<{self.dist}: {self.pieces}>"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _requirement_name(text: str) -> str:
    """The distribution name at the start of a PEP 508 requirement (no regex, no deps)."""
    end = len(text)
    for i, ch in enumerate(text):
        if not (ch.isalnum() or ch in "-_."):
            end = i
            break
    return _canonical(text[:end].strip())


def discover() -> list[PackageInfo]:
    found = []
    for pyproject in sorted(PACKAGES_DIR.glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        src = pyproject.parent / "src" / "aioweb"
        pieces = tuple(
            sorted(p.name for p in src.iterdir() if p.is_dir() and p.name != "__pycache__")
            if src.is_dir()
            else ()
        )
        found.append(
            PackageInfo(_canonical(data["project"]["name"]), pyproject.parent, pieces, data)
        )
    return found


PACKAGES = discover()
PIECE_OF_DIST = {p.dist: p.piece for p in PACKAGES}


def declared_pieces(pkg: PackageInfo) -> frozenset[str]:
    project = pkg.pyproject["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return frozenset(
        PIECE_OF_DIST[name] for name in map(_requirement_name, reqs) if name in PIECE_OF_DIST
    )


def check_package(pkg: PackageInfo) -> list[Violation]:
    owner = Owner(pkg.piece, declared_pieces(pkg))
    src = pkg.path / "src"
    out = []
    for path in sorted((src / "aioweb").rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        is_package = rel.name == "__init__"
        module = ".".join(rel.parts[:-1] if is_package else rel.parts)
        out += check_source(
            path.read_text(encoding="utf-8"), module=module, is_package=is_package, owner=owner
        )
    return out


def namespace_violations(packages_dir: Path) -> list[str]:
    """Rule 1: files that would make ``aioweb`` a regular package in some wheel."""
    return [
        str(path.relative_to(packages_dir))
        for name in ("__init__.py", "py.typed")
        for path in sorted(packages_dir.glob(f"*/src/aioweb/{name}"))
    ]


def test_packages_are_discovered() -> None:
    assert PACKAGES, f"no packages/*/pyproject.toml under {ROOT}"
    assert "kernel" in PIECE_OF_DIST.values()


def test_no_namespace_init() -> None:
    assert namespace_violations(PACKAGES_DIR) == []


@pytest.mark.parametrize("pkg", PACKAGES, ids=[p.dist for p in PACKAGES])
def test_package_holds_one_known_piece(pkg: PackageInfo) -> None:
    assert len(pkg.pieces) == 1, f"{pkg.dist}: src/aioweb/ must hold one piece: {pkg.pieces}"
    init = pkg.path / "src" / "aioweb" / pkg.piece / "__init__.py"
    assert init.is_file(), f"{pkg.dist}: {init.relative_to(ROOT)} is missing"
    assert pkg.piece in MAY_DEPEND_ON, f"add aioweb.{pkg.piece} to MAY_DEPEND_ON (DESIGN table)"


@pytest.mark.parametrize("pkg", PACKAGES, ids=[p.dist for p in PACKAGES])
def test_declared_dependencies_follow_the_layers(pkg: PackageInfo) -> None:
    if pkg.piece not in MAY_DEPEND_ON:
        pytest.fail(f"unknown piece {pkg.piece!r}")
    too_high = declared_pieces(pkg) - allowed_pieces(pkg.piece)
    assert not too_high, f"{pkg.dist} declares dependencies above its layer: {sorted(too_high)}"


@pytest.mark.parametrize("pkg", PACKAGES, ids=[p.dist for p in PACKAGES])
def test_imports_follow_the_rules(pkg: PackageInfo) -> None:
    if pkg.piece not in MAY_DEPEND_ON:
        pytest.fail(f"unknown piece {pkg.piece!r}")
    violations = check_package(pkg)
    assert not violations, "\n".join(map(str, violations))


# ---------------------------------------------------------------------------------------
# The checker checks: synthetic sources it must flag (and some it must accept).

KERNEL = Owner("kernel", frozenset())
HTTP = Owner("http", frozenset({"kernel"}))
ROUTING = Owner("routing", frozenset({"kernel"}))
ROUTING_DECLARES_HTTP = Owner("routing", frozenset({"kernel", "http"}))
WEB = Owner("web", frozenset({"kernel", "http", "routing"}))
K, H, S, R, W = (
    "aioweb.kernel._x",
    "aioweb.http._x",
    "aioweb.http.sansio._x",
    "aioweb.routing._x",
    "aioweb.web._x",
)

BAD = [  # id, owner, module, source, the rule it breaks
    ("kernel-imports-http", KERNEL, K, "import aioweb.http", "layer"),
    ("kernel-undeclared", KERNEL, K, "from aioweb.routing import UrlDispatcher", "declared"),
    ("kernel-from-aioweb-import-web", KERNEL, K, "from aioweb import web", "layer"),
    ("kernel-third-party", KERNEL, K, "import requests", "layer"),
    ("kernel-lazy-third-party", KERNEL, K, "def f():\n    import attr\n", "layer"),
    ("routing-imports-http", ROUTING, R, "from aioweb.http import Server", "layer"),
    ("routing-http-undeclared", ROUTING, R, "from aioweb.http import Server", "declared"),
    ("routing-declares-http-still-layer", ROUTING_DECLARES_HTTP, R, "import aioweb.http", "layer"),
    ("from-private-module", HTTP, H, "from aioweb.kernel._registry import Registry", "private"),
    ("import-private-module", HTTP, H, "import aioweb.kernel._app", "private"),
    ("private-name", HTTP, H, "from aioweb.kernel import _name", "private"),
    ("relative-escape-private", HTTP, H, "from ..kernel import _app", "private"),
    (
        "private-attribute",
        HTTP,
        H,
        "import aioweb.kernel\nx = aioweb.kernel._registry.X",
        "private",
    ),
    ("meta-private", WEB, W, "from aioweb.http._protocol import P", "private"),
    ("sansio-asyncio", HTTP, S, "import asyncio", "sansio"),
    ("sansio-time", HTTP, S, "from time import monotonic", "sansio"),
    ("sansio-init-logging", HTTP, "aioweb.http.sansio", "import logging", "sansio"),
    ("sansio-socket-alias", HTTP, S, "import socket as s", "sansio"),
    ("sansio-nested-ssl", HTTP, S, "if True:\n    import ssl\n", "sansio"),
]


@pytest.mark.parametrize(
    ("owner", "module", "source", "rule"), [pytest.param(*b[1:], id=b[0]) for b in BAD]
)
def test_checker_flags(owner: Owner, module: str, source: str, rule: str) -> None:
    is_package = module == "aioweb.http.sansio"
    found = check_source(source, module=module, is_package=is_package, owner=owner)
    assert rule in {v.rule for v in found}, found


GOOD = [  # id, owner, module, source
    ("kernel-ok", KERNEL, K, "import asyncio, multidict\nfrom typing_extensions import Self"),
    ("kernel-own-private", KERNEL, K, "from ._errors import AiowebError\nfrom . import _app"),
    ("kernel-yarl-future", KERNEL, K, "from __future__ import annotations\nfrom yarl import URL"),
    ("http-ok", HTTP, H, "import asyncio\nfrom aioweb.kernel import Registry, __version__"),
    ("http-own-private", HTTP, H, "from .sansio import RequestParser\nfrom ._x import y"),
    ("sansio-ok", HTTP, S, "import dataclasses, enum\nfrom aioweb.kernel import AiowebError"),
    ("routing-ok", ROUTING, R, "import re\nfrom aioweb.kernel import ROUTER"),
    ("meta-ok", WEB, W, "from aioweb.http import run_app as run_app\nimport aioweb.routing"),
    ("meta-attribute", WEB, W, "import aioweb.kernel\nx = aioweb.kernel.Application"),
]


@pytest.mark.parametrize(
    ("owner", "module", "source"), [pytest.param(*g[1:], id=g[0]) for g in GOOD]
)
def test_checker_accepts(owner: Owner, module: str, source: str) -> None:
    assert check_source(source, module=module, is_package=False, owner=owner) == []


def test_namespace_check_flags(tmp_path: Path) -> None:
    (tmp_path / "aioweb-x" / "src" / "aioweb" / "x").mkdir(parents=True)
    (tmp_path / "aioweb-x" / "src" / "aioweb" / "__init__.py").write_text("")
    (tmp_path / "aioweb-x" / "src" / "aioweb" / "py.typed").write_text("")
    assert len(namespace_violations(tmp_path)) == 2


def test_requirement_name() -> None:
    assert _requirement_name("aioweb-kernel>=0.1,<0.2") == "aioweb-kernel"
    assert (
        _requirement_name("Typing_Extensions >=4.6; python_version<'3.11'") == "typing-extensions"
    )
    assert _requirement_name("aioweb_http[speedups]") == "aioweb-http"
