from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from onlinesafety.schools.models import School

from .middleware import SESSION_FLAG
from .services.agreements import set_up_default_agreements


@receiver(post_save, sender=School)
def give_new_schools_the_agreements(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        set_up_default_agreements(school=instance)


@receiver(user_logged_in)
def show_agreements_first(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_FLAG] = True
