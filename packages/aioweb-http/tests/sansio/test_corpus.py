"""The conformance corpus (tests/corpus/*.http), against every parser back-end.

Every case is fed whole and byte by byte; both must give the outcome written in
the corpus, so both back-ends agree on every case by construction of the test.
"""

from __future__ import annotations

import pytest
from http_corpus import (
    Case,
    ParserFactory,
    bytewise,
    escape,
    load_corpus,
    outcome,
    parse_corpus,
    unescape,
)

CASES = load_corpus()


def _cases() -> list[object]:
    return [pytest.param(case, id=case.id) for case in CASES]


@pytest.mark.parametrize("case", _cases())
def test_whole(make_parser: ParserFactory, case: Case) -> None:
    assert outcome(make_parser(case.limits), case.data, eof=case.eof) == list(case.expected)


@pytest.mark.parametrize("case", _cases())
def test_bytewise(make_parser: ParserFactory, case: Case) -> None:
    got = outcome(make_parser(case.limits), case.data, bytewise(case.data), eof=case.eof)
    assert got == list(case.expected)


def test_corpus_is_big_and_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)


def test_every_file_has_cases_with_expectations() -> None:
    files = {case.source for case in CASES}
    assert len(files) >= 10
    for source in files:
        assert any(case.expected for case in CASES if case.source == source)


def test_statuses_cover_every_parse_error_kind() -> None:
    statuses = {line for case in CASES for line in case.expected if line.startswith("error")}
    assert statuses == {
        "error 400",
        "error 414",
        "error 417",
        "error 431",
        "error 501",
        "error 505",
    }


def test_loader_decodes_escapes_and_directives() -> None:
    text = (
        "=== x\n@limits max_headers=3 max_line_size=9\n@eof\n"
        "A\\r\\n\n# c\n\\x00\\\\\\t\n---\n# c\nend\n"
    )
    (case,) = parse_corpus(text, "t")
    assert (case.id, case.data, case.expected, case.eof) == ("x", b"A\r\n\x00\\\t", ("end",), True)
    assert (case.limits.max_headers, case.limits.max_line_size) == (3, 9)


def test_loader_refuses_unknown_escapes_and_missing_separator() -> None:
    with pytest.raises(ValueError, match="unknown escape"):
        parse_corpus("=== x\n\\q\n---\n", "t")
    with pytest.raises(ValueError, match="no ---"):
        parse_corpus("=== x\nGET\n", "t")


def test_escape_round_trips() -> None:
    data = bytes(range(256)) + b" "
    assert unescape(escape(data)) == data
