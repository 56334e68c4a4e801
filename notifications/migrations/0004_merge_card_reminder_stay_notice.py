# Merges the two 0003 leaves that meet in this branch (h-cards' card reminder event and main's stay
# notice event). Drop it if another branch brings its own merge of these two.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_card_expiry_reminder_event"),
        ("notifications", "0003_stay_notice_recorded"),
    ]

    operations = []
