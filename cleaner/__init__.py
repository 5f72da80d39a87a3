"""cleaner: turn raw news scrapes into clean text and find repeated paragraphs."""

from __future__ import annotations

__version__ = "0.1.0"
