"""Request content codings: decoded incrementally, never past the limit."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioweb.http.sansio import ContentDecoder, ParseError, make_content_decoder

DATA = b"The quick brown fox jumps over the lazy dog. " * 200


def decode_all(decoder: ContentDecoder, body: bytes, step: int) -> bytes:
    out = b"".join(decoder.decode(body[i : i + step]) for i in range(0, len(body), step))
    decoder.finish()
    return out


@given(step=st.integers(min_value=1, max_value=4096))
@settings(max_examples=50, deadline=None)
def test_gzip_any_split(step: int) -> None:
    decoder = make_content_decoder(b"gzip", 1 << 20)
    assert decoder is not None
    assert decode_all(decoder, gzip.compress(DATA), step) == DATA


@pytest.mark.parametrize("step", [1, 7, 1000, 10**6])
def test_a_bomb_never_decodes_past_the_limit(step: int) -> None:
    bomb = gzip.compress(b"\0" * (16 << 20))
    decoder = make_content_decoder(b"gzip", 100_000)
    assert decoder is not None
    produced = 0

    def feed_all() -> None:
        nonlocal produced
        for i in range(0, len(bomb), step):
            produced += len(decoder.decode(bomb[i : i + step]))
            assert produced <= 100_000
        decoder.finish()

    with pytest.raises(ParseError) as info:
        feed_all()
    assert info.value.status == 413


def test_exactly_the_limit_is_fine() -> None:
    decoder = make_content_decoder(b"deflate", len(DATA))
    assert decoder is not None
    assert decode_all(decoder, zlib.compress(DATA), 100) == DATA


@pytest.mark.parametrize(
    ("header", "status"),
    [
        pytest.param(b"br", 415, id="br-not-decoded"),
        pytest.param(b"compress", 415, id="unknown"),
        pytest.param(b"gzip, gzip", 415, id="stacked"),
    ],
)
def test_refused_codings(header: bytes, status: int) -> None:
    with pytest.raises(ParseError) as info:
        make_content_decoder(header, 100)
    assert info.value.status == status


@pytest.mark.parametrize("header", [b"", b"identity", b" Identity "])
def test_identity_needs_no_decoder(header: bytes) -> None:
    assert make_content_decoder(header, 100) is None


def test_truncated_and_corrupt_are_400() -> None:
    decoder = make_content_decoder(b"GZIP", 1 << 20)
    assert decoder is not None
    decoder.decode(gzip.compress(DATA)[:50])
    with pytest.raises(ParseError) as info:
        decoder.finish()
    assert info.value.status == 400
    decoder = make_content_decoder(b"gzip", 1 << 20)
    assert decoder is not None
    with pytest.raises(ParseError) as info:
        decoder.decode(b"definitely not gzip")
    assert info.value.status == 400
