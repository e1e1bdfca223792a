"""Request bodies with a ``Content-Encoding``: decoded, bounded, into the request's stream."""

from __future__ import annotations

from aioweb.kernel import HTTPRequestEntityTooLarge, PayloadError, StreamReader

from .sansio import ContentDecoder, ParseError, RequestHead, make_content_decoder

__all__ = ["BodyDecoding", "body_decoding"]


class BodyDecoding:
    """Decodes one request body into its ``StreamReader``.

    After a decoding error the stream fails (413 past ``limit``, else a
    ``PayloadError``) and the rest of the body is dropped.

    Args:
        decoder: the codec's decoder.
        limit: the decoded size allowed (``client_max_size``).
    """

    __slots__ = ("_decoder", "_limit", "received")

    def __init__(self, decoder: ContentDecoder, limit: int) -> None:
        self._decoder: ContentDecoder | None = decoder
        self._limit = limit
        #: Coded body bytes received so far (the stream counts decoded ones).
        self.received = 0

    def feed(self, payload: StreamReader, data: bytes) -> None:
        """Decode a piece of the body into ``payload``."""
        self.received += len(data)
        if self._decoder is None:
            return
        try:
            payload.feed_data(self._decoder.decode(data))
        except ParseError as exc:
            self._fail(payload, exc)

    def end(self, payload: StreamReader) -> None:
        """The body ended: check the coded stream is complete, then end ``payload``."""
        if self._decoder is not None:
            try:
                self._decoder.finish()
            except ParseError as exc:
                self._fail(payload, exc)
                return
        payload.feed_eof()

    def _fail(self, payload: StreamReader, exc: ParseError) -> None:
        """The body cannot be decoded: the handler's next read raises instead."""
        self._decoder = None
        error: BaseException
        if exc.status == 413:
            error = HTTPRequestEntityTooLarge(self._limit, self._limit + 1)
        else:
            error = PayloadError(exc.reason)
        payload.set_exception(error)


def body_decoding(head: RequestHead, limit: int) -> BodyDecoding | None:
    """A ``BodyDecoding`` when the body has a ``Content-Encoding`` (bounded: no zip bombs).

    Raises:
        ParseError: 415 for a coding this process cannot decode.
    """
    for name, value in head.headers:
        if len(name) == 16 and name.lower() == b"content-encoding":
            decoder = make_content_decoder(value, limit)
            return None if decoder is None else BodyDecoding(decoder, limit)
    return None
