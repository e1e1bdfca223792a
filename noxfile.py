"""Every check of the aioweb monorepo (CONVENTIONS §9).

Packages are discovered from ``packages/*/pyproject.toml``; a package's id is its
distribution name without the ``aioweb-`` prefix (``kernel``, ``http``, ``routing``, ...)
and ``aioweb`` for the meta distribution. Examples::

    python3 -m nox -l                               # list sessions
    python3 -m nox -s "tests-3.13(kernel)"          # one package, one Python
    python3 -m nox -s tests -p 3.13                 # every package on 3.13
    python3 -m nox -s ci                            # what CI runs
    python3 -m nox -r -s "typecheck-3.10(http)"     # reuse the venv from last time
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nox
import nox.command
from packaging.requirements import Requirement

nox.needs_version = ">=2025.02.09"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = "CI" in os.environ
nox.options.sessions = ["ci"]
if "CI" in os.environ:
    # CI starts clean whatever a developer's local default is; locally `nox -r` reuses.
    nox.options.reuse_venv = "no"

ROOT = Path(__file__).resolve().parent
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]
MINIMAL_PYTHONS = [OLDEST, NEWEST]

# Tools that belong to no single package. Package tools live in each package's groups.
IMPORT_LINTER = "import-linter>=2.1"
SPHINX = "sphinx>=8.1"
# aiohttp: a peer server the client interop tests talk to (never imported by aioweb).
INTEGRATION_EXTRA = [
    "httpx>=0.27",
    "websockets>=15",
    "aiohttp>=3.10",
    "uvloop>=0.21; sys_platform != 'win32'",
    "tomli>=2.0; python_version < '3.11'",
]
BUILD_TOOLS = ["twine>=5.1"]
# The peers every benchmark compares with, and uvloop for the *-uvloop columns.
BENCH_EXTRA = [
    "aiohttp",
    "uvloop",
    "httptools>=0.6.4",
    "httpx>=0.27",
    "websockets>=15",
    "pycryptodome>=3.20",  # aioweb-websocket[speedups]
]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _expose_pyenv_pythons() -> None:
    """Let pyenv's ``python3.X`` shims run every installed version nox may ask for.

    pyenv shims only run versions that are *selected*; on a machine whose global
    selection is one version, ``python3.10`` exists on PATH but fails. Appending the
    newest installed patch release of each of PYTHONS to the selection (after what is
    selected now, so ``python3`` is unchanged) makes them all discoverable.
    """
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = root / "versions"
    if not versions.is_dir():
        return
    version_file = root / "version"
    if os.environ.get("PYENV_VERSION"):  # pyenv's own exec sets it, too
        chosen = os.environ["PYENV_VERSION"].split(":")
    elif version_file.is_file():
        chosen = version_file.read_text().split()
    else:
        chosen = ["system"]
    for minor in PYTHONS:
        found = [p.name for p in versions.iterdir() if re.fullmatch(rf"{minor}\.\d+", p.name)]
        if found:
            chosen.append(max(found, key=lambda v: int(v.rsplit(".", 1)[1])))
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(chosen))


_expose_pyenv_pythons()
# Never download an interpreter behind our back: a missing one must be visible.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


@dataclass(frozen=True)
class Package:
    """One distribution under ``packages/``."""

    id: str
    dist: str
    path: Path
    piece: str  # the import name under ``aioweb.``
    pyproject: dict[str, Any]

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _discover() -> dict[str, Package]:
    found: dict[str, Package] = {}
    for pyproject_path in sorted(ROOT.glob("packages/*/pyproject.toml")):
        data = nox.project.load_toml(pyproject_path)
        dist = _canonical(data["project"]["name"])
        pkg_id = dist.removeprefix("aioweb-")
        pieces = sorted(
            p.name
            for p in (pyproject_path.parent / "src" / "aioweb").iterdir()
            if p.is_dir() and p.name.isidentifier() and not p.name.startswith("_")
        )
        if len(pieces) != 1:
            msg = f"{pyproject_path.parent}: expected one src/aioweb/<piece>/, found {pieces}"
            raise RuntimeError(msg)
        found[pkg_id] = Package(pkg_id, dist, pyproject_path.parent, pieces[0], data)
    return found


PACKAGES = _discover()
META = "aioweb"
_BY_DIST = {p.dist: p for p in PACKAGES.values()}


def _split(requirements: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split requirement strings into (in-repo package ids, everything else)."""
    local, external = [], []
    for text in requirements:
        name = _canonical(Requirement(text).name)
        if name in _BY_DIST:
            local.append(_BY_DIST[name].id)
        else:
            external.append(text)
    return local, external


def closure(package: str) -> list[str]:
    """``package`` plus every in-repo package it depends on, dependencies first."""
    ordered: list[str] = []

    def visit(pkg_id: str, stack: tuple[str, ...]) -> None:
        if pkg_id in stack:
            msg = f"dependency cycle: {' -> '.join((*stack, pkg_id))}"
            raise RuntimeError(msg)
        if pkg_id in ordered:
            return
        local, _ = _split(PACKAGES[pkg_id].pyproject["project"].get("dependencies", []))
        for dep in local:
            visit(dep, (*stack, pkg_id))
        ordered.append(pkg_id)

    visit(package, ())
    return ordered


# Dependency order (kernel first, the meta last): the order sessions are listed and run.
IDS = list(dict.fromkeys(c for pkg_id in sorted(PACKAGES) for c in closure(pkg_id)))


def _uses_uv(session: nox.Session) -> bool:
    return session.venv_backend == "uv"


def install_closure(
    session: nox.Session,
    package: str,
    *,
    editable: bool,
    groups: tuple[str, ...] | list[str] = (),
    extra: tuple[str, ...] | list[str] = (),
) -> None:
    """Install ``package``, its in-repo ``aioweb-*`` closure and its dependency groups.

    In-repo distributions always come from their local path (never an index), in one
    resolver run, so a same-named distribution on an index can never stand in for them.
    In-repo names inside a group are installed from their path too.
    """
    group_reqs = (
        nox.project.dependency_groups(PACKAGES[package].pyproject, *groups) if groups else ()
    )
    group_local, group_external = _split(list(group_reqs))
    ids = list(dict.fromkeys(c for seed in [package, *group_local] for c in closure(seed)))
    args: list[str] = []
    for pkg_id in ids:
        args += ["-e", PACKAGES[pkg_id].rel] if editable else [PACKAGES[pkg_id].rel]
    if _uses_uv(session):
        # uv caches builds of local directories keyed on pyproject.toml only; without
        # this a non-editable install can silently reuse a wheel of yesterday's code.
        for pkg_id in ids:
            args += ["--reinstall-package", PACKAGES[pkg_id].dist]
    session.install(*args, *group_external, *extra)


def _apt_install(session: nox.Session, commands: dict[str, str]) -> None:
    """Install the Debian packages of missing commands (as root with apt-get only)."""
    missing = sorted({pkg for cmd, pkg in commands.items() if shutil.which(cmd) is None})
    if not missing:
        return
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        session.warn(f"not root or no apt-get: tests needing {missing} will skip or fail")
        return
    session.run("apt-get", "update", "-q", external=True)
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "install", "-y", "-q", *missing, external=True, env=env)


def _uv(session: nox.Session) -> str:
    """Return the ``uv`` to run, installing it into the venv if nox found none."""
    if not _uses_uv(session):
        session.install("uv")
    return "uv"


# ---------------------------------------------------------------------------------------
# Per-package sessions


@nox.session(python=PYTHONS)
@nox.parametrize("package", IDS, ids=IDS)
def tests(session: nox.Session, package: str) -> None:
    """Run one package's own test suite against its in-repo dependency closure."""
    install_closure(session, package, editable=True, groups=["test"])
    session.run(
        "coverage", "run", "-p", "-m", "pytest", f"{PACKAGES[package].rel}/tests", *session.posargs
    )


_CHECK_AIOWEB_DISTS = """
import importlib.metadata as md, re, sys
allowed = set(sys.argv[1:])
names = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in md.distributions()}
ours = {n for n in names if n == "aioweb" or n.startswith("aioweb-")}
if ours - allowed or allowed - ours:
    sys.exit(f"aioweb distributions installed: {sorted(ours)}; declared closure: {sorted(allowed)}")
print("aioweb distributions installed (as declared):", ", ".join(sorted(ours)))
"""


@nox.session(python=MINIMAL_PYTHONS)
@nox.parametrize("package", IDS, ids=IDS)
def minimal(session: nox.Session, package: str) -> None:
    """Install one package alone, non-editable, deps at their lowest; run its tests."""
    uv = _uv(session)
    pkg = PACKAGES[package]
    group_local, group_external = _split(list(nox.project.dependency_groups(pkg.pyproject, "test")))
    # In-repo packages the *test group* names (a live server for a middleware's tests)
    # are declared too: they join the closure, from their folders, never from an index.
    ids = list(dict.fromkeys([*closure(package), *(d for g in group_local for d in closure(g))]))
    paths = [PACKAGES[i].rel for i in ids]
    refresh = [a for i in ids for a in ("--reinstall-package", PACKAGES[i].dist)]
    # One resolution: every direct requirement (the closure's runtime deps and the test
    # group) at the lowest version they jointly allow. Test tools that need a newer
    # runtime dep than declared raise it here, visibly, in the `uv pip list` below.
    session.run_install(
        uv, "pip", "install", "--resolution=lowest-direct", *refresh, *paths, *group_external
    )
    session.run("python", "-c", _CHECK_AIOWEB_DISTS, *(PACKAGES[i].dist for i in ids))
    session.run(uv, "pip", "list")  # the versions actually tested, for the log
    session.run("pytest", f"{pkg.rel}/tests", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=[OLDEST])
@nox.parametrize("package", IDS, ids=IDS)
def typecheck(session: nox.Session, package: str) -> None:
    """Strict mypy of one package and its tests, in that package's own environment."""
    pkg = PACKAGES[package]
    install_closure(session, package, editable=True, groups=["type"])
    session.run("mypy", "-p", f"aioweb.{pkg.piece}", *session.posargs)
    # explicit_package_bases: test modules are named relative to their tests/ folder.
    session.run("mypy", f"{pkg.rel}/tests", env={"MYPYPATH": f"{pkg.rel}/tests"})


# ---------------------------------------------------------------------------------------
# Repository-wide sessions


@nox.session(python=[NEWEST])
def lint(session: nox.Session) -> None:
    """Ruff format and lint over the repo, plus the import-linter layer contracts."""
    lint_tools = sorted(
        {r for p in PACKAGES.values() for r in nox.project.dependency_groups(p.pyproject, "lint")}
    )
    # Every piece must be importable for the layer contracts: the meta package and, through
    # its test group, aioweb-testing (which the meta does not install).
    install_closure(
        session, META, editable=True, groups=["test"], extra=[*lint_tools, IMPORT_LINTER]
    )
    failed = []
    for command in (["ruff", "format", "--check", "."], ["ruff", "check", "."], ["lint-imports"]):
        try:
            session.run(*command)
        except nox.command.CommandFailed:
            failed.append(" ".join(command))  # keep going: report every linter's findings
    if failed:
        session.error(f"failed: {'; '.join(failed)}")


@nox.session(python=MINIMAL_PYTHONS)
def integration(session: nox.Session) -> None:
    """Cross-package tests (``integration-tests/``) against the full meta install."""
    _apt_install(session, {"curl": "curl", "chromium": "chromium", "nginx": "nginx"})
    install_closure(session, META, editable=False, groups=["test"], extra=INTEGRATION_EXTRA)
    session.run("pytest", "integration-tests", *session.posargs)


@nox.session(python=[NEWEST])
def docs(session: nox.Session) -> None:
    """Build the Sphinx docs with warnings as errors, then execute the examples."""
    install_closure(session, META, editable=True, extra=[SPHINX])
    shutil.rmtree(ROOT / "docs" / "_build", ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
    session.run("python", "docs/run_examples.py", *session.posargs)


def _dist_problems(pkg: Package, out: Path) -> list[str]:
    """What is wrong with the wheel and sdist of ``pkg`` in ``out`` (CONVENTIONS §1-2)."""
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [f"expected one wheel and one sdist, got {[p.name for p in wheels + sdists]}"]
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
    problems = [
        f"wheel ships {bad} (aioweb is a PEP 420 namespace)"
        for bad in ("aioweb/__init__.py", "aioweb/py.typed")
        if bad in names
    ]
    if f"aioweb/{pkg.piece}/py.typed" not in names:
        problems.append(f"wheel lacks aioweb/{pkg.piece}/py.typed")
    pieces = {n.split("/")[1] for n in names if n.startswith("aioweb/") and n.count("/") > 1}
    if stray := sorted(pieces - {pkg.piece}):
        problems.append(f"wheel ships other parts of the aioweb namespace: {stray}")
    with tarfile.open(sdists[0]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    problems += [
        f"sdist lacks {need}"
        for need in ("CHANGELOG.md", "tests/", f"src/aioweb/{pkg.piece}/py.typed")
        if not any(m == need or (need.endswith("/") and m.startswith(need)) for m in members)
    ]
    return problems


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist + wheel of every package, ``twine check`` them, check their contents."""
    uv = _uv(session)
    session.install(*BUILD_TOOLS)
    failed: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="aioweb-build-") as tmp:
        for pkg_id in IDS:
            pkg, out = PACKAGES[pkg_id], Path(tmp) / pkg_id
            try:
                # Without --sdist/--wheel, uv builds the sdist and then the wheel *from*
                # the sdist, which proves the sdist is complete.
                session.run(uv, "build", "--quiet", "--out-dir", str(out), pkg.rel)
                dists = sorted(map(str, [*out.glob("*.whl"), *out.glob("*.tar.gz")]))
                session.run("twine", "check", "--strict", *dists)
            except nox.command.CommandFailed:
                failed[pkg.dist] = ["build or twine check failed (see above)"]
                continue
            if problems := _dist_problems(pkg, out):
                failed[pkg.dist] = problems
            else:
                session.log(f"{pkg.dist}: wheel and sdist pass the content rules")
    if failed:
        session.error("; ".join(f"{dist}: {', '.join(p)}" for dist, p in failed.items()))


@nox.session
def coverage(session: nox.Session) -> None:
    """Combine the parallel coverage data of ``tests`` runs; enforce per-package floors."""
    session.install("coverage[toml]>=7.6")
    if not list(ROOT.glob(".coverage.*")):
        session.error("no coverage data: run the tests sessions first")
    session.run("coverage", "combine")
    session.run("coverage", "report")
    for pkg in PACKAGES.values():
        floor = (
            pkg.pyproject.get("tool", {}).get("coverage", {}).get("report", {}).get("fail_under")
        )
        if floor is not None:
            session.run(
                "coverage", "report", "--include", f"{pkg.rel}/src/*", f"--fail-under={floor}"
            )


#: ``nox -s bench -- <suite> [its options]``; no suite name runs them all with defaults.
BENCH_SUITES = {
    "http": "benchmarks/run.py",
    "routing": "benchmarks/routing_bench.py",
    "client": "benchmarks/client_bench.py",
    "ws": "benchmarks/ws_bench.py",
    "static": "benchmarks/static_bench.py",
}


@nox.session(python=[NEWEST], default=False)
def bench(session: nox.Session) -> None:
    """aioweb vs its peers side by side, one suite or all (``benchmarks/README.md``).

    ``nox -s bench`` runs every suite with its defaults; ``nox -s bench -- ws --rounds 5``
    runs one suite, the rest of the posargs going to its script; arguments without a suite
    name (``nox -s bench -- --idle-rss``) go to ``benchmarks/run.py``, as before.
    """
    if shutil.which("wrk") is None:
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
            session.run("apt-get", "update", "-q", external=True)
            session.run("apt-get", "install", "-y", "-q", "wrk", external=True)
        else:
            session.warn("wrk is not installed (apt-get install wrk); HTTP load runs may fail")
    # uvloop: the aioweb-uvloop (and aiohttp-uvloop) servers; `-- --idle-rss` runs idle_rss.py
    _apt_install(session, {"nginx": "nginx"})  # the static and client suites' peer
    install_closure(session, META, editable=False, extra=BENCH_EXTRA)
    args = list(session.posargs)
    if args and args[0] in BENCH_SUITES:
        session.run("python", BENCH_SUITES[args[0]], *args[1:])
    elif args:
        session.run("python", BENCH_SUITES["http"], *args)
    else:
        for script in BENCH_SUITES.values():
            session.run("python", script)


AUTOBAHN_WSTEST = Path("/tmp/autobahn27/bin/wstest")


@nox.session(python=[NEWEST], default=False)
def autobahn(session: nox.Session) -> None:
    """Autobahn|Testsuite both ways: wstest vs aioweb's server and aioweb's client.

    wstest needs Python 2.7 (pyenv's 2.7.18); ``shared/tools/autobahn_setup.sh``, beside
    the repository, installs it into /tmp/autobahn27 once. Posargs go to
    ``integration-tests/autobahn/run.py`` (``--direction server``, ``--timeout``, ...).
    """
    # pycryptodome is aioweb-websocket[speedups]: run.py tests both masking back-ends.
    install_closure(session, META, editable=False, extra=["pycryptodome>=3.20"])
    if not AUTOBAHN_WSTEST.exists():
        setup = ROOT.parent / "shared" / "tools" / "autobahn_setup.sh"
        session.run("bash", str(setup), str(AUTOBAHN_WSTEST.parent.parent), external=True)
    session.run(
        "python",
        "integration-tests/autobahn/run.py",
        "--wstest",
        str(AUTOBAHN_WSTEST),
        *session.posargs,
    )


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """Serve the seed example app on http://localhost:8080 (Ctrl-C stops it)."""
    install_closure(session, META, editable=True)
    session.run("python", "examples/seed_app.py", *session.posargs)


# ---------------------------------------------------------------------------------------
# CI: one entry point; every target session is queued by its full name.

CI_SESSIONS = [
    f"lint-{NEWEST}",
    "build",
    *(f"typecheck-{OLDEST}({i})" for i in IDS),
    *(f"tests-{NEWEST}({i})" for i in IDS),
    "coverage",
    *(f"minimal-{py}({i})" for py in MINIMAL_PYTHONS for i in IDS),
    *(f"integration-{py}" for py in [NEWEST]),
    f"docs-{NEWEST}",
    f"autobahn-{NEWEST}",  # ~8 min: both ways, both masks; all but 72 slow compression cases
]


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """What CI runs: lint, build, typecheck, tests, coverage, minimal, integration, docs, autobahn.

    Each target is queued with ``session.notify`` under its full name; nox then runs them
    all (a failure does not stop the rest, ``-x`` makes it) and exits non-zero if any
    failed or, on CI, was skipped for a missing interpreter.
    """
    for stale in [*ROOT.glob(".coverage"), *ROOT.glob(".coverage.*")]:
        stale.unlink()  # `coverage` must combine this run's data only
    for name in CI_SESSIONS:
        session.notify(name)
    session.log(f"queued {len(CI_SESSIONS)} sessions: {', '.join(CI_SESSIONS)}")
