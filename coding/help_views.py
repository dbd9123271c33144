"""The help pages: how to code with the keyboard alone and with a screen reader. They belong to
no study, so any signed-in user reads them; they say nothing about anyone's data."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def keyboard_help(request):
    return render(request, "coding/help_keyboard.html")
