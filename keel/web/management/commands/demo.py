from django.core.management import call_command
from django.core.management.base import BaseCommand

from keel.web.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Migrate, load the demo company, print the logins and serve the workspace."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop")

    def handle(self, *args, addrport: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        company = load_demo()
        users = ", ".join(DEMO_USERS.values())
        self.stdout.write(
            self.style.SUCCESS(f"Demo company '{company.name}' is ready.\n")
            + f"  Open   http://{addrport}/\n"
            + f"  Log in as  admin / {DEMO_PASSWORD}\n"
            + f"  (every role has a user with the same password: {users})\n"
        )
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
