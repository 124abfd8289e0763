"""Answer fields read through related objects ("unit.code") without ninja's slow path.

A dotted alias (`Field(alias="unit.code")`) works, but ninja reads it by failing a getattr and
then parsing a Django template Variable, for every such field of every row: on a case list of
fifty that was over five hundred parses, and on a dispatch answer ~7% of its interpreter time
went to building the answer. `related("unit.code")` is a ninja resolver that walks the same
path directly, with the same result: None where a link is empty."""

from typing import Any

from pydantic import BaseModel


class RelatedResolver(staticmethod):  # type: ignore[type-arg]  # ninja takes resolvers as these
    """`resolve_<field> = related("a.b")`: reads a.b from a model (or dict); from an answer
    already built (a schema, or a dict of one), reads <field> itself, as the alias fell back
    to the field's own name."""

    def __init__(self, path: str) -> None:
        self.names = tuple(path.split("."))
        self.field = ""
        super().__init__(self._resolve)

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name.removeprefix("resolve_")

    def _resolve(self, obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return getattr(obj, self.field, None)
        if isinstance(obj, dict) and self.field in obj:
            return obj[self.field]
        for name in self.names:
            obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
            if obj is None:
                return None
        return obj


def related(path: str) -> Any:
    """A `resolve_<field>` for a dotted path of attributes (or keys, for dicts)."""
    return RelatedResolver(path)
