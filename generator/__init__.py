"""jixiao (绩效): budget performance filings as code."""

__version__ = "0.1.0"
