from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from plans.content import render_body
from plans.models import Step
from recovery.models import Partner

register = template.Library()


@register.filter
def step_body(text: str) -> SafeString:
    return render_body(text)


@register.simple_tag
def who_does(step: Step, membership: Partner, partner: Partner | None) -> str:
    """'Both of you', 'You', or the partner's name — never a role label."""
    if step.who == Step.Who.BOTH:
        return _("Both of you")
    if step.who == membership.role:
        return _("You") if not membership.couple.hurt_is_mutual else _("Both of you")
    return partner.user.get_short_name() if partner else _("Your partner")


@register.simple_tag
def how_long(step: Step) -> str:
    if step.minutes:
        return _("about %(n)s minutes") % {"n": step.minutes}
    return _("over %(n)s days") % {"n": step.days}
