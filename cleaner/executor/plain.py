"""Loading clean text (``dedupe --no-clean``) on the pool: the workers parse the records
(where the local engine cannot stream the batch to its kept pool, see
:func:`cleaner.executor.local.load_streamed`).

The main process only splits the inputs into batches of raw lines
(:func:`cleaner.io.line_batches.dataset_batches`); each worker parses its batch's JSON lines,
picks the fields and splits the text into paragraphs (:func:`plain_document`), and the
documents and errors come back in input order, so any number of workers gives the same
documents and the same ``file:line: reason`` errors as one. Memory holds at most
``4 * workers`` batches in flight besides the documents already loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cleaner.dedupe.outlets import outlet_of_meta
from cleaner.document import Source
from cleaner.errors import InputError
from cleaner.io.decode import decode
from cleaner.io.inputs import ReadOptions
from cleaner.io.line_batches import Batch, LineBatch, LineBlock, dataset_batches, read_batch
from cleaner.pool import ordered_map

#: A clean text document: id, source, paragraphs, outlet.
PlainDoc = tuple[str, str, list[str], str]
#: What a worker sends back per batch: its documents, and its errors as (source, reason)
#: (InputError's two-argument constructor does not survive pickling).
Outcome = tuple[list[PlainDoc], list[tuple[str, str]]]


def plain_document(src: Source) -> PlainDoc:
    """A clean text input as a document: one paragraph per non-blank line, and its outlet.

    >>> plain_document(Source("d", "one" + chr(10) * 2 + " two ", "d.txt", url="https://e.com/1"))
    ('d', 'd.txt', ['one', 'two'], 'e.com')
    """
    text = src.data if isinstance(src.data, str) else decode(src.data, src.source).text
    paras = [line.strip() for line in text.splitlines() if line.strip()]
    return (src.id, src.source, paras, outlet_of_meta(src.meta, src.url))


#: A batch as it travels to a worker.
Shipped = LineBatch | LineBlock | list[Source | tuple[str, str]]


def _shipped(batch: Batch) -> Shipped:
    """A batch as it travels to a worker (an InputError as its source and reason)."""
    if isinstance(batch, LineBatch | LineBlock):
        return batch
    return [(x.source, x.reason) if isinstance(x, InputError) else x for x in batch]


def plain_batch(batches: list[Shipped]) -> list[Outcome]:
    """The documents and errors of each of ``batches`` (in a worker); errors travel as data."""
    out: list[Outcome] = []
    for batch in batches:
        arrived: Batch = (
            batch
            if isinstance(batch, LineBatch | LineBlock)
            else [InputError(*x) if isinstance(x, tuple) else x for x in batch]
        )
        docs: list[PlainDoc] = []
        errors: list[tuple[str, str]] = []
        for item in read_batch(arrived):
            if isinstance(item, Source):
                try:
                    docs.append(plain_document(item))
                    continue
                except InputError as exc:
                    item = exc
            errors.append((item.source, item.reason))
        out.append((docs, errors))
    return out


def load_plain(
    paths: Sequence[str], read: ReadOptions, workers: int, batch_lines: int = 1000
) -> Iterator[tuple[int, list[PlainDoc], list[InputError]]]:
    """``(partition index, documents, errors)`` of each batch of the inputs of ``paths``, in
    order (a batch's documents in order, its errors in order); the workers get batches of
    ``batch_lines`` lines (or inputs) at most. A batch's documents come as one list: the
    main process adds them to the batch's whole, not one at a time."""
    owners: list[int] = []

    def feed() -> Iterator[list[Shipped]]:
        for k, batch in dataset_batches(paths, read, batch_lines):
            owners.append(k)
            yield [_shipped(batch)]

    for n, outcomes in enumerate(ordered_map(plain_batch, feed(), workers)):
        for docs, errors in outcomes:
            yield owners[n], docs, [InputError(*err) for err in errors]
