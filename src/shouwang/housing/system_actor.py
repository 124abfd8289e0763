"""The account the housing app acts as when no person does: the reminder worker escalating an
overdue arrival, a door controller reporting a revoked card. An inspector-role account at the
city's root with no usable password (it never signs in), created on first use."""

from django.db import IntegrityError, transaction

from shouwang.core.models import JurisdictionNode, Role, User
from shouwang.core.services.people import person_create


def housing_system_actor(node: JurisdictionNode) -> User:
    city_code = node.path.strip("/").split("/")[0]
    username = f"housing-system-{city_code}"
    found = User.objects.filter(username=username).select_related("node").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return person_create(
                username=username,
                role=Role.INSPECTOR,
                node=JurisdictionNode.objects.get(code=city_code),
                full_name="出租房屋管理系统",
            )
    except IntegrityError:  # made by another process meanwhile
        return User.objects.get(username=username)
