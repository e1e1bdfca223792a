"""The conformance corpus: loader, event rendering and a backend-neutral collector.

A corpus file (``tests/corpus/*.http``) holds cases like this one::

    === get-origin-form                  <- unique id
    @limits max_line_size=20             <- optional: Limits(...) fields
    @eof                                 <- optional: feed EOF after the bytes
    GET / HTTP/1.1\\r\\n                  <- raw bytes; the file's own line breaks
    Host: x\\r\\n                          are dropped, escapes \\r \\n \\t \\\\ \\xHH
    \\r\\n                                  are decoded
    ---
    head GET / 1.1                       <- expected outcome, one line per item
    | Host: x
    end

Outcome lines: ``head METHOD TARGET VERSION [close] [length=N] [chunked]
[upgrade=TOKEN] [continue]`` followed by one ``| name: value`` line per field;
``body BYTES`` (adjacent chunks merged); ``end`` followed by its trailers as
``| name: value``; ``paused``; ``trailing BYTES`` (unparsed bytes after
``paused``); ``error STATUS`` (the ParseError status; nothing follows it).
Bytes are written with the same escapes. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import importlib.util
import itertools
import pathlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from aioweb.http.sansio import (
    DEFAULT_LIMITS,
    NEED_DATA,
    PAUSED,
    BodyChunk,
    Limits,
    MessageEnd,
    ParseError,
    RequestHead,
    RequestParserProtocol,
)

CORPUS_DIR = pathlib.Path(__file__).parent / "corpus"
HAVE_HTTPTOOLS = importlib.util.find_spec("httptools") is not None
"""Whether the ``[speedups]`` back-end can run (the minimal sessions install no extras)."""
ParserFactory: TypeAlias = Callable[[Limits], RequestParserProtocol]
_ESCAPE_RE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|(.))")
_SIMPLE = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}


@dataclass(frozen=True)
class Case:
    """One corpus case."""

    id: str
    data: bytes
    expected: tuple[str, ...]
    limits: Limits = DEFAULT_LIMITS
    eof: bool = False
    source: str = field(default="", compare=False)


def unescape(text: str) -> bytes:
    """Decode the corpus escapes in ``text`` (which is otherwise ASCII)."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE_RE.finditer(text):
        out += text[pos : match.start()].encode("ascii")
        hex_digits, char = match.groups()
        if hex_digits is not None:
            out.append(int(hex_digits, 16))
        elif char in _SIMPLE:
            out += _SIMPLE[char]
        else:
            raise ValueError(f"unknown escape \\{char} in {text!r}")
        pos = match.end()
    out += text[pos:].encode("ascii")
    return bytes(out)


def escape(data: bytes) -> str:
    """Write ``data`` with the corpus escapes (the inverse of ``unescape``)."""
    out = []
    for byte in data:
        char = chr(byte)
        if char == "\\":
            out.append("\\\\")
        elif char in "\r\n\t":
            out.append({"\r": "\\r", "\n": "\\n", "\t": "\\t"}[char])
        elif 0x20 <= byte <= 0x7E:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    text = "".join(out)
    if text.endswith(" "):
        text = text[:-1] + "\\x20"
    return text


def _parse_limits(spec: str) -> Limits:
    values = {}
    for item in spec.split():
        name, _, value = item.partition("=")
        values[name] = int(value)
    return Limits(**values)


def parse_corpus(text: str, source: str) -> list[Case]:
    """Parse the cases of one corpus file."""
    cases: list[Case] = []
    for block in re.split(r"(?m)^=== ", text)[1:]:
        lines = block.split("\n")
        case_id = lines[0].strip()
        if "---" not in lines:
            raise ValueError(f"{source}: case {case_id} has no --- line")
        sep = lines.index("---")
        limits = DEFAULT_LIMITS
        eof = False
        data = bytearray()
        for line in lines[1:sep]:
            if line.startswith("@limits "):
                limits = _parse_limits(line[len("@limits ") :])
            elif line == "@eof":
                eof = True
            elif line and not line.startswith("#"):
                data += unescape(line)
        expected = tuple(
            line.strip() for line in lines[sep + 1 :] if line.strip() and line[0] != "#"
        )
        cases.append(Case(case_id, bytes(data), expected, limits, eof, source))
    return cases


def load_corpus(directory: pathlib.Path = CORPUS_DIR) -> list[Case]:
    """Every case of every ``*.http`` file in ``directory``, in file order."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.http")):
        cases += parse_corpus(path.read_text(encoding="utf-8"), path.name)
    return cases


def _fields(fields: Iterable[tuple[bytes, bytes]]) -> list[str]:
    return [f"| {escape(name)}: {escape(value)}".rstrip(" ") for name, value in fields]


def render_head(head: RequestHead) -> list[str]:
    """The outcome lines of one RequestHead."""
    target = escape(head.target.encode("ascii"))
    words = ["head", escape(head.method.encode("ascii")), target, "{}.{}".format(*head.version)]
    if not head.keep_alive:
        words.append("close")
    if head.content_length:
        words.append(f"length={head.content_length}")
    if head.chunked:
        words.append("chunked")
    if head.upgrade is not None:
        words.append(f"upgrade={escape(head.upgrade)}")
    if head.expect_continue:
        words.append("continue")
    return [" ".join(words), *_fields(head.headers)]


def split(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """Cut ``data`` at the given offsets (any order; duplicates and out-of-range ignored)."""
    points = sorted({c for c in cuts if 0 < c < len(data)})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def outcome(
    parser: RequestParserProtocol, data: bytes, cuts: Iterable[int] = (), *, eof: bool = False
) -> list[str]:
    """Feed ``data`` cut at ``cuts`` and render what the parser produced.

    Like http_testlib.collect, draining stops at PAUSED while later pieces are
    still fed, so they show up in the ``trailing`` line.
    """
    lines: list[str] = []
    body = bytearray()
    paused = False

    def flush_body() -> None:
        if body:
            lines.append(f"body {escape(bytes(body))}")
            body.clear()

    def drain() -> bool:
        while True:
            event = parser.next_event()
            if event is NEED_DATA:
                return False
            if event is PAUSED:
                return True
            if isinstance(event, BodyChunk):
                assert event.data, "BodyChunk must never be empty"
                body.extend(event.data)
                continue
            flush_body()
            if isinstance(event, RequestHead):
                lines.extend(render_head(event))
            else:
                assert isinstance(event, MessageEnd)
                lines.append("end")
                lines.extend(_fields(event.trailers))

    try:
        for piece in [*split(data, cuts), *([b""] if eof else [])]:
            parser.feed(piece)
            if not paused:
                paused = drain()
    except ParseError as exc:
        flush_body()
        lines.append(f"error {exc.status}")
        return lines
    flush_body()
    if paused:
        lines.append("paused")
        if parser.trailing_data:
            lines.append(f"trailing {escape(parser.trailing_data)}")
    return lines


def bytewise(data: bytes) -> range:
    """Cuts that feed ``data`` one byte at a time."""
    return range(1, len(data))
