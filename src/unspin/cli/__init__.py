"""The ``unspin`` command: thin wrappers over plain functions, one command per module."""
from .main import main

__all__ = ["main"]
