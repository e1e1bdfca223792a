"""Run every example in ``docs/examples/`` as a real server and check its answers.

For each ``docs/examples/*.py`` that assigns ``app`` at module level, start a subprocess
that loads the file (without running its ``__main__`` block) and calls
``aioweb.web.run_app(app, host="127.0.0.1", port=<free port>)``; wait until the port
accepts; make the requests in ``EXPECTED``; stop the server. Any mismatch, crash, hang
or example without expectations fails loudly. Standard library only.

Usage: ``python docs/run_examples.py [NAME.py ...]`` (``nox -s docs`` runs it).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import http.client
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "examples"
HOST = "127.0.0.1"
START_TIMEOUT = 10.0  # seconds until the port must accept
STOP_TIMEOUT = 5.0  # seconds after SIGTERM until the process must be gone
REQUEST_TIMEOUT = 5.0

# The server process: load the example by path and serve its ``app``. ``{serve}`` is the
# ``module:function`` that serves (``--serve-with``; the real one unless testing this script).
RUNNER = """\
import importlib, runpy, sys
path, host, port, serve = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
module, _, func = serve.partition(":")
app = runpy.run_path(path, run_name="docs_example")["app"]
getattr(importlib.import_module(module), func)(app, host=host, port=port)
"""


@dataclass(frozen=True)
class Expect:
    """One request and what must come back."""

    method: str
    path: str
    status: int
    body: str | None = None  # exact text; None: not checked
    headers: dict[str, str] = field(default_factory=dict)  # must be present, values exact


EXPECTED: dict[str, list[Expect]] = {
    "hello.py": [
        Expect("GET", "/", 200, "Hello, World"),
    ],
    "middleware.py": [
        Expect("GET", "/", 200, "Welcome to aioweb!"),
        Expect("GET", "/hello", 200, "Hello, Anonymous"),
        Expect("GET", "/hello/bob", 200, "Hello, bob"),
        Expect("GET", "/welcome", 302, headers={"Location": "/"}),
        Expect("GET", "/nope", 404),
    ],
}


class ExampleError(Exception):
    """An example did not behave as documented."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # surface the 3xx itself (urllib then raises HTTPError with it)


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def defines_app(path: Path) -> bool:
    """Whether the file assigns ``app`` at module level (without importing it)."""
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == "app" for t in targets):
            return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def fetch(port: int, expect: Expect) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://{HOST}:{port}{expect.path}", method=expect.method)
    try:
        with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as resp:
            return resp.status, dict(resp.headers.items()), resp.read().decode()
    except urllib.error.HTTPError as err:  # 3xx (redirects off), 4xx, 5xx
        with err:
            return err.code, dict(err.headers.items()), err.read().decode()


def check(port: int, expect: Expect) -> None:
    status, headers, body = fetch(port, expect)
    problems = []
    if status != expect.status:
        problems.append(f"status {status}, expected {expect.status}")
    if expect.body is not None and body != expect.body:
        problems.append(f"body {body!r}, expected {expect.body!r}")
    folded = {k.lower(): v for k, v in headers.items()}
    for name, value in expect.headers.items():
        if folded.get(name.lower()) != value:
            problems.append(f"header {name}: {folded.get(name.lower())!r}, expected {value!r}")
    if problems:
        raise ExampleError(f"{expect.method} {expect.path}: " + "; ".join(problems))


def wait_until_listening(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ExampleError(f"server exited with code {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.05)  # polling a bounded startup, not synchronising a test
    raise ExampleError(f"port {port} did not accept within {START_TIMEOUT:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise ExampleError(f"server ignored SIGTERM for {STOP_TIMEOUT:.0f} s; killed") from None


def run_example(path: Path, serve: str) -> None:
    expectations = EXPECTED.get(path.name)
    if not expectations:
        raise ExampleError("defines `app` but has no requests in EXPECTED (run_examples.py)")
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(path), HOST, str(port), serve],
            cwd=path.parent,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(proc, port)
            for expect in expectations:
                check(port, expect)
                print(f"  ok  {expect.method} {expect.path} -> {expect.status}")
            stop(proc)
        except BaseException as exc:
            with contextlib.suppress(ExampleError):
                stop(proc)
            log.seek(0)
            output = log.read().decode(errors="replace").strip() or "(no output)"
            if isinstance(exc, (ExampleError, OSError, http.client.HTTPException)):
                raise ExampleError(f"{exc}\n--- server output ---\n{output}") from exc
            raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="example file names (default: all)")
    parser.add_argument(
        "--serve-with",
        default="aioweb.web:run_app",
        help="module:function called as f(app, host=, port=) (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    paths = sorted(EXAMPLES.glob("*.py"))
    if args.names:
        paths = [p for p in paths if p.name in args.names]
        if missing := set(args.names) - {p.name for p in paths}:
            parser.error(f"no such example: {sorted(missing)}")
    if stale := set(EXPECTED) - {p.name for p in sorted(EXAMPLES.glob("*.py"))}:
        print(f"FAIL: EXPECTED names examples that do not exist: {sorted(stale)}")
        return 1
    failures = ran = 0
    for path in paths:
        if not defines_app(path):
            print(f"skip {path.name}: no module-level `app`")
            continue
        ran += 1
        print(f"run  {path.name}")
        try:
            run_example(path, args.serve_with)
        except ExampleError as exc:
            failures += 1
            print(f"FAIL {path.name}: {exc}")
    print(f"{ran - failures} passed, {failures} failed")
    if ran == 0:
        print("FAIL: no example was run")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
