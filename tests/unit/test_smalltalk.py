"""Small talk is recognised only when nothing with a topic is left."""

from __future__ import annotations

import pytest

from intents.smalltalk import SmallTalkDetector

DETECTOR = SmallTalkDetector(
    {
        "greeting": ["hi", "hello", "good morning"],
        "thanks": ["thanks", "thank you", "helpful"],
        "help": ["help", "what can you do"],
        "goodbye": ["bye", "see you later"],
    },
    filler=["there", "that", "was", "really", "you"],
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("good morning", "greeting"),
        ("thank you, that was really helpful", "thanks"),
        ("thanks", "thanks"),
        ("thnaks", "thanks"),  # spelling repaired against the phrases
        ("help", "help"),
        ("hi, what can you do?", "help"),  # help outranks the greeting
        ("thanks, bye", "goodbye"),
        ("see you later", "goodbye"),
    ],
)
def test_small_talk_kinds(text: str, kind: str) -> None:
    hit = DETECTOR.detect(text)
    assert hit is not None
    assert hit.kind == kind
    assert 0 < hit.score <= 1


@pytest.mark.parametrize(
    "text",
    ["", "there", "hi, how do I request an SME?", "thanks for the FTOP link", "help me find FTOP"],
)
def test_anything_with_a_topic_is_not_small_talk(text: str) -> None:
    assert DETECTOR.detect(text) is None
