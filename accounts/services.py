from django.contrib.auth.models import Group
from django.db import transaction

from pasto_coop import roles


@transaction.atomic
def user_role_set(*, user, role, is_active=True):
    """Give `user` exactly one role (or none). Admins also get the staff flag that the
    participant records in the Django admin need."""
    user.is_active = is_active
    user.is_staff = role == roles.ADMIN or user.is_superuser
    user.save(update_fields=["is_active", "is_staff"])
    user.groups.set(Group.objects.filter(name=role) if role else [])
    return user


@transaction.atomic
def user_create(*, form, role):
    user = form.save()
    return user_role_set(user=user, role=role)
