"""Filings over time: git revisions, the semantic diff and its formats, `fmt` (canonical style),
`new` and `rollover`.

Takes filing texts from the worktree or git; gives reports and rewritten texts. Never changes a value.
"""
