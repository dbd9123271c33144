from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # a 100,000-excerpt project is about 25 MB zipped
SUFFIXES = (".qdpx", ".qdc", ".qde")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("REFI-QDA file"),
        help_text=_("A project (.qdpx) or codebook (.qdc) from ATLAS.ti, MAXQDA, NVivo, QualCoder "
                    "or pasto-coop. At most 256 MB."),
    )
    name = forms.CharField(
        label=_("Name of the new study"), max_length=200, required=False,
        help_text=_("Leave it empty to use the project's name."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in SUFFIXES:
            raise ValidationError(
                _("Choose a .qdpx project or a .qdc codebook file."), code="wrong_type"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than 256 MB; import it with manage.py import_qdpx."),
                code="too_large",
            )
        return upload
