"""The `keel` command: Django's management commands with Keel's settings, plus
short names for what people run every day.

    keel demo            migrate, load the demo company, serve, print the login
    keel serve [PORT]    serve the workspace (development server)
    keel migrate         apply database migrations
    keel worker          run background tasks (database task backend)
    keel createsuperuser
    keel <any Django management command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "serve": ["runserver"],
    "worker": ["db_worker"],
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"} and len(argv) == 2:
        print(__doc__)
        if len(argv) < 2:
            return
    if len(argv) > 1 and argv[1] in ALIASES:
        argv = [argv[0], *ALIASES[argv[1]], *argv[2:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
