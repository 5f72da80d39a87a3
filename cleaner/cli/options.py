"""Options shared by the commands that read inputs (``clean``, ``dedupe``, ``rules learn``).

``input_options`` adds the path arguments and the input options; ``sources_from`` turns
them into the stream of :class:`Source` objects the library consumes; ``load_rulebook`` maps a
bad rule file to a usage error (exit 2) naming the file and line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cleaner.config import CleanConfig
from cleaner.document import Source
from cleaner.errors import InputError, printable
from cleaner.io.inputs import ReadOptions, iter_sources
from cleaner.io.layout import OutputNames
from cleaner.io.reading import DEFAULT_MAX_BYTES, MAX_OPTION

if TYPE_CHECKING:
    from cleaner.rules import Rulebook

F = TypeVar("F", bound=Callable[..., Any])

INPUT_FORMATS = ("auto", "text", "html", "jsonl")


#: ``--rules DIR`` (repeatable): user rule folders, shared by every command that loads rules.
rules_option = click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Extra rule folder (repeatable), loaded after the built-in rules.",
)
no_builtin_option = click.option(
    "--no-builtin-rules", is_flag=True, help="Use only the --rules folders."
)


def output_dir_option(help: str) -> Callable[[F], F]:
    """The ``-o/--output DIR`` option (parameter ``out_dir``), with the command's own help."""
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )


def input_options(f: F) -> F:
    """Decorate a command with PATHS... and the options that say how to read them."""
    decorators = [
        click.argument("paths", nargs=-1, required=True, metavar="PATHS..."),
        click.option(
            "--input-format",
            type=click.Choice(INPUT_FORMATS),
            default="auto",
            show_default=True,
            help="auto: by extension (.jsonl/.ndjson records, .html pages, other files sniffed).",
        ),
        click.option("--id-field", default="id", show_default=True, help="JSON lines: id field."),
        click.option(
            "--text-field", default="text", show_default=True, help="JSON lines: text field."
        ),
        click.option(
            "--html-field", default="html", show_default=True, help="JSON lines: HTML field."
        ),
        click.option(
            "--url-field", default="url", show_default=True, help="JSON lines: URL field."
        ),
        click.option(
            "--source-field",
            default=None,
            help="JSON lines: field naming the outlet (kept as source_name).",
        ),
        click.option(
            "--title-field",
            default=None,
            help="JSON lines: field holding the title (reported as title_from: metadata).",
        ),
        click.option(
            MAX_OPTION,
            "max_doc_mb",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_BYTES >> 20,
            show_default=True,
            metavar="MB",
            help="Cap on one document (a file, its decompressed bytes, a JSON lines record,"
            " stdin); a larger one is reported and skipped, so memory stays bounded.",
        ),
        rules_option,
        no_builtin_option,
    ]
    for deco in reversed(decorators):
        f = deco(f)
    return f


def sources_from(opts: dict[str, Any]) -> Iterator[Source | InputError]:
    """The inputs named by the options of :func:`input_options`."""
    return iter_sources(opts["paths"], read_options(opts), stdin=sys.stdin.buffer)


def read_options(opts: dict[str, Any]) -> ReadOptions:
    """How the inputs named by the options of :func:`input_options` are read."""
    return ReadOptions(
        opts["input_format"],
        opts["id_field"],
        opts["text_field"],
        opts["html_field"],
        opts["url_field"],
        opts["source_field"],
        max_bytes(opts),
        opts["title_field"],
    )


def max_bytes(opts: dict[str, Any]) -> int:
    """The cap on one document, in bytes, from ``--max-doc-mb``."""
    return int(opts["max_doc_mb"]) << 20


def load_rulebook(opts: dict[str, Any]) -> Rulebook:
    """Load the rule folders of the options; an invalid rule file is a usage error."""
    # Imported at need: `dedupe --no-clean` reads no rules (15-20 ms of its start).
    from cleaner.rules import Rulebook, RuleError

    try:
        return Rulebook.load(tuple(opts["rules_dirs"]), not opts["no_builtin_rules"])
    except RuleError as exc:
        raise click.UsageError(f"invalid rule file: {exc}") from None


def clean_config(opts: dict[str, Any], **extra: Any) -> CleanConfig:
    """The CleanConfig for the shared options plus command-specific fields."""
    return CleanConfig(
        rules_dirs=tuple(opts["rules_dirs"]), builtin_rules=not opts["no_builtin_rules"], **extra
    )


class RunError(click.ClickException):
    """A failure at run time (an output that cannot be written, an index out of reach).

    Printed as ``cleaner: error: ...`` without the usage banner, exit code 1: the command
    line was right, the world was not. Exit 2 stays for a wrong command line or rule file.
    """

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"cleaner: error: {printable(self.format_message())}", err=True)


def claim_output(names: OutputNames, doc_id: str, where: str, quiet: bool = False) -> Path:
    """The output file of a document (see :class:`OutputNames`), warning when it is renamed.

    ``quiet`` (``--quiet``) leaves the warnings out, like the other per-record warnings.

    Raises:
        InputError: The id repeats an earlier one, or both its names are taken.
    """
    path = names.claim(doc_id, where)
    for note in names.renamed if not quiet else ():
        warn(note)
    names.renamed.clear()
    return path


def warn(message: str) -> None:
    """Print a warning on stderr, in the form ``cleaner: warning: ...`` (escaped)."""
    click.echo(f"cleaner: warning: {printable(message)}", err=True)


def report_error(exc: InputError) -> None:
    """Print an input failure on stderr, in the form ``cleaner: error: FILE: reason``."""
    click.echo(f"cleaner: error: {exc}", err=True)
