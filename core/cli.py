"""The ``igov`` command line: the same core as the app, for scripts and CI gates."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from core.errors import (ClusterNotFound, GovernanceError, IntegrationNotFound, MissingColumnsError, RegistryFileError,
    SessionError)
from core.services.analysis import (RegistryAnalysis, analyse_file, find_blocked_proposals, load_analysis,
    registry_version, rubric_from_file, rubric_in_force, score_registry_integration)
from core.services.aliases import KINDS, add_alias, aliases_from_file, database_aliases, list_aliases, remove_alias
from core.services.backup import MB, RESTORE_ENV, backup_database, restore_database, restore_limit_mb
from core.services.database import open_database
from core.services.identity import system_actor
from core.services.registry import (FORMAT_CHOICES, FORMATS, IMPORT_MODES, MAPPED_FORMATS, ImportReport,
    check_registry_file, export_registry_csv, import_checked_file, import_counts_text, load_registry,
    map_columns_not_in, no_rows_text, parse_column_map, read_registry_path, read_registry_source)
from core.services.tco import category_reasons, fte_range
from core.wording import format_fte, format_hours_range, format_money_range, natural_list, plural

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3  # igov check: a proposal overlaps something live ("pause before build")
EXIT_OVERDUE = 4  # igov decisions --overdue: a decision is past its due date and not done


class UsageError(GovernanceError):
    """The command was called wrongly (missing file, unknown id): exit code 2."""


def _read_file(path: str, *, size_limit: bool = True, limit_mb: int | None = None) -> bytes:
    """A file's bytes; registry files over the upload limit (others over ``limit_mb``) are refused from their size,
    unread."""
    try:
        if size_limit:
            return read_registry_path(path)
        if limit_mb is not None and os.stat(path).st_size > limit_mb * MB:
            raise UsageError(f"{path} is larger than {limit_mb:,} MB, more than this igov reads (see {RESTORE_ENV}).")
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"File not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the path of a CSV file") from None
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror}") from None


def format_report(report: ImportReport) -> str:
    """The import report as plain lines for a terminal."""
    if report.format == "csv":
        how = f"{report.encoding}, delimiter '{report.delimiter}'"
    else:
        how = FORMATS.get(report.format, report.format) + (f", sheet '{report.sheet}'" if report.sheet else "")
    lines = [f"{len(report.accepted)} row(s) valid, {len(report.rejected_rows)} row(s) rejected "
             f"({report.rows_read} read; {how})."]
    lines += report.notes
    if report.unknown_columns:
        lines.append(f"Extra columns kept as they are: {', '.join(report.unknown_columns)}")
    for error in report.errors:
        value = f" = '{error.value}'" if error.value else ""
        where = error.where or f"row {error.row}"
        lines.append(f"  {where}, {error.column}{value}: {error.message}. {error.fix}")
    return "\n".join(lines)


def _read_source(path: str) -> bytes | dict[str, bytes]:
    """A registry file's bytes, or a Backstage catalog folder's YAML files."""
    try:
        return read_registry_source(path)
    except FileNotFoundError:
        raise UsageError(f"File not found: {path}") from None
    except OSError as error:
        raise UsageError(f"Cannot read {path}: {error.strerror}") from None


def _source_options(args: argparse.Namespace) -> dict:
    """The reading options of validate and import: format, column map, sheet and file name."""
    return {"fmt": args.format, "filename": Path(args.file).name,
            "column_map": parse_column_map(args.map) if args.map else None, "sheet": args.sheet}


def _refuse_map_columns_not_in(column_map: dict[str, str] | None, columns: list[str]) -> None:
    """Refuse a --map that names a column the file does not have: a typo, or the map of another file."""
    absent = map_columns_not_in(column_map or {}, columns)
    if absent:
        names = natural_list([f"'{column}'" for column in absent])
        what = "is not a column" if len(absent) == 1 else "are not columns"
        raise RegistryFileError(f"--map names {names}, which {what} of this file; its columns are: "
                                f"{', '.join(columns)}. Write each column's header as the file has it.")


def _check_source(data: bytes | dict[str, bytes], options: dict) -> ImportReport:
    """validate's and import's reading of the file, with the --map checked against the file's columns."""
    try:
        report = check_registry_file(data, **options)
    except MissingColumnsError as error:
        _refuse_map_columns_not_in(options["column_map"], list(error.columns))
        raise
    if report.format in MAPPED_FORMATS:
        _refuse_map_columns_not_in(options["column_map"], [*report.column_mapping, *report.unknown_columns])
    return report


def _map_hint(error: MissingColumnsError, map_text: str | None = None) -> str:
    """The --map option that would use the suggested columns (and keep the entries of the --map given), for the
    message of a header missing columns; a field nothing looks like gets a place to name one of the columns not
    used."""
    given = [f"{column}={field}" for column, field in (parse_column_map(map_text) if map_text else {}).items()]
    suggested = [f"{column}={field}" for field, column in error.suggestions.items()]
    unmatched = [field for field in error.missing if field not in error.suggestions]
    if not unmatched:
        return f"If those are right, run again with: --map \"{','.join(given + suggested)}\""
    if not error.unused:
        return f"Add a column for {' and '.join(unmatched)} to the file: each of its columns is used already."
    pairs = ",".join(given + suggested + [f"<column>={field}" for field in unmatched])
    holds = (f"<column> being the column that holds {unmatched[0]}" if len(unmatched) == 1 else
             "each <column> being the column that holds its field")
    return (f"{'If the suggestions are right, r' if suggested else 'R'}un again with: --map \"{pairs}\", {holds} "
            "(one of the columns not used).")


def _exit_code(report: ImportReport) -> int:
    """validate's and import's exit code: 1 when rows were rejected or the file has no data rows (unusable)."""
    return EXIT_OK if report.ok and report.rows_read else EXIT_REJECTED


def cmd_validate(args: argparse.Namespace) -> int:
    report = _check_source(_read_source(args.file), _source_options(args))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    if not report.rows_read:
        print(f"igov: {no_rows_text(report)}", file=sys.stderr)
    return _exit_code(report)


def cmd_import(args: argparse.Namespace) -> int:
    data = _read_source(args.file)
    options = _source_options(args)
    report = _check_source(data, options)  # read before the database is opened: a bad file changes nothing
    engine = open_database(args.db)
    counts = import_checked_file(engine, report, args.mode, strict=args.strict, actor=system_actor("igov import"),
                                 source_name=args.source or Path(args.file).name, column_map=options["column_map"])
    print(format_report(report))
    if counts is None:
        reason = ("--strict and some rows are invalid" if report.accepted else "no valid row" if report.rows_read
                  else "no data rows")
        print(f"Nothing was written ({reason}).")
        if not report.rows_read:
            print(f"igov: {no_rows_text(report)}", file=sys.stderr)
    else:
        print(f"Written ({args.mode}): {import_counts_text(counts)}.")
        if counts.get("unseen"):
            print(f"{plural(counts['unseen'], 'integration')} an earlier import of this source had "
                  f"{'is' if counts['unseen'] == 1 else 'are'} not in it: flagged \"not seen since\" for review on "
                  "the Registry page. Nothing was deleted.")
    return _exit_code(report)


def cmd_export(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    integrations = load_registry(engine)
    if args.raw and args.safe:
        raise UsageError("--raw and --safe contradict each other: spreadsheet-safe is the default, --raw the canonical "
                         "text")
    text = export_registry_csv(integrations, safe=not args.raw)
    if args.file == "-":
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8", newline="")
        print(f"Exported {len(integrations)} integration(s) to {args.file}")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    data = backup_database(engine)
    target = Path(args.file)
    partial = target.with_name(target.name + ".part")
    try:
        # Readable by its owner only: a backup holds everything, the role mapping's e-mails included.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a .part left by an earlier run keeps its mode otherwise
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        partial.replace(target)  # a backup cut short never overwrites a good one
    except OSError as error:
        raise UsageError(f"Cannot write {args.file}: {error.strerror}") from None
    print(f"Backed up the whole database to {args.file} ({len(data):,} bytes).")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    data = _read_file(args.file, size_limit=False, limit_mb=restore_limit_mb())
    engine = open_database(args.db)
    counts = restore_database(engine, data)
    print(f"Restored {args.file}: {counts['integrations']} integration(s) and {sum(counts.values()):,} row(s) "
          f"in {len(counts)} table(s). What the database held before was replaced.")
    return EXIT_OK


def analysis_for(args: argparse.Namespace, *, every_row: bool = False, **setting_changes) -> RegistryAnalysis:
    """Analyse the database, or a CSV file given with --csv (then nothing is read from or written to a database).

    With ``every_row`` (the CI gate), a --csv file with an invalid row or no rows is refused (exit 1): a row left
    out could be the very proposal the gate is there to stop.
    """
    if getattr(args, "aliases", None) and not Path(args.aliases).is_file():
        _read_file(args.aliases, size_limit=False)  # a missing file or a folder: the usage error --csv gives
    aliases = aliases_from_file(args.aliases) if getattr(args, "aliases", None) else None
    if getattr(args, "csv", None):
        if aliases is None:
            aliases = database_aliases(args.db)
        analysis, report = analyse_file(_read_file(args.csv), aliases=aliases, **setting_changes)
        rejected = len(report.rejected_rows)
        if every_row and not report.rows_read:
            raise RegistryFileError(f"{args.csv} has no rows to check: an emptied registry would pass the gate. "
                                    "Put its rows back, then run again.")
        if every_row and rejected:
            raise RegistryFileError(
                f"{args.csv}: {plural(rejected, 'row')} {'is' if rejected == 1 else 'are'} invalid, so the check "
                f"cannot vouch for {'it' if rejected == 1 else 'them'}: a proposal there would pass unseen. "
                f"Fix {'it' if rejected == 1 else 'them'} (igov validate {args.csv} lists every problem), then run "
                "again.")
        if rejected:
            print(f"igov: {plural(rejected, 'row')} of {args.csv} {'is' if rejected == 1 else 'are'} invalid and "
                  f"left out (run igov validate {args.csv})", file=sys.stderr)
        return analysis
    return load_analysis(open_database(args.db), aliases=aliases, **setting_changes)


def cmd_overlap(args: argparse.Namespace) -> int:
    analysis = analysis_for(args)
    if args.json:
        payload = {
            "clusters": [
                {"id": c.id, "members": list(c.members), "shared_objects": list(c.shared_objects),
                 "systems": list(c.systems), "teams": list(c.teams), "survivor": c.survivor,
                 "survivor_reason": c.survivor_reason,
                 "total_monthly_run_rate": c.total_monthly_run_rate.as_dict(),
                 "duplicated_monthly_run_rate": c.duplicated_monthly_run_rate.as_dict(),
                 "evidence": list(c.evidence),
                 "recommendation": analysis.recommendation(c.id).as_dict(),
                 "members_recommended": [
                     {"id": m.integration_id, "verdict": m.verdict.value, "role": m.role, "action": m.action}
                     for m in analysis.recommendation(c.id).members],
                 "scenarios": [s.as_dict() for s in analysis.recommendation(c.id).scenarios]}
                for c in analysis.clusters
            ],
            "suggestions": [
                {"kind": s.kind, "name": s.name, "similar_to": s.similar_to, "similarity": round(s.similarity, 1),
                 "reason": s.reason}
                for s in analysis.suggestions
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    currency = analysis.settings.currency
    print(f"{len(analysis.clusters)} overlap cluster(s); duplicated run-rate "
          f"{format_money_range(analysis.costs.duplicated_monthly_run_rate, currency, '/ month')}.")
    for c in analysis.clusters:
        print(f"\n{c.id}: {', '.join(c.members)} — keeps {c.survivor} ({c.survivor_reason})")
        print(f"  duplicated: {format_money_range(c.duplicated_monthly_run_rate, currency, '/ month')}")
        for sentence in c.evidence[:5]:
            print(f"  - {sentence}")
        for reason in analysis.recommendation(c.id).reasons:
            print(f"  > {reason}")
    for s in analysis.suggestions:
        print(f"\nPossible name variant ({s.kind}): '{s.name}' ~ '{s.similar_to}' ({s.similarity:.0f}%). {s.reason}")
    return EXIT_OK


def cmd_tco(args: argparse.Namespace) -> int:
    changes = {"horizon_months": args.horizon} if args.horizon else {}
    analysis = analysis_for(args, **changes)
    costs, currency = analysis.costs, analysis.settings.currency
    if args.json:
        settings = analysis.settings

        def fte(hours) -> dict:
            return {k: round(v, 3) for k, v in fte_range(hours, analysis).as_dict().items()}

        def with_reasons(row) -> dict:
            reasons = category_reasons(analysis, row.id)
            return {"category_factors": list(reasons.factors), "estimated_figures": list(reasons.estimated)}

        payload = {
            "horizon_months": costs.horizon_months,
            "hours_per_fte": settings.hours_per_fte,
            "team_capacity_hours": settings.team_capacity,
            "build_cost": costs.build_cost.as_dict(),
            "monthly_run_rate": costs.monthly_run_rate.as_dict(),
            "tco": costs.tco.as_dict(),
            "forward_cost": costs.forward_cost.as_dict(),
            "duplicated_monthly_run_rate": costs.duplicated_monthly_run_rate.as_dict(),
            "annualised_waste": costs.annualised_waste.as_dict(),
            "build_hours": costs.build_hours.as_dict(),
            "monthly_hours": costs.monthly_hours.as_dict(),
            "duplicated_monthly_hours": costs.duplicated_monthly_hours.as_dict(),
            "tco_hours": costs.tco_hours.as_dict(),
            "forward_hours": costs.forward_hours.as_dict(),
            "annualised_waste_hours": costs.annualised_waste_hours.as_dict(),
            "monthly_fte": fte(costs.monthly_hours),
            "duplicated_monthly_fte": fte(costs.duplicated_monthly_hours),
            "duplicated_share_of_capacity": (
                {k: round(v / settings.team_capacity, 4) for k, v in costs.duplicated_monthly_hours.as_dict().items()}
                if settings.team_capacity else None),
            "integrations": [
                {"id": r.id, "name": r.name, "owner_team": r.owner_team, "category": r.category.value,
                 **with_reasons(r),
                 "monthly_run_rate": r.run_rate.total.as_dict(), "build_cost": r.build_cost.as_dict(),
                 "tco": r.tco.as_dict(), "forward_cost": r.forward_cost.as_dict(),
                 "monthly_hours": r.monthly_hours.as_dict(), "build_hours": r.build_hours.as_dict(),
                 "estimated_from_category": sorted(r.estimated_from_category)}
                for r in costs.rows
            ],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return EXIT_OK
    left_out = len(analysis.integrations) - len(costs.rows)  # retired ones cost nothing going forward
    print(f"Portfolio over {costs.horizon_months} months ({plural(len(costs.rows), 'integration')}"
          + (f"; {left_out} retired left out" if left_out else "") + "):")
    for label, value, unit in (
        ("Monthly run-rate", costs.monthly_run_rate, "/ month"),
        ("Duplicated run-rate", costs.duplicated_monthly_run_rate, "/ month"),
        ("Annualised waste", costs.annualised_waste, "/ year"),
        ("Build cost", costs.build_cost, ""),
        (f"TCO ({costs.horizon_months} months)", costs.tco, ""),
    ):
        print(f"  {label:<22} {format_money_range(value, currency, unit)}")
    per_fte = analysis.settings.hours_per_fte
    print(f"In hours (FTE at {per_fte:g} hours a month):")
    for label, hours in (("Monthly hours", costs.monthly_hours),
                         ("Duplicated hours", costs.duplicated_monthly_hours)):
        print(f"  {label:<22} {format_hours_range(hours, '/ month')} · likely "
              f"{format_fte(hours.likely, per_fte)}")
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    analysis = analysis_for(args)
    rubric = rubric_from_file(Path(args.weights)) if args.weights else rubric_in_force()
    result = score_registry_integration(analysis, args.id, rubric)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    integration = analysis.integration(args.id)
    set_by = f"; verdict set by {result.cluster_id}'s recommendation" if result.cluster_id is not None else ""
    print(f"{integration.id} {integration.name}: {result.verdict.value.upper()} (score {result.score:.2f} / 5{set_by})")
    for reason in result.reasons:
        print(f"  - {reason}")
    flips = [s for s in result.sensitivity if s.flip_change is not None]
    if result.cluster_id is not None:
        print(f"  The verdict is the recommendation for {result.cluster_id}: "
              "weights change the score, not the verdict.")
    elif result.stable_within_25_percent:
        print("  Stable: no single weight change within ±25% changes this verdict.")
    for item in sorted(flips, key=lambda s: abs(s.flip_change))[:3]:
        print(f"  ! {item.statement(result.verdict)}")
    return EXIT_OK


def cmd_alias(args: argparse.Namespace) -> int:
    """igov alias add|list|remove: the alias tables every name comparison goes through."""
    if args.action == "list":
        pairs = list_aliases(open_database(args.db))
        rows = {"systems": [list(p) for p in pairs.systems if p[0] != p[1]],
                "objects": [list(p) for p in pairs.objects if p[0] != p[1]]}
        if args.json:
            print(json.dumps({kind: [{"alias": a, "canonical": c} for a, c in items] for kind, items in rows.items()},
                             ensure_ascii=False, indent=2))
            return EXIT_OK
        for kind, items in rows.items():
            print(f"{kind.capitalize()} ({len(items)}):")
            for alias, canonical in items:
                print(f"  {alias} -> {canonical}")
        return EXIT_OK
    if args.kind not in KINDS:
        raise UsageError(f"say system or object, not '{args.kind}': igov alias {args.action} system|object ...")
    if not args.alias.strip():
        raise UsageError(f"give the alias: igov alias {args.action} {args.kind} ALIAS" +
                         (" CANONICAL" if args.action == "add" else ""))
    engine = open_database(args.db)
    actor = system_actor(f"igov alias {args.action}")
    if args.action == "add":
        if not args.canonical:
            raise UsageError("give the name the alias means: igov alias add system|object ALIAS CANONICAL")
        before = list_aliases(engine)
        add_alias(engine, args.kind, args.alias, args.canonical, actor=actor)
        if list_aliases(engine) == before:
            print(f"Unchanged: '{args.alias}' already means '{args.canonical}'.")
        else:
            print(f"Added: the {args.kind} '{args.alias}' now counts as '{args.canonical}'.")
        return EXIT_OK
    if args.canonical:
        raise UsageError("igov alias remove takes the kind and the alias only: igov alias remove system|object ALIAS")
    remove_alias(engine, args.kind, args.alias, actor=actor)
    print(f"Removed: the {args.kind} '{args.alias}' is its own name again.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    analysis = analysis_for(args, every_row=True)
    blocked = find_blocked_proposals(analysis)
    if not blocked:
        proposals = sum(1 for i in analysis.integrations if i.status.value in ("proposed", "building"))
        print(f"OK: none of the {plural(proposals, 'proposal')} (proposed or building) overlaps a live integration "
              f"(threshold {analysis.settings.overlap_threshold:.2f}).")
        return EXIT_OK
    print(f"Pause before build: {plural(len(blocked), 'proposal')} "
          f"{'overlaps a live integration' if len(blocked) == 1 else 'overlap live integrations'}.")
    for item in blocked:
        print(item.describe(analysis.settings.currency))
    return EXIT_BLOCKED


# --- PDF and Markdown exports ---------------------------------------------------------------------
# The PDF modules (fpdf2, matplotlib) are imported inside the commands, so that igov validate and
# the other commands start without loading them.

PAGE_SIZE_CHOICES = ("A4", "Letter")


def _page_size(text: str) -> str:
    """--page-size, case-insensitive: a4 / A4 / letter / Letter."""
    return {size.lower(): size for size in PAGE_SIZE_CHOICES}.get(text.strip().lower(), text)


def _export_inputs(args: argparse.Namespace):
    """The analysis, rubric, registry version and engine (None for --csv) an export is computed from."""
    if getattr(args, "csv", None):
        digest = hashlib.sha256(_read_file(args.csv)).hexdigest()[:8]
        return analysis_for(args), rubric_in_force(), f"{Path(args.csv).name} #{digest}", None
    engine = open_database(args.db)
    version = registry_version(engine)  # read first: the figures are at least this recent
    return load_analysis(engine), rubric_in_force(engine), version, engine


def _write_output(path: str, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    try:
        Path(path).write_bytes(payload)
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the path of the file to write") from None
    except OSError as error:
        raise UsageError(f"Cannot write {path}: {error.strerror}") from None


_OUT_FORMATS = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown"}


def _out_format(path: str, allowed: tuple[str, ...], markdown: bool = False) -> str:
    """The format ``--out`` asks for, from its suffix: "pdf" or "markdown" ('-' is stdout: PDF unless --markdown).

    Raises:
        UsageError: for any other suffix, or one the command cannot write, so no file gets the wrong contents.
    """
    if path == "-":
        return "markdown" if markdown else "pdf"
    wanted = _OUT_FORMATS.get(Path(path).suffix.lower())
    suffixes = " or ".join(sorted({k for k, v in _OUT_FORMATS.items() if v in allowed and k != ".markdown"}))
    if wanted not in allowed:
        raise UsageError(f"--out {path}: the file name must end in {suffixes}, which says what to write "
                         f"(or use '-' for stdout)")
    if markdown and wanted != "markdown":
        raise UsageError(f"--markdown writes Markdown, but --out {path} is a PDF file name: end it in .md")
    return wanted


def _written(what: str, path: str, data: bytes | str) -> None:
    if path != "-":
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        print(f"Wrote {what} to {path} ({max(1, round(size / 1024))} KB).", file=sys.stderr)


def cmd_snapshot(args: argparse.Namespace) -> int:
    from core.services.exports import snapshot_pdf

    _out_format(args.out, ("pdf",))
    analysis, rubric, version, engine = _export_inputs(args)
    data = snapshot_pdf(analysis, rubric=rubric, registry_version=version, registry_name=args.name,
                        page_size=args.page_size, engine=engine)
    _write_output(args.out, data)
    _written("the TCO snapshot", args.out, data)
    return EXIT_OK


def cmd_memo(args: argparse.Namespace) -> int:
    from core.services.exports import brief_memo_document, memo_document

    if args.session is not None and getattr(args, "csv", None):
        raise UsageError("a session is stored in the database: drop --csv, or use --integration / --cluster with --csv")
    if args.brief and args.session is not None:
        raise UsageError("--brief is the ownership memo of one integration or cluster: use it with --integration "
                         "or --cluster, not --session")
    markdown = _out_format(args.out, ("pdf", "markdown"), args.markdown) == "markdown"
    analysis, rubric, version, engine = _export_inputs(args)
    try:
        if args.brief:
            data = brief_memo_document(analysis, rubric=rubric, registry_version=version,
                                       integration_id=args.integration, cluster_id=args.cluster, engine=engine,
                                       markdown=markdown, page_size=args.page_size)
        else:
            data = memo_document(analysis, rubric=rubric, registry_version=version, session_id=args.session,
                                 integration_id=args.integration, cluster_id=args.cluster, engine=engine,
                                 markdown=markdown, page_size=args.page_size)
    except (SessionError, IntegrationNotFound, ClusterNotFound) as error:
        raise UsageError(str(error)) from None
    _write_output(args.out, data)
    what = "the ownership memo" if args.brief else "the decision memo"
    _written(what + (" (Markdown)" if markdown else ""), args.out, data)
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: a short message and exit 2, as documented
        self.print_usage(sys.stderr)
        print(f"igov: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from core.cli_follow_up import add_follow_up_commands  # here: it uses this module's helpers

    db_help = "database URL (default: DATABASE_URL or the local SQLite file)"
    parser = _Parser(prog="igov", description="Integration governance: registry, overlaps, TCO and decisions.")
    parser.add_argument("--db", metavar="URL", help=db_help)
    # --db is accepted after the command too (igov import FILE --db URL), as people type it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    # How validate and import read a file: its format, a column map, the sheet of a workbook.
    reading = argparse.ArgumentParser(add_help=False, parents=[common])
    reading.add_argument("--format", choices=FORMAT_CHOICES, default="auto",
                         help="the file's format (default auto: decided from its content and name)")
    reading.add_argument("--map", metavar="MAP", help="file columns to registry fields, e.g. "
                         "\"Source Application=source_system,Target Application=target_system\"")
    reading.add_argument("--sheet", metavar="NAME", help="the workbook sheet to read (default: the first one "
                         "with the registry's header)")

    validate = commands.add_parser("validate", parents=[reading],
                                   help="check a registry file and list every problem; writes nothing")
    validate.add_argument("file", help="a CSV, Excel, LeanIX, dbt, Fivetran, Airbyte or OpenMetadata file, "
                                       "or a Backstage catalog file or folder")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(handler=cmd_validate)

    imp = commands.add_parser("import", parents=[reading], help="load a registry file into the database")
    imp.add_argument("file", help="as for validate")
    imp.add_argument("--source", metavar="NAME", help="the name this source is remembered by (default: the file "
                     "name); a later import of the same source updates its rows and flags those it no longer has")
    imp.add_argument("--mode", choices=IMPORT_MODES, default="merge",
                     help="replace: the registry becomes the file; merge: add and update by id (default)")
    imp.add_argument("--strict", action="store_true", help="write nothing when any row is invalid")
    imp.set_defaults(handler=cmd_import)

    export = commands.add_parser("export", parents=[common],
                                 help="write the registry as CSV, spreadsheet-safe ('-' for stdout)")
    export.add_argument("file")
    export.add_argument("--raw", action="store_true",
                        help="the canonical text, cell for cell; by default cells a spreadsheet would run as a "
                             "formula (=, +, -, @) start with ' (importing either file gives the same registry)")
    export.add_argument("--safe", action="store_true", help=argparse.SUPPRESS)  # the default now; still accepted
    export.set_defaults(handler=cmd_export)

    backup = commands.add_parser("backup", parents=[common],
                                 help="write the whole database (registry, settings, sessions, decisions) to FILE")
    backup.add_argument("file")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", parents=[common],
                                  help="replace the whole database with a backup FILE (all or nothing)")
    restore.add_argument("file")
    restore.set_defaults(handler=cmd_restore)

    alias = commands.add_parser("alias", parents=[common], help="add, list or remove a spelling of a system or "
                                "data object (igov alias add system SFDC Salesforce)")
    alias.add_argument("action", choices=("add", "list", "remove"))
    alias.add_argument("kind", nargs="?", default="", metavar="system|object")
    alias.add_argument("alias", nargs="?", default="", metavar="ALIAS")
    alias.add_argument("canonical", nargs="?", default="", metavar="CANONICAL")
    alias.add_argument("--json", action="store_true", help="list: print JSON")
    alias.set_defaults(handler=cmd_alias)

    # Analysis commands read the database, or a CSV file with --csv (nothing is written).
    source = argparse.ArgumentParser(add_help=False, parents=[common])
    source.add_argument("--csv", metavar="FILE", help="analyse this registry CSV instead of the database")
    source.add_argument("--aliases", metavar="FILE", help="system aliases from this alias,canonical CSV (as "
                        "data/system_aliases.csv) instead of the database's: for CI runs that keep them in git")

    overlap = commands.add_parser("overlap", parents=[source], help="overlap clusters and duplicated run-rate")
    overlap.add_argument("--json", action="store_true")
    overlap.set_defaults(handler=cmd_overlap)

    tco = commands.add_parser("tco", parents=[source], help="portfolio cost: run-rate, build, TCO, duplication")
    tco.add_argument("--horizon", type=int, metavar="MONTHS", help="months ahead (default: settings)")
    tco.add_argument("--json", action="store_true")
    tco.set_defaults(handler=cmd_tco)

    score = commands.add_parser("score", parents=[source], help="rubric verdict for one integration")
    score.add_argument("id")
    score.add_argument("--weights", metavar="FILE", help="a rubric TOML file (default: data/rubric.toml)")
    score.add_argument("--json", action="store_true")
    score.set_defaults(handler=cmd_score)

    check = commands.add_parser("check", parents=[source],
                                help="exit 3 when a proposal overlaps a live integration (pause before build)")
    check.set_defaults(handler=cmd_check)

    page_help = "paper size: A4 (default) or Letter"
    snapshot = commands.add_parser("snapshot", parents=[source], help="write the one-page TCO snapshot as PDF")
    snapshot.add_argument("--out", required=True, metavar="FILE", help="the PDF file to write, ending in .pdf "
                          "('-' for stdout)")
    snapshot.add_argument("--page-size", type=_page_size, choices=PAGE_SIZE_CHOICES, default="A4", help=page_help)
    snapshot.add_argument("--name", metavar="TEXT", help="company or registry name under the title "
                          "(default: Integration registry)")
    snapshot.set_defaults(handler=cmd_snapshot)

    memo = commands.add_parser("memo", parents=[source],
                               help="write a decision memo: PDF, or Markdown with --markdown or a .md file")
    subject = memo.add_mutually_exclusive_group(required=True)
    subject.add_argument("--session", type=int, metavar="ID", help="a diagnostic session (database only)")
    subject.add_argument("--integration", metavar="ID", help="one integration, before any session")
    subject.add_argument("--cluster", metavar="ID", help="one overlap cluster, e.g. CL-INT-015")
    memo.add_argument("--out", required=True, metavar="FILE", help="the file to write: .pdf for PDF, .md for Markdown "
                      "('-' for stdout)")
    memo.add_argument("--markdown", action="store_true", help="write Markdown for a wiki instead of PDF")
    memo.add_argument("--brief", action="store_true",
                      help="the brief ownership memo (at most 2 pages) of one integration or cluster")
    memo.add_argument("--page-size", type=_page_size, choices=PAGE_SIZE_CHOICES, default="A4", help=page_help)
    memo.set_defaults(handler=cmd_memo)

    add_follow_up_commands(commands, common, page_help)
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
    except (IntegrationNotFound, ClusterNotFound) as error:  # an unknown id: the same code in every command
        print(f"igov: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MissingColumnsError as error:
        print(f"igov: {error}\n{_map_hint(error, getattr(args, 'map', None))}", file=sys.stderr)
        return EXIT_REJECTED
    except GovernanceError as error:
        print(f"igov: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:  # `igov ... | head`: the reader left; not an error worth a traceback
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
