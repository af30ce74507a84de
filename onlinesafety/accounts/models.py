from datetime import datetime
from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

# Sent (with ``user``) once a new usable password has been saved for an existing account, whichever page, form or
# command set it: the reset link, the password change page, the Django admin, ``manage.py changepassword``, an
# invitation. Hash upgrades at sign-in are not password changes and send nothing (Django clears ``_password``).
password_set = Signal()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str | None) -> "User":
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    ``is_staff`` means "may use the Django admin" (the site operator), not "member of school staff":
    school roles live on Membership.
    """

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("site administrator", default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    closed_with_last_role = models.BooleanField(
        "switched off when their last role ended", default=False,
        help_text="Set when the people pages switched the account off because the person holds no role anywhere: "
                  "a school giving them a role again switches it back on. An account the site administrator "
                  "switched off has this unset, and only the site administrator re-opens it.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(condition=models.Q(is_active=False) | models.Q(closed_with_last_role=False),
                                   name="accounts_user_closed_with_last_role_only_when_off"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Addresses are stored lower-case so the unique constraint is case-insensitive in effect.
        self.email = self.email.strip().lower()
        update_fields = kwargs.get("update_fields")
        if self.is_active and self.closed_with_last_role:  # switched back on, whoever did it: no longer "closed"
            self.closed_with_last_role = False
            if update_fields is not None and "closed_with_last_role" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "closed_with_last_role"]
        # set_password() keeps the raw password in _password until the save (AbstractBaseUser.save then tells the
        # password validators): that is how a new password is told from any other save.
        new_password = (getattr(self, "_password", None) is not None and not self._state.adding
                        and (update_fields is None or "password" in update_fields))
        if not new_password:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.has_usable_password():
                password_set.send(sender=User, user=self)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# Whoever is asking, signed in or not: what rights and selectors take.
Person: TypeAlias = User | AnonymousUser


class Invitation(models.Model):
    """A one-time link for a person to set their password: sent when a school adds them (or invites its parents).

    Only the SHA-256 of the link's token is stored (the token is random, so no salt or slow hash is needed). It is
    spent by being accepted, or withdrawn when a newer invitation replaces it or the person leaves; a person has at
    most one invitation that is neither (a database constraint), so a second click never makes a second live link.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", "Member of staff, governor or visitor"
        PARENT = "parent", "Parent or carer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="account_invitations",
                               help_text="The school that sent it: named in the email and the audit trail.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True,
                                        help_text="Replaced by a newer invitation, or the person left.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(accepted_at__isnull=True,
                                                                        withdrawn_at__isnull=True),
                                    name="accounts_one_unspent_invitation"),
            models.CheckConstraint(condition=models.Q(accepted_at__isnull=True) | models.Q(withdrawn_at__isnull=True),
                                   name="accounts_invitation_spent_once"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                   name="accounts_invitation_expires_after_sent"),
        ]
        indexes = [models.Index(fields=["school", "created_at"], name="accounts_invitation_school")]

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.get_kind_display()})"

    @property
    def is_spent(self) -> bool:
        return self.accepted_at is not None or self.withdrawn_at is not None

    def has_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())
