"""A small hand-written knowledge base for the bot's tests (the shipped data has its own).

Two sections, links of every kind the cards treat specially (an SME request, FTOP, a
``mailto:`` GDPR contact), related ids, and a source with dates, like ``faq_data/``.
"""

from __future__ import annotations

from datetime import date

from intents import FaqEntry, KnowledgeBase, Link, SmallTalkDetector, Source, SynonymGroup

RESOURCES = "Resources"
ESD = "Engagement Start Date"

SOURCE_TITLE = "Build a Successful Practice FAQs"
SOURCE = Source(
    title=SOURCE_TITLE,
    url="https://partner-docs.microsoft.com/partner-site/build-a-successful-practice-faqs",
    published=date(2019, 10, 29),
    refreshed=date(2020, 4, 23),
)
FOOTER_DATE = "updated 23 Apr 2020"

SME_URL = "https://aka.ms/FRPHubSMERequestProcess"
FTC_REQUEST_URL = "https://aka.ms/FRPHubFTCResourceRequest"
FTOP_URL = "https://ftop.microsoft.com/dashboard"
GDPR_URL = "mailto:O365FTGDPR@microsoft.com"
GDPR_ADDRESS = "O365FTGDPR@microsoft.com"

REQUEST_SME = FaqEntry(
    id="request-sme",
    section=RESOURCES,
    question="How do I request a technical expert?",
    answer=(
        f"[Subject-matter expert request]({SME_URL}). Subject-matter experts (SMEs) are "
        "Microsoft staff available upon request for technical and process support. Submit a "
        f"request on the [FTC Resource Request page]({FTC_REQUEST_URL})."
    ),
    links=(
        Link("Request an SME", SME_URL, "sme-request"),
        Link("FTC Resource Request page", FTC_REQUEST_URL, "sme-request"),
    ),
    alternates=("sme request", "how do I request an SME", "request a subject matter expert"),
    related=("manage-engagements", "gdpr-questions"),
    source=SOURCE,
)
MANAGE_ENGAGEMENTS = FaqEntry(
    id="manage-engagements",
    section=RESOURCES,
    question="Where do I manage my customer engagements?",
    answer=(
        f"[FastTrack Orchestration Portal (FTOP)]({FTOP_URL}). Through the portal, you can "
        "assign and manage FastTrack customers and track workload intention and status."
    ),
    links=(Link("Open FTOP", FTOP_URL, "ftop"),),
    alternates=("ftop login", "where is FTOP", "track workload status"),
    related=("request-sme",),
    source=SOURCE,
)
GDPR_QUESTIONS = FaqEntry(
    id="gdpr-questions",
    section=RESOURCES,
    question="How do I handle GDPR questions related to FastTrack?",
    answer=(
        "If a Microsoft customer asks you to delete or export their FastTrack data, please "
        f"have them send their request directly to [Microsoft]({GDPR_URL}). Per the GDPR, we "
        "must delete or export PII within 30 days."
    ),
    links=(
        Link("Email the GDPR team", GDPR_URL, "gdpr-contact"),
        Link("GDPR resources", "https://aka.ms/FRPHubOpportunitiesGDPR", "guide"),
    ),
    alternates=("gdpr delete customer data", "customer wants their data exported"),
    related=("request-sme",),
    source=SOURCE,
)
ESD_PURPOSE = FaqEntry(
    id="esd-purpose",
    section=ESD,
    question="What is the purpose of Engagement Start Date and how will it be used?",
    answer=(
        "There are three main reasons for collecting this date:\n\n"
        "- to qualify new customers by when they are ready to engage;\n"
        "- to balance the work load of each FastTrack Manager;\n"
        "- to understand serialized deployments."
    ),
    alternates=("why do we collect the engagement start date", "esd purpose"),
    related=("esd-kickoff",),
    source=SOURCE,
)
ESD_KICKOFF = FaqEntry(
    id="esd-kickoff",
    section=ESD,
    question="Is the Engagement Start Date the same as the kick-off meeting date?",
    answer=(
        "It depends on the customer. The Engagement Start Date is the date the FM started "
        "customer communications on the FTC process, which may precede the kick-off meeting."
    ),
    alternates=("esd vs kickoff", "start date versus kick off meeting"),
    related=("esd-purpose",),
    source=SOURCE,
)

ENTRIES = (REQUEST_SME, MANAGE_ENGAGEMENTS, GDPR_QUESTIONS, ESD_PURPOSE, ESD_KICKOFF)
KNOWLEDGE = KnowledgeBase(
    ENTRIES,
    synonyms=(
        SynonymGroup(("sme", "subject matter expert", "technical expert")),
        SynonymGroup(("ftop", "fasttrack orchestration portal")),
        SynonymGroup(("esd", "engagement start date")),
        SynonymGroup(("kickoff", "kick off")),
    ),
)


def smalltalk() -> SmallTalkDetector:
    """A small-talk detector with a few phrases of each kind the bot answers."""
    return SmallTalkDetector(
        {
            "greeting": ["hi", "hello", "good morning"],
            "thanks": ["thanks", "thank you"],
            "help": ["help", "what can you do", "topics"],
            "goodbye": ["bye", "goodbye"],
        },
        filler=["there", "you", "very", "much"],
    )


#: Questions the sample matcher answers outright, and one it cannot answer at all.
ASK_SME = "how do I request an SME?"
ASK_FTOP = "where is FTOP"
ASK_UNKNOWN = "what is the weather in Paris tomorrow"
