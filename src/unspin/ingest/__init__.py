"""Reading articles: text, HTML, JSONL, directories and stdin."""
from .decode import decode_bytes
from .limits import DEFAULT_LIMITS, Limits
from .sources import Failure, article_from_record, article_id_for, read_file, read_paths, read_stream

__all__ = ["DEFAULT_LIMITS", "Failure", "Limits", "article_from_record", "article_id_for", "decode_bytes",
           "read_file", "read_paths", "read_stream"]
