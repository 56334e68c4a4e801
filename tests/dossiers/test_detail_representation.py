"""The detail API's fast path (issue 13) says exactly what the DRF serializer says.

`dossier_detail_api` runs a statement compiled once per access shape (portal.core.compiled) and
`detail_representation` writes DossierDetailSerializer's output out by hand: both are compared
with the reference (the prefetching selector and the serializer) on dossiers in many states, for
each kind of viewer, in Vietnamese and in English, byte for byte as rendered."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from portal.accounts.models import Role
from portal.core.errors import NotFound
from portal.dossiers import selectors, services
from portal.dossiers.serializers import DossierDetailSerializer, detail_representation
from tests.dossiers.conftest import make_staff

pytestmark = pytest.mark.django_db

STATES = [
    "draft",
    "submitted",
    "supplement_requested",
    "resubmitted",  # an attachment linked to the supplement request, a fulfilled request
    "refused",
    "withdrawn",
    "processing",
    "stopped",
    "approved",
    "result_returned",
]
VIEWERS = ["citizen", "receiving_officer", "unit_leader", "supervisor", "administrator"]


@pytest.fixture
def administrator(province_unit):
    return make_staff("quantri", province_unit, Role.ADMINISTRATOR)


@pytest.fixture
def dossier_in(make_dossier, citizen, pdf_bytes):
    def _make(state):
        if state != "resubmitted":
            return make_dossier(state)
        dossier = make_dossier("supplement_requested")
        services.add_attachment(
            dossier=dossier,
            actor=citizen,
            uploaded_file=SimpleUploadedFile("to-khai-ky.pdf", pdf_bytes),
            requirement_key="to-khai",
        )
        return services.resubmit(dossier=dossier, actor=citizen)

    return _make


def _render(data) -> bytes:
    return JSONRenderer().render(data)


def _request(rf, user):
    http = rf.get("/")
    http.user = user
    return http


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("state", STATES)
def test_fast_detail_is_the_serializers_detail(state, language, request, dossier_in, rf):
    dossier = dossier_in(state)
    if state == "resubmitted":
        assert dossier.attachments.filter(supplement_request__isnull=False).exists()
    for viewer in VIEWERS:
        user = request.getfixturevalue(viewer)
        http = _request(rf, user)
        with translation.override(language):
            try:
                reference = selectors.dossier_detail(user=user, code=dossier.code)
            except NotFound:
                # a draft is its citizen's alone: the fast path agrees
                assert state == "draft" and viewer != "citizen"
                with pytest.raises(NotFound):
                    selectors.dossier_detail_api(user=user, code=dossier.code)
                continue
            expected = DossierDetailSerializer(reference, context={"request": http}).data
            fast = selectors.dossier_detail_api(user=user, code=dossier.code)
            assert DossierDetailSerializer(fast, context={"request": http}).data == expected
            written = detail_representation(fast, request=http)
            assert written == expected, (state, viewer)
            assert _render(written) == _render(expected), (state, viewer)  # order, formats
            assert written == detail_representation(reference, request=http)


def test_the_compiled_statement_keeps_each_users_access(
    make_dossier, other_citizen, other_unit_officer, citizen, supervisor
):
    dossier = make_dossier("received")
    # shapes compiled by the allowed users first, then used by the others with their values
    for _ in range(2):
        assert selectors.dossier_detail_api(user=citizen, code=dossier.code) is not None
        assert selectors.dossier_detail_api(user=supervisor, code=dossier.code) is not None
        for stranger in (other_citizen, other_unit_officer):
            with pytest.raises(NotFound):
                selectors.dossier_detail_api(user=stranger, code=dossier.code)
        with pytest.raises(NotFound):
            selectors.dossier_detail_api(user=citizen, code=dossier.code + "X")


def test_the_api_answers_the_written_out_detail_in_english_too(make_dossier, citizen, rf):
    dossier = make_dossier("supplement_requested")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=citizen).key}")
    response = client.get(f"/api/v1/dossiers/{dossier.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    with translation.override("en"):
        reference = selectors.dossier_detail(user=citizen, code=dossier.code)
        expected = DossierDetailSerializer(
            reference, context={"request": _request(rf, citizen)}
        ).data
    body = response.json()
    assert body["state_label"] == expected["state_label"] == "Supplement requested"
    assert response.content == _render(expected)


def test_one_statement_per_kind_of_user_never_per_user(
    make_dossier, citizen, other_citizen, receiving_officer, unit_leader, supervisor, administrator
):
    from portal.core.compiled import CompiledStatement

    dossier = make_dossier("received")
    statement = CompiledStatement(selectors._detail_columns)
    seen = {}
    for user in (
        citizen,
        other_citizen,
        receiving_officer,
        unit_leader,
        supervisor,
        administrator,
    ):
        row = statement.first(selectors.visible_dossiers(user=user).filter(code=dossier.code))
        seen[user.username] = row is not None and row.pk == dossier.pk
    assert seen == {
        citizen.username: True,
        other_citizen.username: False,
        receiving_officer.username: True,
        unit_leader.username: True,
        supervisor.username: True,
        administrator.username: True,
    }
    shapes = statement._shapes
    # citizen, officer of the unit, supervisor (the subtree), administrator: the SQL holds no
    # value of a request (no user id, no code), and every shape was compiled and kept
    assert len(shapes) == 4 and all(shapes.values())
    assert all(str(dossier.code) not in s.sql and s.sql.count("%s") for s in shapes.values())
