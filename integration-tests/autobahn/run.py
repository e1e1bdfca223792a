"""Run Autobahn|Testsuite against aioweb and grade the report (``nox -s autobahn``).

Directions (``--direction``):

``server``
    ``wstest -m fuzzingclient`` against aioweb's echo server (``server.py``).
``client``
    ``wstest -m fuzzingserver`` driven by aioweb's client (``client.py``).

``--mask`` picks the masking back-end of aioweb's side (``pure``, ``speedups``: the
compiled XOR of ``aioweb-websocket[speedups]``); the default, ``both``, runs each
direction once per back-end.

Each direction runs in a fresh temporary directory (the spec is ``fuzzingclient.json`` or
``fuzzingserver.json`` from this folder with the URL and ``outdir`` filled in), is
bounded by ``--timeout`` seconds, and ends with a summary of ``index.json``: the count of
each behavior per case group. The exit status is non-zero if any case's ``behavior`` or
``behaviorClose`` is ``FAILED``, or if a run did not produce a report.

wstest (Python 2.7 only) comes from ``shared/tools/autobahn_setup.sh``; ``--wstest``
or ``$WSTEST`` points at it (default ``/tmp/autobahn27/bin/wstest``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
AGENT = "aioweb"
BEHAVIORS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        # A session of its own, so a timeout can stop the process and its children.
        return subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=log.parent
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def write_spec(template: str, tmp: Path, *, url: str, full: bool) -> Path:
    spec = json.loads((HERE / template).read_text())
    if full:
        spec["exclude-cases"] = []
    outdir = tmp / "reports"
    spec["outdir"] = str(outdir)
    if "servers" in spec:
        spec["servers"][0]["url"] = url
    else:
        spec["url"] = url
    path = tmp / "spec.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def run_server_direction(
    wstest: str, tmp: Path, timeout: float, full: bool, mask: str
) -> Path | None:
    """aioweb serves, wstest's fuzzing client connects; returns the report folder."""
    port = free_port()
    spec = write_spec("fuzzingclient.json", tmp, url=f"ws://127.0.0.1:{port}", full=full)
    server = start([sys.executable, str(HERE / "server.py"), str(port), mask], tmp / "server.log")
    try:
        wait_for_port(port, server)
        fuzzer = start([wstest, "-m", "fuzzingclient", "-s", str(spec)], tmp / "wstest.log")
        try:
            fuzzer.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"wstest did not finish within {timeout} s", file=sys.stderr)
        finally:
            stop(fuzzer)
    finally:
        stop(server)
    return tmp / "reports"


def run_client_direction(
    wstest: str, tmp: Path, timeout: float, full: bool, mask: str
) -> Path | None:
    """wstest's fuzzing server listens, aioweb's client runs the cases."""
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    spec = write_spec("fuzzingserver.json", tmp, url=url, full=full)
    fuzzer = start(
        [wstest, "-m", "fuzzingserver", "-s", str(spec), "--webport", "0"], tmp / "wstest.log"
    )
    try:
        wait_for_port(port, fuzzer)
        client = start(
            [sys.executable, str(HERE / "client.py"), url, AGENT, mask], tmp / "client.log"
        )
        try:
            client.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"the client did not finish within {timeout} s", file=sys.stderr)
        finally:
            stop(client)
    finally:
        stop(fuzzer)
    if client.returncode != 0:
        # Cases that could not connect or hung are missing from the report.
        print(f"client.py exited with {client.returncode}: see {tmp / 'client.log'}")
        return None
    return tmp / "reports"


def group_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in case_id.split("."))


def summarise(index: dict[str, dict[str, dict[str, object]]], title: str) -> bool:
    """Print the counts per behavior (overall and per case group); True if none FAILED."""
    cases = index.get(AGENT, {})
    overall: Counter[str] = Counter()
    per_group: dict[str, Counter[str]] = defaultdict(Counter)
    failed: list[str] = []
    for case_id, result in cases.items():
        behavior, close = str(result["behavior"]), str(result["behaviorClose"])
        overall[behavior] += 1
        per_group[case_id.split(".")[0]][behavior] += 1
        if "FAILED" in (behavior, close):
            failed.append(f"{case_id} (behavior {behavior}, behaviorClose {close})")
    print(f"\n== {title}: {len(cases)} cases")
    print(f"{'group':>6} " + " ".join(f"{b:>13}" for b in BEHAVIORS))
    for group in sorted(per_group, key=int):
        print(f"{group:>6} " + " ".join(f"{per_group[group][b]:>13}" for b in BEHAVIORS))
    print(f"{'all':>6} " + " ".join(f"{overall[b]:>13}" for b in BEHAVIORS))
    for case in sorted(failed, key=lambda c: group_key(c.split(" ")[0])):
        print(f"FAILED: {case}")
    return not failed and bool(cases)


def run(direction: str, wstest: str, timeout: float, *, keep: bool, full: bool, mask: str) -> bool:
    tmp = Path(tempfile.mkdtemp(prefix=f"autobahn-{direction}-{mask}-"))
    started = time.monotonic()
    runner = run_server_direction if direction == "server" else run_client_direction
    reports = runner(wstest, tmp, timeout, full, mask)
    elapsed = time.monotonic() - started
    index_path = tmp / "reports" / "index.json"
    title = f"aioweb {direction}, {mask} masking ({elapsed:.0f} s)"
    if reports is None or not index_path.is_file():
        print(f"\n== {title}: no index.json; logs in {tmp}", file=sys.stderr)
        for log in sorted(tmp.glob("*.log")):
            print(f"--- {log.name} (tail)", file=sys.stderr)
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), file=sys.stderr)
        return False
    ok = summarise(json.loads(index_path.read_text()), title)
    excluded = json.loads((tmp / "spec.json").read_text()).get("exclude-cases", [])
    print(f"excluded: {', '.join(excluded) if excluded else 'nothing'}")
    if ok and not keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"reports and logs: {tmp}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--direction", choices=("server", "client", "both"), default="both")
    parser.add_argument("--wstest", default=os.environ.get("WSTEST", "/tmp/autobahn27/bin/wstest"))
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per direction")
    parser.add_argument("--keep", action="store_true", help="keep the reports of passing runs")
    parser.add_argument(
        "--full",
        action="store_true",
        help="run every case, also the slow compression cases the specs exclude",
    )
    parser.add_argument(
        "--mask",
        choices=("pure", "speedups", "both"),
        default="both",
        help="masking back-end of aioweb's side (both: each direction once per back-end)",
    )
    args = parser.parse_args()
    directions = ("server", "client") if args.direction == "both" else (args.direction,)
    masks = ("pure", "speedups") if args.mask == "both" else (args.mask,)
    results = [
        run(d, args.wstest, args.timeout, keep=args.keep, full=args.full, mask=m)
        for d in directions
        for m in masks
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
