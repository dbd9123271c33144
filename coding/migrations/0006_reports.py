# Reserved for the reports work in progress; filled in by that change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("coding", "0005_excerpt_review_reason")]

    operations = []
