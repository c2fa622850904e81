"""``unspin analyze PATH... [-o OUT] [--format text|json|jsonl|ptc|html]``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import UsageError
from ..ingest import Limits
from ..ingest.sources import JSONL_SUFFIXES, KNOWN_SUFFIXES
from ..report import FORMATS, open_writer

#: Show a progress bar when a run reads more than this many files.
PROGRESS_MIN_FILES = 3


def add_parser(sub) -> None:
    p = sub.add_parser("analyze", help="analyse articles and write a report",
                       description="Analyse text, HTML and JSONL files, directories (recursively) or '-' "
                                   "for stdin. Exit code 0: all ok; 1: some inputs failed; 2: usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, or - for stdin")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output file; a directory (existing, or ending with /) gets one file per article")
    p.add_argument("-f", "--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--errors", metavar="FILE", help="write failures as JSON lines to FILE")
    p.add_argument("--encoding", help="force the text encoding of input files (default: detect)")
    p.add_argument("--max-chars", type=int, default=Limits.max_chars,
                   help=f"longest article text accepted (default: {Limits.max_chars:,})")
    p.add_argument("--max-bytes", type=int, default=Limits.max_bytes,
                   help=f"largest text/HTML file accepted (default: {Limits.max_bytes:,})")
    p.add_argument("--batch-size", type=int, default=16, help="articles parsed together (default: 16)")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show a progress bar on stderr")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show it")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")


def count_inputs(paths: list[str]) -> tuple[int, bool]:
    """Files a run will read, and whether any is a JSONL corpus (many articles per file)."""
    n, corpus = 0, False
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for _d, dirnames, files in os.walk(p):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for f in files:
                    suffix = Path(f).suffix.lower()
                    if not f.startswith(".") and suffix in KNOWN_SUFFIXES:
                        n += 1
                        corpus |= suffix in JSONL_SUFFIXES
        else:
            n += 1
            corpus |= p.suffix.lower() in JSONL_SUFFIXES or path == "-"
    return n, corpus


def run(args: argparse.Namespace) -> int:
    from ..batch.run import FailureLog, run_batch
    from ..pipeline import EngineConfig, default_engine

    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.paths.count("-") > 1:
        raise UsageError("'-' (stdin) can be given only once")
    limits = Limits(max_bytes=args.max_bytes, max_chars=args.max_chars)
    if args.encoding:
        import codecs

        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise UsageError(f"unknown --encoding {args.encoding!r}; use a Python codec name such as cp1252") from None
    writer = open_writer(args.format, args.output)
    errors_log = FailureLog(args.errors) if args.errors else None
    n_files, corpus = count_inputs(args.paths)
    show = args.progress if args.progress is not None else (
        sys.stderr.isatty() and (n_files > PROGRESS_MIN_FILES or corpus))
    progress = None
    if show:
        from tqdm import tqdm

        progress = tqdm(total=None if corpus else n_files, unit="article", file=sys.stderr, dynamic_ncols=True)
    try:
        engine = default_engine(EngineConfig(batch_size=args.batch_size))
        result = run_batch(args.paths, engine, writer.write, errors_log, limits=limits,
                           encoding=args.encoding, progress=progress)
    finally:
        if progress is not None:
            progress.close()
        writer.close()
        if errors_log:
            errors_log.close()
    if not args.quiet:
        print(f"unspin: {result.summary()}", file=sys.stderr)
    return result.exit_code
