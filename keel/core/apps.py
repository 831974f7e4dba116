from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: company, errors, status workflow, events and outbox,
    numbering, money, approvals, webhooks and global search."""

    name = "keel.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from . import admin_lists, events, invariants, numbering, tasks

        admin_lists.share_result_headers()
        admin_lists.share_label_badges()

        events.on_outbox_commit(tasks.kick_dispatcher)
        invariants.register("numbers-gapless", numbering.numbering_violations)
