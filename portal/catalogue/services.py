"""Write side of the catalogue: loading the versioned data files into the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from portal.core.errors import DomainError

from .models import (
    DeadlineKind,
    FormTemplate,
    LegalBasis,
    Procedure,
    ProcedureFee,
    ReceptionMode,
    RequiredDocument,
    ResultMethod,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadSummary:
    forms_created: int = 0
    forms_updated: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"Mẫu tờ khai: {self.forms_created} mới, {self.forms_updated} cập nhật. "
            f"Thủ tục: {len(self.created)} mới, {len(self.updated)} cập nhật."
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml  # only the loader command needs it: web workers do not keep PyYAML (issue 13)

    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _deadline(entry: dict) -> tuple[str, Decimal]:
    raw = entry.get("deadline")
    if raw == "immediate":
        return DeadlineKind.IMMEDIATE, Decimal("0")
    try:
        days = Decimal(str(raw))
    except Exception as exc:  # noqa: BLE001 - any unparsable value is a data error
        raise DomainError(f"{entry['code']}: thời hạn không hợp lệ: {raw!r}") from exc
    return DeadlineKind.WORKING_DAYS, days


def _check_choices(code: str, entry: dict) -> None:
    bad = [m for m in entry.get("result_methods", []) if m not in ResultMethod.values]
    if bad:
        raise DomainError(f"{code}: hình thức nhận kết quả không hợp lệ: {bad}")
    mode = entry.get("reception_mode", ReceptionMode.OFFICE_HOURS)
    if mode not in ReceptionMode.values:
        raise DomainError(f"{code}: thời gian tiếp nhận không hợp lệ: {mode}")
    if entry.get("level") not in (1, 2, 3, 4):
        raise DomainError(f"{code}: mức độ phải là 1–4")
    if entry.get("level") == 1 and entry.get("forms"):
        raise DomainError(f"{code}: thủ tục mức độ 1 không cung cấp biểu mẫu")


@transaction.atomic
def load_catalogue(*, data_dir: Path = DATA_DIR) -> LoadSummary:
    """Create or update forms and procedures from the data files (idempotent, by code).

    The child rows of every procedure in the files (legal bases, fees, required documents, forms) are
    replaced; procedures that exist only in the database are left alone.
    """
    summary = LoadSummary()
    forms_data = _read_yaml(data_dir / "forms.yaml")
    forms: dict[str, FormTemplate] = {}
    for entry in forms_data.get("forms", []):
        form, created = FormTemplate.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "template_name": entry["template"],
                "legal_source": entry.get("legal_source", ""),
            },
        )
        forms[form.code] = form
        if created:
            summary.forms_created += 1
        else:
            summary.forms_updated += 1

    data = _read_yaml(data_dir / "procedures.yaml")
    legal_documents: dict[str, dict] = data.get("legal_documents", {})
    documents: dict[str, dict] = data.get("documents", {})

    for entry in data.get("procedures", []):
        code = str(entry["code"])
        _check_choices(code, entry)
        kind, days = _deadline(entry)
        max_days = entry.get("deadline_max")
        procedure, created = Procedure.objects.update_or_create(
            code=code,
            defaults={
                "name_vi": entry["name_vi"],
                "name_en": entry.get("name_en", ""),
                "field": entry["field"],
                "level": entry["level"],
                "summary": (entry.get("summary") or "").strip(),
                "applicants": (entry.get("applicants") or "").strip(),
                "conditions": (entry.get("conditions") or "").strip(),
                "deadline_kind": kind,
                "deadline_days": days,
                "deadline_days_max": Decimal(str(max_days)) if max_days is not None else None,
                "deadline_note": entry.get("deadline_note", ""),
                "reception_mode": entry.get("reception_mode", ReceptionMode.OFFICE_HOURS),
                "exemptions": (entry.get("exemptions") or "").strip(),
                "handling_level": entry.get("handling_level", "commune"),
                "result_methods": list(entry.get("result_methods", [])),
                "result_document": entry.get("result_document", ""),
                "source": (entry.get("source") or "").strip(),
                "is_published": entry.get("published", True),
            },
        )
        (summary.created if created else summary.updated).append(code)

        procedure.legal_bases.all().delete()
        bases = []
        for position, ref in enumerate(entry.get("legal_bases", [])):
            doc = legal_documents[ref] if isinstance(ref, str) else ref
            bases.append(
                LegalBasis(
                    procedure=procedure,
                    number=doc["number"],
                    issued_on=_date(doc.get("date")),
                    title=doc["title"],
                    position=position,
                )
            )
        LegalBasis.objects.bulk_create(bases)

        procedure.fees.all().delete()
        ProcedureFee.objects.bulk_create(
            ProcedureFee(
                procedure=procedure,
                channel=fee["channel"],
                amount=int(fee["amount"]),
                valid_from=_date(fee["from"]),
                valid_to=_date(fee.get("to")),
                legal_basis=fee.get("basis", ""),
                note=fee.get("note", ""),
            )
            for fee in entry.get("fees", [])
        )

        procedure.required_documents.all().delete()
        required = []
        for position, item in enumerate(entry.get("required_documents", [])):
            spec = {**documents.get(item.get("use", ""), {}), **item}
            key = spec.get("key") or spec["use"]
            required.append(
                RequiredDocument(
                    procedure=procedure,
                    key=key,
                    name=spec["name"],
                    is_mandatory=bool(spec.get("mandatory", True)),
                    copy_kind=spec.get("copy_kind", RequiredDocument.CopyKind.ORIGINAL_OR_COPY),
                    quantity=int(spec.get("quantity", 1)),
                    note=spec.get("note", ""),
                    position=position,
                )
            )
        RequiredDocument.objects.bulk_create(required)

        try:
            procedure.forms.set([forms[c] for c in entry.get("forms", [])])
        except KeyError as exc:
            raise DomainError(f"{code}: không có mẫu tờ khai {exc.args[0]}") from exc

    # bulk_create sends no signal: the cached catalogue answers go stale explicitly
    from .cache import bump_catalogue_version

    bump_catalogue_version()
    transaction.on_commit(bump_catalogue_version)
    return summary
