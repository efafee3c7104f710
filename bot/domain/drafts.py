"""Ready-to-copy drafts of the notes the user sends: thank-yous, check-ins, courtesy notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Telegram's copy button takes at most 256 characters; longer drafts are shown, not offered
COPY_LIMIT = 256

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class DraftFacts:
    """What a draft is personalised with."""

    sender: str
    company: str
    role: str
    person: str = ""
    person_title: str = ""
    # the day the user must answer an offer elsewhere by, already written in their language
    decide_by: str = ""


def _letter(_: Gettext, facts: DraftFacts, body: str) -> str:
    """A short note: a greeting by name (or a neutral one), the body, a signature."""
    greeting = _("Dear {name},").format(name=facts.person) if facts.person else _("Hello,")
    closing = _("Best regards,\n{sender}").format(sender=facts.sender)
    return f"{greeting}\n\n{body}\n\n{closing}"


def thank_you(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "Thank you for taking the time to talk with me about the {role} role at {company}. "
            "I enjoyed our conversation and I am even more interested in joining your team. "
            "I look forward to hearing from you."
        ).format(role=facts.role, company=facts.company),
    )


def check_in(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "I hope you are well. I am writing to ask whether there is any news about the "
            "{role} role at {company}. I am still very interested and happy to share anything "
            "else you need."
        ).format(role=facts.role, company=facts.company),
    )


def courtesy(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "Thank you for letting me know, and for your time during the process for the {role} "
            "role. I enjoyed meeting the team at {company} and would be glad to be considered "
            "for future openings."
        ).format(role=facts.role, company=facts.company),
    )


def reference_heads_up(_: Gettext, facts: DraftFacts) -> str:
    if facts.person:
        # one reference to write to: greeted by name
        return _(
            "Hi {name}! I just interviewed for the {role} role at {company} and it went well. "
            "They may call you soon as my reference. Thank you so much for your help!\n{sender}"
        ).format(name=facts.person, role=facts.role, company=facts.company, sender=facts.sender)
    return _(
        "Hi! I just interviewed for the {role} role at {company} and it went well. "
        "They may call you soon as my reference. Thank you so much for your help!\n{sender}"
    ).format(role=facts.role, company=facts.company, sender=facts.sender)


def thank_references(_: Gettext, facts: DraftFacts) -> str:
    if facts.person:
        return _(
            "Hi {name}! Good news: I got the offer for the {role} role at {company}! "
            "Thank you for vouching for me; it made a difference.\n{sender}"
        ).format(name=facts.person, role=facts.role, company=facts.company, sender=facts.sender)
    return _(
        "Good news: I got the offer for the {role} role at {company}! "
        "Thank you for vouching for me; it made a difference.\n{sender}"
    ).format(role=facts.role, company=facts.company, sender=facts.sender)


def mention_offer(_: Gettext, facts: DraftFacts) -> str:
    # news shared with goodwill, never a demand: the user stays interested and says so
    when = (
        _("I need to give them my answer by {day}.").format(day=facts.decide_by)
        if facts.decide_by
        else _("I need to give them my answer soon.")
    )
    body = " ".join(
        [
            _(
                "I wanted to share a quick update: I have received a job offer from another "
                "company."
            ),
            when,
            _(
                "I am still very interested in the {role} role at {company}, so I wanted to let "
                "you know in case it helps with your timing."
            ).format(role=facts.role, company=facts.company),
            _("Of course, I understand if your process needs its own time."),
        ]
    )
    return _letter(_, facts, body)


def decline_offer(_: Gettext, facts: DraftFacts) -> str:
    body = " ".join(
        [
            _("Thank you very much for offering me the {role} role at {company}.").format(
                role=facts.role, company=facts.company
            ),
            _("After careful thought, I have decided to accept another offer."),
            _(
                "It was not an easy decision, and I am grateful for the time you and the team "
                "gave me."
            ),
            _("I hope our paths cross again."),
        ]
    )
    return _letter(_, facts, body)


def withdraw_note(_: Gettext, facts: DraftFacts) -> str:
    body = " ".join(
        [
            _("Thank you for considering me for the {role} role at {company}.").format(
                role=facts.role, company=facts.company
            ),
            _("I have accepted another offer, so I would like to withdraw from the process."),
            _("I enjoyed learning about your team, and I hope we can stay in touch."),
        ]
    )
    return _letter(_, facts, body)


DRAFTS: dict[str, Callable[[Gettext, DraftFacts], str]] = {
    "thank_you": thank_you,
    "check_in": check_in,
    "courtesy": courtesy,
    "references": reference_heads_up,
    "thank_references": thank_references,
    "mention_offer": mention_offer,
    "decline_offer": decline_offer,
    "withdraw_note": withdraw_note,
}


def draft_for(kind: str, _: Gettext, facts: DraftFacts) -> str | None:
    maker = DRAFTS.get(kind)
    return maker(_, facts) if maker else None
