"""Fixtures for the aioweb-static tests: a tree of files to serve."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

#: The bytes of ``big.bin`` (1 MiB + 17, not a multiple of any chunk size).
BIG = bytes(range(256)) * 4096 + b"0123456789abcdefg"
#: ``app.js.gz``: really gzip, so clients can decode it.
GZ = gzip.compress(b"console.log(1)", mtime=0)
try:  # really brotli when it can be made: a client with brotli decodes what it is sent
    import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]

    BR: bytes = brotli.compress(b"console.log(1)")
except ImportError:
    BR = b"BR-DATA"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A served directory, with a secret next to it and symlinks in and out."""
    served = tmp_path / "www"
    served.mkdir()
    (served / "hello.txt").write_text("hello, world\n")
    (served / "page.html").write_text("<p>hi</p>")
    (served / "big.bin").write_bytes(BIG)
    (served / "app.js").write_text("console.log(1)")
    (served / "app.js.gz").write_bytes(GZ)
    (served / "app.js.br").write_bytes(BR)
    (served / ".env").write_text("SECRET=1")
    (served / "sub").mkdir()
    (served / "sub" / "inner.txt").write_text("inner")
    (served / "sub" / "<b>&amp;.txt").write_text("x")
    (served / "empty.txt").write_bytes(b"")
    (served / "style.css").write_text("b{}")
    (served / "style.css.zst").write_bytes(b"ZSTD-DATA")
    (served / "leak.txt").write_text("public")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    os.symlink(tmp_path / "secret.txt", served / "out-link")
    os.symlink(served / "hello.txt", served / "in-link")
    os.symlink(tmp_path, served / "out-dir")
    # A pre-compressed "sibling" that is a symlink out of the root.
    os.symlink(tmp_path / "secret.txt", served / "leak.txt.gz")
    return served
