"""Batch runs: read many inputs, analyse them, record every failure, never stop early."""
from .run import BatchResult, run_batch

__all__ = ["BatchResult", "run_batch"]
