"""nginx for the static-file benchmark: writes a config from the template, then execs nginx.

    python benchmarks/servers/static_nginx.py --port 8080 --dir /tmp/files [--nginx PATH] [--tmp D]

The config (``static_nginx.conf.template``) runs one process (``master_process off``,
``daemon off``), so after ``exec`` this PID *is* the serving nginx and the harness stops
it by that PID. Config, pid, error log and temp paths live in a fresh directory under
``--tmp`` (default: the system temp directory; ``static_bench.py`` passes its log
directory, so they end up next to the other logs).
"""

from __future__ import annotations

import argparse
import os
import string
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).with_name("static_nginx.conf.template")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="the directory served at /static/")
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--tmp", help="make the nginx directory under this one")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="aioweb-bench-nginx-", dir=a.tmp)
    conf = string.Template(TEMPLATE.read_text()).substitute(
        tmp=tmp, port=a.port, dir=os.path.abspath(a.dir).rstrip("/")
    )
    path = Path(tmp) / "nginx.conf"
    path.write_text(conf)
    # -p: prefix for relative paths; -e: the error log before the config is read.
    os.execv(a.nginx, [a.nginx, "-p", tmp, "-e", f"{tmp}/error.log", "-c", str(path)])


if __name__ == "__main__":
    main()
