"""First issue (2.000200), renewal (2.001195) and re-issue (2.001194) of the identity card.

Approval (after the visit is checked in, or directly when no visit is needed) records the new card
in the registry (citizen_id.services) and marks the old one replaced, in the approval transaction;
the card is then returned by the dossier's result method (pickup or post)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from citizen_id.forms import (
    NO_BIOMETRICS_AGE,
    FirstIssueForm,
    ReissueForm,
    ReissueReason,
    RenewalForm,
    RenewalReason,
    age_on,
)
from citizen_id.models import CardStatus, IdentityCard, IssueKind

from .base import IdentityPlugin, biometric_reuse_years, parse_date, vn_date

FIRST_ISSUE = "2.000200"
RENEWAL = "2.001195"
REISSUE = "2.001194"


def latest_card(person, statuses) -> IdentityCard | None:
    if person is None:
        return None
    return (
        IdentityCard.objects.filter(person=person, status__in=statuses)
        .order_by("-issued_on", "-pk")
        .first()
    )


class CardPlugin(IdentityPlugin):
    kind = IssueKind.FIRST
    # Cards this procedure replaces (renewal / re-issue); empty for a first issue.
    replaceable: tuple[str, ...] = ()

    def old_card(self, dossier) -> IdentityCard | None:
        return latest_card(self.subject_person(dossier), self.replaceable)

    def approve(self, *, dossier, actor):
        from citizen_id import services as cards

        appointment = self.require_visit(dossier)
        person = self.subject_person(dossier, create=True)
        if person is None:  # pragma: no cover - clean() requires a date of birth
            from portal.core.errors import Conflict

            raise Conflict(_("Không xác định được người được cấp thẻ."), code="no_person")
        today = timezone.localdate()
        if appointment is not None and age_on(person.date_of_birth, today) >= NO_BIOMETRICS_AGE:
            cards.record_biometric_capture(
                person=person,
                captured_on=timezone.localtime(appointment.checked_in_at).date(),
                unit=appointment.unit,
                dossier=dossier,
            )
        old = self.old_card(dossier) if self.replaceable else None
        if old is not None:
            cards.replace_card(
                card=old,
                issued_on=today,
                kind=self.kind,
                issuing_unit=dossier.unit,
                dossier=dossier,
                actor=actor,
            )
        else:
            cards.issue_card(
                person=person,
                issued_on=today,
                issuing_unit=dossier.unit,
                kind=self.kind,
                dossier=dossier,
                actor=actor,
            )
        return None  # the result is the card itself, recorded in the registry


# ---------------------------------------------------------------------------------------------
# 2.000200 Cấp thẻ căn cước


class FirstIssuePlugin(CardPlugin):
    procedure_code = FIRST_ISSUE
    form_class = FirstIssueForm
    request_label = "Cấp thẻ căn cước"
    kind = IssueKind.FIRST

    def subject(self, dossier) -> dict[str, Any]:
        data = dossier.form_data or {}
        if not data.get("for_child"):
            return super().subject(dossier)
        return {
            "personal_id": data.get("child_personal_id", ""),
            "full_name": data.get("child_full_name", ""),
            "date_of_birth": parse_date(data.get("child_date_of_birth")),
            "sex": data.get("child_sex", ""),
            "representative": {
                "name": dossier.applicant_name,
                "personal_id": dossier.applicant_personal_id,
                "relation": str(dict(FirstIssueForm.RELATIONS).get(data.get("relation"), "")),
            },
        }

    def _child_age(self, dossier) -> int | None:
        who = self.subject(dossier)
        if who["representative"] is None or who["date_of_birth"] is None:
            return None
        return age_on(who["date_of_birth"], timezone.localdate())

    def check(self, *, dossier, data) -> dict[str, list[str]]:
        from residence.services.common import find_person

        for_child = bool(data.get("for_child"))
        personal_id = data.get("child_personal_id") if for_child else data.get("personal_id")
        person = find_person(personal_id or "")
        if person is not None and latest_card(person, (CardStatus.VALID,)) is not None:
            field = "child_personal_id" if for_child else "personal_id"
            return {
                field: [
                    _(
                        "Người này đã có thẻ căn cước còn hiệu lực: vui lòng chọn thủ tục cấp đổi "
                        "hoặc cấp lại thẻ căn cước."
                    )
                ]
            }
        return {}

    def required_documents(self, *, dossier) -> list:
        documents = super().required_documents(dossier=dossier)
        if (dossier.form_data or {}).get("for_child"):
            # Proof of representation (birth certificate, guardianship decision): mandatory when a
            # representative files for a child under 14 (listed, optional, in the catalogue).
            proof = [
                d for d in dossier.procedure.required_documents.all() if d.key == REPRESENTATION_KEY
            ]
            documents.extend(d for d in proof if d not in documents)
        return documents

    def needs_visit(self, *, dossier) -> tuple[bool, str]:
        age = self._child_age(dossier)
        if age is not None and age < NO_BIOMETRICS_AGE:
            return False, _(
                "Trẻ em dưới 6 tuổi không thu nhận sinh trắc học: người đại diện hợp pháp làm thủ "
                "tục trực tuyến, không cần đến trụ sở."
            )
        if age is not None:
            return True, _(
                "Người được cấp thẻ từ đủ 6 tuổi cùng người đại diện hợp pháp đến trụ sở Công an "
                "để thu nhận ảnh khuôn mặt, vân tay, mống mắt và đối chiếu giấy tờ."
            )
        return super().needs_visit(dossier=dossier)


REPRESENTATION_KEY = "giay-to-dai-dien"


# ---------------------------------------------------------------------------------------------
# 2.001195 Cấp đổi thẻ căn cước


class RenewalPlugin(CardPlugin):
    procedure_code = RENEWAL
    form_class = RenewalForm
    request_label = "Cấp đổi thẻ căn cước"
    kind = IssueKind.RENEWAL
    replaceable = (CardStatus.VALID, CardStatus.EXPIRED)

    def check(self, *, dossier, data) -> dict[str, list[str]]:
        from citizen_id.services import REMINDER_DAYS, renewal_age_of
        from residence.services.common import find_person

        card = latest_card(find_person(data.get("personal_id", "")), self.replaceable)
        if card is None:
            return {
                "reason": [
                    _(
                        "Không tìm thấy thẻ căn cước đang sử dụng của bạn trong Cơ sở dữ liệu: nếu "
                        "chưa được cấp thẻ, vui lòng chọn thủ tục cấp thẻ căn cước; nếu mất thẻ, "
                        "chọn thủ tục cấp lại."
                    )
                ]
            }
        if data.get("reason") == RenewalReason.AGE:
            soon = timezone.localdate() + dt.timedelta(days=REMINDER_DAYS)
            if card.expires_on is None or renewal_age_of(card) is None or card.expires_on > soon:
                until = (
                    _("có giá trị đến ngày %(date)s") % {"date": vn_date(card.expires_on)}
                    if card.expires_on
                    else _("không thời hạn")
                )
                return {
                    "reason": [
                        _(
                            "Thẻ của bạn %(until)s: chỉ cấp đổi do đủ tuổi khi thẻ sắp hết hạn "
                            "(trong vòng %(days)d ngày) hoặc đã hết hạn."
                        )
                        % {"until": until, "days": REMINDER_DAYS}
                    ]
                }
        return {}

    def fee_waived(self, *, dossier) -> bool:
        # No fee for a renewal at a renewal age or caused by a change of administrative boundaries
        # (catalogue exemptions, Circular 73/2024/TT-BTC).
        return (dossier.form_data or {}).get("reason") in (
            RenewalReason.AGE,
            RenewalReason.BOUNDARY,
        )

    def needs_visit(self, *, dossier) -> tuple[bool, str]:
        return True, _(
            "Cấp đổi thẻ: cần đến trụ sở Công an để thu nhận lại ảnh khuôn mặt, sinh trắc học, "
            "đối chiếu giấy tờ và nộp lại thẻ cũ."
        )


# ---------------------------------------------------------------------------------------------
# 2.001194 Cấp lại thẻ căn cước


class ReissuePlugin(CardPlugin):
    procedure_code = REISSUE
    form_class = ReissueForm
    request_label = "Cấp lại thẻ căn cước"
    kind = IssueKind.REISSUE
    replaceable = (CardStatus.VALID, CardStatus.REPORTED_LOST, CardStatus.EXPIRED)

    def check(self, *, dossier, data) -> dict[str, list[str]]:
        from residence.services.common import find_person

        if latest_card(find_person(data.get("personal_id", "")), self.replaceable) is None:
            return {
                "reason": [
                    _(
                        "Không tìm thấy thẻ căn cước đã cấp cho bạn trong Cơ sở dữ liệu: nếu chưa "
                        "được cấp thẻ, vui lòng chọn thủ tục cấp thẻ căn cước."
                    )
                ]
            }
        return {}

    def needs_visit(self, *, dossier) -> tuple[bool, str]:
        """Since 2025 a lost or damaged card is re-issued fully online (card by post) when the
        biometrics on file are recent and the personal data unchanged."""
        from citizen_id.services import last_biometric_capture

        data = dossier.form_data or {}
        if data.get("data_changed"):
            return True, _(
                "Thông tin nhân thân đã thay đổi so với thẻ cũ: cần đến trụ sở Công an để đối "
                "chiếu giấy tờ và thu nhận lại thông tin."
            )
        capture = last_biometric_capture(person=self.subject_person(dossier))
        years = biometric_reuse_years()
        if capture is None:
            return True, _(
                "Chưa có dữ liệu sinh trắc học của bạn trong Cơ sở dữ liệu: cần đến trụ sở Công an "
                "để thu nhận ảnh khuôn mặt, vân tay, mống mắt."
            )
        today = timezone.localdate()
        if age_on(capture.captured_on, today) >= years:
            return True, _(
                "Sinh trắc học thu nhận ngày %(date)s đã quá %(years)d năm: cần đến trụ sở Công an "
                "để thu nhận lại."
            ) % {"date": vn_date(capture.captured_on), "years": years}
        return False, _(
            "Sử dụng sinh trắc học đã thu nhận ngày %(date)s và thông tin không thay đổi: cấp lại "
            "trực tuyến, không cần đến trụ sở; thẻ được gửi theo hình thức nhận đã chọn."
        ) % {"date": vn_date(capture.captured_on)}


PLUGINS = [FirstIssuePlugin(), RenewalPlugin(), ReissuePlugin()]

__all__ = [
    "FIRST_ISSUE",
    "REISSUE",
    "RENEWAL",
    "ReissueReason",
    "PLUGINS",
]
