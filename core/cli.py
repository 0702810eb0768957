"""The ``igov`` command line: the same core as the app, for scripts and CI gates."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.db import create_db_engine
from core.errors import GovernanceError
from core.registry_csv import ImportReport, read_registry_csv, write_registry_csv
from core.store import IMPORT_MODES, import_registry_file, load_integrations

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


class UsageError(GovernanceError):
    """The command was called wrongly (missing file, unknown id): exit code 2."""


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the path of a CSV file") from None
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror}") from None


def format_report(report: ImportReport) -> str:
    """The import report as plain lines for a terminal."""
    lines = [f"{len(report.accepted)} row(s) valid, {len(report.rejected_rows)} row(s) rejected "
             f"({report.rows_read} read; {report.encoding}, delimiter '{report.delimiter}')."]
    if report.unknown_columns:
        lines.append(f"Extra columns kept as they are: {', '.join(report.unknown_columns)}")
    for error in report.errors:
        value = f" = '{error.value}'" if error.value else ""
        lines.append(f"  row {error.row}, {error.column}{value}: {error.message}. {error.fix}")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    report = read_registry_csv(_read_file(args.file))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return EXIT_OK if report.ok else EXIT_REJECTED


def cmd_import(args: argparse.Namespace) -> int:
    data = _read_file(args.file)
    engine = create_db_engine(args.db)
    report, counts = import_registry_file(engine, data, args.mode, strict=args.strict, updated_by="igov import")
    print(format_report(report))
    if counts is None:
        reason = "--strict and some rows are invalid" if report.accepted else "no valid row"
        print(f"Nothing was written ({reason}).")
    else:
        print(f"Written ({args.mode}): {counts['inserted']} added, {counts['updated']} updated, {counts['deleted']} removed.")
    return EXIT_OK if report.ok else EXIT_REJECTED


def cmd_export(args: argparse.Namespace) -> int:
    engine = create_db_engine(args.db)
    integrations = load_integrations(engine)
    text = write_registry_csv(integrations)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8", newline="")
        print(f"Exported {len(integrations)} integration(s) to {args.file}")
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: a short message and exit 2, as documented
        self.print_usage(sys.stderr)
        print(f"igov: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    db_help = "database URL (default: DATABASE_URL or the local SQLite file)"
    parser = _Parser(prog="igov", description="Integration governance: registry, overlaps, TCO and decisions.")
    parser.add_argument("--db", metavar="URL", help=db_help)
    # --db is accepted after the command too (igov import FILE --db URL), as people type it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    validate = commands.add_parser("validate", parents=[common], help="check a registry CSV and list every problem; writes nothing")
    validate.add_argument("file")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(handler=cmd_validate)

    imp = commands.add_parser("import", parents=[common], help="load a registry CSV into the database")
    imp.add_argument("file")
    imp.add_argument("--mode", choices=IMPORT_MODES, default="merge",
                     help="replace: the registry becomes the file; merge: add and update by id (default)")
    imp.add_argument("--strict", action="store_true", help="write nothing when any row is invalid")
    imp.set_defaults(handler=cmd_import)

    export = commands.add_parser("export", parents=[common], help="write the registry as canonical CSV ('-' for stdout)")
    export.add_argument("file")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; domain errors become a one-line message, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"igov: {error}", file=sys.stderr)
        return EXIT_USAGE
    except GovernanceError as error:
        print(f"igov: {error}", file=sys.stderr)
        return EXIT_REJECTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
