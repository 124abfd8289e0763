"""The floating-population tallies (models.PopulationTally): +1 when a tenancy starts, -1 when
it ends, in the same transaction; rebuilt from the tenancies after a bulk load."""

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from shouwang.housing.models import PopulationTally


def tally_add(*, node_id: int, nationality: str, delta: int) -> None:
    """Adds `delta` to the tally row, creating it on first use. The caller holds the
    transaction; the row stays locked by the UPDATE until it commits."""
    rows = PopulationTally.objects.filter(node_id=node_id, nationality=nationality)
    if rows.update(people=F("people") + delta):
        return
    try:
        with transaction.atomic():
            PopulationTally.objects.create(node_id=node_id, nationality=nationality, people=delta)
    except IntegrityError:  # another transaction created it meanwhile
        rows.update(people=F("people") + delta)


@transaction.atomic
def population_tallies_rebuild() -> int:
    """Recounts every tally from the current tenancies (after an import by COPY, or to check).
    Returns the number of tally rows."""
    PopulationTally.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO housing_populationtally (node_id, nationality, people) "
            "SELECT p.node_id, pe.nationality, count(*) FROM housing_tenancy t "
            "JOIN places_room r ON r.id = t.room_id "
            "JOIN places_premises p ON p.id = r.premises_id "
            "JOIN housing_person pe ON pe.id = t.person_id "
            "WHERE t.moved_out IS NULL GROUP BY p.node_id, pe.nationality"
        )
    return PopulationTally.objects.count()
