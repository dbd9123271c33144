# Reserved for the codebook work in progress; filled in by that change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("coding", "0006_reports")]

    operations = []
