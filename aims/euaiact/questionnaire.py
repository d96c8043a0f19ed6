"""The EU AI Act classification questionnaire (Regulation (EU) 2024/1689) and the rules that turn
its answers into a risk tier, the transparency duties and the reasons, each with its article.

Pure Python: no Django, no database. The pages, the API and the demo all call :func:`classify`;
a stored classification keeps the answers and the :data:`VERSION` of the questions it answered,
so an old assessment still reads as it was made when the questions change.

The questions and the guidance are written in OpenAIMS's own words from the Act's provisions;
they help a person decide, they are not legal advice, and the signer stays responsible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

VERSION = 1

PROHIBITED = "prohibited"
HIGH = "high"
LIMITED = "limited"
MINIMAL = "minimal"

PROVIDER = "provider"
DEPLOYER = "deployer"


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    article: str
    group: str = ""  # the Annex III area an Annex III use belongs to


ROLES = (
    Option(
        PROVIDER,
        "Provider: we develop it, or have it developed, and place it on the market or put it "
        "into service under our own name (using it ourselves counts)",
        "Art. 3(3)",
    ),
    Option(
        DEPLOYER,
        "Deployer: we use it under our authority in our professional activity",
        "Art. 3(4)",
    ),
)

# Art. 5(1): practices that may not be placed on the market, put into service or used.
PRACTICES = (
    Option(
        "manipulation",
        "Uses subliminal, manipulative or deceptive techniques that materially distort people's "
        "behaviour in a way that causes or is likely to cause significant harm",
        "Art. 5(1)(a)",
    ),
    Option(
        "vulnerabilities",
        "Exploits vulnerabilities due to age, disability or a social or economic situation, with "
        "the same harmful effect",
        "Art. 5(1)(b)",
    ),
    Option(
        "social_scoring",
        "Scores or classifies people by their social behaviour or personal traits, leading to "
        "unjustified or disproportionate detrimental treatment",
        "Art. 5(1)(c)",
    ),
    Option(
        "crime_prediction",
        "Predicts whether a person will commit a crime from profiling or personality traits alone",
        "Art. 5(1)(d)",
    ),
    Option(
        "face_scraping",
        "Builds or expands a facial-recognition database by untargeted scraping of images from "
        "the internet or CCTV footage",
        "Art. 5(1)(e)",
    ),
    Option(
        "workplace_emotions",
        "Infers the emotions of people at work or in education (other than for medical or "
        "safety reasons)",
        "Art. 5(1)(f)",
    ),
    Option(
        "sensitive_categorisation",
        "Categorises people from biometric data to infer their race, political opinions, union "
        "membership, religion or beliefs, sex life or sexual orientation",
        "Art. 5(1)(g)",
    ),
    Option(
        "realtime_identification",
        "Identifies people remotely and in real time in publicly accessible spaces for law "
        "enforcement (outside the narrow cases the Act allows)",
        "Art. 5(1)(h)",
    ),
)

# Art. 6(2) and Annex III: the uses that make a system high-risk (unless Art. 6(3) applies).
ANNEX_III_AREAS = {
    "1": "Biometrics",
    "2": "Critical infrastructure",
    "3": "Education and vocational training",
    "4": "Employment and workers' management",
    "5": "Access to essential private and public services",
    "6": "Law enforcement",
    "7": "Migration, asylum and border control",
    "8": "Justice and democratic processes",
}
ANNEX_III = (
    Option("1a", "Remote biometric identification", "Annex III point 1(a)", "1"),
    Option(
        "1b",
        "Biometric categorisation by sensitive or protected attributes",
        "Annex III point 1(b)",
        "1",
    ),
    Option("1c", "Emotion recognition", "Annex III point 1(c)", "1"),
    Option(
        "2",
        "Safety component in running critical digital infrastructure, road traffic, or the "
        "supply of water, gas, heating or electricity",
        "Annex III point 2",
        "2",
    ),
    Option(
        "3a", "Deciding who is admitted to or assigned to education", "Annex III point 3(a)", "3"
    ),
    Option("3b", "Evaluating learning outcomes", "Annex III point 3(b)", "3"),
    Option(
        "3c", "Assessing the level of education a person will receive", "Annex III point 3(c)", "3"
    ),
    Option("3d", "Watching for prohibited behaviour during tests", "Annex III point 3(d)", "3"),
    Option(
        "4a",
        "Recruiting or selecting people: targeting job ads, screening or filtering "
        "applications, evaluating candidates",
        "Annex III point 4(a)",
        "4",
    ),
    Option(
        "4b",
        "Decisions on terms of work, promotion or termination; allocating tasks from behaviour "
        "or traits; monitoring or evaluating workers' performance and behaviour",
        "Annex III point 4(b)",
        "4",
    ),
    Option(
        "5a",
        "Deciding eligibility for public assistance benefits and services",
        "Annex III point 5(a)",
        "5",
    ),
    Option(
        "5b",
        "Assessing the creditworthiness of people or setting their credit score (fraud "
        "detection is not this use)",
        "Annex III point 5(b)",
        "5",
    ),
    Option(
        "5c",
        "Assessing risk and setting prices in life or health insurance",
        "Annex III point 5(c)",
        "5",
    ),
    Option(
        "5d",
        "Evaluating and classifying emergency calls, dispatching emergency services, or "
        "triaging patients",
        "Annex III point 5(d)",
        "5",
    ),
    Option("6", "Law enforcement uses", "Annex III point 6", "6"),
    Option("7", "Migration, asylum and border control uses", "Annex III point 7", "7"),
    Option(
        "8a",
        "Helping a judicial authority research and interpret facts and the law",
        "Annex III point 8(a)",
        "8",
    ),
    Option(
        "8b",
        "Influencing the outcome of an election or referendum, or how people vote",
        "Annex III point 8(b)",
        "8",
    ),
)

# Art. 27: uses whose deployers assess the impact on fundamental rights whoever they are.
FRIA_USES = frozenset({"5b", "5c"})

NO_EXCEPTION = "none"
EXCEPTIONS = (
    Option(NO_EXCEPTION, "None of these: the system does more than that", ""),
    Option(
        "narrow_task",
        "It only performs a narrow procedural task (sorting documents into folders, say)",
        "Art. 6(3)(a)",
    ),
    Option(
        "improves_human",
        "It only improves the result of an activity a person has already completed",
        "Art. 6(3)(b)",
    ),
    Option(
        "detects_patterns",
        "It only detects decision patterns or departures from them, and does not replace or "
        "sway the human assessment without a proper human review",
        "Art. 6(3)(c)",
    ),
    Option(
        "preparatory",
        "It only performs a preparatory task for an assessment that a person then makes",
        "Art. 6(3)(d)",
    ),
)

# Art. 50: what people must be told, whatever the tier.
TRANSPARENCY = (
    Option(
        "interaction",
        "People interact with it directly (a chatbot, a voice assistant), and it is not "
        "obvious to them that it is an AI system",
        "Art. 50(1)",
    ),
    Option(
        "synthetic_content",
        "It generates synthetic audio, images, video or text",
        "Art. 50(2)",
    ),
    Option(
        "emotion_biometric",
        "It recognises emotions or categorises people from biometric data",
        "Art. 50(3)",
    ),
    Option(
        "deep_fake",
        "It produces deep fakes, or text published to inform the public on matters of public "
        "interest without human editorial review",
        "Art. 50(4)",
    ),
)

DUTIES = {
    "interaction": "Tell people that they are dealing with an AI system, at the latest when they "
    "first interact with it.",
    "synthetic_content": "Mark the generated output, in a machine-readable way, as artificially "
    "generated or manipulated.",
    "emotion_biometric": "Inform the people exposed to it that it is in operation.",
    "deep_fake": "Disclose that the content was artificially generated or manipulated.",
}

NO_GPAI = "none"
GPAI = (
    Option(NO_GPAI, "No: we do not provide a general-purpose AI model", ""),
    Option(
        "gpai",
        "Yes: we place a general-purpose AI model on the market (one that can serve many "
        "different tasks)",
        "Art. 53",
    ),
    Option(
        "systemic",
        "Yes, with systemic risk: trained with more than 10^25 floating-point operations, or "
        "designated as such",
        "Art. 51, 55",
    ),
)

OPTIONS = {
    "roles": ROLES,
    "practices": PRACTICES,
    "annex_iii": ANNEX_III,
    "exception": EXCEPTIONS,
    "transparency": TRANSPARENCY,
    "gpai": GPAI,
}

# What each question asks, with its guidance: the form, the API's schema and the stored
# assessment's page read the same text.
QUESTIONS = {
    "roles": (
        "What is the organization for this system under the Act?",
        "A provider places the system on the market or puts it into service under its own name; "
        "a deployer uses it under its authority. Building a system for your own use makes you "
        "both. The obligations follow the roles.",
    ),
    "practices": (
        "Does the system do any of these forbidden things?",
        "Tick what applies even in part. Any one of them means the system may not be placed on "
        "the market, put into service or used in the EU.",
    ),
    "annex_i": (
        "Is it a product, or the safety component of a product, covered by the EU product "
        "safety laws of Annex I that must pass a third-party conformity assessment?",
        "Machinery, toys, lifts, medical devices, in vitro diagnostics, radio equipment, cars "
        "and aircraft, among others. If so, it is high-risk under Art. 6(1).",
    ),
    "annex_iii": (
        "Is it intended for any of these uses?",
        "The uses of Annex III. Judge by the intended use that is written on the system, not by "
        "the technique. Tick every use that applies.",
    ),
    "exception": (
        "Does it only do one of these limited things?",
        "Only for a system with an Annex III use: one that poses no significant risk of harm "
        "because it does no more than this is not high-risk (Art. 6(3)). Claiming it must be "
        "documented and the system still registered.",
    ),
    "profiling": (
        "Does it profile natural persons?",
        "Profiling is evaluating aspects of a person (work performance, economic situation, "
        "health, preferences, behaviour, location) from their personal data. A system with an "
        "Annex III use that profiles people is always high-risk, whatever its task.",
    ),
    "exception_reasoning": (
        "Why does the system pose no significant risk of harm?",
        "The documented assessment the Act asks for (Art. 6(4)): what the system does, why it "
        "only performs the limited task claimed, and why its output cannot harm people's "
        "health, safety or rights. Kept with the classification, for the authorities.",
    ),
    "public_service": (
        "Is the organization a public body, or a private one providing public services?",
        "Such deployers assess the impact on fundamental rights before using a high-risk "
        "system (Art. 27), as do deployers of credit scoring and of life or health insurance "
        "pricing.",
    ),
    "transparency": (
        "Which of these does the system do?",
        "These duties (Art. 50) apply whatever the risk tier.",
    ),
    "gpai": (
        "Do we provide a general-purpose AI model with it?",
        "Only for the provider of the model itself: building on someone else's model makes you "
        "the provider of your system, not of their model.",
    ),
}

# Every answer, and its value when not given.
EMPTY: dict = {
    "roles": [],
    "practices": [],
    "annex_i": False,
    "annex_iii": [],
    "exception": NO_EXCEPTION,
    "profiling": False,
    "exception_reasoning": "",
    "public_service": False,
    "transparency": [],
    "gpai": NO_GPAI,
}
REASONING_MAX = 10_000


@dataclass(frozen=True)
class Reason:
    article: str
    text: str

    def as_dict(self) -> dict:
        return {"article": self.article, "text": self.text}


@dataclass(frozen=True)
class Outcome:
    """What the answers mean: the tier, the Art. 50 duties, and why."""

    tier: str
    reasons: tuple[Reason, ...]
    duties: tuple[str, ...]  # codes of TRANSPARENCY
    roles: tuple[str, ...]
    annex_iii: tuple[str, ...]
    exception: str  # an EXCEPTIONS code; not NO_EXCEPTION only when it makes the system not high
    gpai: str
    fria: bool  # a deployer assesses the impact on fundamental rights (Art. 27)
    notes: tuple[str, ...] = field(default=())

    @property
    def not_high_risk_by_exception(self) -> bool:
        """A documented Art. 6(3) decision: an Annex III use, found not high-risk."""
        return self.exception != NO_EXCEPTION


class AnswerError(ValueError):
    """Answers that cannot be classified: ``errors`` maps each question to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def option(question: str, code: str) -> Option:
    for candidate in OPTIONS[question]:
        if candidate.code == code:
            return candidate
    raise KeyError(code)


def clean(answers: Mapping) -> dict:
    """The answers checked and complete (every question, defaults for those not given), or
    :class:`AnswerError` saying what is wrong with each."""
    errors: dict[str, str] = {}
    unknown = sorted(set(answers) - set(EMPTY))
    if unknown:
        errors["answers"] = f"Unknown questions: {', '.join(unknown)}."
    cleaned = dict(EMPTY)
    for name, default in EMPTY.items():
        if name not in answers or answers[name] is None:
            continue
        value = answers[name]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                errors[name] = "Answer yes or no (true or false)."
                continue
        elif isinstance(default, list):
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                errors[name] = "Give a list of choices."
                continue
            codes = [o.code for o in OPTIONS[name]]
            wrong = [v for v in value if v not in codes]
            if wrong:
                errors[name] = f"Not a choice: {', '.join(wrong)}. Choose among {', '.join(codes)}."
                continue
            value = [code for code in codes if code in value]  # the questionnaire's order, once
        elif name in OPTIONS:
            codes = [o.code for o in OPTIONS[name]]
            if value not in codes:
                errors[name] = f"Not a choice: {value!r}. Choose one of {', '.join(codes)}."
                continue
        else:
            if not isinstance(value, str):
                errors[name] = "Write a text."
                continue
            value = value.strip()
            if "\x00" in value:
                errors[name] = "The text holds a NUL character."
                continue
            if len(value) > REASONING_MAX:
                errors[name] = f"At most {REASONING_MAX:,} characters."
                continue
        cleaned[name] = value
    if not errors:
        errors.update(_consistency(cleaned))
    if errors:
        raise AnswerError(errors)
    return cleaned


def _consistency(answers: dict) -> dict[str, str]:
    errors = {}
    if not answers["roles"]:
        errors["roles"] = "Say whether the organization is the provider, the deployer or both."
    claimed = answers["exception"] != NO_EXCEPTION
    if claimed and not answers["annex_iii"]:
        errors["exception"] = (
            "The Art. 6(3) exceptions only concern Annex III uses: tick the use, or choose "
            "“None of these”."
        )
    elif claimed and not answers["profiling"] and not answers["exception_reasoning"]:
        errors["exception_reasoning"] = (
            "Write why the system poses no significant risk of harm: the Act asks for this "
            "assessment to be documented (Art. 6(4))."
        )
    return errors


def classify(answers: Mapping) -> Outcome:
    """The tier, duties and reasons the answers give (raises :class:`AnswerError`)."""
    answers = clean(answers)
    reasons: list[Reason] = []
    notes: list[str] = []
    uses = tuple(answers["annex_iii"])
    exception = NO_EXCEPTION
    practices = [option("practices", code) for code in answers["practices"]]
    high = False
    for practice in practices:
        reasons.append(Reason(practice.article, f"Prohibited practice: {_lower(practice.label)}."))
    if answers["annex_i"]:
        high = True
        reasons.append(
            Reason(
                "Art. 6(1)",
                "High-risk: a product, or a safety component of one, under the Annex I product "
                "safety laws that needs a third-party conformity assessment.",
            )
        )
    if uses:
        claimed = option("exception", answers["exception"])
        listed = "; ".join(f"{_lower(option('annex_iii', u).label)} ({u})" for u in uses)
        if claimed.code == NO_EXCEPTION:
            high = True
            for use in uses:
                found = option("annex_iii", use)
                area = ANNEX_III_AREAS[found.group]
                reasons.append(
                    Reason(
                        found.article, f"High-risk use in {_lower(area)}: {_lower(found.label)}."
                    )
                )
        elif answers["profiling"]:
            high = True
            reasons.append(
                Reason(
                    "Art. 6(3), last subparagraph",
                    f"High-risk although it only {_exception_words(claimed)}: it profiles "
                    f"natural persons, and an Annex III system that profiles people is always "
                    f"high-risk (uses: {listed}).",
                )
            )
        else:
            exception = claimed.code
            reasons.append(
                Reason(
                    claimed.article,
                    f"Not high-risk despite its Annex III use ({listed}): it only "
                    f"{_exception_words(claimed)}, and does not profile people. The assessment "
                    "is documented with this classification (Art. 6(4)) and the system is "
                    "registered before it is placed on the market (Art. 49(2)).",
                )
            )
    duties = tuple(answers["transparency"])
    for code in duties:
        duty = option("transparency", code)
        reasons.append(Reason(duty.article, f"Transparency duty: {DUTIES[code]}"))
    if practices:
        tier = PROHIBITED
        if high:
            notes.append("It would be high-risk as well, were it not prohibited.")
    elif high:
        tier = HIGH
    elif duties:
        tier = LIMITED
    else:
        tier = MINIMAL
        reasons.append(
            Reason(
                "Art. 95",
                (
                    "Minimal risk otherwise: no prohibited practice and no transparency case "
                    "applies."
                    if exception != NO_EXCEPTION
                    else "Minimal risk: none of the prohibited practices, high-risk cases or "
                    "transparency cases applies. No obligations under the Act; voluntary codes "
                    "of conduct are encouraged."
                ),
            )
        )
    gpai = answers["gpai"]
    if gpai != NO_GPAI:
        reasons.append(
            Reason(
                "Art. 53",
                "Provider of a general-purpose AI model: technical documentation, information "
                "for downstream providers, a copyright policy and a public summary of the "
                "training content.",
            )
        )
    if gpai == "systemic":
        reasons.append(
            Reason(
                "Art. 51, 55",
                "The model has systemic risk: it is also evaluated and its systemic risks "
                "mitigated, its serious incidents reported and its cybersecurity ensured.",
            )
        )
    roles = tuple(answers["roles"])
    fria = (
        tier == HIGH
        and DEPLOYER in roles
        and (answers["public_service"] or bool(FRIA_USES.intersection(uses)))
    )
    return Outcome(
        tier=tier,
        reasons=tuple(reasons),
        duties=duties,
        roles=roles,
        annex_iii=uses,
        exception=exception,
        gpai=gpai,
        fria=fria,
        notes=tuple(notes),
    )


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _exception_words(claimed: Option) -> str:
    """ "performs a narrow procedural task", from the option's label."""
    words = claimed.label.removeprefix("It only ")
    return words.split(" (")[0]
