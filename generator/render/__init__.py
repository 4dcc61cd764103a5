"""Printing: a filing and its form turned into the table's rows and context, then into Word and
HTML bytes through the pack's templates.

Takes a model; gives bytes. Never reads filings, git or the output folder, and never writes a file.
"""
