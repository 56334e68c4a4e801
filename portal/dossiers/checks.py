"""System checks: no hollow procedure is ever offered for online filing.

`manage.py check` (and so runserver, migrate, and the gunicorn start-up, see gunicorn.conf.py)
fails when
- a published procedure at level 3 or 4 has no registered plugin (dossiers.E002),
and warns when a published level-4 procedure has a non-zero online fee while no payment
  provider is configured (dossiers.W003): it is then offered and handled at level 3 (fee paid at
  the office, `Procedure.effective_level`), never left waiting for a payment that cannot be made.

Both the versioned catalogue file (portal/catalogue/data/procedures.yaml, what `load_catalogue`
writes) and the database (what the admin may have changed) are checked. The database part is
skipped quietly when it cannot be read yet (no database, tables not migrated).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.core import checks

logger = logging.getLogger(__name__)

HINT_PLUGIN = (
    "Đăng ký plugin cho thủ tục (portal.dossiers.registry) hoặc đặt mức độ 1–2 "
    "(chỉ cung cấp thông tin và biểu mẫu)."
)
HINT_PAYMENT = (
    "Chưa có đơn vị thanh toán trực tuyến (portal.dossiers.payments): đặt mức độ 3 "
    "(nộp lệ phí tại cơ quan) hoặc bỏ lệ phí trực tuyến."
)


def _fee_due(amount, valid_to, today: dt.date) -> bool:
    if not amount or int(amount) <= 0:
        return False
    if valid_to in (None, ""):
        return True
    if not isinstance(valid_to, dt.date):
        valid_to = dt.date.fromisoformat(str(valid_to))
    return valid_to >= today


def _problems(code: str, level: int, online_fees, *, where: str, today: dt.date, obj=None):
    """Errors for one published procedure. `online_fees`: (amount, valid_to) of its online fees."""
    from portal.dossiers import payments
    from portal.dossiers.registry import registry

    errors = []
    if level >= 3 and not registry.is_registered(code):
        errors.append(
            checks.Error(
                f"Thủ tục {code} ({where}) ở mức độ {level} nhưng chưa có plugin: "
                "công dân sẽ nộp một hồ sơ rỗng, phê duyệt không có tác dụng.",
                hint=HINT_PLUGIN,
                obj=obj,
                id="dossiers.E002",
            )
        )
    if (
        level == 4
        and not payments.available()
        and any(_fee_due(amount, to, today) for amount, to in online_fees)
    ):
        # A warning, not an error: the portal already shows and handles such a procedure at
        # level 3 (Procedure.effective_level: the fee is paid at the office), so nothing waits
        # for a payment that cannot be made; production simply has not configured its gateway.
        errors.append(
            checks.Warning(
                f"Thủ tục {code} ({where}) ở mức độ 4 có lệ phí trực tuyến nhưng chưa có đơn vị "
                "thanh toán: cổng đang giải quyết thủ tục này ở mức độ 3 (nộp lệ phí tại cơ quan).",
                hint=HINT_PAYMENT,
                obj=obj,
                id="dossiers.W003",
            )
        )
    return errors


def catalogue_file_errors(path: Path | None = None, today: dt.date | None = None) -> list:
    """The versioned catalogue (procedures.yaml): what `load_catalogue` would publish."""
    import yaml

    from portal.catalogue.services import DATA_DIR

    path = path or DATA_DIR / "procedures.yaml"
    today = today or dt.date.today()
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [
            checks.Error(
                f"Không đọc được danh mục thủ tục {path}: {exc}",
                id="dossiers.E004",
            )
        ]
    errors = []
    for entry in data.get("procedures", []) or []:
        if not entry.get("published", True):
            continue
        fees = [
            (fee.get("amount"), fee.get("to"))
            for fee in entry.get("fees", []) or []
            if fee.get("channel") == "online"
        ]
        errors += _problems(
            str(entry.get("code", "")),
            int(entry.get("level") or 0),
            fees,
            where=path.name,
            today=today,
        )
    return errors


def _database_readable(connection) -> bool:
    """False when the catalogue cannot be read yet: an SQLite file not created, or no table."""
    from django.db import DatabaseError

    name = str(connection.settings_dict.get("NAME") or "")
    in_memory = ":memory:" in name or "mode=memory" in name
    if connection.vendor == "sqlite" and name and not in_memory and not Path(name).exists():
        return False  # do not create an empty database file just to look
    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
    except DatabaseError:
        return False
    return "catalogue_procedure" in tables and "catalogue_procedurefee" in tables


def database_errors(today: dt.date | None = None) -> list:
    """Published procedures in the database (the admin may have changed what was loaded)."""
    from django.db import DatabaseError, connection

    from portal.catalogue.models import Procedure, ProcedureFee

    if not _database_readable(connection):
        return []
    today = today or dt.date.today()
    try:
        procedures = list(
            Procedure.objects.filter(is_published=True, level__gte=3).only("pk", "code", "level")
        )
        fees: dict[int, list] = {}
        for procedure_id, amount, valid_to in ProcedureFee.objects.filter(
            procedure__in=procedures, channel=ProcedureFee.Channel.ONLINE
        ).values_list("procedure_id", "amount", "valid_to"):
            fees.setdefault(procedure_id, []).append((amount, valid_to))
    except DatabaseError:  # e.g. a column not migrated yet
        logger.info("Procedure check skipped: the catalogue tables cannot be read yet.")
        return []
    errors = []
    for procedure in procedures:
        errors += _problems(
            procedure.code,
            procedure.level,
            fees.get(procedure.pk, []),
            where="cơ sở dữ liệu",
            today=today,
            obj=procedure,
        )
    return errors


def check_no_hollow_procedure(app_configs=None, **kwargs) -> list:
    return catalogue_file_errors() + database_errors()
