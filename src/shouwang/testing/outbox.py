"""What the outbox reached, group by group: a row may name several groups (the screens of a
case's lineage share one row, notify.groups.groups_together)."""

from collections.abc import Iterable

from shouwang.notify.groups import recipient_groups


def groups_of(recipients: Iterable[str]) -> set[str]:
    return {group for recipient in recipients for group in recipient_groups(recipient)}
