"""Options of the commands that run at scale: ``--workers``, ``--quiet``, engine and scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cleaner.config import ENGINES
from cleaner.errors import CleanerError
from cleaner.pool import default_workers

if TYPE_CHECKING:
    from cleaner.executor.base import Engine

F = TypeVar("F", bound=Callable[..., Any])


def workers_options(f: F) -> F:
    """Decorate a command with ``--workers N`` and ``--quiet``."""
    f = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress bar and no summary line (errors are still reported).",
    )(f)
    return workers_option(f)


def workers_option(f: F) -> F:
    """Decorate a command with ``--workers N``."""
    f = click.option(
        "-j",
        "--workers",
        type=click.IntRange(min=1),
        default=default_workers,
        show_default="all cores",
        help="Worker processes; output is identical for any number.",
    )(f)
    return f


def engine_options(f: F) -> F:
    """Decorate a command with ``--engine local|dask`` and ``--scheduler ADDRESS``."""
    f = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask engine: scheduler address (tcp://host:8786); default: a local cluster"
        " of --workers processes.",
    )(f)
    f = click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="local: this machine's process pool; dask: a dask.distributed cluster.",
    )(f)
    return f


def enter_engine(name: str, workers: int, scheduler: str | None) -> Engine:
    """Open the engine for the running command; it is closed when the command ends."""
    # Imported here: the engines bring the dedupe stages, which a `cleaner clean` in a
    # pipeline, started once per file, should not pay for.
    from cleaner.executor import open_engine

    try:
        return click.get_current_context().with_resource(open_engine(name, workers, scheduler))
    except CleanerError as exc:
        raise click.UsageError(str(exc)) from None
