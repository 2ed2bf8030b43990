"""FaqBot conversations through TestAdapter: questions, small talk, card buttons and hints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from botbuilder.schema import Activity, Attachment, ChannelAccount, Mention

from bot.cards import (
    BROWSE_TOPICS,
    NO_MATCH_TITLE,
    NONE_OF_THESE,
    TOPICS_TITLE,
)
from bot.faq_bot import (
    EMPTY_MESSAGE,
    GOODBYE,
    GREETING,
    THANKS,
    UNKNOWN_ACTION,
    UNKNOWN_ENTRY,
    FaqBot,
)
from intents import Decision, FaqEntry, Match, MatchResult, TfidfMatcher
from tests.activities import message
from tests.adaptive_cards import (
    all_text,
    assert_valid_card,
    open_urls,
    row_ids,
    rows,
    submit_button,
    texts,
)
from tests.conversation.turns import (
    ScriptedMatcher,
    adapter_for,
    card_of,
    take_replies,
    the_reply,
)
from tests.samples import (
    ASK_FTOP,
    ASK_SME,
    ASK_UNKNOWN,
    ESD_KICKOFF,
    ESD_PURPOSE,
    FTOP_URL,
    GDPR_URL,
    KNOWLEDGE,
    MANAGE_ENGAGEMENTS,
    REQUEST_SME,
    SME_URL,
)


def answer_card_for(entry: FaqEntry) -> Callable[[Activity, str | None], None]:
    """An assert_reply inspector. It must be a plain def: TestFlow cannot await one."""

    def inspect(reply: Activity, description: str | None = None) -> None:
        card = card_of(reply)
        assert texts(card)[:2] == [entry.question, entry.answer]
        assert_valid_card(card)

    return inspect


# --------------------------------------------------------------------------- questions
async def test_question_gets_its_answer_card(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    flow = await adapter.send(ASK_FTOP)
    await flow.assert_reply(answer_card_for(MANAGE_ENGAGEMENTS))


async def test_answer_card_has_the_entry_links_and_related_questions(
    matcher: TfidfMatcher,
) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(ASK_SME)
    card = card_of(the_reply(adapter))

    assert texts(card)[0] == REQUEST_SME.question
    assert [url for _, url in open_urls(card)] == [link.url for link in REQUEST_SME.links]
    assert SME_URL in dict(open_urls(card)).values()
    assert row_ids(card) == list(REQUEST_SME.related)


async def test_unknown_question_gets_the_no_match_card(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(ASK_UNKNOWN)
    card = card_of(the_reply(adapter))

    assert texts(card)[0] == NO_MATCH_TITLE
    assert ASK_UNKNOWN in all_text(card)
    urls = [url for _, url in open_urls(card)]
    assert urls == [SME_URL, FTOP_URL, GDPR_URL]  # from the knowledge base's links
    assert row_ids(card) == []  # nothing is near


async def test_no_match_card_offers_the_nearest_topics() -> None:
    result = MatchResult(
        "customer deployment schedule",
        Decision.NONE,
        matches=(
            Match(ESD_PURPOSE, 0.22),
            Match(MANAGE_ENGAGEMENTS, 0.2),
            Match(REQUEST_SME, 0.01),
        ),
    )
    adapter = adapter_for(FaqBot(ScriptedMatcher(result)))

    await adapter.send("customer deployment schedule")
    card = card_of(the_reply(adapter))

    assert texts(card)[0] == NO_MATCH_TITLE
    assert row_ids(card) == ["esd-purpose", "manage-engagements"]  # 0.01 is noise


async def test_close_candidates_get_did_you_mean_then_a_choice_opens_it() -> None:
    result = MatchResult(
        "what is the esd",
        Decision.CLARIFY,
        matches=(Match(ESD_PURPOSE, 0.62), Match(ESD_KICKOFF, 0.58)),
        candidates=(Match(ESD_PURPOSE, 0.62), Match(ESD_KICKOFF, 0.58)),
    )
    adapter = adapter_for(FaqBot(ScriptedMatcher(result)))

    await adapter.send("what is the esd")
    card = card_of(the_reply(adapter))
    assert row_ids(card) == ["esd-purpose", "esd-kickoff"]

    choice = rows(card)[1][1]  # what Teams sends back: the row's data
    flow = await adapter.send(message(value=choice))
    await flow.assert_reply(answer_card_for(ESD_KICKOFF))


async def test_none_of_these_gives_the_no_match_card_for_the_question(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = MatchResult(
        "what is the esd",
        Decision.CLARIFY,
        matches=(Match(ESD_PURPOSE, 0.62),),
        candidates=(Match(ESD_PURPOSE, 0.62),),
    )
    adapter = adapter_for(FaqBot(ScriptedMatcher(result)))
    await adapter.send("what is the esd")
    card = card_of(the_reply(adapter))

    with caplog.at_level(logging.INFO):
        await adapter.send(message(value=submit_button(card, NONE_OF_THESE)))
    no_match = card_of(the_reply(adapter))

    assert "what is the esd" not in caplog.text  # questions are not logged at INFO

    assert texts(no_match)[0] == NO_MATCH_TITLE
    assert "what is the esd" in all_text(no_match)


async def test_related_question_row_opens_that_entry(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))
    await adapter.send(ASK_SME)
    card = card_of(the_reply(adapter))
    (related_text, related_data) = rows(card)[0]

    await adapter.send(message(value=related_data))
    opened = card_of(the_reply(adapter))

    assert texts(opened)[0] == related_text == MANAGE_ENGAGEMENTS.question


async def test_browse_topics_button_shows_every_topic(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))
    await adapter.send(ASK_UNKNOWN)
    card = card_of(the_reply(adapter))

    await adapter.send(message(value=submit_button(card, BROWSE_TOPICS)))
    topics = card_of(the_reply(adapter))

    assert texts(topics)[0] == TOPICS_TITLE
    assert row_ids(topics) == [entry.id for entry in KNOWLEDGE]


# --------------------------------------------------------------------------- small talk
@pytest.mark.parametrize(
    ("said", "reply"), [("hi", GREETING), ("thank you", THANKS), ("bye", GOODBYE)]
)
async def test_small_talk_gets_a_short_text(matcher: TfidfMatcher, said: str, reply: str) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(said)

    assert the_reply(adapter).text == reply


@pytest.mark.parametrize("said", ["help", "what can you do", "Help!", "topics"])
async def test_help_shows_the_topics_card(matcher: TfidfMatcher, said: str) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(said)
    card = card_of(the_reply(adapter))

    assert texts(card)[0] == TOPICS_TITLE
    assert {"Resources", "Engagement Start Date"} <= set(texts(card))


async def test_help_after_a_channel_mention(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))
    mention = Mention(
        mentioned=ChannelAccount(id="bot", name="Bot"), text="<at>Bot</at>", type="mention"
    )

    await adapter.send(message("<at>Bot</at> help\r\n", channel_id="msteams", entities=[mention]))

    assert texts(card_of(the_reply(adapter)))[0] == TOPICS_TITLE


# --------------------------------------------------------------------------- no words
@pytest.mark.parametrize(
    "activity",
    [
        message(""),
        message("   \r\n "),
        message("<at>Bot</at>"),
        message(
            attachments=[Attachment(content_type="image/png", content_url="https://x.test/a.png")]
        ),
    ],
    ids=["empty", "blank", "mention-only", "attachment-only"],
)
async def test_message_without_words_gets_a_hint(matcher: TfidfMatcher, activity: Activity) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(activity)

    assert the_reply(adapter).text == EMPTY_MESSAGE


@pytest.mark.parametrize(
    "value",
    [{}, {"action": "explode"}, {"action": "open", "id": "../x"}, "junk", [1, 2]],
    ids=["empty-submit", "unknown-action", "bad-id", "string", "list"],
)
async def test_unusable_button_data_gets_a_hint_not_an_error(
    matcher: TfidfMatcher, value: Any
) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(message(value=value))

    assert the_reply(adapter).text == UNKNOWN_ACTION


async def test_button_for_an_entry_that_no_longer_exists(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(message(value={"action": "open", "id": "retired-entry"}))

    assert the_reply(adapter).text == UNKNOWN_ENTRY


async def test_text_alongside_junk_value_is_still_answered(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(message(ASK_FTOP, value={"unrelated": True}))

    assert texts(card_of(the_reply(adapter)))[0] == MANAGE_ENGAGEMENTS.question
    assert take_replies(adapter) == []
