"""Back-office policy on top of the dossier engine (notice §2.1, §2.2; issue 4).

Each function checks what the notice demands of staff (specific reasons, a legal provision for
every refusal, no refusal of a verified dossier without the leader, contact before choosing a
result method for the citizen, the leader's apology when late) and then calls ONE engine service
for the transition. All keyword-only, typed and atomic; errors are `portal.core.errors` classes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.accounts.access import can_act_for_unit, can_sign_for_unit
from portal.accounts.models import Role, User
from portal.accounts.validators import normalize_personal_id, validate_personal_id
from portal.catalogue.models import RequiredDocument, ResultMethod
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.core.text import name_problem, nfc
from portal.dossiers import services as engine
from portal.dossiers.models import Document, Dossier, DossierEvent, State

from .models import Apology, ContactLog, RefusalProposal, RefusalReason, RefusalReview

MIN_REASON_LENGTH = 15
MIN_ITEM_PROBLEM_LENGTH = 10
MAX_SUPPLEMENT_ITEMS = 30
COPY_KINDS = dict(RequiredDocument.CopyKind.choices)

# Answers that say nothing specific (notice §2.1: "short, specific and clear").
_VAGUE = {
    "khong hop le",
    "khong dat",
    "khong du",
    "thieu",
    "thieu giay to",
    "sai",
    "loi",
    "khac",
    "ly do khac",
    "bo sung",
    "bo sung ho so",
    "khong dung",
    "chua dung",
    "xem lai",
    "lien he",
    "den truc tiep",
    "n/a",
    "na",
    "none",
    "khong",
    "ok",
}


class ReasonError(DomainError):
    code = "reason_not_specific"
    status = 400


def clean_reason(
    value: Any,
    *,
    field: str = "reason",
    label: str | None = None,
    min_length: int = MIN_REASON_LENGTH,
) -> str:
    """A specific statement: trimmed, at least `min_length` characters, with letters, and not one
    of the stock phrases that say nothing. Raises ReasonError with a Vietnamese message."""
    from portal.core.text import fold

    text = " ".join(str(value or "").split())
    label = label or _("Lý do")
    if not text:
        raise ReasonError(
            _("%(label)s không được để trống.") % {"label": label},
            details={field: [_("Bắt buộc nhập.")]},
        )
    folded = fold(text).strip(" .!,;:-")
    letters = re.sub(r"[^a-z]", "", folded)
    if len(text) < min_length or len(letters) < min_length // 2 or folded in _VAGUE:
        message = _(
            "%(label)s cần nêu rõ giấy tờ hoặc nội dung nào và vì sao (ít nhất %(min)s ký tự). "
            "“%(text)s” chưa đủ cụ thể."
        ) % {"label": label, "min": min_length, "text": text}
        raise ReasonError(message, details={field: [message]})
    return text


# Notice §2.1: staff may not make the citizen come to the office instead of finishing online
# (filing, adding papers, "working with an officer"). These are the ways of saying so, accent-folded
# (so NFD input, capitals and missing accents change nothing). One exception, decided on purpose:
# collecting the RESULT at the office ("đến trụ sở nhận kết quả") is one of the return methods the
# citizen chooses (notice §2.2, level 3 results are collected at the office), so a sentence about
# the result only, asking for no filing, papers or meeting, is allowed.
_PLACE = (
    r"(?:co quan(?: cong an)?|tru so|cong an|bo phan (?:mot cua|tiep nhan)|phong (?:lam viec|"
    r"tiep (?:cong )?dan|quan ly)|don vi|uy ban|ubnd|diem tiep nhan|noi tiep nhan|van phong|"
    r"phong|doi (?:canh sat|quan ly))"
)
_NOT_CITIZEN = r"(?<!chuyen )(?<!gui )(?<!noi )(?<!thuoc )(?<!tu )(?<!ve )"
_IN_PERSON_DEMANDS = re.compile(
    # "đến/lên/ra/tới/ghé (trực tiếp) (tại) cơ quan / trụ sở / Công an …"
    r"\b" + _NOT_CITIZEN + r"(?:den|len|ra|toi|ghe|qua)(?: lai)?(?: ngay)?(?: truc tiep)?"
    r"(?: (?:tai|o))? " + _PLACE + r"\b"
    # "đến trực tiếp", "trực tiếp đến/lên/tới", "có mặt tại/ở", "gặp (trực tiếp) cán bộ"
    r"|\b(?:den|len|toi|ra) truc tiep\b|\btruc tiep (?:den|len|toi|ra|gap)\b"
    r"|\bco mat (?:tai|o|truc tiep)\b|\bgap (?:truc tiep )?(?:can bo|lanh dao|dong chi)\b"
    # "nộp (lại) (hồ sơ) trực tiếp / tại trụ sở / bản giấy", "làm thủ tục trực tiếp"
    r"|\b(?:nop|lam)(?: lai)?(?: ho so| thu tuc| giay to)?(?: lai)? "
    r"(?:truc tiep|tai tru so|tai co quan|tai cong an|tai bo phan|ban giay)\b"
    r"|\blam viec truc tiep\b"
    # "mang / đem / cầm (theo) hồ sơ, giấy tờ, bản chính … đến / lên / tới / ra"
    r"|\b(?:mang|dem|cam)(?: theo)? (?:[a-z]+ ){0,6}?(?:den|len|toi|ra|nop)\b"
)
_PICKUP_ONLY = re.compile(r"\bnhan (?:lai )?(?:ket qua|the can cuoc|giay xac nhan)\b")
_WORK_VERBS = re.compile(
    r"\b(?:nop|bo sung|lam (?:thu tuc|viec|lai)|gap|giai trinh|khai|ky|xuat trinh ho so|"
    r"mang ho so|kiem tra ho so)\b"
)


def demands_in_person_filing(text: str) -> bool:
    """True when `text` asks the citizen to come to the office (to file, add papers, meet an
    officer…) instead of finishing online: forbidden, notice §2.1. Collecting the result in person
    is allowed (see above)."""
    from portal.core.text import fold

    folded = " ".join(fold(str(text or "")).replace("/", " ").split())
    for clause in re.split(r"[.;!?\n]+", folded):
        if not _IN_PERSON_DEMANDS.search(clause):
            continue
        if _PICKUP_ONLY.search(clause) and not _WORK_VERBS.search(_PICKUP_ONLY.sub("", clause)):
            continue
        return True
    return False


def in_person_message() -> str:
    return _(
        "Không được yêu cầu công dân đến cơ quan (nộp, bổ sung hồ sơ, gặp cán bộ…) thay vì "
        "hoàn tất trực tuyến. Nêu lý do cụ thể vì sao hồ sơ không được giải quyết, hoặc yêu cầu "
        "bổ sung giấy tờ qua Cổng."
    )


def check_not_in_person(text: str, *, field: str) -> str:
    """Refuse a text sent to the citizen that asks them to come to the office (notice §2.1)."""
    if demands_in_person_filing(text):
        message = in_person_message()
        raise ReasonError(message, code="in_person_demand", details={field: [message]})
    return text


# Words that only restate that the dossier fails ("Hồ sơ không đủ điều kiện theo quy định"): an
# explanation must have something left once they are removed (a document, a fact, a date…).
_GENERIC_TEXT = (
    "ho so nay cua ong ba anh chi em cong dan nguoi nop de nghi yeu cau khong chua du dieu "
    "kien hop le dat dap ung dung quy dinh theo phap luat hien hanh cac co lien quan thu tuc "
    "hanh chinh duoc giai quyet tiep nhan tu choi vi do ly la va nen can cu thay xet sau khi "
    "xem kiem tra da bi mot so nhung thieu sai loi giay to nhu tren day truong hop nao gi "
    "ket qua con van nua tat ca rat qua ban voi cu tru can cuoc dang ky tam thuong vang luu "
    "the cap doi lai dam bao hien nay"
)
_GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
MIN_SPECIFIC_WORDS = 2


def is_specific_explanation(text: str) -> bool:
    """At least MIN_SPECIFIC_WORDS words (or a number) beyond the stock words of a refusal."""
    from portal.core.text import fold

    words = re.findall(r"[a-z0-9]+", fold(text))
    if any(w.isdigit() for w in words):
        return True
    return len({w for w in words if w not in _GENERIC_WORDS and len(w) > 1}) >= MIN_SPECIFIC_WORDS


def clean_refusal_explanation(value: Any) -> str:
    explanation = clean_reason(value, field="explanation", label=_("Giải thích cụ thể"))
    if not is_specific_explanation(explanation):
        message = _(
            "Giải thích phải nêu cụ thể thiếu giấy tờ nào hoặc điều kiện nào không đáp ứng "
            "(ví dụ: “Hợp đồng thuê nhà chưa được công chứng”, “Người kê khai không phải chủ hộ "
            "và chưa có ý kiến đồng ý của chủ hộ”), không chỉ nhắc lại rằng hồ sơ không đủ "
            "điều kiện. “%(text)s” chưa nêu điều đó."
        ) % {"text": explanation}
        raise ReasonError(
            message, code="explanation_not_specific", details={"explanation": [message]}
        )
    return check_not_in_person(explanation, field="explanation")


def clean_supplement_items(items: Any) -> list[dict[str, str]]:
    """≥1 item, each {document, copy_kind, problem} with a specific problem."""
    if not isinstance(items, list | tuple) or not items:
        message = _("Phải nêu ít nhất một giấy tờ cần bổ sung, với lý do cụ thể.")
        raise ReasonError(message, code="supplement_items_required", details={"items": [message]})
    if len(items) > MAX_SUPPLEMENT_ITEMS:
        message = _("Tối đa %(n)s mục trong một yêu cầu.") % {"n": MAX_SUPPLEMENT_ITEMS}
        raise ReasonError(message, details={"items": [message]})
    cleaned, errors = [], {}
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        document = " ".join(str(item.get("document") or "").split())
        copy_kind = str(item.get("copy_kind") or "")
        problem = " ".join(str(item.get("problem") or "").split())
        row_errors = []
        if len(document) < 3:
            row_errors.append(_("Mục %(n)s: ghi rõ tên giấy tờ.") % {"n": index + 1})
        if copy_kind not in COPY_KINDS:
            row_errors.append(_("Mục %(n)s: chọn bản chính hay bản sao.") % {"n": index + 1})
        try:
            problem = clean_reason(
                problem,
                field="problem",
                label=_("Nội dung chưa đạt"),
                min_length=MIN_ITEM_PROBLEM_LENGTH,
            )
        except ReasonError as exc:
            row_errors.append(_("Mục %(n)s: %(msg)s") % {"n": index + 1, "msg": exc.message})
        if demands_in_person_filing(f"{document} {problem}"):
            row_errors.append(
                _("Mục %(n)s: %(msg)s") % {"n": index + 1, "msg": in_person_message()}
            )
        if row_errors:
            errors[str(index)] = row_errors
        cleaned.append({"document": document, "copy_kind": copy_kind, "problem": problem})
    if errors:
        first = next(iter(errors.values()))[0]
        raise ReasonError(first, details={"items": errors})
    return cleaned


def _require_unit_officer(*, dossier: Dossier, actor: User, roles: tuple[str, ...] = ()) -> None:
    if not can_act_for_unit(actor, dossier.unit, *roles):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ này."))


def _locked(dossier: Dossier, expected_version: int | None) -> Dossier:
    locked = (
        Dossier.objects.select_for_update().select_related("unit", "procedure").get(pk=dossier.pk)
    )
    if expected_version is not None and int(expected_version) != locked.version:
        raise Conflict(
            _("Hồ sơ đã được người khác thay đổi. Vui lòng tải lại trang."),
            code="changed_by_someone_else",
        )
    return locked


def _record(
    *, dossier: Dossier, actor: User, action: str, reason: str = "", details: dict | None = None
) -> DossierEvent:
    """History row for an act that is not a state change (contact, apology, method chosen)."""
    return DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        from_state=dossier.state,
        to_state=dossier.state,
        actor=actor,
        actor_kind="staff",
        actor_role=_main_role(actor),
        actor_unit_id=actor.unit_id,
        reason=reason,
        details=details or {},
    )


def _main_role(user: User) -> str:
    for role in (
        Role.UNIT_LEADER,
        Role.HANDLING_OFFICER,
        Role.RECEIVING_OFFICER,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    ):
        if user.has_role(role):
            return role
    return ""


# ----------------------------------------------------------------------------------------------
# Decisions


@transaction.atomic
def receive(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    return engine.receive(dossier=dossier, actor=actor, expected_version=expected_version)


@transaction.atomic
def request_supplement(
    *,
    dossier: Dossier,
    actor: User,
    items: list[dict],
    guidance: str,
    expected_version: int | None = None,
) -> Dossier:
    """All items in one request, each specific; guidance text specific (CT05)."""
    items = clean_supplement_items(items)
    guidance = clean_reason(guidance, field="guidance", label=_("Hướng dẫn"))
    check_not_in_person(guidance, field="guidance")
    return engine.request_supplement(
        dossier=dossier,
        actor=actor,
        items=items,
        guidance=guidance,
        expected_version=expected_version,
    )


def mandatory_documents_all_verified(*, dossier: Dossier) -> bool:
    """Every mandatory document has at least one attachment staff marked verified."""
    mandatory = set(
        RequiredDocument.objects.filter(
            procedure_id=dossier.procedure_id, is_mandatory=True
        ).values_list("key", flat=True)
    )
    if not mandatory:
        return False
    verified = set(
        dossier.attachments.filter(verified=True, requirement_key__in=mandatory).values_list(
            "requirement_key", flat=True
        )
    )
    return mandatory <= verified


VERIFY_STATES = (State.SUBMITTED, State.RECEIVED, State.PROCESSING)
REFUSABLE_STATES = (State.SUBMITTED, State.RECEIVED, State.PROCESSING)


@transaction.atomic
def mark_verified(
    *, dossier: Dossier, actor: User, attachment_ids: list[int], expected_version: int | None = None
) -> Dossier:
    """Staff checked these attachments (the others of the dossier are marked not checked).

    Verified mandatory documents matter: such a dossier may only be refused by the leader."""
    _require_unit_officer(dossier=dossier, actor=actor)
    locked = _locked(dossier, expected_version)
    if locked.state not in VERIFY_STATES:
        raise Conflict(
            _("Hồ sơ ở trạng thái “%(state)s”: không kiểm tra giấy tờ được.")
            % {"state": locked.get_state_display()},
            code="invalid_transition",
        )
    wanted = {int(pk) for pk in attachment_ids}
    attachments = list(locked.attachments.all())
    unknown = wanted - {a.pk for a in attachments}
    if unknown:
        raise ReasonError(
            _("Tệp không thuộc hồ sơ này."),
            code="invalid_attachment",
            details={"attachments": [_("Tệp không thuộc hồ sơ này.")]},
        )
    locked.attachments.filter(pk__in=wanted).update(verified=True)
    locked.attachments.exclude(pk__in=wanted).update(verified=False)
    locked.version += 1
    locked.save(update_fields=["version"])
    _record(
        dossier=locked,
        actor=actor,
        action="verify_documents",
        details={"verified": sorted(a.original_name for a in attachments if a.pk in wanted)},
    )
    return engine.refresh_caller(dossier, locked)


def refusal_reasons_for(*, dossier: Dossier) -> list[RefusalReason]:
    """The active categories that apply to this dossier's procedure (only these are offered)."""
    return RefusalReason.for_procedure(dossier.procedure)


def _clean_category(*, dossier: Dossier, reason_category: RefusalReason | int | str | None):
    if reason_category is not None and not isinstance(reason_category, RefusalReason):
        value = str(reason_category)
        lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
        reason_category = RefusalReason.objects.filter(is_active=True, **lookup).first()
    if reason_category is None or not reason_category.is_active:
        message = _("Chọn một lý do từ chối trong danh mục (mỗi lý do gắn với căn cứ pháp lý).")
        raise ReasonError(
            message, code="refusal_reason_required", details={"reason_category": [message]}
        )
    if not reason_category.applies_to(dossier.procedure):
        message = _(
            "Lý do “%(reason)s” không áp dụng cho thủ tục “%(procedure)s”: chọn lý do trong "
            "danh mục của thủ tục này."
        ) % {"reason": reason_category.title, "procedure": dossier.procedure.name_vi}
        raise ReasonError(
            message, code="refusal_reason_not_applicable", details={"reason_category": [message]}
        )
    if demands_in_person_filing(f"{reason_category.title} {reason_category.description}"):
        message = in_person_message()
        raise ReasonError(message, code="in_person_demand", details={"reason_category": [message]})
    return reason_category


def _clean_documents(*, dossier: Dossier, documents: Any) -> list[str]:
    """The documents a refusal is about: keys of the procedure's required documents (or their
    names), returned as names in the procedure's order."""
    wanted = [str(d).strip() for d in (documents or []) if str(d).strip()]
    if not wanted:
        return []
    required = list(dossier.procedure.required_documents.all())
    by_key = {d.key: d.name for d in required}
    by_name = {d.name: d.name for d in required}
    unknown = [d for d in wanted if d not in by_key and d not in by_name]
    if unknown:
        message = _("Giấy tờ “%(doc)s” không thuộc thành phần hồ sơ của thủ tục này.") % {
            "doc": unknown[0]
        }
        raise ReasonError(message, code="invalid_document", details={"documents": [message]})
    names = {by_key.get(d) or by_name[d] for d in wanted}
    return [d.name for d in required if d.name in names]


def _leader_title(unit) -> str:
    return _("Thủ trưởng %(unit)s") % {"unit": unit.name}


def _do_refuse(
    *,
    dossier: Dossier,
    leader: User,
    category: RefusalReason,
    explanation: str,
    documents: list[str],
    proposed_by: User | None,
    expected_version: int | None,
) -> Dossier:
    verified = mandatory_documents_all_verified(dossier=dossier)
    reason = f"{category.title}: {explanation}"
    dossier = engine.refuse(
        dossier=dossier,
        actor=leader,
        reason=reason,
        legal_provision=category.legal_provision,
        expected_version=expected_version,
        document_extra={
            "signer_name": leader.full_name or leader.get_username(),
            "signer_title": _leader_title(dossier.unit),
            "documents_concerned": documents,
            "signed_by_leader": True,
        },
    )
    RefusalReview.objects.create(
        dossier=dossier,
        unit_id=dossier.unit_id,
        reason=category,
        legal_provision=category.legal_provision,
        explanation=explanation,
        refused_by=leader,
        all_documents_verified=verified,
    )
    return dossier


def _require_leader(*, dossier: Dossier, actor: User) -> None:
    if not (can_sign_for_unit(actor, dossier.unit) and actor.unit_id == dossier.unit_id):
        raise PermissionDenied(
            _(
                "Chỉ lãnh đạo đơn vị quyết định từ chối hồ sơ và ký phiếu CT06. Cán bộ lập đề "
                "xuất từ chối để lãnh đạo duyệt."
            ),
            code="leader_required",
        )


@transaction.atomic
def refuse(
    *,
    dossier: Dossier,
    actor: User,
    reason_category: RefusalReason | int | str,
    explanation: str,
    documents: list[str] | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The unit leader refuses with a category that applies to the procedure (→ legal provision),
    a specific explanation and the documents concerned; the CT06 bears the leader's signature
    block. Officers propose (`propose_refusal`). Every refusal lands in the supervisors' review
    list (`RefusalReview`)."""
    category = _clean_category(dossier=dossier, reason_category=reason_category)
    explanation = clean_refusal_explanation(explanation)
    docs = _clean_documents(dossier=dossier, documents=documents)
    _require_unit_officer(dossier=dossier, actor=actor)
    _require_leader(dossier=dossier, actor=actor)
    locked = _locked(dossier, expected_version)
    pending = RefusalProposal.objects.select_for_update().filter(
        dossier=locked, status=RefusalProposal.Status.PENDING
    )
    result = _do_refuse(
        dossier=locked,
        leader=actor,
        category=category,
        explanation=explanation,
        documents=docs,
        proposed_by=None,
        expected_version=expected_version,
    )
    pending.update(
        status=RefusalProposal.Status.WITHDRAWN, decided_by=actor, decided_at=timezone.now()
    )
    return engine.refresh_caller(dossier, result)


def pending_refusal_proposal(*, dossier: Dossier) -> RefusalProposal | None:
    return (
        RefusalProposal.objects.filter(dossier=dossier, status=RefusalProposal.Status.PENDING)
        .select_related("reason", "proposed_by")
        .first()
    )


@transaction.atomic
def propose_refusal(
    *,
    dossier: Dossier,
    actor: User,
    reason_category: RefusalReason | int | str,
    explanation: str,
    documents: list[str] | None = None,
    expected_version: int | None = None,
) -> RefusalProposal:
    """A receiving or handling officer proposes a refusal; the dossier waits in the leader's
    queue “Đề xuất từ chối chờ lãnh đạo duyệt”. Same demands as a refusal."""
    category = _clean_category(dossier=dossier, reason_category=reason_category)
    explanation = clean_refusal_explanation(explanation)
    docs = _clean_documents(dossier=dossier, documents=documents)
    _require_unit_officer(dossier=dossier, actor=actor)
    locked = _locked(dossier, expected_version)
    if locked.state not in REFUSABLE_STATES:
        raise Conflict(
            _("Hồ sơ ở trạng thái “%(state)s”: không đề xuất từ chối được.")
            % {"state": locked.get_state_display()},
            code="invalid_transition",
        )
    if RefusalProposal.objects.filter(
        dossier=locked, status=RefusalProposal.Status.PENDING
    ).exists():
        raise Conflict(
            _("Hồ sơ đã có đề xuất từ chối đang chờ lãnh đạo duyệt."),
            code="refusal_already_proposed",
        )
    proposal = RefusalProposal.objects.create(
        dossier=locked,
        reason=category,
        explanation=explanation,
        documents=docs,
        proposed_by=actor,
    )
    locked.version += 1
    locked.save(update_fields=["version"])
    _record(
        dossier=locked,
        actor=actor,
        action="propose_refusal",
        reason=f"{category.title}: {explanation}",
        details={"legal_provision": category.legal_provision, "documents": docs},
    )
    engine.refresh_caller(dossier, locked)
    return proposal


class Decision:
    APPROVE = "approve"
    RETURN = "return"
    CHOICES = (
        ("approve", _lazy("Duyệt: từ chối hồ sơ, ký phiếu CT06")),
        ("return", _lazy("Trả lại đề xuất cho cán bộ")),
    )


@transaction.atomic
def decide_refusal(
    *,
    dossier: Dossier,
    actor: User,
    decision: str,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The unit leader decides the pending proposal: approve (the dossier is refused, the CT06
    is issued with the leader's signature block) or send it back with a specific note."""
    _require_unit_officer(dossier=dossier, actor=actor)
    _require_leader(dossier=dossier, actor=actor)
    locked = _locked(dossier, expected_version)
    proposal = (
        RefusalProposal.objects.select_for_update()
        .filter(dossier=locked, status=RefusalProposal.Status.PENDING)
        .select_related("reason", "proposed_by")
        .first()
    )
    if proposal is None:
        raise Conflict(
            _("Hồ sơ không có đề xuất từ chối nào đang chờ duyệt."), code="no_refusal_proposal"
        )
    if decision not in (Decision.APPROVE, Decision.RETURN):
        message = _("Chọn duyệt hoặc trả lại đề xuất.")
        raise ReasonError(message, code="invalid_decision", details={"decision": [message]})
    now = timezone.now()
    if decision == Decision.RETURN:
        note = clean_reason(note, field="note", label=_("Ý kiến của lãnh đạo"))
        proposal.status, proposal.decision_note = RefusalProposal.Status.RETURNED, note
        proposal.decided_by, proposal.decided_at = actor, now
        proposal.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
        locked.version += 1
        locked.save(update_fields=["version"])
        _record(dossier=locked, actor=actor, action="return_refusal_proposal", reason=note)
        return engine.refresh_caller(dossier, locked)
    note = " ".join(str(note or "").split())
    category = _clean_category(dossier=locked, reason_category=proposal.reason)
    result = _do_refuse(
        dossier=locked,
        leader=actor,
        category=category,
        explanation=proposal.explanation,
        documents=list(proposal.documents or []),
        proposed_by=proposal.proposed_by,
        expected_version=None,
    )
    proposal.status, proposal.decision_note = RefusalProposal.Status.APPROVED, note
    proposal.decided_by, proposal.decided_at = actor, now
    proposal.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    return engine.refresh_caller(dossier, result)


@transaction.atomic
def review_refusal(*, review: RefusalReview, actor: User, outcome: str, note: str) -> RefusalReview:
    """A supervisor of the level above records their opinion on a refusal."""
    from portal.accounts.access import is_administrator, is_supervisor_of

    review = RefusalReview.objects.select_for_update().select_related("unit").get(pk=review.pk)
    if not (is_supervisor_of(actor, review.unit) or is_administrator(actor)):
        raise PermissionDenied(_("Chỉ cán bộ giám sát cấp trên được xem xét việc từ chối."))
    if outcome not in (RefusalReview.Outcome.UPHELD, RefusalReview.Outcome.CHALLENGED):
        raise ReasonError(_("Chọn kết quả xem xét."), details={"outcome": [_("Bắt buộc.")]})
    note = clean_reason(note, field="review_note", label=_("Ý kiến"))
    review.outcome, review.review_note = outcome, note
    review.reviewed_by, review.reviewed_at = actor, timezone.now()
    review.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
    return review


def handling_officers(*, unit) -> QuerySet[User]:
    """Who a dossier of `unit` may be assigned to: its active handling officers (a leader only if
    they also hold the handling role; the leader approves, and does not appear as a handler)."""
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            unit_id=unit.pk,
            staff_roles__role=Role.HANDLING_OFFICER,
        )
        .distinct()
        .order_by("full_name", "username")
    )


@transaction.atomic
def reopen_refused_dossier(
    *, review: RefusalReview, actor: User, reason: str, target: str = State.RECEIVED
) -> RefusalReview:
    """From the refusal review list: the supervisor of the level above reopens the refused
    dossier (engine transition, clock restarted) and the review records the challenge."""
    from portal.accounts.access import is_administrator, is_supervisor_of

    review = (
        RefusalReview.objects.select_for_update()
        .select_related("unit", "dossier")
        .get(pk=review.pk)
    )
    if not (is_supervisor_of(actor, review.unit) or is_administrator(actor)):
        raise PermissionDenied(_("Chỉ cán bộ giám sát cấp trên được mở lại hồ sơ."))
    reason = clean_reason(reason, field="reason", label=_("Lý do mở lại hồ sơ"))
    engine.reopen(
        dossier=review.dossier,
        actor=actor,
        reason=reason,
        target=target,
        details={"refusal_review": review.pk},
    )
    if review.outcome == RefusalReview.Outcome.PENDING:
        review.outcome = RefusalReview.Outcome.CHALLENGED
        review.review_note = reason
        review.reviewed_by, review.reviewed_at = actor, timezone.now()
        review.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
    return review


@transaction.atomic
def assign(
    *, dossier: Dossier, actor: User, officer: User, expected_version: int | None = None
) -> Dossier:
    if not (
        officer.is_officer
        and officer.is_active
        and officer.unit_id == dossier.unit_id
        and officer.has_role(Role.HANDLING_OFFICER)
    ):
        message = _("Chỉ giao cho cán bộ xử lý của đơn vị tiếp nhận hồ sơ.")
        raise ReasonError(message, code="invalid_officer", details={"officer": [message]})
    _locked(dossier, expected_version)
    return engine.assign(dossier=dossier, actor=actor, officer=officer)


@transaction.atomic
def start_processing(
    *, dossier: Dossier, actor: User, expected_version: int | None = None
) -> Dossier:
    return engine.start_processing(dossier=dossier, actor=actor, expected_version=expected_version)


@transaction.atomic
def approve(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    return engine.approve(dossier=dossier, actor=actor, expected_version=expected_version)


# ----------------------------------------------------------------------------------------------
# Returning the result


@transaction.atomic
def record_contact(
    *,
    dossier: Dossier,
    actor: User,
    contacted_at: dt.datetime,
    channel: str,
    outcome: str,
    note: str,
) -> ContactLog:
    """Staff contacted the citizen (when, channel, outcome); recorded in the history too."""
    _require_unit_officer(dossier=dossier, actor=actor)
    if channel not in ContactLog.Channel.values:
        raise ReasonError(_("Chọn hình thức liên hệ."), details={"channel": [_("Bắt buộc.")]})
    if outcome not in ContactLog.Outcome.values:
        raise ReasonError(_("Chọn kết quả liên hệ."), details={"outcome": [_("Bắt buộc.")]})
    if contacted_at is None or contacted_at > timezone.now() + dt.timedelta(minutes=5):
        message = _("Thời điểm liên hệ không được ở tương lai.")
        raise ReasonError(message, details={"contacted_at": [message]})
    note = clean_reason(note, field="note", label=_("Nội dung trao đổi"))
    log = ContactLog.objects.create(
        dossier=dossier,
        contacted_at=contacted_at,
        channel=channel,
        outcome=outcome,
        note=note,
        staff=actor,
    )
    _record(
        dossier=dossier,
        actor=actor,
        action="contact_citizen",
        reason=note,
        details={"channel": channel, "outcome": outcome, "contacted_at": contacted_at.isoformat()},
    )
    return log


def has_successful_contact(*, dossier: Dossier) -> bool:
    return dossier.contact_logs.filter(outcome=ContactLog.Outcome.REACHED).exists()


# Ways the back office can hand a result over at this step. The electronic result (the signed
# PDF by email and on the dossier page) only when the citizen chose it and the procedure's results
# are digitally signed (level 4, portal.signing).
RETURN_METHODS_HONOURED = (ResultMethod.IN_PERSON, ResultMethod.POST, ResultMethod.ELECTRONIC)


def electronic_return_possible(*, dossier: Dossier) -> bool:
    from portal.signing.services import SIGNED_LEVEL

    return (
        dossier.result_method == ResultMethod.ELECTRONIC and dossier.procedure.level == SIGNED_LEVEL
    )


def return_methods(*, dossier: Dossier) -> list[str]:
    """The return methods to offer for `dossier`: what its procedure allows (all, when the
    catalogue names none) and staff can honour here, the citizen's chosen method first."""
    allowed = [
        m
        for m in (dossier.procedure.result_methods or ResultMethod.values)
        if m in RETURN_METHODS_HONOURED
        and (m != ResultMethod.ELECTRONIC or electronic_return_possible(dossier=dossier))
    ]
    if dossier.result_method in allowed:
        allowed.remove(dossier.result_method)
        allowed.insert(0, dossier.result_method)
    return allowed


def _clean_return(
    *,
    dossier: Dossier,
    method: str,
    collected_by_name: str,
    collected_by_personal_id: str,
    originals_compared: bool,
    postal_address: str,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    details: dict[str, Any] = {}
    if method == ResultMethod.ELECTRONIC and method not in return_methods(dossier=dossier):
        errors["method"] = [
            _(
                "Chỉ trả bản điện tử (có ký số) khi công dân đã chọn hình thức này và thủ tục "
                "cho phép."
            )
        ]
    elif method == ResultMethod.ELECTRONIC:
        details = {}  # the signed document is named in return_result
    elif method in ResultMethod.values and method not in return_methods(dossier=dossier):
        errors["method"] = [
            _("Thủ tục này không trả kết quả theo hình thức “%(method)s”.")
            % {"method": ResultMethod(method).label}
        ]
    elif method == ResultMethod.IN_PERSON:
        name = " ".join(nfc(str(collected_by_name or "")).split())
        if len(name) < 3:
            errors["collected_by_name"] = [_("Ghi họ tên người nhận kết quả.")]
        elif problem := name_problem(collected_by_name):
            errors["collected_by_name"] = [problem]
        pid = normalize_personal_id(collected_by_personal_id)
        try:
            validate_personal_id(pid)
        except ValidationError as exc:
            errors["collected_by_personal_id"] = exc.messages
        if dossier.procedure.level == 3 and not originals_compared:
            errors["originals_compared"] = [
                _(
                    "Dịch vụ mức độ 3: phải đối chiếu bản chính hoặc bản sao có chứng thực giấy tờ "
                    "trước khi trả kết quả."
                )
            ]
        details = {
            "collected_by_name": name,
            "collected_by_personal_id": pid,
            "originals_compared": bool(originals_compared),
        }
    elif method == ResultMethod.POST:
        address = " ".join(str(postal_address or "").split())
        if len(address) < 15:
            errors["postal_address"] = [_("Ghi đầy đủ địa chỉ nhận kết quả qua bưu chính.")]
        # The fee comes from the postal fee table (frozen at submission), never typed by staff.
        details = {"postal_address": address, "postal_fee": _postal_fee(dossier)}
    else:
        errors["method"] = [_("Chọn hình thức trả kết quả.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ReasonError(first, code="invalid_return", details=errors)
    return details


@transaction.atomic
def return_result(
    *,
    dossier: Dossier,
    actor: User,
    method: str,
    collected_by_name: str = "",
    collected_by_personal_id: str = "",
    originals_compared: bool = False,
    postal_address: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Hand the result back in person, by post (the postal provider issues the tracking number and
    the shipment is recorded, portal.postal) or electronically (the signed PDF by email).

    If the citizen chose no method, a successful contact must be logged first; the method is then
    set on their behalf (recorded in the history).
    """
    _require_unit_officer(dossier=dossier, actor=actor)
    locked = _locked(dossier, expected_version)
    details = _clean_return(
        dossier=locked,
        method=method,
        collected_by_name=collected_by_name,
        collected_by_personal_id=collected_by_personal_id,
        originals_compared=originals_compared,
        postal_address=postal_address,
    )
    if not locked.result_method:
        if not has_successful_contact(dossier=locked):
            message = _(
                "Công dân chưa chọn hình thức nhận kết quả: phải ghi nhật ký liên hệ "
                "(thời điểm, hình thức, kết quả) trước khi chọn thay công dân."
            )
            raise Conflict(message, code="contact_required", details={"method": [message]})
        details["method_set_on_behalf"] = True
        locked.result_method = method
        if method == ResultMethod.POST:
            locked.result_address = details["postal_address"]
        locked.save(update_fields=["result_method", "result_address"])
    elif locked.result_method != method:
        details["method_changed_from"] = locked.result_method
    attachments: tuple = ()
    if method == ResultMethod.ELECTRONIC:  # the signed PDF goes with the email (portal.signing)
        from portal.signing.services import signed_result

        document, content = signed_result(dossier=locked)
        details.update({"document": str(document.public_id), "sha256": document.sha256})
        attachments = ((f"ket-qua-{locked.code}.pdf", content, "application/pdf"),)
    returned = engine.return_result(
        dossier=locked,
        actor=actor,
        method=method,
        details=details,
        expected_version=expected_version,
        attachments=attachments,
    )
    if method == ResultMethod.POST:
        _dispatch_by_post(returned, actor=actor, details=details)
    return returned


def _postal_fee(dossier: Dossier) -> int:
    try:
        from portal.postal.fees import postal_fee_for
    except ImportError:
        return 0
    if dossier.result_method != ResultMethod.POST:  # post agreed after submission: today's rate
        from portal.postal.fees import fee_on

        return fee_on(timezone.localdate(), dossier.area)
    return postal_fee_for(dossier)


def _dispatch_by_post(dossier: Dossier, *, actor: User, details: dict[str, Any]) -> None:
    try:
        from portal.postal.services import dispatch
    except ImportError:
        return
    dispatch(
        dossier=dossier,
        actor=actor,
        address=details["postal_address"],
        fee=details["postal_fee"],
    )


# ----------------------------------------------------------------------------------------------
# Late: apology and new appointment (one-stop form 04)

APOLOGY_STATES = (State.RECEIVED, State.PROCESSING, State.APPROVED)
APOLOGY_TEMPLATE = "pdf/backoffice/apology.html"


@transaction.atomic
def issue_apology(
    *,
    dossier: Dossier,
    actor: User,
    new_due_at: dt.datetime,
    reason: str,
    expected_version: int | None = None,
) -> Apology:
    if not can_sign_for_unit(actor, dossier.unit):
        raise PermissionDenied(
            _("Chỉ lãnh đạo đơn vị được ký phiếu xin lỗi và hẹn lại."), code="leader_required"
        )
    reason = clean_reason(reason, field="reason", label=_("Lý do chậm trả kết quả"))
    check_not_in_person(reason, field="reason")
    locked = _locked(dossier, expected_version)
    if locked.state not in APOLOGY_STATES or not locked.due_at:
        raise Conflict(
            _("Hồ sơ ở trạng thái “%(state)s”: không thể hẹn lại.")
            % {"state": locked.get_state_display()},
            code="invalid_transition",
        )
    now = timezone.now()
    if new_due_at <= max(now, locked.due_at):
        message = _("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này.")
        raise ReasonError(message, code="invalid_new_due", details={"new_due_at": [message]})
    original = locked.due_at
    locked.due_at = new_due_at
    locked.version += 1
    locked.save(update_fields=["due_at", "version"])
    event = _record(
        dossier=locked,
        actor=actor,
        action="apology",
        reason=reason,
        details={"original_due_at": original.isoformat(), "new_due_at": new_due_at.isoformat()},
    )
    # The engine's frozen-context document (same shape as CT04/CT05/CT06), rendered after commit.
    document = engine.issue_document(
        locked,
        kind=Document.Kind.APOLOGY,
        template_name=APOLOGY_TEMPLATE,
        event=event,
        context=engine.document_context(
            locked,
            title=str(Document.Kind.APOLOGY.label),
            reason=reason,
            original_due_label=_fmt(original),
            new_due_label=_fmt(new_due_at),
            issued_label=_fmt(now),
            signer_name=actor.full_name or actor.get_username(),
            parent_unit_name=locked.unit.parent.name if locked.unit.parent_id else "",
        ),
    )
    apology = Apology.objects.create(
        dossier=locked,
        original_due_at=original,
        new_due_at=new_due_at,
        reason=reason,
        issued_by=actor,
        document=document,
    )
    engine.notify_event(
        "dossier_delayed",
        dossier=locked,
        context={"original_date": original, "new_date": new_due_at, "reason": reason},
    )
    engine.refresh_caller(dossier, locked)
    return apology


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H giờ %M, ngày %d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# One entry point per decision, shared by the admin forms and the staff API


def stop(*, dossier: Dossier, actor: User, reason: str, expected_version: int | None = None):
    """Stop processing (leader): the reason must be specific, like every other decision's."""
    reason = check_not_in_person(clean_reason(reason), field="reason")
    return engine.stop(
        dossier=dossier, actor=actor, reason=reason, expected_version=expected_version
    )


def perform_decision(*, action: str, dossier: Dossier, actor: User, data: dict[str, Any]) -> str:
    """Carry out one staff decision from already-parsed input and say what was done (Vietnamese).

    `data` holds the decision's fields (as the admin form or the API serializer parsed them) and
    `expected_version`, the dossier version the officer saw. Raises DomainError/ValidationError.
    """
    version = data.get("expected_version")
    if action == "verify":
        mark_verified(
            dossier=dossier,
            actor=actor,
            attachment_ids=[int(x) for x in data["attachments"]],
            expected_version=version,
        )
        return _("Đã lưu kết quả kiểm tra giấy tờ.")
    if action == "receive":
        receive(dossier=dossier, actor=actor, expected_version=version)
        return _("Đã tiếp nhận hồ sơ %(code)s, giấy hẹn CT04 đã được lập.") % {"code": dossier.code}
    if action == "request_supplement":
        request_supplement(
            dossier=dossier,
            actor=actor,
            items=data["items"],
            guidance=data["guidance"],
            expected_version=version,
        )
        return _("Đã gửi yêu cầu bổ sung (CT05) cho công dân.")
    if action == "refuse":
        refuse(
            dossier=dossier,
            actor=actor,
            reason_category=data["reason_category"],
            explanation=data["explanation"],
            documents=data.get("documents") or [],
            expected_version=version,
        )
        return _("Đã từ chối hồ sơ; phiếu CT06 đã được lập và chuyển cấp trên giám sát.")
    if action == "propose_refusal":
        propose_refusal(
            dossier=dossier,
            actor=actor,
            reason_category=data["reason_category"],
            explanation=data["explanation"],
            documents=data.get("documents") or [],
            expected_version=version,
        )
        return _("Đã gửi đề xuất từ chối; hồ sơ chờ lãnh đạo đơn vị duyệt.")
    if action == "decide_refusal":
        decision = data["decision"]
        decide_refusal(
            dossier=dossier,
            actor=actor,
            decision=decision,
            note=data.get("note") or "",
            expected_version=version,
        )
        if decision == Decision.APPROVE:
            return _("Đã duyệt đề xuất: hồ sơ bị từ chối, phiếu CT06 do lãnh đạo ký đã được lập.")
        return _("Đã trả lại đề xuất từ chối cho cán bộ.")
    if action == "assign":
        assign(dossier=dossier, actor=actor, officer=data["officer"], expected_version=version)
        return _("Đã phân công %(name)s.") % {"name": data["officer"]}
    if action == "start_processing":
        start_processing(dossier=dossier, actor=actor, expected_version=version)
        return _("Đã chuyển hồ sơ sang xử lý.")
    if action == "approve":
        approve(dossier=dossier, actor=actor, expected_version=version)
        return _("Đã phê duyệt kết quả.")
    if action == "contact":
        record_contact(
            dossier=dossier,
            actor=actor,
            contacted_at=data["contacted_at"],
            channel=data["channel"],
            outcome=data["outcome"],
            note=data["note"],
        )
        return _("Đã ghi nhật ký liên hệ.")
    if action == "return_result":
        return_result(
            dossier=dossier,
            actor=actor,
            method=data["method"],
            collected_by_name=data.get("collected_by_name") or "",
            collected_by_personal_id=data.get("collected_by_personal_id") or "",
            originals_compared=bool(data.get("originals_compared")),
            postal_address=data.get("postal_address") or "",
            expected_version=version,
        )
        return _("Đã ghi nhận trả kết quả.")
    if action == "apology":
        issue_apology(
            dossier=dossier,
            actor=actor,
            new_due_at=data["new_due_at"],
            reason=data["reason"],
            expected_version=version,
        )
        return _("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    if action == "stop":
        stop(dossier=dossier, actor=actor, reason=data["reason"], expected_version=version)
        return _("Đã dừng xử lý hồ sơ.")
    raise DomainError(_("Thao tác không hợp lệ."), code="unknown_action")
