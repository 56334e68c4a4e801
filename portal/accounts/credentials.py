"""Revoking an account's credentials whenever its password changes: one choke point.

Every path that changes the stored password hash (reset by SMS code, the admin's password form,
`set_password` + `save()` anywhere, a future "change my password" page) ends in `User.save()`;
the signal receivers below compare the hash with the stored one and, when it changed, call
`revoke_credentials`. It deletes the account's API tokens (a new login issues a new key); other
browser sessions end because Django checks each session's hash of the password on every request
(`SESSION_HASH` in `django.contrib.auth`), which no longer matches. A hash upgrade at login
(same password, newer hasher) is not a change.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from portal.accounts.models import User

log = logging.getLogger("portal.accounts")


@transaction.atomic
def revoke_credentials(*, user: User) -> int:
    """Delete the account's API tokens; returns how many were deleted."""
    deleted, _ = Token.objects.filter(user_id=user.pk).delete()
    log.info("credentials of user %s revoked (%s API token(s))", user.pk, deleted)
    return deleted


@receiver(pre_save, sender=User, dispatch_uid="accounts-note-password-change")
def _note_password_change(sender, instance: User, raw=False, update_fields=None, **kwargs):
    instance._password_hash_changed = False
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if getattr(instance, "_rehashing_password", False):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_hash_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="accounts-revoke-on-password-change")
def _revoke_on_password_change(sender, instance: User, raw=False, **kwargs):
    if getattr(instance, "_password_hash_changed", False):
        instance._password_hash_changed = False
        revoke_credentials(user=instance)
