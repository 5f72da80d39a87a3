"""Metadata captured from removed lines: dates, news codes, agencies, credits."""
