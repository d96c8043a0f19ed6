"""A changed password revokes every API token of its account.

How a change is told from a rehash: Django rehashes a stored password on sign-in when the
hasher or its work factor changed (``AbstractBaseUser.check_password``'s setter). That setter
calls ``set_password`` and then clears ``user._password`` before saving, which is Django's own
marker for "not a password change" (``password_changed`` validators are skipped for it too).
So a save counts as a password change when the stored hash differs from the new one and either

- ``user._password`` is set: ``set_password`` was called and not undone by the rehash setter
  (the password change page, the admin's password form, ``changepassword``, code), or
- the new hash is unusable (``set_unusable_password``), or the old one was up to date for the
  current hashers, so no rehash would replace it (a hash written directly).

A rehash (``_password`` cleared, old hash outdated, new hash usable) keeps the tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db.models.signals import post_save, pre_save

FLAG = "_aims_password_changed"


def _outdated(encoded: str) -> bool:
    """Whether Django would rehash this stored hash at the next sign-in."""
    try:
        hasher = identify_hasher(encoded)
    except ValueError:
        return False
    preferred = get_hasher("default")
    return hasher.algorithm != preferred.algorithm or preferred.must_update(encoded)


def is_password_change(old: str, new: str, raw_was_set: bool) -> bool:
    if old == new:
        return False
    if raw_was_set or not new or new.startswith("!"):
        return True
    return not _outdated(old)


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is None:
        return
    raw_was_set = getattr(instance, "_password", None) is not None
    setattr(instance, FLAG, is_password_change(old, instance.password, raw_was_set))


def revoke_tokens_after_password_change(sender, instance, created=False, raw=False, **kwargs):
    if raw or created or not getattr(instance, FLAG, False):
        return
    setattr(instance, FLAG, False)
    from .tokens import revoke_all_tokens

    revoke_all_tokens(
        instance,
        note=f"The password of {instance.get_username()} changed: all their API tokens are "
        "revoked.",
    )


def connect() -> None:
    pre_save.connect(
        note_password_change, sender=settings.AUTH_USER_MODEL, dispatch_uid="aims-password-1"
    )
    post_save.connect(
        revoke_tokens_after_password_change,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="aims-password-2",
    )
