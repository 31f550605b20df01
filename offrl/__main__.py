"""Command line: ``python -m offrl validate-data FILE [FILE ...] [--num-actions K]``.

Every FILE is checked: a one-line summary on stdout for each good one, one line
``FILE:LINE: field: problem`` (or ``FILE: problem`` for the file as a whole) on stderr for each
bad one, naming its first problem. Exit status 0 if all files are good, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from offrl.dataset import DataError, canonical_config, validate_file


def _positive_int(text: str) -> int:
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return k


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offrl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate-data", help="check a logged-data JSON Lines file")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument(
        "--num-actions",
        type=_positive_int,
        default=canonical_config().num_candidates,
        help="number of items per step; actions must lie in [0, K) (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            print(validate_file(path, args.num_actions))
        except DataError as e:
            print(e, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
