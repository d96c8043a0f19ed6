"""Obligations the register can start from: the EU AI Act articles of the project's reference list
(``data/eu_ai_act_articles.csv``) and a few other common ones, each summarised in our own words.

Each has a stable ``key``; :func:`aims.context.services.add_catalogue_obligations` creates the
chosen ones, skipping those whose reference the register holds already.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .models import ObligationKind

ARTICLES_CSV = Path(__file__).resolve().parent / "data" / "eu_ai_act_articles.csv"


@dataclass(frozen=True)
class Suggestion:
    key: str
    kind: str
    title: str
    reference: str
    description: str
    group: str


# What each article asks, briefly and in our own words; an article not listed gets a generic note.
ARTICLE_NOTES = {
    "Art. 9": "Run a documented risk management process over the whole life of a high-risk AI "
    "system: identify and estimate foreseeable risks, adopt measures, and test that they work.",
    "Art. 10": "Train, validate and test high-risk systems on data that is governed: relevant, "
    "representative, examined for possible biases and as free of errors as can be achieved.",
    "Art. 11": "Draw up technical documentation before the system is placed on the market and "
    "keep it current, so authorities can assess its compliance.",
    "Art. 12": "Design the system to log events automatically over its lifetime, enough to "
    "trace how it worked and to monitor it in operation.",
    "Art. 13": "Make the system transparent enough for deployers to interpret its output, and "
    "give them instructions for use: purpose, accuracy, limits, oversight measures.",
    "Art. 14": "Design the system so that people can oversee it effectively while it is in use, "
    "including understanding its limits and being able to stop or override it.",
    "Art. 15": "Reach and declare an appropriate level of accuracy, robustness and "
    "cybersecurity, and keep it throughout the lifecycle.",
    "Art. 17": "Providers keep a quality management system for high-risk AI: written policies, "
    "procedures and instructions covering design, testing, data and post-market work.",
    "Art. 26": "Deployers use high-risk systems according to the instructions, assign competent "
    "human oversight, monitor operation, keep logs and inform affected workers.",
    "Art. 27": "Certain deployers assess the impact on fundamental rights before first using a "
    "high-risk system (for example, credit scoring of natural persons).",
    "Art. 72": "Providers collect and analyse data on the system's performance after it is "
    "placed on the market, following a documented post-market monitoring plan.",
    "Art. 73": "Report serious incidents involving a high-risk system to the market "
    "surveillance authority within the deadlines the Act sets.",
}

OTHERS = (
    Suggestion(
        "gdpr-art-22",
        ObligationKind.REGULATION,
        "Decisions based solely on automated processing",
        "GDPR Art. 22",
        "People may not be subjected to a decision with legal or similarly significant effects "
        "made only by automated means, unless an exception applies; where one does, offer human "
        "intervention, a way to contest and a chance to give their view.",
        "Data protection",
    ),
    Suggestion(
        "gdpr-art-35",
        ObligationKind.REGULATION,
        "Data protection impact assessment",
        "GDPR Art. 35",
        "Before processing that is likely to result in a high risk to people (such as "
        "systematic evaluation or profiling with significant effects), assess its impact on "
        "their data protection and record the measures taken.",
        "Data protection",
    ),
    Suggestion(
        "gdpr-art-13-14",
        ObligationKind.REGULATION,
        "Information about automated decision-making",
        "GDPR Art. 13(2)(f) and 14(2)(g)",
        "Tell people when automated decision-making or profiling is used, with meaningful "
        "information about the logic involved and its likely consequences for them.",
        "Data protection",
    ),
    Suggestion(
        "eu-ai-act-art-50",
        ObligationKind.REGULATION,
        "Transparency for systems that interact with people",
        "EU AI Act Art. 50",
        "People must be told that they are dealing with an AI system, unless it is obvious; "
        "AI-generated content must be marked as such in the cases the Act describes.",
        "EU AI Act",
    ),
    Suggestion(
        "equality-act-2010",
        ObligationKind.LAW,
        "No discrimination in services",
        "Equality Act 2010 (UK)",
        "Providing services must not discriminate, directly or indirectly, on protected "
        "characteristics; a model that disadvantages a protected group needs an objective "
        "justification or a fix.",
        "Equality",
    ),
    Suggestion(
        "iso-42001-certification",
        ObligationKind.VOLUNTARY,
        "Keep an AI management system that conforms to ISO/IEC 42001",
        "ISO/IEC 42001",
        "A commitment the organization takes on itself: run, maintain and improve its AI "
        "management system to the standard, and have it audited.",
        "Voluntary",
    ),
)


def _article_key(article: str) -> str:
    return "eu-ai-act-" + re.sub(r"[^a-z0-9]+", "-", article.lower()).strip("-")


@functools.cache
def eu_ai_act_articles() -> tuple[Suggestion, ...]:
    """The articles of the shipped reference list, as suggestions."""
    with ARTICLES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Suggestion(
            _article_key(row["article"]),
            ObligationKind.REGULATION,
            row["title"],
            f"EU AI Act {row['article']}",
            ARTICLE_NOTES.get(
                row["article"],
                f"Chapter {row['chapter']} of the EU AI Act: {row['title'].lower()}. "
                "Check whether it applies to each AI system and what it asks.",
            ),
            f"EU AI Act, chapter {row['chapter']}",
        )
        for row in rows
    )


def suggestions() -> tuple[Suggestion, ...]:
    return (*eu_ai_act_articles(), *OTHERS)


def by_key() -> dict[str, Suggestion]:
    return {s.key: s for s in suggestions()}
