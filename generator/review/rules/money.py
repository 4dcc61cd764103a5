"""Amounts in messages."""

from __future__ import annotations

from decimal import Decimal


def wan(amount: Decimal) -> str:
    """An amount in 万元 as plain text: 8.16, 35, 0.5."""
    return format(amount.normalize(), "f")
