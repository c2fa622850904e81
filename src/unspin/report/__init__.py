"""Output formats: every writer takes analyses one at a time (streaming) and is closed at the end."""
from .writers import FORMATS, Writer, open_writer

__all__ = ["FORMATS", "Writer", "open_writer"]
