"""The ``cleaner`` command line: a thin click group over the library.

Exit codes (also in ``cleaner --help`` and the README):

* 0: every input processed;
* 1: some inputs failed (each reported on stderr with its file and reason; the others were
  still processed and written), or ``golden check`` / ``rules test`` found a difference;
* 2: usage or configuration error (bad option, missing path argument, invalid rule file).
"""

from __future__ import annotations

import click

from cleaner import __version__
from cleaner.cli.clean import clean_cmd
from cleaner.cli.golden import golden_group
from cleaner.cli.rules import rules_group

EXIT_CODES = """\b
Exit codes:
  0  every input processed
  1  some inputs failed (each reported with its file and reason; the rest
     were processed and written), or a check found differences
  2  usage or configuration error (bad option, invalid rule file)
"""


@click.group(
    help="Clean raw news scrapes and find repeated paragraphs.\n\n" + EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Clean raw news scrapes and find repeated paragraphs."""


main.add_command(clean_cmd)
main.add_command(rules_group)
main.add_command(golden_group)

try:  # the dedupe command is its own module; the group works without it while it is built
    from cleaner.cli.dedupe import dedupe_cmd
except ImportError:  # pragma: no cover
    pass
else:
    main.add_command(dedupe_cmd)
