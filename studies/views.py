"""Study pages: the home page (the user's studies), creating a study, its members and settings,
and the site admins' study trash and "make myself owner"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from studies import services
from studies.access import (
    get_member_for_owner,
    get_membership,
    get_membership_manage,
    get_membership_owner,
    get_study_for_site_admin,
)
from studies.forms import MemberAddForm, MemberRoleForm, StudyCreateForm, StudyDeleteForm, StudySettingsForm
from studies.models import ROLE_DESCRIPTIONS, Membership, Study
from studies.roles import can_create_study, is_site_admin


def _error_text(error):
    """One line for a message from a service's ValidationError (dict or list)."""
    return " ".join(error.messages)


@login_required
def home(request):
    """The user's studies with their role in each; for site admins, also the other live studies
    (names only), so they can make themselves owner. Query count flat as studies grow."""
    site_admin = is_site_admin(request.user)
    studies = list(Study.objects.for_home(request.user))
    ctx = {
        "studies": studies,
        "role_descriptions": ROLE_DESCRIPTIONS,
        "can_create_study": can_create_study(request.user),
        "is_site_admin": site_admin,
        "other_studies": (
            list(Study.objects.live().exclude(memberships__user=request.user).order_by("name"))
            if site_admin else []
        ),
    }
    return render(request, "studies/home.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def study_create(request):
    if not can_create_study(request.user):
        raise PermissionDenied
    form = StudyCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Study “%(name)s” created; you are its owner.")
                             % {"name": study.name})
            return redirect(study)
    return render(request, "studies/study_create.html", {"form": form}, status=400 if form.errors else 200)


def _members_page(request, membership, *, add_form=None, status=200):
    ctx = {
        "members": list(Membership.objects.for_members_page(membership.study)),
        "add_form": add_form or MemberAddForm(),
        "role_form": MemberRoleForm(),
        "role_descriptions": ROLE_DESCRIPTIONS,
    }
    return render(request, "studies/members.html", ctx, status=status)


@login_required
def members(request, study):
    """Every member may see who else is in the study and in which role; owners change it."""
    return _members_page(request, get_membership(request, study))


@login_required
@require_POST
def member_add(request, study):
    owner = get_membership_manage(request, study)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_find(form.cleaned_data["user"])
            services.membership_add(study=owner.study, user=user, role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": user.get_username()})
            return redirect("study:members", owner.study.slug)
    return _members_page(request, owner, add_form=form, status=400)


@login_required
@require_POST
def member_role_set(request, study, pk):
    member = get_member_for_owner(request, study, pk)
    form = MemberRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a role."), code="invalid_role")
        services.membership_role_set(membership=member, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _members_page(request, request.membership, status=400)
    messages.success(request, _("%(name)s is now %(role)s.") % {
        "name": member.user.get_username(), "role": member.get_role_display()})
    return redirect("study:members", study)


@login_required
@require_POST
def member_remove(request, study, pk):
    member = get_member_for_owner(request, study, pk)
    try:
        services.membership_remove(membership=member)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _members_page(request, request.membership, status=400)
    messages.success(request, _("%(name)s removed from the study.") % {"name": member.user.get_username()})
    if member.user_id == request.user.pk:
        return redirect("home")
    return redirect("study:members", study)


@login_required
@require_http_methods(["GET", "POST"])
def study_settings(request, study):
    """Owners edit the study's name, description and language; while it is archived the form
    is read-only and only un-archiving is offered."""
    access = get_membership_owner if request.method == "GET" else get_membership_manage
    owner = access(request, study)
    form = StudySettingsForm(request.POST if request.method == "POST" else None, instance=owner.study)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Study settings saved."))
        return redirect("study:settings", owner.study.slug)
    ctx = {"form": form, "delete_form": StudyDeleteForm()}
    return render(request, "studies/settings.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def study_archive(request, study):
    """Archive (archived=1) or un-archive (archived=0) the study; owners only."""
    owner = get_membership_owner(request, study)
    archived = request.POST.get("archived") == "1"
    services.study_archive(study=owner.study, archived=archived)
    messages.success(request, _("Study archived: it is read-only now.") if archived
                     else _("Study un-archived."))
    return redirect("study:settings", owner.study.slug)


@login_required
@require_http_methods(["GET", "POST"])
def study_delete(request, study):
    owner = get_membership_owner(request, study)
    form = StudyDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.study_delete(
                study=owner.study, user=request.user, confirm_name=form.cleaned_data["confirm_name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Study “%(name)s” moved to the trash.") % {"name": owner.study.name})
            return redirect("home")
    return render(request, "studies/study_delete.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def study_trash(request):
    """Site admins: studies deleted within the last TRASH_DAYS days, to restore."""
    if not is_site_admin(request.user):
        raise PermissionDenied
    return render(request, "studies/trash.html", {"deleted": list(Study.objects.for_trash())})


@login_required
@require_POST
def study_restore(request, pk):
    study = get_study_for_site_admin(request, pk=pk, deleted=True)
    try:
        services.study_restore(study=study)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return render(request, "studies/trash.html", {"deleted": list(Study.objects.for_trash())}, status=400)
    messages.success(request, _("Study “%(name)s” restored.") % {"name": study.name})
    return redirect("studies:trash")


@login_required
@require_POST
def study_claim(request, study):
    """A site admin makes themselves owner of a live study. The audit log records the new
    membership against them (audit.context.current_user is set by the middleware)."""
    target = get_study_for_site_admin(request, slug=study)
    services.membership_claim_ownership(study=target, user=request.user)
    messages.success(request, _("You are now an owner of “%(name)s”; this is recorded in its history.")
                     % {"name": target.name})
    return redirect(target)
