"""``FileLookup``: per-request opening under a root, and why its caches stay safe.

Each test first serves a file (so its validation is cached), then changes the tree
the way an attacker or a deploy would, and checks what the next request gets.
"""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioweb.static import FileResponse, _lookup
from aioweb.static._lookup import CACHE_SIZE, DIRECTORY, REVALIDATE_AFTER, FileLookup, OpenFile
from aioweb.static._safepath import FollowSymlinks, clean_segments, resolve_under


def lookup(root: Path, follow: FollowSymlinks = False, hidden: bool = False) -> FileLookup:
    return FileLookup(str(root.resolve()), follow_symlinks=follow, hidden=hidden)


def read(found: OpenFile | object) -> bytes | None:
    """The bytes of an opened file (closing it), or None when refused."""
    if not isinstance(found, OpenFile):
        return None
    try:
        return os.pread(found.fd, found.st.st_size + 1, 0)
    finally:
        os.close(found.fd)


MODES: list[FollowSymlinks] = [False, "inside"]


@pytest.mark.parametrize("follow", MODES)
def test_symlink_swapped_in_for_a_cached_file_is_refused(
    root: Path, follow: FollowSymlinks
) -> None:
    files = lookup(root, follow)
    assert read(files.open("hello.txt")) == b"hello, world\n"
    (root / "hello.txt").unlink()
    os.symlink(root.parent / "secret.txt", root / "hello.txt")
    assert read(files.open("hello.txt")) is None


@pytest.mark.parametrize("follow", MODES)
def test_parent_directory_swapped_for_a_symlink_is_refused(
    root: Path, follow: FollowSymlinks
) -> None:
    files = lookup(root, follow)
    assert read(files.open("sub/inner.txt")) == b"inner"
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "inner.txt").write_text("OUTSIDE")
    (root / "sub").rename(root.parent / "old-sub")
    os.symlink(outside, root / "sub")
    assert read(files.open("sub/inner.txt")) is None


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A fake ``time.monotonic`` for ``_lookup`` (``clock[0] += s`` moves it)."""
    now = [1000.0]
    monkeypatch.setattr(_lookup, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    return now


@pytest.mark.parametrize("change", ["write", "wait"])
def test_the_same_unchanged_inode_moved_out_is_served_until_rechecked(
    root: Path, clock: list[float], change: str
) -> None:
    # The documented edge of the cache: the very inode that was validated, unchanged,
    # reached through a swapped-in directory symlink. Its bytes are those that were
    # servable at validation; a change to it, or REVALIDATE_AFTER, ends that.
    files = lookup(root)
    assert read(files.open("sub/inner.txt")) == b"inner"
    (root / "sub").rename(root.parent / "moved")
    os.symlink(root.parent / "moved", root / "sub")
    clock[0] += REVALIDATE_AFTER / 2
    assert read(files.open("sub/inner.txt")) == b"inner"
    if change == "write":
        (root.parent / "moved" / "inner.txt").write_text("changed outside")
    else:
        clock[0] += REVALIDATE_AFTER
    assert read(files.open("sub/inner.txt")) is None


def test_a_cached_check_is_redone_after_a_while(root: Path, clock: list[float]) -> None:
    files = lookup(root)
    assert read(files.open("hello.txt")) == b"hello, world\n"
    first = files._valid[str(root.resolve() / "hello.txt")][0]
    clock[0] += REVALIDATE_AFTER + 1
    assert read(files.open("hello.txt")) == b"hello, world\n"
    assert files._valid[str(root.resolve() / "hello.txt")][0] == first + REVALIDATE_AFTER + 1


def test_removed_and_changed_files(root: Path) -> None:
    files = lookup(root)
    first = files.open("hello.txt")
    assert isinstance(first, OpenFile)
    tag = first.meta.validators.etag
    os.close(first.fd)
    (root / "hello.txt").write_text("a longer, new content\n")
    second = files.open("hello.txt")
    assert isinstance(second, OpenFile)
    assert second.meta.validators.etag != tag
    assert read(second) == b"a longer, new content\n"
    (root / "hello.txt").unlink()
    assert files.open("hello.txt") is None


def test_follow_true_serves_symlinks_and_inside_follows_only_inside(root: Path) -> None:
    assert read(lookup(root, True).open("out-link")) == b"TOP SECRET"
    assert read(lookup(root, "inside").open("in-link")) == b"hello, world\n"
    assert read(lookup(root, "inside").open("out-link")) is None
    assert read(lookup(root, False).open("in-link")) is None


def test_fifo_and_directories(root: Path) -> None:
    os.mkfifo(root / "pipe")
    files = lookup(root)
    assert files.open("pipe") is None  # O_NONBLOCK: no hang waiting for a writer
    assert files.open("sub") is DIRECTORY
    assert files.open("sub/") is DIRECTORY
    assert files.open("") is DIRECTORY
    assert files.open("out-dir") is None
    assert lookup(root, "inside").open("out-dir") is None


def test_caches_are_bounded(root: Path) -> None:
    files = lookup(root)
    for i in range(CACHE_SIZE + 50):
        assert files.open(f"missing-{i}.txt") is None
        files.siblings(str(root / f"missing-{i}.txt"))
    assert len(files._names) <= CACHE_SIZE
    assert len(files._siblings) <= CACHE_SIZE


def test_siblings_are_listed_and_cached(root: Path) -> None:
    files = lookup(root)
    path = str(root.resolve() / "app.js")
    assert files.siblings(path) == ("br", "gzip")
    (root / "app.js.zst").write_bytes(b"z")
    assert files.siblings(path) == ("br", "gzip")  # trusted for SIBLING_TTL
    files._siblings.clear()
    assert files.siblings(path) == ("br", "zstd", "gzip")
    # A sibling that is a symlink out of the root is listed, but opening it is refused.
    leak = str(root.resolve() / "leak.txt")
    assert files.siblings(leak) == ("gzip",)
    assert files.open_path(leak + ".gz") is None


@pytest.mark.parametrize(
    "rel",
    ["CON", "nul.txt", "Com1", "LPT9.log", "secret.txt.", "secret.txt ", "a/aux", "conout$"],
)
def test_windows_names(rel: str) -> None:
    assert clean_segments(rel, hidden=False, windows=True) is None
    assert clean_segments(rel.replace("$", ""), hidden=False, windows=False) is not None


@given(st.text(alphabet=st.sampled_from(list("ab./\\:%\x00 .C")), max_size=12))
def test_any_relative_path_stays_inside(rel: str) -> None:
    root = "/srv/www"
    segments = clean_segments(rel, hidden=False)
    if segments is not None:
        assert all(s not in ("", ".", "..") and not s.startswith(".") for s in segments)
        assert all("\\" not in s and ":" not in s and "\x00" not in s for s in segments)
        joined = os.path.normpath(os.path.join(root, *segments))
        assert joined == root or joined.startswith(root + "/")
    path = resolve_under(root, rel, follow_symlinks=True, hidden=False)
    assert path is None or os.path.normpath(path).startswith(root)


def test_an_unprepared_static_response_closes_its_file(root: Path) -> None:
    files = lookup(root)
    opened = files.open("hello.txt")
    assert isinstance(opened, OpenFile)
    resp = FileResponse._open_static(opened, files, 1024, None)
    assert resp.path == str(root.resolve() / "hello.txt")
    os.fstat(opened.fd)  # open while the response lives
    del resp  # a middleware dropped it, say
    with pytest.raises(OSError, match="Bad file descriptor"):
        os.fstat(opened.fd)
