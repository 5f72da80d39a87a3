"""Writing results: safe mirrored paths, atomic files, streaming JSON lines.

Nothing is ever half written: a file appears complete under its name or not at all (a temp
file in the same folder, fsynced, then ``os.replace``), and an earlier file of the same name
stays as it was when a write fails.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from cleaner.errors import CleanerError

#: Input extensions that the output suffix replaces; any other extension is kept, so that
#: ``a.v1`` and ``a.v2`` stay two files (``a.v1.txt``, ``a.v2.txt``).
INPUT_EXTENSIONS = frozenset(
    {".html", ".htm", ".xhtml", ".txt", ".text", ".md", ".xml", ".json", ".jsonl", ".ndjson"}
)

#: Characters kept in a file name: letters and digits of any script, ``_``, ``.``, ``-``,
#: space, and ZWNJ (part of Persian spelling). Anything else becomes ``_``.
_UNSAFE = re.compile(r"[^\w.\- \u200c]")
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?")
#: Longest file name component we write, in UTF-8 bytes (file systems allow 255).
_MAX_NAME_BYTES = 200


def safe_component(name: str) -> str:
    """One path component made safe to create on any common file system.

    >>> safe_component("y?z=1&a"), safe_component(".."), safe_component("C:")
    ('y_z_1_a', '_', 'C_')
    >>> safe_component("گزارش ویژه.html"), safe_component("nul.txt"), safe_component("a. ")
    ('گزارش ویژه.html', '_nul.txt', 'a')
    """
    name = _UNSAFE.sub("_", name).rstrip(". ")  # Windows drops trailing dots and spaces
    if not name or name == "..":
        return "_"
    if _WINDOWS_RESERVED.fullmatch(name):
        name = "_" + name
    encoded = name.encode("utf-8")
    if len(encoded) > _MAX_NAME_BYTES:
        name = encoded[:_MAX_NAME_BYTES].decode("utf-8", "ignore")
    return name


def output_path(out_dir: Path, doc_id: str, suffix: str) -> Path:
    """Where the output of document ``doc_id`` goes: its id mirrored under ``out_dir``.

    The suffix replaces a known input extension (:data:`INPUT_EXTENSIONS`) or is added.
    Ids that are not plain relative paths (URLs, ``..``, absolute paths, drive letters,
    characters file systems refuse) are made safe component by component, and then get a
    short hash of the original id, so two ids never share an output file.

    Raises:
        CleanerError: The path would resolve outside ``out_dir`` (through a symlink in it).

    >>> output_path(Path("out"), "a/b.html", ".txt").as_posix()
    'out/a/b.txt'
    >>> output_path(Path("out"), "https://x.com/y?z=1", ".txt").as_posix()
    'out/x.com/y_z_1-16cefa1f.txt'
    >>> output_path(Path("out"), "../../etc/passwd", ".json").as_posix()
    'out/_/_/etc/passwd-936d7c04.json'
    """
    if not suffix.startswith("."):
        suffix = "." + suffix
    rel = doc_id.split("://", 1)[1] if re.match(r"[A-Za-z][\w+.-]*://", doc_id) else doc_id
    parts = [safe_component(p) for p in re.split(r"[/\\]", rel) if p not in ("", ".")]
    if not parts:
        parts = ["_"]
    stem, ext = os.path.splitext(parts[-1])
    if ext.lower() not in INPUT_EXTENSIONS:
        stem = parts[-1]
    if "/".join(parts) != doc_id:
        stem += "-" + hashlib.sha1(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    parts[-1] = stem + suffix
    path = Path(out_dir, *parts)
    root = os.path.realpath(out_dir)
    if os.path.commonpath([root, os.path.realpath(path)]) != root:
        raise CleanerError(f"{doc_id}: output path {path} leads outside {out_dir}")
    return path


@functools.lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask (read once: reading it means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(path: Path) -> int:
    """The mode a replaced file keeps, or what ``open()`` would give a new one."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _temp_beside(path: Path) -> tuple[int, str]:
    """A new temp file in the folder of ``path`` (created if missing): (fd, name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}.", suffix=".tmp")


def _unnamed_beside(path: Path) -> int | None:
    """An unnamed file in the folder of ``path`` (Linux ``O_TMPFILE``): a process killed
    while writing it leaves nothing behind. None where the system or file system cannot."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(path.parent, flag | os.O_WRONLY, 0o600)
    except OSError:
        return None


def _name(fd: int, path: Path) -> str:
    """Give an unnamed file a temp name beside ``path`` (for the rename into place)."""
    # A folder fd makes Python call linkat() with AT_SYMLINK_FOLLOW (plain link() would
    # link the /proc symlink itself).
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        while True:
            name = f".{path.name[:100]}.{os.urandom(4).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder, follow_symlinks=True)
                return str(path.parent / name)
            except FileExistsError:
                continue
    finally:
        os.close(folder)


def _commit(fd: int, temp: str | None, path: Path) -> None:
    """Fsync the temp file, give it the right mode, put it in place of ``path``."""
    os.fsync(fd)
    os.fchmod(fd, _new_file_mode(path))
    temp = temp or _name(fd, path)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where possible
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _is_special(path: Path) -> bool:
    """Whether ``path`` is a device or a pipe (``/dev/null``, ``/dev/stdout``, a FIFO).

    >>> _is_special(Path("/dev/null")), _is_special(Path("/no/such/file"))
    (True, False)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_data(file: IO[bytes], data: str | bytes | Iterable[bytes]) -> None:
    """Text as UTF-8, bytes as they are, or chunks of bytes one after the other."""
    if isinstance(data, str):
        file.write(data.encode("utf-8"))
    elif isinstance(data, bytes):
        file.write(data)
    else:
        for chunk in data:
            file.write(chunk)


def _write_through(path: Path, data: str | bytes | Iterable[bytes]) -> None:
    """Write to a device or pipe in place: renaming a file over it would replace the device
    itself (as root, ``/dev/null`` would become a regular file)."""
    with open(path, "wb") as file:
        _write_data(file, data)


def write_atomic(path: Path, data: str | bytes | Iterable[bytes]) -> None:
    """Write ``data`` (text as UTF-8, or chunks of bytes) to ``path`` completely or not at all.

    Parent folders are created. A device or pipe (``/dev/null``) is written to in place, not
    replaced. On any failure the temp file is removed, the exception propagates, and a file
    already at ``path`` is left untouched. Where the system allows,
    the temp file has no name until it is complete, so a kill leaves no temp file either.
    """
    path = Path(path)
    if _is_special(path):
        _write_through(path, data)
        return
    fd = _unnamed_beside(path)
    temp = None
    if fd is None:
        fd, temp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as file:
            _write_data(file, data)
            file.flush()
            _commit(file.fileno(), temp, path)
    except BaseException:
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise


#: Line separators that JSON leaves raw but ``str.splitlines`` and some readers split on.
_RAW_SEPARATORS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085"))


def jsonl_line(record: Mapping[str, Any]) -> str:
    """One JSON lines record: UTF-8 text kept as is, always exactly one line.

    >>> jsonl_line({"text": "سلام\\nدنیا", "n": 1})
    '{"text": "سلام\\\\nدنیا", "n": 1}\\n'
    >>> jsonl_line({"t": "a\\u2028b"})
    '{"t": "a\\\\u2028b"}\\n'
    """
    return escape_separators(json.dumps(record, ensure_ascii=False)) + "\n"


def escape_separators(json_text: str) -> str:
    """JSON text with the line separators JSON leaves raw escaped (the same JSON value).

    >>> escape_separators('"a\\u2029b"')
    '"a\\\\u2029b"'
    """
    # A search per separator runs in C at memory speed; str.translate looks up a dict per
    # character (440 µs for an 8 KB Persian record, more than cleaning it took).
    for raw, escaped in _RAW_SEPARATORS:
        if raw in json_text:
            json_text = json_text.replace(raw, escaped)
    return json_text
