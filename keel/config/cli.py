"""The `keel` command: Django's management commands with Keel's settings, plus
short names for what people run every day.

    keel demo            migrate, load the demo company, serve, print the login
    keel serve [PORT]    serve the workspace (development server)
    keel migrate         apply database migrations
    keel worker          run background tasks (database task backend); survives
                         database restarts and recovers a killed worker's work
    keel check           verify the data's invariants (books, stock, numbers); exit 1
                         on any violation (`keel check --deploy` is Django's check)
    keel backup FILE     one archive of the database and the uploaded files
    keel restore FILE    restore such an archive into an empty database
    keel purge           delete technical rows past their retention (idempotency keys,
                         expired sessions, old task results…); --dry-run counts them
    keel createsuperuser
    keel <any Django management command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "serve": ["runserver"],
    "check": ["invariants"],
}
# Options only Django's system check takes: with one of them, `keel check` is Django's.
SYSTEM_CHECK_OPTIONS = {"--deploy", "--tag", "-t", "--list-tags", "--fail-level", "--database"}


def resolve(argv: list[str]) -> list[str]:
    """The Django command line for `argv`: aliases replaced; `check` is Keel's invariant
    checker, except with Django's system-check options or run as `manage.py check`."""
    system_check = argv[1:2] == ["check"] and bool(
        SYSTEM_CHECK_OPTIONS & {arg.split("=")[0] for arg in argv[2:]}
        or os.path.basename(argv[0]) == "manage.py"
    )
    if len(argv) > 1 and argv[1] in ALIASES and not system_check:
        return [argv[0], *ALIASES[argv[1]], *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"} and len(argv) == 2:
        print(__doc__)
        if len(argv) < 2:
            return
    argv = resolve(argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
