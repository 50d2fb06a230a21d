"""The therapist side: consent and care-team access (consent.py), the caseload, a couple's summary, the
session brief and its PDF, the demo therapist, and their pages (views.py, forms.py, urls.py).

It reads plans and check-ins; nothing below it (the core, plans, checkins) imports it."""
