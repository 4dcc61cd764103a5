"""The ground every stage stands on: findings, atomic writes, safe file names, filing discovery, git
access, strict located YAML reading and its hints, jixiao's own data files, fingerprints, the worker
pool and the LibreOffice runner.

Takes bytes, paths and text; gives plain values. Imports nothing else from jixiao.
"""
