"""The ``aioweb`` console script; its subcommands come from the registry's ``cli`` point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aioweb.kernel import CLI, Registry

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``aioweb <command> ...``; returns the exit code.

    Arguments after a lone ``--`` are not parsed: commands find them in
    ``args.passthrough`` (``aioweb run mod:factory --port 8000 -- a b``).  Plugin
    errors do not stop the script: ``aioweb plugins`` shows them on their own rows.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1 :]
    registry = Registry()
    registry.load(raise_errors=False)
    commands = registry.items(CLI)
    parser = argparse.ArgumentParser(prog="aioweb", description="aioweb command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in sorted(commands):
        command = commands[name]
        sp = sub.add_parser(name, help=command.help, description=command.help)
        command.configure(sp)
    args = parser.parse_args(argv)
    args.passthrough = passthrough
    if args.command is None:
        parser.print_help()
        return 2
    return commands[args.command].run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
