"""Reading dossiers, with who-may-see-what built in. A miss is always NotFound (never 403)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Role, User
from portal.catalogue.selectors import procedure_by_id
from portal.core.compiled import CompiledStatement
from portal.core.errors import NotFound
from portal.dossiers.models import (
    RECORDED_LABEL,
    Attachment,
    Document,
    Dossier,
    DossierEvent,
    State,
    SupplementRequest,
)
from portal.units.models import PoliceUnit
from portal.units.selectors import area_by_id, unit_by_id


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy hồ sơ."), code="not_found")


def dossiers_for_citizen(*, citizen) -> QuerySet[Dossier]:
    """The citizen's own dossiers, newest first (procedure and unit joined: one query a page)."""
    if citizen is None or not getattr(citizen, "is_authenticated", False):
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(citizen_id=citizen.pk)
        .select_related("procedure", "unit")
        .order_by("-created_at", "-pk")
    )


def visible_dossiers(*, user) -> QuerySet[Dossier]:
    """Every dossier `user` may see: citizen → own; officer → own unit; supervisor → the unit
    subtree; administrator → all; anyone else → none. A draft is the citizen's alone until it is
    submitted: no staff role (superusers included) sees another person's draft."""
    qs = Dossier.objects.all()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if (user.is_superuser or getattr(user, "is_officer", False)) and not _second_factor_ok(user):
        return qs.none()
    if user.is_superuser or (
        getattr(user, "is_officer", False) and user.has_role(Role.ADMINISTRATOR)
    ):
        return qs.filter(not_someone_elses_draft(user=user))
    if getattr(user, "is_officer", False):
        if not user.unit_id:
            return qs.none()
        condition = Q(unit_id=user.unit_id)
        if user.has_role(Role.SUPERVISOR):
            condition |= Q(unit__path__startswith=user.unit.path)
        return qs.filter(condition).filter(not_someone_elses_draft(user=user))
    return qs.filter(citizen_id=user.pk)


def not_someone_elses_draft(*, user) -> Q:
    """The one rule for drafts, shared with the back office's querysets: a draft is visible to
    its citizen only."""
    return ~Q(state=State.DRAFT) | Q(citizen_id=getattr(user, "pk", None))


def _second_factor_ok(user) -> bool:
    """An officer signed in with a password only (no TOTP) sees no dossier. `is_verified` is set
    by django-otp's middleware on session users; token users (issued by an administrator) have
    no such attribute and are trusted as the token is."""
    from django.conf import settings

    if not getattr(settings, "BACKOFFICE_OTP_REQUIRED", True):
        return True
    is_verified = getattr(user, "is_verified", None)
    return is_verified is None or bool(is_verified())


def get_dossier_for_user(*, user, code: str) -> Dossier:
    code = str(code or "").strip()
    if not code:
        raise _not_found()
    dossier = (
        visible_dossiers(user=user)
        .select_related("procedure", "unit", "area", "citizen", "assigned_to")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise _not_found()
    return dossier


def lock_dossier_for_user(*, user, code: str) -> Dossier:
    """The dossier `user` may see, read once and locked (SELECT … FOR UPDATE with the access
    filter) for the rest of the caller's transaction: the services take this instance as it is
    instead of reading and locking the row a second time. Must run inside `transaction.atomic()`."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_dossier_for_user() must run inside transaction.atomic().")
    code = str(code or "").strip()
    if not code:
        raise _not_found()
    dossier = (
        visible_dossiers(user=user)
        .select_for_update(of=("self",))
        .select_related("citizen")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise _not_found()
    # The procedure (and its fees), the unit and the area from memory, valid for the catalogue
    # version (portal/catalogue/memo.py): no join, no prefetch query.
    for name, kept in (
        ("procedure", procedure_by_id(dossier.procedure_id)),
        ("unit", unit_by_id(dossier.unit_id)),
        ("area", area_by_id(dossier.area_id)),
    ):
        if kept is not None:
            setattr(dossier, name, kept)
    mark_locked(dossier)
    return dossier


def mark_locked(dossier: Dossier) -> None:
    """Remember the atomic block in which `dossier` was locked (see `is_locked`)."""
    dossier._locked_in = transaction.get_connection().atomic_blocks[-1]


def is_locked(dossier: Dossier) -> bool:
    """True while the atomic block that locked this instance is still open (the row lock is
    held and nothing else can have changed the row since it was read)."""
    block = getattr(dossier, "_locked_in", None)
    if block is None:
        return False
    return any(b is block for b in transaction.get_connection().atomic_blocks)


def get_attachment_for_user(*, user, code: str, attachment_id: int) -> Attachment:
    dossier = get_dossier_for_user(user=user, code=code)
    try:
        return dossier.attachments.select_related("dossier").get(pk=int(attachment_id))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy tệp đính kèm."), code="not_found") from None


def get_document_for_user(*, user, code: str, document_id: int) -> Document:
    dossier = get_dossier_for_user(user=user, code=code)
    try:
        return dossier.documents.select_related("dossier").get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy văn bản."), code="not_found") from None


def lookup_public(*, code: str, personal_id: str) -> Dossier | None:
    """Public lookup: the pair must match; drafts are never shown. Same None for any mismatch."""
    code = str(code or "").strip().upper()
    personal_id = "".join(str(personal_id or "").split())
    if not code or not personal_id:
        return None
    return (
        Dossier.objects.select_related("procedure", "unit")
        .exclude(state=State.DRAFT)
        .filter(code__iexact=code, applicant_personal_id=personal_id)
        .first()
    )


def dossier_detail(*, user, code: str) -> Dossier:
    """A dossier with what the detail page / API shows, read once with the access filter (the
    row and its joined relations in one query), then its lists: attachments and history always,
    documents once it left the draft (none is issued before), supplement requests if the history
    has one."""
    code = str(code or "").strip()
    if not code:
        raise _not_found()
    dossier = (
        visible_dossiers(user=user)
        .select_related("procedure", "unit", "area", "citizen", "assigned_to")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise _not_found()
    # ordered here, so no prefetch joins the dossier table for the models' default order
    prefetch_related_objects(
        [dossier],
        Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")),
        Prefetch(
            "events",
            queryset=DossierEvent.objects.select_related("actor", "actor_unit").order_by(
                "at", "pk"
            ),
        ),
    )
    lookups = []
    if dossier.state == State.DRAFT:
        _prefetched_empty(dossier, "documents")  # none is issued before submission
    else:
        lookups.append(
            Prefetch("documents", queryset=Document.objects.order_by("created_at", "pk"))
        )
    # a supplement request is only ever made with its "request_supplement" history row
    if any(e.action == "request_supplement" for e in dossier.events.all()):
        lookups.append(
            Prefetch(
                "supplement_requests",
                queryset=SupplementRequest.objects.order_by("-requested_at"),
            )
        )
    else:
        _prefetched_empty(dossier, "supplement_requests")
    if lookups:
        prefetch_related_objects([dossier], *lookups)
    return dossier


def dossier_detail_api(*, user, code: str) -> Dossier:
    """What the detail API shows in ONE query on PostgreSQL: the row with its joined relations,
    and attachments, documents, history and supplement requests as JSON arrays in the same
    statement (ARRAY(SELECT jsonb_build_object(…))), turned back into model instances. The
    statement is compiled once per process per shape of the access filter
    (`portal.core.compiled`): only `visible_dossiers(user=…).filter(code=…)` is built for each
    request. The citizen and the assigned officer are not joined (the detail shows neither;
    joining them tripled PostgreSQL's planning time): read on access if ever used. Other
    databases: `dossier_detail`."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return dossier_detail(user=user, code=code)
    code = str(code or "").strip()
    if not code:
        raise _not_found()
    dossier = _DETAIL_STATEMENT.first(visible_dossiers(user=user).filter(code=code))
    if dossier is None:
        raise _not_found()
    _prefetched_list(dossier, "attachments", _instances(Attachment, dossier._attachments))
    documents = _instances(Document, dossier._documents)
    for document in documents:
        document.dossier = dossier
    _prefetched_list(dossier, "documents", documents)
    _prefetched_list(
        dossier, "supplement_requests", _instances(SupplementRequest, dossier._supplements)
    )
    events = []
    for data, event in zip(
        dossier._events or [], _instances(DossierEvent, dossier._events), strict=True
    ):
        if isinstance(data, str):
            data = json.loads(data)
        # only the names are shown: the related rows stand in with their name
        if event.actor_id:
            name = data["_actor_name"] or ""
            event.actor = _stand_in(User, event.actor_id, username=name, full_name=name)
        if event.actor_unit_id:
            event.actor_unit = _stand_in(
                PoliceUnit, event.actor_unit_id, name=data["_actor_unit_name"]
            )
        events.append(event)
    _prefetched_list(dossier, "events", events)
    return dossier


def _detail_columns(filtered: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The constant part of the detail's statement: joins and the child rows as JSON arrays."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef
    from django.db.models.functions import JSONObject

    def rows(model, order, **extra):
        fields = {name: name for name in _SHOWN[model]}
        return ArraySubquery(
            model.objects.filter(dossier=OuterRef("pk"))
            .order_by(*order)
            .values(json=JSONObject(**fields, **extra))
        )

    return filtered.select_related("procedure", "unit", "area").annotate(
        _attachments=rows(Attachment, ("uploaded_at", "pk")),
        _documents=rows(Document, ("created_at", "pk")),
        _supplements=rows(SupplementRequest, ("-requested_at", "pk")),
        _events=rows(
            DossierEvent,
            ("at", "pk"),
            _actor_name=Coalesce(NullIf("actor__full_name", Value("")), "actor__username"),
            _actor_unit_name="actor_unit__name",
        ),
    )


# compiled once per process per access shape (see portal.core.compiled)
_DETAIL_STATEMENT = CompiledStatement(_detail_columns)


# The columns the detail shows (fewer expressions to build for each request); the others are
# left empty on the instances.
_SHOWN = {
    Attachment: (
        "id",
        "dossier_id",
        "requirement_key",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_at",
        "supplement_request_id",
        "verified",
    ),
    Document: ("id", "dossier_id", "kind", "status", "created_at"),
    SupplementRequest: ("id", "dossier_id", "requested_at", "items", "guidance", "fulfilled_at"),
    DossierEvent: (
        "id",
        "dossier_id",
        "at",
        "action",
        "from_state",
        "to_state",
        "actor_id",
        "actor_kind",
        "actor_role",
        "actor_unit_id",
        "reason",
        "details",
    ),
}


def _instances(model, rows) -> list:
    """Model instances from `jsonb_build_object` rows (values converted as from the database),
    built as the ORM builds a row read with `.only()`: the columns not shown are deferred (read
    on access), not given defaults."""
    fields, names = _shown_fields(model)
    out = []
    for data in rows or []:
        if isinstance(data, str):
            data = json.loads(data)
        out.append(
            model.from_db("default", names, [f.to_python(data.get(f.attname)) for f in fields])
        )
    return out


_SHOWN_FIELDS: dict = {}


def _shown_fields(model) -> tuple[list, list[str]]:
    """The shown fields of `model`, in the model's column order (as `Model.from_db` wants)."""
    if model not in _SHOWN_FIELDS:
        shown = set(_SHOWN[model])
        fields = [f for f in model._meta.concrete_fields if f.attname in shown]
        assert len(fields) == len(shown), model
        _SHOWN_FIELDS[model] = (fields, [f.attname for f in fields])
    return _SHOWN_FIELDS[model]


def _stand_in(model, pk, **values):
    """A related row of which only a few columns are shown (the others deferred)."""
    names = ["id", *values]
    return model.from_db("default", names, [pk, *values.values()])


def _prefetched_list(dossier: Dossier, name: str, items: list) -> None:
    qs = getattr(dossier, name).all()
    qs._result_cache = items
    qs._prefetch_done = True
    dossier._prefetched_objects_cache = getattr(dossier, "_prefetched_objects_cache", {})
    dossier._prefetched_objects_cache[name] = qs


def _prefetched_empty(dossier: Dossier, name: str) -> None:
    """Mark the related list `name` as read and empty (no query when it is used)."""
    qs = getattr(dossier, name).all()
    qs._result_cache = []
    qs._prefetch_done = True
    dossier._prefetched_objects_cache = getattr(dossier, "_prefetched_objects_cache", {})
    dossier._prefetched_objects_cache[name] = qs


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    action: str
    label: str
    from_state: str
    to_state: str
    to_state_label: str
    actor_label: str  # citizens see the unit (or "Bạn"), staff see the officer too
    reason: str
    details: dict


ACTION_LABELS = {
    "create": gettext_lazy("Tạo hồ sơ (bản nháp)"),
    "submit": gettext_lazy("Nộp hồ sơ"),
    "confirm_payment": gettext_lazy("Đã thanh toán lệ phí"),
    "withdraw": gettext_lazy("Rút hồ sơ"),
    "receive": gettext_lazy("Tiếp nhận hồ sơ"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "resubmit": gettext_lazy("Nộp bổ sung hồ sơ"),
    "refuse": gettext_lazy("Từ chối hồ sơ"),
    "start_processing": gettext_lazy("Bắt đầu xử lý"),
    "assign": gettext_lazy("Phân công cán bộ xử lý"),
    "approve": gettext_lazy("Phê duyệt kết quả"),
    "return_result": gettext_lazy("Trả kết quả"),
    "stop": gettext_lazy("Dừng xử lý"),
    "apology": gettext_lazy("Xin lỗi và hẹn lại ngày trả kết quả"),
    "contact_citizen": gettext_lazy("Cơ quan liên hệ với công dân"),
    "verify_documents": gettext_lazy("Kiểm tra giấy tờ"),
    "propose_refusal": gettext_lazy("Đề xuất từ chối (chờ lãnh đạo duyệt)"),
    "return_refusal_proposal": gettext_lazy("Lãnh đạo trả lại đề xuất từ chối"),
    "overdue_notice": gettext_lazy("Quá hạn trả kết quả, đã thông báo công dân"),
    "reopen": gettext_lazy("Cấp trên mở lại hồ sơ"),
    "record": gettext_lazy("Ghi nhận ngay khi nhận được thông báo"),
}
# Internal acts of the office that the citizen's timeline leaves out.
INTERNAL_ACTIONS = frozenset(
    {"assign", "verify_documents", "propose_refusal", "return_refusal_proposal"}
)


def timeline(*, dossier: Dossier, for_citizen: bool) -> list[TimelineEntry]:
    """History, oldest first. For citizens an officer is shown as their unit, never by name;
    internal acts (assignment) are left out."""
    events = dossier.events.all()
    if not _prefetched(dossier, "events"):
        events = events.select_related("actor", "actor_unit").order_by("at", "pk")
    entries = []
    for event in events:
        if for_citizen and event.action in INTERNAL_ACTIONS:
            continue
        if event.actor_kind == "staff":
            unit_name = event.actor_unit.name if event.actor_unit_id else dossier.unit.name
            if for_citizen:
                actor_label = unit_name
            else:
                name = str(event.actor) if event.actor_id else ""
                role = event.get_actor_role_display() if event.actor_role else ""
                actor_label = ", ".join(p for p in (name, role, unit_name) if p)
        elif event.actor_kind == "citizen":
            actor_label = (
                _("Công dân")
                if for_citizen
                else (str(event.actor) if event.actor_id else _("Công dân"))
            )
        else:
            actor_label = _("Hệ thống")
        details = dict(event.details or {})
        if for_citizen:
            details.pop("officer_id", None)
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                from_state=event.from_state,
                to_state=event.to_state,
                to_state_label=(
                    str(RECORDED_LABEL)
                    if event.action == "record"
                    else str(State(event.to_state).label)
                    if event.to_state
                    else ""
                ),
                actor_label=str(actor_label),
                reason=event.reason,
                details=details,
            )
        )
    return entries


def _prefetched(obj, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})


def open_supplement_request(*, dossier: Dossier):
    """The pending supplement request (items the citizen must add), or None."""
    if _prefetched(dossier, "supplement_requests"):
        pending = [r for r in dossier.supplement_requests.all() if r.fulfilled_at is None]
        return pending[0] if pending else None
    return dossier.supplement_requests.filter(fulfilled_at__isnull=True).first()
