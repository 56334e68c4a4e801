"""Dossier services: every write and state change of the engine.

Rules for every transition (see /docs in the README, "Dossier lifecycle"):
1. lock the row (`select_for_update`), 2. compare `expected_version` (someone else changed it →
Conflict "changed_by_someone_else"), 3. the transition must exist from the current state (Conflict
"invalid_transition"), 4. the actor must hold the role (PermissionDenied), 5. do the work, bump
`version`, append an immutable `DossierEvent`, 6. side effects (PDF rendering) after commit.
Notifications are written in the same transaction (outbox rows).

The package, by concern: drafts.py (routing, drafts, attachments), citizen.py and staff.py (the
state changes, who may do them), documents.py, notices.py, _common.py (lock, checks, history,
notices). Every name stays importable from `portal.dossiers.services`."""

# ruff: noqa: F401
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from portal.accounts.models import Role
from portal.catalogue.models import DeadlineKind, Procedure, ResultMethod
from portal.core.errors import Conflict, DomainError, PermissionDenied
from portal.dossiers import attachments as attachment_checks
from portal.dossiers.codes import new_dossier_code
from portal.dossiers.models import (
    CLOCK_RUNNING_STATES,
    Attachment,
    Document,
    Dossier,
    DossierEvent,
    State,
    SupplementRequest,
)
from portal.dossiers.registry import ProcedurePlugin, ResultDocumentSpec, registry
from portal.dossiers.services._common import (
    _TRANSITION_OF,
    ACTIONS,
    RECEIPT_TEMPLATE,
    REFUSAL_TEMPLATE,
    SUPPLEMENT_TEMPLATE,
    _actor_fields,
    _check_transition,
    _check_version,
    _error_dict,
    _fmt,
    _json_safe,
    _lock,
    _not_online_error,
    _now,
    _record,
    _require_owner,
    _run_transition,
    _save,
    _state_label,
    _transition_roles,
    _without_final_stop,
    display_plugin,
    get_plugin,
    logger,
    notify_event,
    refresh_caller,
)
from portal.dossiers.services.citizen import (
    RECORDED_EVENT,
    _due_from,
    _iso,
    _receiving_round_the_clock,
    _record_at_once,
    _working_days,
    confirm_payment,
    require_verified_phone,
    resubmit,
    submit,
    withdraw,
)
from portal.dossiers.services.documents import (
    _documents_received,
    _form_value,
    _render_context,
    _to_datetime,
    document_context,
    filled_form_values,
    issue_document,
    issue_filled_form,
    render_document,
)
from portal.dossiers.services.drafts import (
    DRAFT_LIMIT_CODES,
    _attachment_states,
    _route,
    add_attachment,
    create_draft,
    delete_attachment,
    draft_limit_errors,
    missing_documents,
    unit_for,
    update_draft,
)
from portal.dossiers.services.notices import (
    OVERDUE_NOTICE,
    OVERDUE_NOTICE_EVENT,
    notify_overdue,
)
from portal.dossiers.services.staff import (
    _check_guidance_given_once,
    _clean_items,
    allowed_actions,
    approve,
    assign,
    receive,
    refuse,
    reopen,
    request_supplement,
    return_result,
    start_processing,
    stop,
)
from portal.units.models import AdministrativeArea, PoliceUnit
