"""Back-end selection and the pure/httptools differential test."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Literal

import pytest
from http_corpus import HAVE_HTTPTOOLS, load_corpus, outcome, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aioweb.http.sansio import (
    DEFAULT_LIMITS,
    HttptoolsRequestParser,
    Limits,
    ParseError,
    RequestParser,
    RequestParserProtocol,
    SpeedupsUnavailableError,
    make_request_parser,
)
from aioweb.kernel import AiowebError


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-W", "error", "-c", textwrap.dedent(code)], check=True)


def test_pure_backend() -> None:
    parser = make_request_parser(backend="pure")
    assert type(parser) is RequestParser
    assert isinstance(parser, RequestParserProtocol)


@pytest.mark.speedups
@pytest.mark.skipif(not HAVE_HTTPTOOLS, reason="httptools is not installed")
@pytest.mark.parametrize("backend", ["httptools", "auto"])
def test_httptools_backend(backend: Literal["httptools", "auto"]) -> None:
    limits = Limits(max_headers=3)
    parser = make_request_parser(limits, backend=backend)
    assert type(parser) is HttptoolsRequestParser
    assert isinstance(parser, RequestParserProtocol)
    parser.feed(b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
    with pytest.raises(ParseError) as info:
        parser.next_event()  # the limits are passed on
    assert info.value.status == 431


def test_unknown_backend_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown request parser backend 'fast'"):
        make_request_parser(DEFAULT_LIMITS, "fast")  # type: ignore[arg-type]


def test_httptools_is_not_imported_with_the_package() -> None:
    _run("""
        import sys
        import aioweb.http.sansio
        assert "httptools" not in sys.modules, "imported eagerly"
        aioweb.http.sansio.make_request_parser(backend="pure")
        assert "httptools" not in sys.modules, "imported for the pure backend"
    """)


def test_without_httptools_auto_is_pure_and_httptools_says_what_to_install() -> None:
    _run("""
        import sys
        sys.modules["httptools"] = None  # makes "import httptools" fail
        from aioweb.http.sansio import (
            HttptoolsRequestParser, RequestParser, SpeedupsUnavailableError, make_request_parser,
        )
        assert type(make_request_parser()) is RequestParser
        for build in (lambda: make_request_parser(backend="httptools"), HttptoolsRequestParser):
            try:
                build()
            except SpeedupsUnavailableError as exc:
                assert isinstance(exc, ImportError)
                assert "pip install aioweb-http[speedups]" in str(exc), str(exc)
            else:
                raise AssertionError("no error without httptools")
    """)


def test_speedups_error_is_an_aioweb_and_import_error() -> None:
    assert issubclass(SpeedupsUnavailableError, AiowebError)
    assert issubclass(SpeedupsUnavailableError, ImportError)


def test_both_satisfy_the_protocol_statically() -> None:
    parsers: list[RequestParserProtocol] = [RequestParser()]
    if HAVE_HTTPTOOLS:
        parsers.append(HttptoolsRequestParser())
    for parser in parsers:
        parser.feed(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: y\r\n\r\nz")
        assert [str(type(parser.next_event())) for _ in range(3)][-1] == "<enum 'Signal'>"
        assert parser.trailing_data == b"z"
        parser.resume()


# -- differential: random mutations of valid requests, both back-ends ---------------

SEEDS = [
    case.data
    for case in load_corpus()
    if case.expected and not case.expected[-1].startswith("error") and case.limits == DEFAULT_LIMITS
]
# Bytes that matter to HTTP/1.1 framing and field grammar.
INTERESTING = b' \t\r\n:;,="\\/@#%()<>[]{}?\x00\x01\x0b\x0c\x1b\x7f\x80\xc3\xff0123456789aAfFxX-_~'
_MUTATION = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(list(INTERESTING))),
    st.tuples(st.just("replace"), st.integers(0, 10_000), st.sampled_from(list(INTERESTING))),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.integers(1, 4)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("swap-case"), st.integers(0, 10_000), st.just(0)),
)


def mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    """Apply the mutations in order; positions wrap around the current length."""
    buf = bytearray(data)
    for op, where, arg in ops:
        at = where % (len(buf) + 1)
        if op == "insert":
            buf.insert(at, arg)
        elif op == "replace" and buf:
            buf[at % len(buf)] = arg
        elif op == "delete":
            del buf[at : at + arg]
        elif op == "duplicate-line":
            start = buf.rfind(b"\n", 0, at) + 1
            end = buf.find(b"\n", at)
            line = buf[start : end + 1] if end >= 0 else buf[start:]
            buf[start:start] = line
        elif op == "swap-case" and buf:
            at %= len(buf)
            buf[at : at + 1] = bytes(buf[at : at + 1]).swapcase()
    return bytes(buf)


@pytest.mark.speedups
@pytest.mark.skipif(not HAVE_HTTPTOOLS, reason="httptools is not installed")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    ops=st.lists(_MUTATION, min_size=1, max_size=6),
    cuts=st.lists(st.integers(0, 400), max_size=6),
    eof=st.booleans(),
)
def test_mutated_requests_get_the_same_outcome(
    seed: bytes, ops: list[tuple[str, int, int]], cuts: list[int], eof: bool
) -> None:
    data = mutate(seed, ops)
    pure = outcome(RequestParser(), data, cuts, eof=eof)
    fast = outcome(HttptoolsRequestParser(), data, cuts, eof=eof)
    assert fast == pure, data


def _chars(alphabet: bytes, size: int) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from(list(alphabet)), max_size=size).map(bytes)


@pytest.mark.speedups
@pytest.mark.skipif(not HAVE_HTTPTOOLS, reason="httptools is not installed")
@settings(max_examples=300, deadline=None)
@given(
    names=st.lists(_chars(b"aZ09-_~!|: \t\x00\x80\r\n", 6), min_size=1, max_size=4),
    values=st.lists(_chars(b'aZ09 \t,;:"\\\x00\x01\x7f\x80\xff\r\n', 8), min_size=1, max_size=4),
)
def test_random_field_lines_get_the_same_outcome(names: list[bytes], values: list[bytes]) -> None:
    fields = b"".join(n + b":" + v + b"\r\n" for n, v in zip(names, values, strict=False))
    data = b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n"
    pure = outcome(RequestParser(), data)
    assert outcome(HttptoolsRequestParser(), data) == pure, data


def test_mutate_helper() -> None:
    assert mutate(b"ab\ncd", [("duplicate-line", 0, 0)]) == b"ab\nab\ncd"
    assert mutate(b"ab", [("insert", 1, 0x3A), ("delete", 0, 1), ("swap-case", 0, 0)]) == b":b"
    assert split(b"abc", [2, 1, 9]) == [b"a", b"b", b"c"]
    assert len(SEEDS) >= 50
