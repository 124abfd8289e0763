"""Patrols: check-ins at posts (too far refused, too soon refused), shifts and tracks, patrol
hours by the documented rule, findings into the loop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case
from shouwang.cases.tests.factories import POINT
from shouwang.community.models import Checkin, PatrolFinding, Shift, TeamMember, TrackPoint
from shouwang.community.selectors import statement_of, teams_on_patrol
from shouwang.community.services.patrols import TrackInput, shift_end, shift_start, track_add
from shouwang.community.tests.conftest import Forces
from shouwang.community.tests.test_points import photo
from shouwang.core.errors import Conflict
from shouwang.core.models import User
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]
FAR = (LAT + 0.01, LNG)  # ~1.1 km north of the post


def test_a_check_in_at_the_post_is_recorded_and_earns_a_point(forces: Forces) -> None:
    client = ApiClient(forces.volunteer.username)
    response = client.post("/api/v1/patrols/checkins", {"post": "POST-A1", "lat": LAT, "lng": LNG})
    assert response.status_code == 201, response.content
    assert response.json()["distance_m"] == 0
    assert statement_of(user=forces.volunteer).balance == 1


def test_a_check_in_too_far_from_the_post_is_refused(forces: Forces) -> None:
    client = ApiClient(forces.volunteer.username)
    response = client.post(
        "/api/v1/patrols/checkins", {"post": "POST-A1", "lat": FAR[0], "lng": FAR[1]}
    )
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["distance_m"] > 1000
    assert not Checkin.objects.exists()


def test_a_second_check_in_at_the_same_post_too_soon_is_refused(forces: Forces) -> None:
    client = ApiClient(forces.volunteer.username)
    body = {"post": "POST-A1", "lat": LAT, "lng": LNG}
    assert client.post("/api/v1/patrols/checkins", body).status_code == 201
    again = client.post("/api/v1/patrols/checkins", body)
    assert again.status_code == 409
    assert Checkin.objects.count() == 1
    other = ApiClient(forces.neighbours[0].username)
    assert other.post("/api/v1/patrols/checkins", body).status_code == 201


def test_a_post_in_another_town_is_not_found(forces: Forces) -> None:
    client = ApiClient(forces.person("volunteer", "b").username)
    body = {"post": "POST-A1", "lat": LAT, "lng": LNG}
    assert client.post("/api/v1/patrols/checkins", body).status_code == 404


def test_a_shift_with_no_positions_is_not_hours(forces: Forces) -> None:
    shift = shift_start(actor=forces.volunteer)
    Shift.objects.filter(pk=shift.pk).update(started_at=timezone.now() - timedelta(hours=5))
    ended = shift_end(actor=forces.volunteer)
    assert ended.patrol_seconds == 0
    assert statement_of(user=forces.volunteer).balance == 0


def test_hours_run_from_first_to_last_position_and_resent_points_count_once(
    forces: Forces,
) -> None:
    shift = shift_start(actor=forces.volunteer)
    start = timezone.now() - timedelta(hours=3)
    Shift.objects.filter(pk=shift.pk).update(started_at=start)
    points = [
        TrackInput(seq=n, recorded_at=start + timedelta(minutes=30 * n), lat=LAT, lng=LNG)
        for n in range(1, 6)
    ]  # 30 min … 150 min: two hours of positions
    assert track_add(actor=forces.volunteer, shift_id=shift.pk, points=points[:3]) == 3
    assert track_add(actor=forces.volunteer, shift_id=shift.pk, points=points) == 2  # resent
    ended = shift_end(actor=forces.volunteer)
    assert ended.patrol_seconds == 2 * 3600
    assert TrackPoint.objects.filter(shift=shift).count() == 5
    assert statement_of(user=forces.volunteer).balance == 2 * 2  # 2 points an hour


def test_signing_on_twice_is_refused_and_only_members_sign_on(forces: Forces) -> None:
    client = ApiClient(forces.volunteer.username)
    assert client.post("/api/v1/patrols/shifts/start", {}).status_code == 201
    assert client.post("/api/v1/patrols/shifts/start", {}).status_code == 409
    outsider = ApiClient(forces.neighbours[0].username)
    assert outsider.post("/api/v1/patrols/shifts/start", {}).status_code == 403
    with pytest.raises(Conflict):
        shift_end(actor=forces.neighbours[0])


def test_tracks_go_only_to_your_own_shift(forces: Forces) -> None:
    shift = shift_start(actor=forces.volunteer)
    other = ApiClient(forces.neighbours[0].username)
    body = {
        "shift": shift.pk,
        "points": [{"seq": 1, "at": timezone.now().isoformat(), "lat": LAT, "lng": LNG}],
    }
    assert other.post("/api/v1/patrols/tracks", body).status_code == 404
    mine = ApiClient(forces.volunteer.username).post("/api/v1/patrols/tracks", body)
    assert mine.json() == {"added": 1}


def test_a_patrol_finding_is_a_patrol_case_with_its_photo(forces: Forces, media_root) -> None:  # type: ignore[no-untyped-def]
    client = ApiClient(forces.volunteer.username)
    upload = photo(2)
    upload.name = "camera.jpg"
    response = client.client.post(
        "/api/v1/patrols/findings",
        {
            "category": "facility_damage",
            "description": "巡防发现路口探头损坏",
            "lat": LAT,
            "lng": LNG,
            "photo": upload,
        },
        headers=client.headers,
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case_id"])
    assert (case.channel, case.kind) == ("patrol", "patrol_finding")
    finding = PatrolFinding.objects.get(case=case)
    assert len(finding.photos.get().dhash) == 16


def test_teams_on_patrol_show_their_tracks_to_the_dispatcher(forces: Forces) -> None:
    shift = shift_start(actor=forces.volunteer)
    track_add(
        actor=forces.volunteer,
        shift_id=shift.pk,
        points=[TrackInput(1, timezone.now(), LAT, LNG)],
    )
    rows = ApiClient(forces.person("dispatcher").username).get("/api/v1/patrols/on-patrol").json()
    assert [(r["person"], len(r["track"])) for r in rows] == [(forces.volunteer.display_name, 1)]
    other = ApiClient(forces.person("dispatcher", "b").username).get("/api/v1/patrols/on-patrol")
    assert other.json() == []


def test_the_teams_on_patrol_list_costs_the_same_queries_for_many_teams(
    forces: Forces,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for person in [forces.volunteer, *forces.neighbours]:
        TeamMember.objects.get_or_create(team=forces.loop.patrol, person=person)
        shift = shift_start(actor=person)
        track_add(actor=person, shift_id=shift.pk, points=[TrackInput(1, timezone.now(), LAT, LNG)])
    dispatcher = User.objects.select_related("node").get(pk=forces.person("dispatcher").pk)
    with django_assert_num_queries(2):
        rows = teams_on_patrol(user=dispatcher)
    assert len(rows) == 4


def test_patrol_hours_by_person_for_the_town(forces: Forces) -> None:
    shift = shift_start(actor=forces.volunteer)
    start = timezone.now() - timedelta(hours=2)
    Shift.objects.filter(pk=shift.pk).update(started_at=start)
    track_add(
        actor=forces.volunteer,
        shift_id=shift.pk,
        points=[
            TrackInput(1, start + timedelta(minutes=5), LAT, LNG),
            TrackInput(2, start + timedelta(minutes=95), LAT, LNG),
        ],
    )
    shift_end(actor=forces.volunteer)
    node = forces.loop.city.a.node.code
    leader = ApiClient(forces.person("leader").username)
    rows = leader.get("/api/v1/patrols/hours", node=node, by="person").json()
    assert rows == [
        {"key": forces.volunteer.username, "label": forces.volunteer.full_name, "hours": 1.5}
    ]
    assert leader.get("/api/v1/patrols/hours", node=node, by="x").status_code == 422
    volunteer = ApiClient(forces.volunteer.username)
    assert volunteer.get("/api/v1/patrols/hours", node=node).status_code == 403
