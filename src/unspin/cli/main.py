"""Entry point: ``unspin <command> ...``. Exit codes: 0 all ok, 1 some inputs failed, 2 usage error."""
from __future__ import annotations

import argparse
import sys

from ..errors import UnspinError, UsageError
from . import analyze as analyze_cmd
from . import evaluate as eval_cmd
from . import train as train_cmd

COMMANDS = {"analyze": analyze_cmd, "train": train_cmd, "eval": eval_cmd}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a hint
        self.print_usage(sys.stderr)
        self.exit(2, f"unspin: error: {message}\nRun '{self.prog} --help' for the options.\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog="unspin", description="Show how news and opinion articles work: entities, quotes, "
                                                "numbers, claims and persuasion techniques.")
    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except UsageError as exc:
        print(f"unspin: {exc}", file=sys.stderr)
        return 2
    except UnspinError as exc:
        print(f"unspin: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into head & co.: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
