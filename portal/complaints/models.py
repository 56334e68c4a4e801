"""Complaints (phản ánh, kiến nghị) and satisfaction ratings.

A complaint is about a unit (the unit CONCERNED, `unit`), optionally about one of its dossiers. It
is handled by the level above (`handling_unit`: the unit's parent, one level higher for a repeat,
and higher again each time a step runs late). Transitions are model methods guarded by role
(django-fsm `permission`), called only from `portal.complaints.services` after a row lock; every
transition or recorded act appends an immutable `ComplaintEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from portal.accounts.models import Role


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận, chờ cấp trên chỉ đạo")
    DIRECTED = "directed", _("Cấp trên đã chỉ đạo, chờ đơn vị liên hệ")
    CONTACTED = "contacted", _("Đơn vị đã liên hệ công dân, đang giải quyết")
    RESOLVED = "resolved", _("Đơn vị đã giải quyết, chờ xác nhận")
    CLOSED = "closed", _("Đã kết thúc")


OPEN_STATES = (
    ComplaintState.RECEIVED,
    ComplaintState.DIRECTED,
    ComplaintState.CONTACTED,
    ComplaintState.RESOLVED,
)


class Category(models.TextChoices):
    LATE_RESULT = "late_result", _("Trả kết quả chậm, quá hẹn")
    ELIGIBLE_RETURNED = "eligible_returned", _("Hồ sơ đủ điều kiện nhưng bị trả lại")
    REFUSAL_WITHOUT_REASON = "refusal_without_reason", _("Từ chối không nêu lý do cụ thể")
    IN_PERSON_DEMANDED = "in_person_demanded", _("Bị yêu cầu đến nộp trực tiếp")
    INCOMPLETE_GUIDANCE = "incomplete_guidance", _("Hướng dẫn bổ sung không đầy đủ, nhiều lần")
    STAFF_CONDUCT = "staff_conduct", _("Thái độ, tác phong của cán bộ")
    OTHER = "other", _("Nội dung khác")


OFFICERS = (Role.RECEIVING_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER)
LEADER = (Role.UNIT_LEADER,)


@dataclass(frozen=True)
class PhoneActor:
    """A complainant without an account, whose phone number was verified by an SMS code (the
    views and the API build one only after that check)."""

    phone: str
    is_authenticated = False
    is_active = True
    pk = None
    is_officer = False
    is_citizen = False


def _supervisor_of_handling(instance: Complaint, user) -> bool:
    """A supervisor of the handling unit or above it (or an administrator)."""
    from portal.accounts.access import is_administrator, is_officer

    if is_administrator(user):
        return True
    if not is_officer(user) or not user.unit_id or not user.has_role(Role.SUPERVISOR):
        return False
    return instance.handling_unit.path.startswith(user.unit.path)


_supervisor_of_handling.roles = (Role.SUPERVISOR,)


def _officer_of_unit(*roles: str):
    def check(instance: Complaint, user) -> bool:
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "is_officer", False)
            and user.unit_id == instance.unit_id
            and user.has_role(*roles)
        )

    check.roles = roles
    return check


def _complainant(instance: Complaint, user) -> bool:
    if user is None:
        return False
    if isinstance(user, PhoneActor):
        return instance.citizen_id is None and bool(user.phone) and user.phone == instance.phone
    return bool(user.is_authenticated and instance.citizen_id == user.pk)


_complainant.roles = ()


class Complaint(FSMModelMixin, models.Model):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    name = models.CharField(_("họ tên người phản ánh"), max_length=150, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị bị phản ánh"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    handling_unit = models.ForeignKey(
        "units.PoliceUnit",
        verbose_name=_("đơn vị chỉ đạo giải quyết"),
        on_delete=models.PROTECT,
        related_name="handled_complaints",
    )
    category = models.CharField(_("loại phản ánh"), max_length=30, choices=Category.choices)
    description = models.TextField(_("nội dung phản ánh"))
    state = FSMField(
        _("trạng thái"),
        default=ComplaintState.RECEIVED,
        choices=ComplaintState.choices,
        protected=True,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0)
    is_repeat = models.BooleanField(_("phản ánh lặp lại"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("lặp lại phản ánh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalations = models.PositiveSmallIntegerField(_("số lần chuyển cấp trên"), default=0)
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now, db_index=True)
    step_due_at = models.DateTimeField(_("hạn bước hiện tại"), null=True, blank=True)
    instruction = models.TextField(_("chỉ đạo của cấp trên"), blank=True)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    corrective_action = models.TextField(_("biện pháp khắc phục"), blank=True)
    resolved_at = models.DateTimeField(_("giải quyết lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["handling_unit", "state"], name="complaint_handling_idx"),
            models.Index(fields=["unit", "created_at"], name="complaint_unit_idx"),
            models.Index(fields=["citizen", "-created_at"], name="complaint_citizen_idx"),
            models.Index(fields=["state", "step_due_at"], name="complaint_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"PA{self.pk:06d}" if self.pk else "PA"

    @property
    def is_open(self) -> bool:
        return self.state != ComplaintState.CLOSED

    def is_overdue(self, now=None) -> bool:
        return bool(
            self.is_open and self.step_due_at and (now or timezone.now()) > self.step_due_at
        )

    # --- transitions (call through services only) -----------------------------------------
    @transition(
        field=state,
        source=ComplaintState.RECEIVED,
        target=ComplaintState.DIRECTED,
        permission=_supervisor_of_handling,
    )
    def direct(self):
        pass

    @transition(
        field=state,
        source=ComplaintState.DIRECTED,
        target=ComplaintState.CONTACTED,
        permission=_officer_of_unit(*OFFICERS),
    )
    def contact(self):
        pass

    @transition(
        field=state,
        source=ComplaintState.CONTACTED,
        target=ComplaintState.RESOLVED,
        permission=_officer_of_unit(*LEADER),
    )
    def resolve(self):
        pass

    @transition(
        field=state,
        source=ComplaintState.RESOLVED,
        target=ComplaintState.CLOSED,
        permission=_supervisor_of_handling,
    )
    def close(self):
        pass

    @transition(
        field=state,
        source=ComplaintState.RESOLVED,
        target=ComplaintState.CLOSED,
        permission=_complainant,
    )
    def confirm(self):
        pass

    @transition(
        field=state,
        source=[ComplaintState.RESOLVED, ComplaintState.CLOSED],
        target=ComplaintState.RECEIVED,
        permission=_complainant,
    )
    def reopen(self):
        pass


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("Complaint history rows are immutable.")

    def delete(self):
        raise ValueError("Complaint history rows are immutable.")


class ComplaintEvent(models.Model):
    """One immutable history row per transition or recorded act (filing, escalation, dossier
    reopened…). `handling_unit` and `step_due_at` are those in force after the event, so the
    state of a complaint at any past moment can be replayed (statistics)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    action = models.CharField(_("thao tác"), max_length=30)
    from_state = models.CharField(
        _("từ trạng thái"), max_length=20, blank=True, choices=ComplaintState.choices
    )
    to_state = models.CharField(_("sang trạng thái"), max_length=20, choices=ComplaintState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=20, blank=True, help_text="citizen, staff or system")
    actor_role = models.CharField(max_length=30, blank=True, choices=Role.choices)
    actor_unit = models.ForeignKey(
        "units.PoliceUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.ForeignKey(
        "units.PoliceUnit", on_delete=models.PROTECT, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("nội dung"), blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch sử phản ánh")
        verbose_name_plural = _("lịch sử phản ánh")
        ordering = ["complaint", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Complaint history rows are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Complaint history rows are immutable.")


def attachment_path(instance: ComplaintAttachment, filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm phản ánh")
        verbose_name_plural = _("tệp đính kèm phản ánh")
        ordering = ["complaint", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SatisfactionRating(models.Model):
    """The citizen's rating of the service, once per dossier, after the result was returned."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="satisfaction",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("mức độ hài lòng"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("góp ý"), blank=True)
    created_at = models.DateTimeField(_("đánh giá lúc"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}/5"

    @property
    def is_low(self) -> bool:
        return self.score <= LOW_SCORE


LOW_SCORE = 2
