"""Which unit answers for a case (category × place). The fallback chain:

1. active routing rules whose node is the case's node or one of its ancestors, deepest node
   first; at one node the case's exact category before its parent categories before a rule for
   every category; then the rule's `order`;
2. the town's police station (police matters) or the town command room, 镇街综合指挥室
   (non-police matters, seed 003);
3. the city command centre.

None only when even the command centre is missing (a half-configured install): the case is then
still received and shown on the screens, just not owned by a unit yet."""

from django.db.models import Q

from shouwang.cases.models import Category, RoutingRule
from shouwang.core.models import JurisdictionNode, NodeLevel, Unit, UnitKind
from shouwang.core.refcache import remembered


def category_chain(category: Category) -> list[Category]:
    """The category and its ancestors, nearest first."""
    chain, seen = [category], {category.pk}
    parent = category.parent
    while parent is not None and parent.pk not in seen:
        chain.append(parent)
        seen.add(parent.pk)
        parent = parent.parent
    return chain


def node_of_level(lineage: list[JurisdictionNode], level: NodeLevel) -> JurisdictionNode | None:
    return next((n for n in lineage if n.level == level), None)


def responsible_unit_for(*, category: Category, lineage: list[JurisdictionNode]) -> Unit | None:
    """`lineage` is the case node's lineage, root first (core.selectors.node_lineage). The
    answer is kept in process memory (core.refcache) until a rule, unit, node or category
    changes."""
    if not lineage:
        return _by_rule(category, lineage) or _by_fallback(category, lineage)
    return remembered(
        ("route", category.pk, lineage[-1].pk),
        lambda: _by_rule(category, lineage) or _by_fallback(category, lineage),
    )


def _by_rule(category: Category, lineage: list[JurisdictionNode]) -> Unit | None:
    chain = category_chain(category)
    category_rank = {c.pk: rank for rank, c in enumerate(chain)}
    depth = {n.pk: i for i, n in enumerate(lineage)}
    rules = list(
        RoutingRule.objects.filter(node__in=lineage, is_active=True, unit__is_active=True)
        .filter(Q(category__in=chain) | Q(category__isnull=True))
        .select_related("unit")
    )
    if not rules:
        return None
    wildcard = len(chain)

    def specificity(rule: RoutingRule) -> tuple[int, int, int, int]:
        rank = wildcard if rule.category_id is None else category_rank[rule.category_id]
        return (-depth[rule.node_id], rank, rule.order, rule.pk)

    return min(rules, key=specificity).unit


def _by_fallback(category: Category, lineage: list[JurisdictionNode]) -> Unit | None:
    town = node_of_level(lineage, NodeLevel.TOWN)
    if town is not None:
        kind = UnitKind.POLICE_STATION if category.is_police else UnitKind.TOWN_COMMAND
        unit = town_unit(town, kind)
        if unit is not None:
            return unit
    return command_centre(lineage)


def town_unit(town: JurisdictionNode, kind: UnitKind) -> Unit | None:
    return Unit.objects.filter(node=town, kind=kind, is_active=True).order_by("code").first()


def command_centre(lineage: list[JurisdictionNode]) -> Unit | None:
    city = node_of_level(lineage, NodeLevel.CITY)
    if city is None:
        return None
    return (
        Unit.objects.filter(node=city, kind=UnitKind.COMMAND_CENTRE, is_active=True)
        .order_by("code")
        .first()
    )


def command_unit_of(node: JurisdictionNode) -> Unit | None:
    """The unit that takes what is escalated to `node`: the command centre of a city, the
    command room of a town."""
    kind = UnitKind.COMMAND_CENTRE if node.level == NodeLevel.CITY else UnitKind.TOWN_COMMAND
    return Unit.objects.filter(node=node, kind=kind, is_active=True).order_by("code").first()
