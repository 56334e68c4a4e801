"""Xác nhận thông tin về cư trú (1.010041): the citizen asks for a CT07 about themselves or a
member of their household (a child …); approval issues CT07 from the registry as it is then.

Deadline (Luật Cư trú / domain.md §3): ½ working day when the person's data exist in the residence
database, otherwise the catalogue's maximum (03 working days: staff must verify).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.errors import Conflict
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec
from residence.documents import registry_form_context
from residence.services import confirmation as svc
from residence.services.common import find_person, person_of_account

CONFIRMATION = "1.010041"
CT07_TEMPLATE = "residence/pdf/ct07.html"
HALF_DAY = Decimal("0.5")

SUBJECT_CHOICES = [
    ("self", gettext_lazy("Bản thân tôi")),
    ("member", gettext_lazy("Thành viên trong hộ gia đình (con, vợ/chồng …)")),
]
RELATION_CHOICES = [
    ("child", gettext_lazy("Con")),
    ("spouse", gettext_lazy("Vợ/chồng")),
    ("parent", gettext_lazy("Bố/mẹ")),
    ("sibling", gettext_lazy("Anh/chị/em")),
    ("grandchild", gettext_lazy("Cháu")),
    ("ward", gettext_lazy("Người được giám hộ")),
    ("other", gettext_lazy("Khác")),
]
CONTENT_CHOICES = [
    (svc.CONTENT_PERSONAL, gettext_lazy("Thông tin nhân thân")),
    (svc.CONTENT_PERMANENT, gettext_lazy("Nơi thường trú")),
    (svc.CONTENT_TEMPORARY, gettext_lazy("Nơi tạm trú")),
    (svc.CONTENT_CURRENT, gettext_lazy("Nơi ở hiện tại")),
    (svc.CONTENT_HOUSEHOLD, gettext_lazy("Chủ hộ và các thành viên trong hộ")),
    (svc.CONTENT_HISTORY, gettext_lazy("Các nơi cư trú trước đây")),
]


class ConfirmationForm(forms.Form):
    subject = forms.ChoiceField(
        label=gettext_lazy("Xác nhận thông tin của"),
        choices=SUBJECT_CHOICES,
        initial="self",
        widget=forms.RadioSelect,
    )
    personal_id = forms.RegexField(
        label=gettext_lazy("Số định danh cá nhân của người được xác nhận"),
        regex=r"^\d{12}$",
        required=False,
        help_text=gettext_lazy("Chỉ nhập khi xác nhận thông tin của thành viên trong hộ."),
        error_messages={"invalid": gettext_lazy("Số định danh cá nhân gồm đúng 12 chữ số.")},
    )
    full_name = forms.CharField(
        label=gettext_lazy("Họ, chữ đệm và tên người được xác nhận"), max_length=150, required=False
    )
    relation = forms.ChoiceField(
        label=gettext_lazy("Quan hệ với người đề nghị"),
        choices=[("", "---")] + RELATION_CHOICES,
        required=False,
    )
    purpose = forms.CharField(
        label=gettext_lazy("Mục đích xác nhận"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Vui lòng nêu mục đích xác nhận.")},
    )
    contents = forms.MultipleChoiceField(
        label=gettext_lazy("Nội dung cần xác nhận"),
        choices=CONTENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Để trống: xác nhận tất cả các nội dung."),
    )

    def clean(self):
        data = super().clean()
        if data.get("subject") == "member":
            if not data.get("personal_id") and "personal_id" not in self.errors:
                self.add_error(
                    "personal_id",
                    _("Vui lòng nhập số định danh cá nhân của người cần xác nhận thông tin."),
                )
            if not data.get("relation"):
                self.add_error("relation", _("Vui lòng chọn quan hệ với người đề nghị."))
        if not data.get("contents"):
            data["contents"] = list(svc.ALL_CONTENTS)
        return data


class ConfirmationPlugin(ProcedurePlugin):
    procedure_code = CONFIRMATION
    form_class = ConfirmationForm

    def initial(self, *, citizen) -> dict[str, Any]:
        return {
            "subject": "self",
            "personal_id": getattr(citizen, "personal_id", "") or "",
            "full_name": getattr(citizen, "full_name", "") or "",
            "relation": "",
            "purpose": "",
            "contents": list(svc.ALL_CONTENTS),
        }

    def clean(self, *, dossier, data: dict[str, Any]) -> dict[str, Any]:
        data = dict(data or {})
        data.setdefault("subject", "self")
        citizen = dossier.citizen
        if data.get("subject") != "member":
            data["personal_id"] = citizen.personal_id or ""
            data["full_name"] = citizen.full_name or ""
            data["relation"] = ""
        cleaned = super().clean(dossier=dossier, data=data)
        if cleaned["subject"] == "member":
            pid = cleaned["personal_id"]
            if pid == (citizen.personal_id or ""):
                raise forms.ValidationError(
                    {
                        "personal_id": _(
                            "Đây là số định danh cá nhân của bạn: chọn “Bản thân tôi” để xác "
                            "nhận thông tin của chính mình."
                        )
                    }
                )
            person = find_person(pid)
            if person is not None:
                # Known to the registry: only a member of the applicant's own household.
                if not svc.same_household(person_of_account(citizen), person):
                    raise forms.ValidationError(
                        {
                            "personal_id": _(
                                "Người có số định danh cá nhân %(pid)s không có tên trong hộ gia "
                                "đình của bạn theo Cơ sở dữ liệu về cư trú; chỉ đề nghị xác nhận "
                                "thông tin cho bản thân hoặc thành viên trong hộ của mình."
                            )
                            % {"pid": pid}
                        }
                    )
                cleaned["full_name"] = person.full_name
            elif not cleaned.get("full_name"):
                raise forms.ValidationError(
                    {"full_name": _("Vui lòng nhập họ, chữ đệm và tên người cần xác nhận.")}
                )
        return cleaned

    def required_documents(self, *, dossier) -> list:
        # Filed online, the e-form is the CT01 declaration: no upload of the form itself.
        return [
            d
            for d in dossier.procedure.required_documents.all()
            if d.is_mandatory and not d.key.startswith("to-khai")
        ]

    def deadline_working_days(self, *, dossier) -> Decimal:
        pid = (dossier.form_data or {}).get("personal_id") or ""
        if svc.has_residence_data(pid):
            return HALF_DAY
        procedure = dossier.procedure
        return Decimal(procedure.deadline_days_max or procedure.deadline_days or 3)

    def approve(self, *, dossier, actor) -> ResultDocumentSpec:
        data = dossier.form_data or {}
        try:
            ct07 = svc.issue_confirmation(
                dossier=dossier,
                personal_id=data.get("personal_id", ""),
                purpose=data.get("purpose", ""),
                contents=list(data.get("contents") or []),
            )
        except LookupError:
            raise Conflict(
                _(
                    "Cơ sở dữ liệu về cư trú chưa có thông tin của người có số định danh cá nhân "
                    "%(pid)s: cập nhật thông tin sau khi xác minh hoặc từ chối hồ sơ."
                )
                % {"pid": data.get("personal_id", "")},
                code="registry_data_missing",
            ) from None
        ct07["purpose"] = data.get("purpose", "")
        ct07["for_member"] = data.get("subject") == "member"
        ct07["relation"] = str(dict(RELATION_CHOICES).get(data.get("relation"), ""))
        return ResultDocumentSpec(
            template_name=CT07_TEMPLATE,
            title=_("Giấy xác nhận thông tin về cư trú"),
            context={"ct07": ct07, "signer_role": _("Trưởng Công an")},
        )

    def form_context(self, *, dossier) -> dict[str, Any]:
        return registry_form_context(personal_id=dossier.applicant_personal_id)

    def summary(self, *, dossier) -> list[tuple[str, str]]:
        data = dossier.form_data or {}
        contents = dict(CONTENT_CHOICES)
        rows = [
            (_("Xác nhận thông tin của"), str(dict(SUBJECT_CHOICES).get(data.get("subject"), ""))),
            (_("Họ, chữ đệm và tên"), data.get("full_name", "")),
            (_("Số định danh cá nhân"), data.get("personal_id", "")),
        ]
        if data.get("subject") == "member":
            rows.append(
                (
                    _("Quan hệ với người đề nghị"),
                    str(dict(RELATION_CHOICES).get(data.get("relation"), "")),
                )
            )
        rows.append((_("Mục đích xác nhận"), data.get("purpose", "")))
        rows.append(
            (
                _("Nội dung cần xác nhận"),
                "; ".join(str(contents.get(c, c)) for c in data.get("contents") or []),
            )
        )
        return rows


PLUGINS = [ConfirmationPlugin()]
