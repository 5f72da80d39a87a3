"""The clean stages (extract, label, templates, render, explain) and their composition."""
