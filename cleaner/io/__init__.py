"""Inputs and outputs: reading sources, decoding bytes, partitions, writing results, resume."""
