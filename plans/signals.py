"""What the plan tells the rest of Mend without importing it: check-ins e-mail on these (checkins/notifications.py
listens), and plans never imports checkins."""

from __future__ import annotations

from django.dispatch import Signal

# One partner said they're ready for the next stage and the other hasn't yet. Sent with `other` (the User to
# tell), `next_stage` (its number) and `opened_by` ("both", or the role that opens that stage alone).
partner_ready = Signal()
