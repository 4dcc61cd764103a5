"""What a finance reviewer checks: `jixiao check`, the review rules (review/rules/), suppressions,
the [tool.jixiao] configuration, the check cache and `--explain`.

Takes filing bytes; gives findings and summaries. Never writes outputs other than its cache.
"""
