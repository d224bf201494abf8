"""`roi-bot import orders|stats|roster FILE`: the command-line face of bot.imports.run."""

from __future__ import annotations

import json
import sys

from bot.config import Settings
from bot.errors import InputError
from bot.imports.run import Job, run_import
from bot.imports.summary import as_text
from bot.runtime import Runtime


def run(settings: Settings, args) -> int:
    """Import the file and print the summary; exit 0 even when some rows were rejected (SPEC §1)."""
    if args.format and args.kind != "orders":
        raise InputError("--format", f"applies to orders, not {args.kind}", "`roi-bot import orders FILE --format shopify`")
    try:
        raw = open(args.file, "rb")  # noqa: SIM115 - closed below, after the import streamed it
    except OSError as error:
        raise InputError("FILE", f"cannot open {str(args.file)!r} ({error.strerror})", "the path of a CSV file") from None
    runtime = Runtime.build(settings)
    try:
        with raw:
            job = Job(kind=args.kind, fmt=args.format, name=args.file.name, dry_run=args.dry_run)
            summary = run_import(runtime.sessions, args.team, raw, job, tz=settings.tz, today=runtime.today())
    finally:
        runtime.engine.dispose()
    print(json.dumps(summary.as_json(), ensure_ascii=False) if args.json else as_text(summary), file=sys.stdout)
    return 0
