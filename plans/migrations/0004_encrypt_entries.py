# What people write here becomes ciphertext at rest (recovery/fields.py): the columns become `text`
# (ciphertext is longer than the words), then every existing row is encrypted in batches. Backwards, the
# words are written back as plain text before the columns change back.

import recovery.fields
from django.db import migrations

from recovery.entry_rotation import decrypt_to_plain, reencrypt

ENCRYPTED = {'Completion': ['note'], 'Ritual': ['text'], 'AgreementItem': ['text'], 'WishNote': ['text']}


def encrypt_existing(apps, schema_editor):
    for name, fields in ENCRYPTED.items():
        reencrypt(apps.get_model('plans', name), fields)


def decrypt_existing(apps, schema_editor):
    for name, fields in ENCRYPTED.items():
        decrypt_to_plain(apps.get_model('plans', name), fields)


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_agreement_consent'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agreementitem',
            name='text',
            field=recovery.fields.EncryptedTextField(max_length=500),
        ),
        migrations.AlterField(
            model_name='completion',
            name='note',
            field=recovery.fields.EncryptedTextField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name='ritual',
            name='text',
            field=recovery.fields.EncryptedTextField(max_length=200, verbose_name='I miss…'),
        ),
        migrations.AlterField(
            model_name='wishnote',
            name='text',
            field=recovery.fields.EncryptedTextField(max_length=2000),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
