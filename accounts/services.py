from django.contrib.auth.models import Group
from django.db import transaction

from studies import roles


@transaction.atomic
def user_site_groups_set(*, user, site_groups, is_active=True):
    """Give `user` exactly these site groups (Site admin, Study creator) and leave any other
    group alone. Study roles are memberships, set on each study's members page."""
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.groups.remove(*Group.objects.filter(name__in=roles.GROUP_PERMISSIONS).exclude(name__in=site_groups))
    user.groups.add(*Group.objects.filter(name__in=site_groups))
    return user


@transaction.atomic
def user_create(*, form, site_groups):
    user = form.save()
    return user_site_groups_set(user=user, site_groups=site_groups)


def profile_language_set(*, user, language):
    """Store `language` ("" for none) as the user's interface language, on every device."""
    from accounts.models import Profile

    Profile.objects.update_or_create(user=user, defaults={"language": language})
