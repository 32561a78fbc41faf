"""Chronology files and rows given twice (issue 12 item 10), people proposed by agencies (issue 13).

Each imported file is recorded (ChronologyUpload: the file, its SHA-256, its rows and what was
done with rows already in the chronology); each row gets a fingerprint and can be archived when a
later file replaces it; names that are not people in the case are kept as proposals for the
business unit. The fingerprints of the rows already stored are computed here, with a copy of
``reviews.chronology.parser.row_fingerprint`` as it is at this migration (a later change to it
would come with its own migration).
"""

import hashlib
import re
import unicodedata

import django.db.models.deletion
import django.db.models.functions.text
import safeguarding.core.files
from django.conf import settings
from django.db import migrations, models


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _normalised(text):
    return " ".join(unicodedata.normalize("NFKC", _CONTROL.sub("", text or "")).casefold().split())


def _fingerprint(agency_id, occurred_on, occurred_at, event, source_record):
    parts = [
        str(agency_id),
        occurred_on.isoformat(),
        occurred_at.strftime("%H:%M") if occurred_at else "",
        _normalised(event),
        _normalised(source_record),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def fingerprints_fill(apps, schema_editor):
    entry = apps.get_model("reviews", "ChronologyEntry")
    using = schema_editor.connection.alias
    rows = entry.objects.using(using).filter(fingerprint="").only(
        "pk", "agency_id", "occurred_on", "occurred_at", "event", "source_record"
    )
    batch = []
    for row in rows.iterator(chunk_size=2000):
        row.fingerprint = _fingerprint(
            row.agency_id, row.occurred_on, row.occurred_at, row.event, row.source_record
        )
        batch.append(row)
        if len(batch) >= 2000:
            entry.objects.using(using).bulk_update(batch, ["fingerprint"])
            batch = []
    if batch:
        entry.objects.using(using).bulk_update(batch, ["fingerprint"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_people'),
        ('reviews', '0007_encrypt_identities'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='chronologyentry',
            name='archived_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='chronologyentry',
            name='archived_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='chronologyentry',
            name='fingerprint',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.CreateModel(
            name='ChronologyUpload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(blank=True, max_length=300, upload_to=safeguarding.core.files.UploadPath('chronology-uploads', 'review_id'))),
                ('file_name', models.CharField(blank=True, max_length=255)),
                ('file_kind', models.CharField(blank=True, choices=[('csv', 'CSV file'), ('xlsx', 'Excel workbook')], max_length=10)),
                ('size_bytes', models.PositiveBigIntegerField(blank=True, null=True)),
                ('content_hash', models.CharField(blank=True, help_text='SHA-256 of the file', max_length=64)),
                ('rows_in_file', models.PositiveIntegerField()),
                ('rows_added', models.PositiveIntegerField()),
                ('rows_not_added', models.PositiveIntegerField(default=0, help_text="Rows already in the chronology, left out at the user's choice")),
                ('rows_archived', models.PositiveIntegerField(default=0, help_text='Earlier rows this file replaced (archived, not deleted)')),
                ('outcome', models.CharField(choices=[('added', 'Every row added'), ('replaced_earlier', 'Replaced the earlier rows it repeated'), ('new_rows_only', 'Only the rows not already in the chronology added')], default='added', max_length=20)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('by_command', models.BooleanField(default=False)),
                ('replaced_at', models.DateTimeField(blank=True, null=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chronology_uploads', to='accounts.agency')),
                ('replaced_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced', to='reviews.chronologyupload')),
                ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chronology_uploads', to='reviews.review')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='agencyreturn',
            name='chronology_upload',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='agency_return', to='reviews.chronologyupload'),
        ),
        migrations.AddField(
            model_name='chronologyentry',
            name='archived_for',
            field=models.ForeignKey(blank=True, help_text='The later file that replaced this row', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='archived_entries', to='reviews.chronologyupload'),
        ),
        migrations.AddField(
            model_name='chronologyentry',
            name='upload',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='reviews.chronologyupload'),
        ),
        migrations.CreateModel(
            name='ProposedPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pseudonym', models.CharField(max_length=60)),
                ('proposed_at', models.DateTimeField(auto_now_add=True)),
                ('state', models.CharField(choices=[('proposed', 'Waiting for the business unit'), ('confirmed', 'Added to the people in the case'), ('merged', 'Someone already in the case'), ('rejected', 'Not a person in the case')], default='proposed', max_length=20)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('reason', models.TextField(blank=True, max_length=2000)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.agency')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='proposals', to='reviews.person')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposed_people', to='reviews.review')),
            ],
            options={
                'ordering': ['proposed_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='chronologyentry',
            name='proposed_people',
            field=models.ManyToManyField(blank=True, related_name='entries', to='reviews.proposedperson'),
        ),
        migrations.AddIndex(
            model_name='chronologyentry',
            index=models.Index(fields=['review', 'agency', 'fingerprint'], name='chrono_fingerprint'),
        ),
        migrations.AddIndex(
            model_name='chronologyupload',
            index=models.Index(fields=['review', 'agency', 'content_hash'], name='chrono_upload_same_file'),
        ),
        migrations.AddConstraint(
            model_name='proposedperson',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('pseudonym'), models.F('review'), condition=models.Q(('state', 'proposed')), name='proposed_person_once'),
        ),
        migrations.RunPython(fingerprints_fill, migrations.RunPython.noop, elidable=True),
    ]
