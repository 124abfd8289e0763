"""The demo step leaves hazards in every state and printed labels."""

import pytest

from shouwang.core.models import Role
from shouwang.core.services.people import person_create
from shouwang.inspections.demo import seed_demo_inspections
from shouwang.inspections.models import Enforcement, Hazard, HazardStatus, InspectionPlan
from shouwang.inspections.tests.conftest import Site
from shouwang.places.models import Premises
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_has_premises_and_hazards_in_every_state(site: Site, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    town = site.city.a.node
    people = (
        ("inspector", Role.INSPECTOR),
        ("landlord", Role.LANDLORD),
        ("dispatcher", Role.DISPATCHER),
    )
    for username, role in people:
        person_create(username=username, role=role, node=town, password=PASSWORD)
    assert seed_demo_inspections(seed=3) > 12
    demo = Hazard.objects.filter(premises__code__startswith="DEMO-INSP-")
    assert set(demo.values_list("status", flat=True)) == set(HazardStatus.values)
    assert demo.filter(rounds=2).exists() and demo.filter(escalated_round=1).exists()
    assert Enforcement.objects.exists()
    assert InspectionPlan.objects.get().entries.count() >= 12
    assert not Premises.objects.filter(code__startswith="DEMO-INSP-", stars__isnull=True).exists()
    assert (tmp_path / "demo-qr-labels.pdf").read_bytes().startswith(b"%PDF")
