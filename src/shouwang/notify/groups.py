"""Channel-layer group names. Group names allow ASCII letters, digits, '-', '_' and '.' only."""


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def unit_group(unit_code: str) -> str:
    return f"unit.{unit_code}"


def case_group(case_id: int) -> str:
    return f"case.{case_id}"


def screen_group(node_code: str) -> str:
    """Every dispatcher console and big screen watching this jurisdiction node."""
    return f"screen.{node_code}"
