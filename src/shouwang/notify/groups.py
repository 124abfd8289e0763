"""Channel-layer group names. Group names allow ASCII letters, digits, '-', '_' and '.' only.

An outbox recipient may name several groups joined by '+' (`groups_together`): one row and one
delivery for a message every one of them gets, such as a case step on the screens of every node
from the case's grid up to the city."""

from collections.abc import Iterable

GROUP_SEPARATOR = "+"


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def unit_group(unit_code: str) -> str:
    return f"unit.{unit_code}"


def case_group(case_id: int) -> str:
    return f"case.{case_id}"


def screen_group(node_code: str) -> str:
    """Every dispatcher console and big screen watching this jurisdiction node."""
    return f"screen.{node_code}"


def groups_together(groups: Iterable[str]) -> str:
    return GROUP_SEPARATOR.join(dict.fromkeys(groups))


def recipient_groups(recipient: str) -> list[str]:
    """The groups an outbox recipient names (one, or several joined by '+')."""
    return recipient.split(GROUP_SEPARATOR)
