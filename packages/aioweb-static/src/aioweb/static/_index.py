"""The HTML directory listing of a static resource (``show_index=True``)."""

from __future__ import annotations

import html
import os
from urllib.parse import quote

__all__ = ["render_index"]


def render_index(directory: str, url_path: str, *, hidden: bool) -> str:
    """An HTML page listing ``directory``, every name HTML-escaped and URL-quoted.

    Args:
        directory: the directory on disk.
        url_path: its URL path (``/static/sub/``), shown as the title.
        hidden: whether to list names starting with ``.``.

    Raises:
        OSError: the directory cannot be listed.
    """
    base = url_path if url_path.endswith("/") else url_path + "/"
    rows: list[str] = []
    with os.scandir(directory) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith(".") and not hidden:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            label = entry.name + ("/" if is_dir else "")
            href = quote(base + entry.name + ("/" if is_dir else ""), safe="/")
            rows.append(
                f'<li><a href="{html.escape(href, quote=True)}">{html.escape(label)}</a></li>'
            )
    title = html.escape(f"Index of {base}")
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f"</head>\n<body>\n<h1>{title}</h1>\n<ul>\n"
        + "\n".join(rows)
        + "\n</ul>\n</body>\n</html>\n"
    )
