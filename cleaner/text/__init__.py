"""Text: character classes, scripts, normalisation, language, line segmenting and glue."""
