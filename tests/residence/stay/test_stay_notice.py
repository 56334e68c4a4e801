"""Thông báo lưu trú (2.001159): a valid notice is recorded at once (no staff step, no deadline),
writes one Stay per guest, is validated against the registry and the 23:00 / 08:00 rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from portal.core.errors import Conflict, DomainError
from portal.dossiers import services
from portal.dossiers.models import Dossier, State
from residence.models import (
    Address,
    PermanentResidence,
    RegistryChange,
    Stay,
    TemporaryResidence,
)
from residence.services import stays
from tests.dossiers.conftest import upsert_person
from tests.residence.stay.conftest import HOST_STREET, guest, local, notice

pytestmark = pytest.mark.django_db

# A Tuesday evening, local time: a host files the night's guests.
EVENING = local(2026, 12, 1, 21, 30)


def file_notice(citizen, stay_procedure, area, data) -> Dossier:
    dossier = services.create_draft(
        citizen=citizen, procedure=stay_procedure, area=area, form_data=data
    )
    return services.submit(dossier=dossier, actor=citizen)


def errors_of(exc_info) -> list[str]:
    return exc_info.value.details["guests"]


# --- recorded at once ----------------------------------------------------------------------------


def test_one_guest_not_in_the_registry_is_recorded_at_once(
    clock, citizen, stay_procedure, area, unit
):
    clock.set(EVENING)
    data = notice(
        guest(
            "038095001111",
            name="Đỗ Minh Khang",
            arrives=local(2026, 12, 1, 20, 0),
            days=3,
            date_of_birth="1995-04-02",
        )
    )
    dossier = file_notice(citizen, stay_procedure, area, data)

    dossier.refresh_from_db()
    assert dossier.state == State.RESULT_RETURNED
    assert dossier.get_state_display() == "Đã ghi nhận"
    assert dossier.unit == unit
    assert dossier.submitted_at == dossier.received_at == EVENING
    assert dossier.decided_at == dossier.returned_at == EVENING
    assert dossier.due_at is None and dossier.accepted_at is None
    assert [e.action for e in dossier.events.order_by("at", "pk")] == ["create", "submit", "record"]
    assert dossier.events.get(action="submit").to_state == State.SUBMITTED
    assert dossier.events.get(action="record").to_state == State.RESULT_RETURNED

    stay = Stay.objects.get(dossier=dossier)
    assert stay.guest is None
    assert stay.guest_personal_id == "038095001111"
    assert stay.guest_name == "Đỗ Minh Khang"
    assert stay.guest_date_of_birth == dt.date(1995, 4, 2)
    assert stay.guest_search == "038095001111 do minh khang"
    assert stay.host_name == "Nhà nghỉ Hoa Mai"
    assert stay.starts_at == local(2026, 12, 1, 20, 0)
    assert stay.ends_at == local(2026, 12, 4, 23, 59, 59)
    assert stay.address.area == area and stay.address.street == HOST_STREET
    assert not RegistryChange.objects.filter(dossier=dossier).exists()

    # The host is told it was recorded (SMS and email), not "submitted, waiting for reception".
    events = set(
        Notification.objects.filter(dossier_code=dossier.code).values_list("event", "channel")
    )
    assert events == {("notice_recorded", "sms"), ("notice_recorded", "email")}
    sms = Notification.objects.get(dossier_code=dossier.code, channel="sms")
    assert "đã ghi nhận thông báo lưu trú" in sms.body and "21:30 01/12/2026" in sms.body


def test_five_registry_guests_write_five_stays_and_registry_changes(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    arrival = local(2026, 12, 1, 19, 0)
    data = notice(*(guest(p.personal_id, arrives=arrival, days=5) for p in registry_guests))
    dossier = file_notice(citizen, stay_procedure, area, data)

    assert dossier.state == State.RESULT_RETURNED
    rows = list(Stay.objects.filter(dossier=dossier).order_by("guest_personal_id"))
    assert [s.guest for s in rows] == registry_guests
    assert [s.guest_name for s in rows] == [p.full_name for p in registry_guests]
    assert [s.guest_date_of_birth for s in rows] == [p.date_of_birth for p in registry_guests]
    assert len({s.address_id for s in rows}) == 1
    changes = RegistryChange.objects.filter(dossier=dossier)
    assert sorted(c.person_id for c in changes) == sorted(p.pk for p in registry_guests)
    assert {c.kind for c in changes} == {RegistryChange.Kind.STAY_NOTIFIED}
    assert changes.first().details["to"] == "2026-12-06"
    # What the host sees on the dossier: the names as the registry has them.
    assert [g["full_name"] for g in dossier.form_data["guests"]] == [
        p.full_name for p in registry_guests
    ]


def test_filing_for_five_guests_costs_the_same_queries_as_for_one(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    arrival = local(2026, 12, 1, 19, 0)

    def submit_count(guests) -> int:
        draft = services.create_draft(
            citizen=citizen, procedure=stay_procedure, area=area, form_data=notice(*guests)
        )
        with CaptureQueriesContext(connection) as queries:
            services.submit(dossier=draft, actor=citizen)
        return len(queries.captured_queries)

    # Warm: the address exists after the first notice in both measured cases.
    submit_count([guest("038095009999", name="Khách Làm Nóng", arrives=arrival)])
    one = submit_count([guest(registry_guests[0].personal_id, arrives=arrival)])
    five = submit_count([guest(p.personal_id, arrives=arrival) for p in registry_guests])
    assert five <= one  # not one statement more per guest (caches warmed by the first may save one)
    assert Stay.objects.count() == 1 + 1 + 5


def test_a_recorded_notice_is_never_overdue_nor_work_for_staff(
    clock, citizen, stay_procedure, area, receiving_officer, unit_leader, supervisor
):
    from portal.backoffice import selectors as backoffice

    clock.set(EVENING)
    dossier = file_notice(
        citizen,
        stay_procedure,
        area,
        notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING)),
    )
    much_later = EVENING + dt.timedelta(days=60)
    assert not dossier.is_overdue(much_later)
    assert services.notify_overdue(now=much_later) == 0
    for user in (receiving_officer, unit_leader):
        counts = backoffice.queue_counts(user=user, now=much_later)
        assert all(c.count == 0 for c in counts), counts
        for queue in backoffice.QUEUES:
            assert not backoffice.queue_queryset(user=user, key=queue.key, now=much_later).exists()
    # Nothing anyone can do with it: no staff step, no withdrawal.
    for user in (citizen, receiving_officer, unit_leader, supervisor):
        assert services.allowed_actions(dossier=dossier, user=user) == []


def test_refusal_and_withdrawal_are_impossible_once_recorded(
    clock, citizen, stay_procedure, area, unit_leader
):
    clock.set(EVENING)
    dossier = file_notice(
        citizen,
        stay_procedure,
        area,
        notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING)),
    )
    with pytest.raises(Conflict) as refused:
        services.refuse(
            dossier=dossier,
            actor=unit_leader,
            reason="Không hợp lệ",
            legal_provision="Điều 30 Luật Cư trú 2020",
        )
    assert refused.value.code == "invalid_transition"
    with pytest.raises(Conflict):
        services.withdraw(dossier=dossier, actor=citizen, reason="Nhầm")
    assert Stay.objects.filter(dossier=dossier).count() == 1


def test_the_record_transition_is_not_open_to_ordinary_procedures(make_dossier, citizen):
    """A dossier of a procedure that does not record on submit stays waiting for reception."""
    dossier = make_dossier("submitted")
    assert dossier.state == State.SUBMITTED and dossier.due_at is not None
    from django_fsm import has_transition_perm

    assert not has_transition_perm(dossier.record, citizen)


def test_an_invalid_notice_records_nothing_and_keeps_the_draft(
    clock, citizen, stay_procedure, area
):
    clock.set(EVENING)
    data = notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING, days=45))
    draft = services.create_draft(
        citizen=citizen, procedure=stay_procedure, area=area, form_data=data
    )
    with pytest.raises(DomainError) as exc_info:
        services.submit(dossier=draft, actor=citizen)
    assert exc_info.value.code == "invalid_form"
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.form_data["guests"][0]["full_name"] == "Đỗ Minh Khang"
    assert not Stay.objects.exists()


# --- validation ----------------------------------------------------------------------------------


def submit_errors(citizen, stay_procedure, area, data) -> list[str]:
    draft = services.create_draft(
        citizen=citizen, procedure=stay_procedure, area=area, form_data=data
    )
    with pytest.raises(DomainError) as exc_info:
        services.submit(dossier=draft, actor=citizen)
    return exc_info.value.details.get("guests") or exc_info.value.details


def test_a_stay_longer_than_thirty_days_is_refused(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING, days=31)),
    )
    assert errors == [
        "Khách 1 (Đỗ Minh Khang): thời gian lưu trú một lần thông báo không quá 30 ngày "
        "(từ 01/12/2026 đến 01/01/2027 là 31 ngày)."
    ]
    # exactly thirty days is fine
    assert (
        file_notice(
            citizen,
            stay_procedure,
            area,
            notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING, days=30)),
        ).state
        == State.RESULT_RETURNED
    )


def test_an_end_before_the_start_is_refused(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest("038095001111", name="Đỗ Minh Khang", arrives=EVENING, days=-1)),
    )
    assert errors == [
        "Khách 1 (Đỗ Minh Khang): ngày rời đi (30/11/2026) phải từ ngày đến lưu trú "
        "(01/12/2026) trở đi."
    ]


def test_an_arrival_on_an_earlier_day_is_in_the_past(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest("038095001111", name="Đỗ Minh Khang", arrives=local(2026, 11, 30, 20, 0))),
    )
    assert errors == [
        "Khách 1 (Đỗ Minh Khang): thời điểm đến lưu trú 20:00 30/11/2026 đã qua hạn thông báo. "
        "Thông báo lưu trú trước 23 giờ của ngày bắt đầu lưu trú; khách đến sau 23 giờ thì "
        "thông báo trước 08 giờ ngày hôm sau."
    ]


def test_a_guest_listed_twice_is_refused(clock, citizen, stay_procedure, area, registry_guests):
    clock.set(EVENING)
    first = registry_guests[0]
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(
            guest(first.personal_id, arrives=EVENING),
            guest(registry_guests[1].personal_id, arrives=EVENING),
            guest(first.personal_id, arrives=EVENING),
        ),
    )
    assert errors == [
        "Khách 3 (Nguyễn Văn Ánh): đã khai ở dòng 1; mỗi người chỉ khai một lần trong thông báo."
    ]


def test_a_guest_living_at_this_very_address_is_not_a_stay(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    address = Address.objects.create(area=area, street=HOST_STREET)
    PermanentResidence.objects.create(
        person=registry_guests[0], address=address, registered_on=dt.date(2010, 1, 1)
    )
    TemporaryResidence.objects.create(
        person=registry_guests[1],
        address=address,
        registered_on=dt.date(2026, 6, 1),
        expires_on=dt.date(2027, 6, 1),
    )
    # an expired temporary residence here does not count
    TemporaryResidence.objects.create(
        person=registry_guests[2],
        address=address,
        registered_on=dt.date(2024, 6, 1),
        expires_on=dt.date(2025, 6, 1),
    )
    # the street typed differently (case, accents kept, spaces) is the same address
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(
            *(guest(p.personal_id, arrives=EVENING) for p in registry_guests[:3]),
            street="số 12  đường Hoàng Văn Thụ, tổ 3",
        ),
    )
    assert errors == [
        "Khách 1 (Nguyễn Văn Ánh) đang thường trú tại chính địa chỉ này: người ở tại nơi "
        "thường trú của mình không thuộc trường hợp thông báo lưu trú.",
        "Khách 2 (Trần Thị Bích) đang tạm trú tại chính địa chỉ này: người ở tại nơi tạm trú "
        "của mình không thuộc trường hợp thông báo lưu trú.",
    ]


def test_a_name_contradicting_the_registry_is_refused(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest(registry_guests[0].personal_id, name="Trần Văn Bảo", arrives=EVENING)),
    )
    assert errors == [
        "Khách 1: họ tên “Trần Văn Bảo” không khớp với Cơ sở dữ liệu về cư trú cho số định danh "
        "001090000001. Vui lòng kiểm tra lại số định danh hoặc để trống họ tên để hệ thống tự điền."
    ]


def test_a_birth_date_contradicting_the_registry_is_refused(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest(registry_guests[0].personal_id, arrives=EVENING, date_of_birth="1990-01-01")),
    )
    assert errors == [
        "Khách 1: ngày sinh 01/01/1990 không khớp với Cơ sở dữ liệu về cư trú cho số định danh "
        "001090000001."
    ]


def test_a_guest_unknown_to_the_registry_needs_a_name(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    errors = submit_errors(
        citizen, stay_procedure, area, notice(guest("038095001111", arrives=EVENING))
    )
    assert errors == [
        "Khách 1: số định danh 038095001111 chưa có trong Cơ sở dữ liệu về cư trú; "
        "vui lòng nhập họ tên của khách."
    ]


def test_form_level_messages_name_the_guest_line(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    bad = {"personal_id": "12345", "full_name": "A", "arrives_at": "hôm qua", "leaves_on": ""}
    draft = services.create_draft(
        citizen=citizen,
        procedure=stay_procedure,
        area=area,
        form_data={"host_name": "", "street": "", "guests": [bad]},
    )
    with pytest.raises(DomainError) as exc_info:
        services.submit(dossier=draft, actor=citizen)
    details = exc_info.value.details
    assert details["host_name"] == ["Vui lòng nhập tên cơ sở lưu trú hoặc chủ hộ."]
    assert details["street"] == ["Vui lòng nhập địa chỉ nơi lưu trú."]
    assert details["guests"] == [
        "Khách 1 – Số định danh cá nhân: Số định danh cá nhân gồm đúng 12 chữ số.",
        "Khách 1 – Đến lưu trú từ (giờ, ngày): Thời điểm đến lưu trú không hợp lệ "
        "(giờ:phút ngày/tháng/năm).",
        "Khách 1 – Lưu trú đến ngày: Vui lòng nhập ngày khách dự kiến rời đi.",
    ]
    empty = services.create_draft(
        citizen=citizen,
        procedure=stay_procedure,
        area=area,
        form_data={"host_name": "Nhà nghỉ", "street": HOST_STREET, "guests": []},
    )
    with pytest.raises(DomainError) as exc_info:
        services.submit(dossier=empty, actor=citizen)
    assert exc_info.value.details["guests"] == ["Vui lòng khai ít nhất một người đến lưu trú."]


# --- the registry fills what it knows ------------------------------------------------------------


def test_a_registry_guest_is_filled_from_the_registry(
    clock, citizen, stay_procedure, area, registry_guests
):
    clock.set(EVENING)
    person = registry_guests[0]
    # blank name, and the name typed without accents: both become the registry's name
    data = notice(
        guest(person.personal_id, arrives=EVENING),
        guest(registry_guests[1].personal_id, name="tran thi bich", arrives=EVENING),
    )
    draft = services.create_draft(
        citizen=citizen, procedure=stay_procedure, area=area, form_data=data
    )
    draft = services.update_draft(dossier=draft, actor=citizen, form_data=data)
    guests = draft.form_data["guests"]
    assert guests[0]["full_name"] == "Nguyễn Văn Ánh"
    assert guests[0]["date_of_birth"] == person.date_of_birth.isoformat()
    assert guests[1]["full_name"] == "Trần Thị Bích"


def test_the_form_is_prefilled_with_the_host(citizen, stay_procedure, area):
    from residence.procedures.stay import StayNoticePlugin

    person = upsert_person(
        personal_id=citizen.personal_id,
        full_name=citizen.full_name,
        date_of_birth=dt.date(1990, 5, 17),
        sex="M",
    )
    address = Address.objects.create(area=area, street="Số 5, tổ 5")
    PermanentResidence.objects.create(
        person=person, address=address, registered_on=dt.date(2015, 1, 1)
    )
    assert StayNoticePlugin().initial(citizen=citizen) == {
        "host_name": "Nguyễn Văn An",
        "street": "Số 5, tổ 5",
    }


# --- the 23:00 / 08:00 rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "earliest"),
    [
        (local(2026, 12, 2, 7, 59), local(2026, 12, 1, 23, 0)),
        (local(2026, 12, 2, 0, 5), local(2026, 12, 1, 23, 0)),
        (local(2026, 12, 2, 8, 0), local(2026, 12, 2, 0, 0)),
        (local(2026, 12, 2, 22, 59), local(2026, 12, 2, 0, 0)),
        (local(2026, 12, 2, 23, 30), local(2026, 12, 2, 0, 0)),
    ],
)
def test_earliest_arrival_follows_the_23_08_rule(now, earliest):
    assert stays.earliest_arrival(now) == earliest


@pytest.mark.parametrize(
    ("now", "arrival", "accepted"),
    [
        # before 08:00: a guest who came after 23:00 yesterday is still on time …
        (local(2026, 12, 2, 7, 30), local(2026, 12, 1, 23, 30), True),
        (local(2026, 12, 2, 7, 30), local(2026, 12, 1, 23, 0), True),
        # … one who came before 23:00 yesterday was due yesterday
        (local(2026, 12, 2, 7, 30), local(2026, 12, 1, 22, 30), False),
        # from 08:00 the grace is over
        (local(2026, 12, 2, 8, 30), local(2026, 12, 1, 23, 30), False),
        # the day's own arrivals, filed in the evening (before or after 23:00 — received 24/7)
        (local(2026, 12, 2, 22, 50), local(2026, 12, 2, 0, 10), True),
        (local(2026, 12, 2, 23, 40), local(2026, 12, 2, 23, 15), True),
    ],
)
def test_the_23_08_rule_on_submission(clock, citizen, stay_procedure, area, now, arrival, accepted):
    clock.set(now)
    data = notice(guest("038095001111", name="Đỗ Minh Khang", arrives=arrival))
    draft = services.create_draft(
        citizen=citizen, procedure=stay_procedure, area=area, form_data=data
    )
    if accepted:
        dossier = services.submit(dossier=draft, actor=citizen)
        assert dossier.state == State.RESULT_RETURNED
        assert dossier.received_at == now  # received 24/7: not moved to the next session
        assert Stay.objects.get(dossier=dossier).starts_at == arrival
    else:
        with pytest.raises(DomainError) as exc_info:
            services.submit(dossier=draft, actor=citizen)
        assert "đã qua hạn thông báo" in exc_info.value.details["guests"][0]
        assert not Stay.objects.exists()


def test_a_personal_number_in_other_digits_is_refused(clock, citizen, stay_procedure, area):
    clock.set(EVENING)
    errors = submit_errors(
        citizen,
        stay_procedure,
        area,
        notice(guest("０３８０９５００１１１１", name="Đỗ Minh Khang", arrives=EVENING)),
    )
    assert errors == ["Khách 1 – Số định danh cá nhân: Số định danh cá nhân gồm đúng 12 chữ số."]
