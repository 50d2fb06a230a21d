# What people write here becomes ciphertext at rest (recovery/fields.py): the columns become `text`
# (ciphertext is longer than the words), then every existing row is encrypted in batches. Backwards, the
# words are written back as plain text before the columns change back.

import recovery.fields
from django.db import migrations

from recovery.entry_rotation import decrypt_to_plain, reencrypt

ENCRYPTED = {'DailyCheckIn': ['high', 'low', 'to_talk_through', 'trigger_note', 'shared_unprompted'], 'WeeklyReview': ['what_worked', 'what_was_hard', 'small_victory', 'appreciation', 'accountability']}


def encrypt_existing(apps, schema_editor):
    for name, fields in ENCRYPTED.items():
        reencrypt(apps.get_model('checkins', name), fields)


def decrypt_existing(apps, schema_editor):
    for name, fields in ENCRYPTED.items():
        decrypt_to_plain(apps.get_model('checkins', name), fields)


class Migration(migrations.Migration):

    dependencies = [
        ('checkins', '0003_outbox_and_pause_token'),
    ]

    operations = [
        migrations.AlterField(
            model_name='dailycheckin',
            name='high',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='A high of today'),
        ),
        migrations.AlterField(
            model_name='dailycheckin',
            name='low',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='A low of today'),
        ),
        migrations.AlterField(
            model_name='dailycheckin',
            name='shared_unprompted',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='What I shared without being asked'),
        ),
        migrations.AlterField(
            model_name='dailycheckin',
            name='to_talk_through',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='Something I need to talk through'),
        ),
        migrations.AlterField(
            model_name='dailycheckin',
            name='trigger_note',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name="What happened (if you'd like to say)"),
        ),
        migrations.AlterField(
            model_name='weeklyreview',
            name='accountability',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=2000, verbose_name='Accountability'),
        ),
        migrations.AlterField(
            model_name='weeklyreview',
            name='appreciation',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='Something I appreciated about you'),
        ),
        migrations.AlterField(
            model_name='weeklyreview',
            name='small_victory',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=1000, verbose_name='A small victory'),
        ),
        migrations.AlterField(
            model_name='weeklyreview',
            name='what_was_hard',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=2000, verbose_name='What was hard'),
        ),
        migrations.AlterField(
            model_name='weeklyreview',
            name='what_worked',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=2000, verbose_name='What worked this week'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
