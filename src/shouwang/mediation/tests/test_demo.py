"""The demo step: studios staffed with mediators, files in every state, open risk alerts."""

import pytest

from shouwang.core.models import Role, UnitKind, User
from shouwang.mediation.demo import seed_demo_mediation
from shouwang.mediation.models import AlertState, FileState, MediationFile, RiskAlert
from shouwang.mediation.tests.conftest import taxonomy_ensure
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_the_demo_has_staffed_studios_with_files_in_every_state_and_open_alerts(
    city: City,
) -> None:
    taxonomy_ensure()
    assert seed_demo_mediation(seed=1, scale="small") > 0
    states = set(MediationFile.objects.values_list("state", flat=True))
    assert states == set(FileState.values)
    assert MediationFile.objects.filter(overdue_noted_at__isnull=False).exists()
    studios = set(MediationFile.objects.values_list("studio__kind", flat=True))
    assert studios == {UnitKind.MEDIATION_STUDIO}
    assert (
        User.objects.filter(role=Role.MEDIATOR, unit__kind=UnitKind.MEDIATION_STUDIO).count() == 4
    )
    assert RiskAlert.objects.filter(state=AlertState.OPEN).count() == 2
