"""The session brief as a one-page PDF, drawn server-side with ReportLab (pure Python, no system libraries).

Everything is laid into one frame that shrinks to fit (KeepInFrame), so the brief is always a single A4 page;
long entries are already cut to excerpts by recovery/care/session_brief.py. The font is a TrueType font embedded
in the file, so names and words outside Latin-1 print: DejaVu Sans where the system has it, else the Vera
font that ships inside ReportLab.
"""

from __future__ import annotations

import functools
from datetime import date
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from checkins import phq9
from recovery.care.session_brief import Brief, PersonBrief, SinceSource

MARGIN = 14 * mm
_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
_BUNDLED_FONTS = Path(reportlab.__file__).resolve().parent / "fonts"


@functools.cache
def _fonts() -> tuple[str, str]:
    """Register the regular and bold fonts once; returns their names."""
    for regular, bold in (
        (_SYSTEM_FONTS / "DejaVuSans.ttf", _SYSTEM_FONTS / "DejaVuSans-Bold.ttf"),
        (_BUNDLED_FONTS / "Vera.ttf", _BUNDLED_FONTS / "VeraBd.ttf"),
    ):
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("MendSans", str(regular)))
            pdfmetrics.registerFont(TTFont("MendSans-Bold", str(bold)))
            return "MendSans", "MendSans-Bold"
    return "Helvetica", "Helvetica-Bold"  # every PDF reader has it; Latin-1 only


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5, spaceAfter=2)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=15, leading=18, spaceAfter=2),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=2),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _day(day: date) -> str:
    return formats.date_format(day, "j M Y")


def since_text(brief: Brief) -> str:
    when = _day(brief.since)
    if brief.since_source == SinceSource.SET:
        return _("Since %(day)s, the date you set as your last session") % {"day": when}
    if brief.since_source == SinceSource.LAST_OPENED:
        return _("Since %(day)s, when you last opened this brief") % {"day": when}
    return _("Since %(day)s (two weeks ago: set the date of your last session to change it)") % {"day": when}


def csi_text(person: PersonBrief) -> str:
    change = person.csi
    if change is None:
        return _("no review shared")
    parts = [
        _("first %(total)s (%(day)s)") % {"total": change.first, "day": formats.date_format(change.first_week, "j M")}
    ]
    if change.previous is not None and change.count > 2:
        parts.append(_("previous %(total)s") % {"total": change.previous})
    if change.count > 1:
        parts.append(
            _("latest %(total)s (%(day)s)")
            % {"total": change.latest, "day": formats.date_format(change.latest_week, "j M")}
        )
    return " → ".join(parts)


def change_text(person: PersonBrief, *, available: bool) -> str:
    if person.csi is None or person.csi.count < 2:
        return "—"
    if not available:
        return _("not shown yet (see note)")
    return person.reliable_label


def phq9_text(person: PersonBrief) -> str:
    latest = person.phq9_latest
    if latest is None:
        return _("not shared")
    text = _("%(total)s of %(max)s, %(band)s (%(day)s)") % {
        "total": latest.total,
        "max": phq9.MAX_TOTAL,
        "band": latest.band.label,
        "day": formats.date_format(latest.answered_on, "j M"),
    }
    if person.phq9_previous is not None:
        text += " · " + _("before: %(total)s") % {"total": person.phq9_previous.total}
    if latest.needs_crisis_support:
        text += " · " + _("ITEM 9 ABOVE 0: thoughts of self-harm")
    return text


def render(brief: Brief) -> bytes:
    styles = _styles()
    story: list[Flowable] = [
        _p(_("Session brief: %(names)s") % {"names": brief.names}, styles["title"]),
        _p(
            since_text(brief)
            + " · "
            + _("prepared %(day)s") % {"day": _day(brief.today)}
            + " · "
            + _("Stage %(n)s, %(title)s (%(days)s days)")
            % {"n": brief.stage, "title": brief.stage_title, "days": brief.days_in_stage},
            styles["body"],
        ),
        _p(
            _("Confidential. Only what the partners chose to share with you. Mend records that you opened it."),
            styles["small"],
        ),
        _p(_("Flags"), styles["h2"]),
    ]
    story += [_p("• " + flag, styles["body"]) for flag in brief.flags] or [_p(_("No flags."), styles["body"])]

    story.append(_p(_("Each partner"), styles["h2"]))
    header = [_("Partner"), _("CSI-4 (0 to 21)"), _("Against first score"), _("PHQ-9 shared with you"), _("Since")]
    rows = [[_p(h, styles["bold"]) for h in header]]
    for person in brief.partners:
        rows.append(
            [
                Paragraph(f"{escape(person.name)}<br/>{escape(person.role)}", styles["cell"]),
                _p(csi_text(person) + ("  ⚑" if person.csi and person.csi.crossed_below else ""), styles["cell"]),
                _p(change_text(person, available=brief.reliable_change_available), styles["cell"]),
                _p(phq9_text(person), styles["cell"]),
                _p(
                    _("%(check_ins)s shared check-ins, %(triggers)s triggers")
                    % {"check_ins": person.check_ins_since, "triggers": person.triggers_since},
                    styles["cell"],
                ),
            ]
        )
    width = A4[0] - 2 * MARGIN
    table = Table(rows, colWidths=[0.16 * width, 0.26 * width, 0.16 * width, 0.24 * width, 0.18 * width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#888888")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#cccccc")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)

    q = brief.questions
    story.append(_p(_("Questions answered in writing"), styles["h2"]))
    story.append(
        _p(
            _(
                "%(asked)s asked, %(answered)s answered and %(amendments)s amendments since then; %(waiting)s waiting "
                "for an answer; %(told)s marked “I have told you everything I know about this”. Only questions "
                "shared with you are counted."
            )
            % {
                "asked": q.asked,
                "answered": q.answered,
                "amendments": q.amendments,
                "waiting": q.waiting,
                "told": q.told_everything,
            },
            styles["body"],
        )
    )

    story.append(_p(_("To bring to this session"), styles["h2"]))
    if brief.to_bring:
        for item in brief.to_bring:
            story.append(
                _p(
                    "• " + item.heading + " — " + _("marked by %(name)s") % {"name": item.marked_by},
                    styles["bold"],
                )
            )
            if item.text:
                story.append(_p(item.text, styles["body"]))
        if brief.more_to_bring:
            story.append(_p(_("…and %(n)s more, in Mend.") % {"n": brief.more_to_bring}, styles["body"]))
    else:
        story.append(_p(_("Nothing marked."), styles["body"]))

    story += [Spacer(1, 4 * mm), _p(_notes(brief), styles["small"])]

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Session brief: %(names)s") % {"names": brief.names},
        author="Mend",
        subject=_("Confidential session brief"),
    )
    # One frame that shrinks its content to fit: always a single page.
    document.build([KeepInFrame(document.width, document.height, story, mode="shrink")])
    return buffer.getvalue()


def _notes(brief: Brief) -> str:
    notes = [
        _(
            "CSI-4: Couples Satisfaction Index, 4 items (Funk & Rogge, 2007), 0 to 21; below %(cutoff)s marks "
            "relationship distress; ⚑ crossed below it since the previous review."
        )
        % {"cutoff": brief.cutoff},
    ]
    if brief.reliable_change_available:
        notes.append(
            _(
                "Against first score: reliable change (Jacobson & Truax, 1991), a change larger than 1.96 "
                "standard errors of the difference."
            )
        )
    else:
        notes.append(
            _(
                "Against first score: reliable change (Jacobson & Truax, 1991) will be shown once Mend has verified "
                "the published standard deviation and reliability of the CSI-4 it rests on."
            )
        )
    notes.append(phq9.NOTICE)
    return " ".join(notes)
