"""nginx as the fixed, fast target of the client benchmark: ``GET /`` -> ``hello``.

    python benchmarks/servers/client_target_nginx.py --port 8080 [--nginx PATH]

One process (``master_process off``, ``daemon off``), so after ``exec`` this PID *is* the
serving nginx and the harness stops it by that PID. ``keepalive_requests`` is high, so a
pooled client connection is never closed by the server during a measurement. Config, pid,
error log and temp paths live in a fresh temp directory; 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

CONF = """\
worker_processes 1;
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            default_type text/plain;
            return 200 "hello";
        }}
    }}
}}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="aioweb-bench-nginx-")
    path = Path(tmp) / "nginx.conf"
    path.write_text(CONF.format(tmp=tmp, port=a.port))
    # -p: prefix for relative paths; -e: the error log before the config is read.
    os.execv(a.nginx, [a.nginx, "-p", tmp, "-e", f"{tmp}/error.log", "-c", str(path)])


if __name__ == "__main__":
    main()
