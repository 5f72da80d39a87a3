"""The ``cleaner`` command line: a thin click group over the library.

Exit codes (also in ``cleaner --help`` and the README):

* 0: every input processed;
* 1: some inputs failed (each reported on stderr with its file and reason; the others were
  still processed and written), ``golden check`` / ``rules test`` found a difference, or a
  runtime failure stopped the run (an output folder or stdout that cannot be written, a
  full disk, an index out of reach), reported as ``cleaner: error: ...``;
* 2: a wrong command line (bad option, missing path argument) or an invalid rule file.
"""

from __future__ import annotations

import importlib
import os

import click

from cleaner import __version__

# numpy's OpenBLAS starts a thread per core as numpy is imported, and each thread spins
# before it sleeps: 0.04-0.15 s more for the import of a command's modules (more on a busy
# machine), and a core taken from the pool's workers meanwhile. No command multiplies
# matrices; a value the user set stays.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

EXIT_CODES = """\b
Exit codes:
  0  every input processed
  1  some inputs failed (each reported with its file and reason; the rest
     were processed and written), a check found differences, or a runtime
     failure (output or stdout not writable, disk full, index out of reach)
  2  a wrong command line (bad option, missing argument) or an invalid rule file
"""


class _LazyGroup(click.Group):
    """A group that imports a command's module when the command is used.

    ``dedupe`` brings its stages and engines; a ``cleaner clean`` started once per file in a
    pipeline should not pay for them, nor a ``cleaner dedupe --no-clean`` for the clean
    pipeline and its rules.
    """

    lazy = {
        "clean": ("cleaner.cli.clean", "clean_cmd"),
        "dedupe": ("cleaner.cli.dedupe", "dedupe_cmd"),
        "golden": ("cleaner.cli.golden", "golden_group"),
        "rules": ("cleaner.cli.rules", "rules_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, name = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_LazyGroup,
    help="Clean raw news scrapes and find repeated paragraphs.\n\n" + EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Clean raw news scrapes and find repeated paragraphs."""
