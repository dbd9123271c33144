"""Account writes. Accounts are site-level, not a study's: their history is Django's own
LogEntry (the admin's "Recent actions"), which the user edit page lists too."""

import json

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from studies import roles


def _site_groups(user):
    return sorted(g.name for g in user.groups.all() if g.name in roles.GROUP_PERMISSIONS)


def _log(by, user, flag, message):
    if by is None or not by.is_authenticated:
        return
    message = json.dumps(message)
    LogEntry.objects.log_actions(by.pk, get_user_model().objects.filter(pk=user.pk), flag,
                                 change_message=message, single_object=True)


@transaction.atomic
def user_site_groups_set(*, user, site_groups, is_active=True, by=None, _log_change=True):
    """Give `user` exactly these site groups (Site admin, Study creator) and leave any other
    group alone. Study roles are memberships, set on each study's members page. `by` (the site
    admin doing it) is recorded in the account's log when something changed."""
    before = (_site_groups(user), user.is_active)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.groups.remove(*Group.objects.filter(name__in=roles.GROUP_PERMISSIONS).exclude(name__in=site_groups))
    user.groups.add(*Group.objects.filter(name__in=site_groups))
    after = (sorted(site_groups), is_active)
    if _log_change and before != after:
        # The admin's own message format: get_change_message() shows it translated.
        fields = [name for name, old, new in (("Site roles", before[0], after[0]),
                                              ("Active", before[1], after[1])) if old != new]
        _log(by, user, CHANGE, [{"changed": {"fields": fields}}])
    return user


@transaction.atomic
def user_create(*, form, site_groups, by=None):
    user = form.save()
    user_site_groups_set(user=user, site_groups=site_groups, by=by, _log_change=False)
    _log(by, user, ADDITION, [{"added": {}}])
    return user


def profile_language_set(*, user, language):
    """Store `language` ("" for none) as the user's interface language, on every device."""
    from accounts.models import Profile

    Profile.objects.update_or_create(user=user, defaults={"language": language})
