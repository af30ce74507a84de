from django.db.models.signals import post_save
from django.dispatch import receiver

from onlinesafety.schools.models import School

from .services import set_up_compliance_defaults


@receiver(post_save, sender=School)
def give_new_schools_the_calendar(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        set_up_compliance_defaults(school=instance)
