"""One output file per input, with names that never collide within a run.

:func:`cleaner.io.output.output_path` replaces a known input extension by the output suffix, so
``page``, ``page.html`` and ``page.txt`` would all write ``page.txt``, and two records with
one id would write the same file. :class:`OutputNames` hands out the names of a run: the
first input keeps the plain name; a later input whose plain name is taken keeps its own
extension (``page.html.txt``), or else gets a short hash of its id (``page-1a2b3c4d.txt``);
a repeated id is refused with the input that holds it, so no output is ever overwritten
within a run. The names depend only on the order of the inputs, which is the same for any
number of workers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cleaner.errors import InputError
from cleaner.io.output import output_path


class OutputNames:
    """The output files of one run under ``out_dir``, claimed input by input.

    >>> names = OutputNames(Path("out"), ".txt")
    >>> [names.claim(i, i).as_posix() for i in ("a/b.html", "a/b.txt", "a/b")]
    ['out/a/b.txt', 'out/a/b.txt.txt', 'out/a/b-3ec69c85.txt']
    >>> names.renamed[0]
    "a/b.txt: output a/b.txt is taken by 'a/b.html': written as a/b.txt.txt"
    >>> try:
    ...     names.claim("a/b", "x.jsonl:9")
    ... except InputError as err:
    ...     print(err.reason[:33])
    id 'a/b' repeats the id of a/b; i
    """

    def __init__(self, out_dir: Path, suffix: str) -> None:
        self.out_dir = Path(out_dir)
        self.suffix = suffix
        self._owner: dict[Path, str] = {}  # output path -> id that holds it
        self._where: dict[str, str] = {}  # id -> where it was read (for messages)
        #: A note per input written under the name with its extension kept, for warnings.
        self.renamed: list[str] = []

    def claim(self, doc_id: str, where: str) -> Path:
        """The output file of ``doc_id``, now taken.

        Raises:
            InputError: ``doc_id`` was already given a file in this run, or (against all
                odds) its three names are taken by other inputs.
        """
        if doc_id in self._where:
            raise InputError(
                where,
                f"id {doc_id!r} repeats the id of {self._where[doc_id]}; its output would"
                " overwrite that one: skipped (give every document its own id)",
            )
        plain = output_path(self.out_dir, doc_id, self.suffix)
        digest = hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        candidates = [
            plain,
            output_path(self.out_dir, doc_id + self.suffix, self.suffix),
            plain.with_name(f"{plain.name[: -len(self.suffix)]}-{digest}{self.suffix}"),
        ]
        for path in candidates:
            if path not in self._owner:
                self._owner[path] = doc_id
                self._where[doc_id] = where
                if path != plain:
                    taken = f"output {self._rel(plain)} is taken by {self._owner[plain]!r}"
                    self.renamed.append(f"{where}: {taken}: written as {self._rel(path)}")
                return path
        raise InputError(
            where,
            f"output names {', '.join(map(self._rel, candidates))} are all taken by other"
            " inputs: skipped (rename the input)",
        )

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.out_dir).as_posix()
