"""The welcome card: once when the bot arrives in a conversation, never for other members."""

from __future__ import annotations

from botbuilder.schema import Activity, ChannelAccount

from bot.cards import BROWSE_TOPICS, WELCOME_TITLE
from bot.faq_bot import WELCOME_WINDOW_SECONDS, FaqBot
from intents import TfidfMatcher
from tests.activities import conversation, installation_update, members_added
from tests.adaptive_cards import assert_valid_card, row_ids, submit_button, texts
from tests.conversation.turns import adapter_for, card_of, take_replies

TEAM_DATA = {"eventType": "teamMemberAdded", "team": {"id": "19:team@thread.tacv2"}}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _welcomes(replies: list[Activity]) -> int:
    return sum(1 for r in replies if r.attachments and texts(card_of(r))[0] == WELCOME_TITLE)


async def test_install_sends_the_welcome_card(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(installation_update("add"))

    (reply,) = take_replies(adapter)
    card = card_of(reply)
    assert texts(card)[0] == WELCOME_TITLE
    assert row_ids(card) == ["request-sme", "esd-purpose", "manage-engagements"]
    assert submit_button(card, BROWSE_TOPICS)["action"] == "topics"
    assert_valid_card(card)


async def test_upgrade_and_removal_send_nothing(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(installation_update("add-upgrade"))
    await adapter.send(installation_update("remove"))

    assert take_replies(adapter) == []


async def test_emulator_join_welcomes_once_for_user_and_bot(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(members_added("User1", "bot", channel_id="emulator"))

    assert _welcomes(take_replies(adapter)) == 1


async def test_bot_added_to_a_team_welcomes(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    await adapter.send(members_added("bot", channel_id="msteams", channel_data=TEAM_DATA))

    assert _welcomes(take_replies(adapter)) == 1


async def test_another_member_joining_gets_no_welcome_and_no_roster_call(
    matcher: TfidfMatcher,
) -> None:
    # TestAdapter has no connector: a roster lookup (TeamsInfo.get_member) would fail the turn.
    adapter = adapter_for(FaqBot(matcher))
    joiner = ChannelAccount(id="29:new-person", aad_object_id="7d8e9f0a")

    activity = members_added(channel_id="msteams", channel_data=TEAM_DATA)
    activity.members_added = [joiner]
    await adapter.send(activity)

    assert take_replies(adapter) == []


async def test_install_and_join_of_the_same_conversation_welcome_once(
    matcher: TfidfMatcher,
) -> None:
    clock = _Clock()
    adapter = adapter_for(FaqBot(matcher, clock=clock))

    await adapter.send(installation_update("add", channel_id="msteams"))
    clock.now += 2
    await adapter.send(members_added("bot", channel_id="msteams", channel_data=TEAM_DATA))

    assert _welcomes(take_replies(adapter)) == 1


async def test_each_conversation_and_each_later_install_gets_a_welcome(
    matcher: TfidfMatcher,
) -> None:
    clock = _Clock()
    adapter = adapter_for(FaqBot(matcher, clock=clock))

    await adapter.send(installation_update("add"))
    await adapter.send(installation_update("add", conversation=conversation("other-chat")))
    clock.now += WELCOME_WINDOW_SECONDS + 1
    await adapter.send(installation_update("add"))

    assert _welcomes(take_replies(adapter)) == 3
