from django.db import models


class UsedToken(models.Model):
    """A form token that has been sent: written in the transaction of the form's own write, so the two are
    committed together. Holds no person, no form data and no address with a secret in it."""

    key = models.CharField(max_length=40, unique=True)
    issued_at = models.DateTimeField(db_index=True)  # when the form was shown: forgotten TOKEN_DAYS after it
    used_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=2000, blank=True)  # where the first send went ("" for the same page)

    def __str__(self) -> str:
        return f"form token {self.pk}"
