"""Dossiers (hồ sơ): the generic engine's data and its state machine.

Transitions are model methods guarded by role (django-fsm `permission`) and called only from
`portal.dossiers.services`, which lock the row first. Every transition appends an immutable
`DossierEvent`. The engine never imports a field app; field apps register plugins (see registry.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.accounts.models import Role
from portal.catalogue.models import ResultMethod


class State(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Mới nộp, chờ tiếp nhận")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thanh toán lệ phí")
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    APPROVED = "approved", _("Đã có kết quả, chờ trả")
    RESULT_RETURNED = "result_returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận / giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân đã rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")


# Status codes used to sync with the national public-service portal (domain.md §4).
NATIONAL_STATUS_CODES: dict[str, int | None] = {
    State.DRAFT: None,
    State.SUBMITTED: 1,
    State.RECEIVED: 2,
    State.REFUSED: 3,
    State.PROCESSING: 4,
    State.SUPPLEMENT_REQUESTED: 5,
    State.AWAITING_PAYMENT: 6,
    State.WITHDRAWN: 7,
    State.STOPPED: 8,
    State.APPROVED: 9,
    State.RESULT_RETURNED: 10,
}

# How a notice recorded at once (thông báo lưu trú) shows its final state.
RECORDED_LABEL = _("Đã ghi nhận")

FINAL_STATES = (State.RESULT_RETURNED, State.REFUSED, State.WITHDRAWN, State.STOPPED)
# States in which the legal clock runs (it is paused while a supplement is pending).
CLOCK_RUNNING_STATES = (State.SUBMITTED, State.RECEIVED, State.PROCESSING, State.APPROVED)

RECEIVING = (Role.RECEIVING_OFFICER, Role.UNIT_LEADER)
HANDLING = (Role.HANDLING_OFFICER, Role.UNIT_LEADER)
OFFICERS = (Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER)
LEADER = (Role.UNIT_LEADER,)


def _citizen_owner(instance: Dossier, user) -> bool:
    return user is not None and user.is_authenticated and instance.citizen_id == user.pk


def _staff_of_unit(*roles: str):
    """Permission for a transition: staff of the dossier's own unit holding one of `roles`.

    Supervisors of the level above see the subtree but act on nothing: they are not of the unit.
    """

    def check(instance: Dossier, user) -> bool:
        return (
            user is not None
            and user.is_authenticated
            and getattr(user, "unit_id", None) == instance.unit_id
            and user.has_role(*roles)
        )

    check.roles = roles  # for the role × state documentation and tests
    return check


def _supervisor_of_unit(instance: Dossier, user) -> bool:
    """Permission to reopen a refused or stopped dossier: a supervisor of the level above (the
    dossier's unit is strictly below their unit), or an administrator."""
    from portal.accounts.access import is_administrator, is_supervisor_of

    return is_supervisor_of(user, instance.unit) or is_administrator(user)


_supervisor_of_unit.roles = (Role.SUPERVISOR,)

REOPENABLE = (State.REFUSED, State.STOPPED)


def _owner_of_recorded_notice(instance: Dossier, user) -> bool:
    """Permission to record a notice at once (thông báo lưu trú): the citizen who filed it, and
    only for a procedure whose plugin records on submit."""
    from portal.dossiers.registry import registry

    plugin = registry.get(instance.procedure.code)
    return _citizen_owner(instance, user) and bool(getattr(plugin, "records_on_submit", False))


def _system(instance: Dossier, user) -> bool:
    return user is None  # payment gateway callbacks and scheduled jobs act as the system


class Dossier(FSMModelMixin, models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    procedure = models.ForeignKey(
        "catalogue.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    area = models.ForeignKey(
        "units.AdministrativeArea",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(
        _("trạng thái"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    version = models.PositiveIntegerField(default=0, help_text="Incremented on every change.")

    # What the citizen filed (validated by the procedure plugin's form) and who it is for.
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    applicant_name = models.CharField(_("họ tên người yêu cầu"), max_length=150, blank=True)
    applicant_personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, blank=True, db_index=True
    )
    applicant_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # Accent- and case-folded code, applicant name and address (portal.core.text.fold), kept by
    # save(): staff search matches "tran thi mai" to "Trần Thị Mai" and part of a code; a trigram
    # index on PostgreSQL (migration 0003, PostgreSQL only) serves its `contains` lookups.
    search_text = models.TextField(editable=False, blank=True, default="")

    # Result, fee and payment (level 4 payment is a later issue; the fields are here now).
    result_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=20, blank=True, choices=ResultMethod.choices
    )
    result_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    fee_amount = models.PositiveIntegerField(_("lệ phí (đồng)"), default=0)
    # Frozen at submission from the postal fee table (portal.postal.fees.postal_fee_for).
    postal_fee = models.PositiveIntegerField(_("cước bưu chính (đồng)"), default=0)
    fee_paid_online = models.BooleanField(_("nộp lệ phí trực tuyến"), default=False)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)

    # Deadline bookkeeping (calendar in portal.workcalendar). Overdue is derived, never stored.
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(
        _("thời điểm tiếp nhận"),
        null=True,
        blank=True,
        help_text=_("Thời điểm tiếp nhận theo quy định (tính thời hạn)."),
    )
    accepted_at = models.DateTimeField(_("cán bộ tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("tạm dừng tính thời hạn lúc"), null=True, blank=True)
    remaining_office_seconds = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["unit", "state", "due_at"], name="dossier_queue_idx"),
            models.Index(fields=["unit", "state", "submitted_at"], name="dossier_reception_idx"),
            models.Index(fields=["citizen", "-created_at"], name="dossier_citizen_idx"),
            models.Index(fields=["unit", "-submitted_at"], name="dossier_unit_recent_idx"),
            GinIndex(
                fields=["search_text"], opclasses=["gin_trgm_ops"], name="dossier_search_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    SEARCHED_FIELDS = ("code", "applicant_name", "applicant_address")
    NFC_FIELDS = ("applicant_name", "applicant_address", "result_address")

    def save(self, *args, **kwargs):
        from portal.core.text import fold, nfc, nfc_deep

        for field in self.NFC_FIELDS:
            setattr(self, field, nfc(getattr(self, field)))
        self.form_data = nfc_deep(self.form_data)
        self.search_text = fold(" ".join(getattr(self, f) or "" for f in self.SEARCHED_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    # --- derived -------------------------------------------------------------------------
    @property
    def national_status_code(self) -> int | None:
        return NATIONAL_STATUS_CODES[self.state]

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_recorded_at_once(self) -> bool:
        """A notice recorded on submission (no staff step, no deadline): see services.submit."""
        return (
            self.state == State.RESULT_RETURNED
            and self.accepted_at is None
            and self.due_at is None
            and self.returned_at is not None
        )

    def get_state_display(self) -> str:
        if self.is_recorded_at_once:
            return str(RECORDED_LABEL)
        return str(State(self.state).label) if self.state in State.values else self.state

    def is_overdue(self, now=None) -> bool:
        if not self.due_at or self.state not in CLOCK_RUNNING_STATES:
            return False
        return (now or timezone.now()) > self.due_at

    # --- transitions (call through services only) -----------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED, permission=_citizen_owner)
    def submit(self):
        pass

    @transition(
        field=state, source=State.DRAFT, target=State.AWAITING_PAYMENT, permission=_citizen_owner
    )
    def submit_for_payment(self):
        pass

    @transition(
        field=state, source=State.AWAITING_PAYMENT, target=State.SUBMITTED, permission=_system
    )
    def confirm_payment(self):
        pass

    # A notice recorded at once (records_on_submit plugins): submitted, then completed in the
    # same transaction, with no staff step and no deadline.
    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RESULT_RETURNED,
        permission=_owner_of_recorded_notice,
    )
    def record(self):
        pass

    @transition(
        field=state,
        source=[State.DRAFT, State.SUBMITTED, State.AWAITING_PAYMENT],
        target=State.WITHDRAWN,
        permission=_citizen_owner,
    )
    def withdraw(self):
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECEIVED,
        permission=_staff_of_unit(*RECEIVING),
    )
    def receive(self):
        pass

    @transition(
        field=state,
        source=[State.SUBMITTED, State.RECEIVED, State.PROCESSING],
        target=State.SUPPLEMENT_REQUESTED,
        permission=_staff_of_unit(*OFFICERS),
    )
    def request_supplement(self):
        pass

    @transition(
        field=state,
        source=State.SUPPLEMENT_REQUESTED,
        target=State.SUBMITTED,
        permission=_citizen_owner,
    )
    def resubmit(self):
        pass

    @transition(
        field=state,
        source=[State.SUBMITTED, State.RECEIVED, State.PROCESSING],
        target=State.REFUSED,
        permission=_staff_of_unit(*LEADER),  # officers propose, the leader decides (issue 14)
    )
    def refuse(self):
        pass

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.PROCESSING,
        permission=_staff_of_unit(*HANDLING),
    )
    def start_processing(self):
        pass

    @transition(
        field=state,
        source=State.PROCESSING,
        target=State.APPROVED,
        permission=_staff_of_unit(*LEADER),
    )
    def approve(self):
        pass

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.RESULT_RETURNED,
        permission=_staff_of_unit(*OFFICERS),
    )
    def return_result(self):
        pass

    @transition(
        field=state,
        source=[State.RECEIVED, State.PROCESSING, State.SUPPLEMENT_REQUESTED],
        target=State.STOPPED,
        permission=_staff_of_unit(*LEADER),
    )
    def stop(self):
        pass

    # The level above reopens a refused or stopped dossier (e.g. on a citizen's complaint): the
    # legal clock restarts from the reopening.
    @transition(
        field=state, source=REOPENABLE, target=State.RECEIVED, permission=_supervisor_of_unit
    )
    def reopen_received(self):
        pass

    @transition(
        field=state, source=REOPENABLE, target=State.PROCESSING, permission=_supervisor_of_unit
    )
    def reopen_processing(self):
        pass


class _AppendOnlyQuerySet(models.QuerySet):
    """History is appended, never rewritten: bulk updates and deletes are refused too."""

    def update(self, **kwargs):
        raise ValueError("Dossier history rows are immutable.")

    def delete(self):
        raise ValueError("Dossier history rows are immutable.")


class DossierEvent(models.Model):
    """One immutable history row per transition or recorded act (assignment, apology, contact…)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    action = models.CharField(_("thao tác"), max_length=40)
    from_state = models.CharField(
        _("từ trạng thái"), max_length=30, blank=True, choices=State.choices
    )
    to_state = models.CharField(_("sang trạng thái"), max_length=30, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=20, blank=True, help_text="citizen, staff or system")
    actor_role = models.CharField(max_length=30, blank=True, choices=Role.choices)
    actor_unit = models.ForeignKey(
        "units.PoliceUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("lý do / nội dung"), blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch sử hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["dossier", "at", "pk"]
        indexes = [models.Index(fields=["action", "at"], name="dossier_event_stats_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Dossier history rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Dossier history rows are immutable.")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"dossiers/{instance.dossier.code}/attachments/{filename}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    requirement_key = models.CharField(
        _("giấy tờ"),
        max_length=60,
        blank=True,
        help_text="RequiredDocument.key, or blank for other papers",
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    supplement_request = models.ForeignKey(
        "SupplementRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    verified = models.BooleanField(_("đã kiểm tra"), default=False)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["dossier", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SupplementRequest(models.Model):
    """All items staff ask for, in one request (CT05). `items`: [{"document", "copy_kind", "problem"}]."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplement_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    items = models.JSONField(default=list)
    guidance = models.TextField(_("hướng dẫn"))
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "-requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.requested_at:%Y-%m-%d}"


def document_path(instance: Document, filename: str) -> str:
    return f"dossiers/{instance.dossier.code}/documents/{filename}"


class Document(models.Model):
    """A document the portal issues about a dossier (slips, result). Rendered after commit."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (CT04)")
        SUPPLEMENT_GUIDANCE = "supplement_guidance", _("Phiếu hướng dẫn bổ sung hồ sơ (CT05)")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận, giải quyết hồ sơ (CT06)")
        APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
        RESULT = "result", _("Kết quả giải quyết")
        FORM = "form", _("Tờ khai đã điền")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang tạo")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Lỗi")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    template_name = models.CharField(max_length=200)
    context = models.JSONField(
        default=dict, blank=True, help_text="Facts frozen at issue time (rendered later)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=document_path, max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    # Unguessable id printed (as a QR code) on the document: /xac-thuc/<public_id>/ (portal.signing).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    signed = models.BooleanField(_("đã ký số"), default=False)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["dossier", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.dossier_id}"


class CodeSequence(models.Model):
    """Per unit and day counter for dossier codes; locked row → no duplicates under concurrency."""

    unit = models.ForeignKey("units.PoliceUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="unique_code_sequence")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day}: {self.last}"
