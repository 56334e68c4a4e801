"""Thông báo lưu trú (2.001159): hosts and accommodation notify the guests staying with them.

Received 24/7 (catalogue reception_mode round_the_clock) and recorded at once: a valid notice is
approved and completed in the submit transaction (`records_on_submit`), with no staff step and no
deadline that could turn overdue. The registry writes are in residence.services.stays.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from portal.dossiers.formfields import validate_form
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, _jsonable
from residence.forms_stay import StayNoticeForm
from residence.services import stays as stay_services

STAY_NOTICE = "2.001159"


class StayNoticePlugin(ProcedurePlugin):
    procedure_code = STAY_NOTICE
    form_class = StayNoticeForm
    records_on_submit = True
    initial_fields = ("host_name", "street")

    def initial(self, *, citizen) -> dict[str, Any]:
        from residence.services.common import current_permanent, person_of_account

        data: dict[str, Any] = {"host_name": getattr(citizen, "full_name", "") or ""}
        person = person_of_account(citizen)
        residence = current_permanent(person) if person is not None else None
        if residence is not None:
            data["street"] = residence.address.street
        return data

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        cleaned, form_errors, _fields = validate_form(self.form_class, data)
        cleaned = dict(cleaned)
        if form_errors:
            raise forms.ValidationError(form_errors)
        ids = frozenset(g.get("personal_id", "") for g in cleaned["guests"])
        persons = stay_services.persons_by_id(ids)
        guests, errors = stay_services.validate_guests(
            area=dossier.area, street=cleaned["street"], guests=cleaned["guests"], persons=persons
        )
        # approve() in the same transaction (records_on_submit) writes with these very persons
        dossier._stay_persons = (ids, persons)
        if errors:
            raise forms.ValidationError({"guests": [forms.ValidationError(m) for m in errors]})
        cleaned["guests"] = [
            {**g, "arrives_at": timezone.localtime(g["arrives_at"]).strftime("%Y-%m-%dT%H:%M")}
            for g in guests
        ]
        return {k: _jsonable(v) for k, v in cleaned.items()}

    def required_documents(self, *, dossier) -> list:
        return []  # the notice is typed in full on the portal; no paper is attached

    def approve(self, *, dossier, actor) -> ResultDocumentSpec | None:
        persons = None
        read = getattr(dossier, "_stay_persons", None)  # clean() just before, same transaction
        if read is not None and _guest_ids(dossier) == read[0]:
            persons = read[1]
        stay_services.record_stays(dossier=dossier, persons=persons)
        return None  # the confirmation is the dossier page itself ("Đã ghi nhận")

    def summary(self, *, dossier) -> list[tuple[str, str]]:
        from django.utils.translation import gettext as _

        data = dossier.form_data or {}
        rows = [
            (_("Cơ sở lưu trú / chủ hộ"), str(data.get("host_name", ""))),
            (_("Địa chỉ nơi lưu trú"), str(data.get("street", ""))),
        ]
        for i, guest in enumerate(data.get("guests") or [], start=1):
            if not isinstance(guest, dict):
                continue
            rows.append(
                (
                    _("Khách %(i)d") % {"i": i},
                    _("%(name)s (%(pid)s), từ %(start)s đến ngày %(end)s")
                    % {
                        "name": guest.get("full_name", ""),
                        "pid": guest.get("personal_id", ""),
                        "start": _vn_datetime(guest.get("arrives_at", "")),
                        "end": _vn_date(guest.get("leaves_on", "")),
                    },
                )
            )
        return rows


def _guest_ids(dossier) -> frozenset[str]:
    """The personal numbers of the notice's guests."""
    guests = (dossier.form_data or {}).get("guests") or []
    return frozenset(g.get("personal_id", "") for g in guests if isinstance(g, dict))


def _vn_date(value) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value or "")


def _vn_datetime(value) -> str:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(str(value)).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return str(value or "")


PLUGINS = [StayNoticePlugin()]
