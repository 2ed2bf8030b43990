"""Turn logic: one Teams message in, one reply out (an answer, a choice, or a polite miss).

The matcher decides; this module only turns its decision, or a card button's data, into a
reply. Every message gets exactly one reply, except a rating, which updates the rated card
in place. No typing indicator: the answer is ready in about a millisecond, before Teams
would show one, and each indicator was one more connector call per message. The bot keeps
no conversation state: buttons carry what they need (see :mod:`bot.actions`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ChannelAccount
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.actions import (
    VIA_CHOICE,
    VIA_RELATED,
    CardAction,
    Feedback,
    NoneOfThese,
    OpenEntry,
    ShowTopics,
    parse_action,
)
from bot.cards import (
    AnswerParts,
    Card,
    answer_card_from,
    answer_parts,
    did_you_mean_card,
    next_steps,
    no_match_card,
    topics_card,
    welcome_card,
)
from bot.mentions import question_text
from bot.recorder import Recorder
from bot.records import EventKind, QuestionRecord, Surface
from bot.search import QUERY_PARAMETER, SEARCH_COMMAND, search_response
from intents import Decision, FaqEntry, MatchResult, TfidfMatcher

log = logging.getLogger(__name__)

# User-visible text (tests import these rather than retype them).
EMPTY_MESSAGE = (
    "I can only read typed questions. Type your question, or **help** to see every topic."
)
UNKNOWN_ACTION = (
    "Sorry, I couldn't use that button. Type your question, or **help** to see every topic."
)
UNKNOWN_ENTRY = "That question is no longer in the FAQ. Type **help** to see the current topics."
FEEDBACK_RECEIVED = "Thanks for your feedback!"
GREETING = (
    "Hi! Ask me a question about the FastTrack Ready partner FAQ, "
    "or type **help** to see every topic."
)
THANKS = "You're welcome! Ask me again whenever you need."
GOODBYE = "Goodbye! Mention me again whenever you have a question."

MAX_RELATED = 4
MAX_NEAREST = 3
#: On the no-match card, "closest topics" must score at least this share of the clarify
#: threshold; below that they are noise rather than help.
NEAREST_SHARE = 0.5
#: Teams announces an install twice (installationUpdate and conversationUpdate); one welcome
#: per conversation within this many seconds.
WELCOME_WINDOW_SECONDS = 600.0
_MAX_REMEMBERED_WELCOMES = 1000


class FaqBot(TeamsActivityHandler):
    """Answers FAQ questions in Teams channels, group chats, 1:1 chats and the Emulator.

    Args:
        matcher: A fitted matcher; its entries are the knowledge base the cards show.
        clock: Monotonic seconds, for the welcome de-duplication (tests pass a fake).
        recorder: The question log (default: records nothing). Questions, clicks and votes
            are handed to it without waiting; the app starts and closes it.
    """

    def __init__(
        self,
        matcher: TfidfMatcher,
        *,
        clock: Callable[[], float] = time.monotonic,
        recorder: Recorder | None = None,
    ) -> None:
        super().__init__()
        self.matcher = matcher
        self.knowledge = matcher.knowledge_
        self.next_steps = next_steps(self.knowledge)
        self.source_title = next((e.source.title for e in self.knowledge if e.source), None)
        self.recorder = recorder or Recorder.disabled()
        self._clock = clock
        self._welcomed: dict[str, float] = {}
        # Per entry id: its answer card's fixed parts and related entries, built once (the
        # knowledge base is fixed for the bot's life; at most one item per entry).
        self._answer_parts: dict[str, tuple[AnswerParts, tuple[FaqEntry, ...]]] = {}

    # ------------------------------------------------------------------ installs and joins
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app was installed in a team, a group chat or a personal scope."""
        if turn_context.activity.action == "add":  # not "add-upgrade": a new version
            await self._welcome(turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """conversationUpdate outside Teams (the Emulator adds the user and the bot)."""
        if _includes_bot(members_added, turn_context):
            await self._welcome(turn_context)

    async def on_teams_members_added_dispatch(
        self, members_added: list[ChannelAccount], team_info: Any, turn_context: TurnContext
    ) -> None:
        """conversationUpdate in Teams; replaces the base class, which fetches every member.

        Only the bot's own arrival matters here, so no roster call is made.
        """
        if _includes_bot(members_added, turn_context):
            await self._welcome(turn_context)

    async def _welcome(self, turn_context: TurnContext) -> None:
        conversation = turn_context.activity.conversation
        key = conversation.id if conversation and conversation.id else ""
        now = self._clock()
        last = self._welcomed.get(key)
        if last is not None and now - last < WELCOME_WINDOW_SECONDS:
            log.debug("welcome already sent to this conversation")
            return
        self._welcomed.pop(key, None)
        self._welcomed[key] = now
        while len(self._welcomed) > _MAX_REMEMBERED_WELCOMES:
            del self._welcomed[next(iter(self._welcomed))]
        log.info("welcome channel=%s", turn_context.activity.channel_id)
        await _send_card(turn_context, welcome_card(self.knowledge))

    # ------------------------------------------------------------------ messages
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A typed question, or the click of a card button (a message with a ``value``)."""
        activity = turn_context.activity
        action = parse_action(activity.value) if activity.value is not None else None
        if isinstance(action, Feedback):
            await self._on_feedback(turn_context, action)
            return
        if action is not None:
            await self._on_card_action(turn_context, action)
            return
        question = question_text(activity)
        if not question:
            await turn_context.send_activity(
                UNKNOWN_ACTION if activity.value is not None else EMPTY_MESSAGE
            )
            return
        log.debug("question %r", question)
        await self._answer(turn_context, self.matcher.match(question))

    async def _answer(self, turn_context: TurnContext, result: MatchResult) -> None:
        best = result.best
        if log.isEnabledFor(logging.DEBUG):  # the question log records every decision
            log.debug(
                "decision=%s entry=%s score=%s smalltalk=%s",
                result.decision,
                best.entry.id if best else None,
                f"{best.score:.3f}" if best else None,
                result.smalltalk,
            )
        record = self._record_question(turn_context, result, Surface.CHAT)
        qid = record.id if record else None
        if result.decision is Decision.SMALLTALK:
            await self._small_talk(turn_context, result.smalltalk)
        elif result.decision is Decision.ANSWER and best is not None:
            card = self._answer_card(best.entry, question_id=qid, asked=result.text)
            await _send_card(turn_context, card)
        elif result.decision is Decision.CLARIFY and result.candidates:
            choices = [match.entry for match in result.candidates]
            card = did_you_mean_card(result.text, choices, question_id=qid)
            await _send_card(turn_context, card)
        else:
            card = self._no_match_card(result.text, self._nearest(result), question_id=qid)
            await _send_card(turn_context, card)

    async def _small_talk(self, turn_context: TurnContext, kind: str | None) -> None:
        replies = {"greeting": GREETING, "thanks": THANKS, "goodbye": GOODBYE}
        if kind in replies:
            await turn_context.send_activity(replies[kind])
        else:  # "help", or a kind added to smalltalk.yaml later
            await _send_card(turn_context, topics_card(self.knowledge))

    async def _on_card_action(self, turn_context: TurnContext, action: CardAction) -> None:
        # Not the action itself: "None of these" carries the user's question (logs have none).
        log.debug(
            "card action=%s entry=%s", type(action).__name__, getattr(action, "entry_id", None)
        )
        if isinstance(action, OpenEntry):
            kinds = {VIA_CHOICE: EventKind.CHOICE, VIA_RELATED: EventKind.RELATED}
            self._record_event(
                turn_context,
                kinds.get(action.via or "", EventKind.TOPIC),
                question_id=action.question_id,
                entry_id=action.entry_id,
                question_text=action.question,
            )
            entry = self.knowledge.get(action.entry_id)
            if entry is None:
                await turn_context.send_activity(UNKNOWN_ENTRY)
            else:  # its buttons keep the original question's id: a vote links back to it
                card = self._answer_card(
                    entry, question_id=action.question_id, asked=action.question
                )
                await _send_card(turn_context, card)
        elif isinstance(action, ShowTopics):
            await _send_card(turn_context, topics_card(self.knowledge))
        elif isinstance(action, NoneOfThese):
            self._record_event(
                turn_context,
                EventKind.NONE_OF_THESE,
                question_id=action.question_id,
                question_text=action.question,
            )
            await _send_card(turn_context, self._no_match_card(action.question, ()))

    async def _on_feedback(self, turn_context: TurnContext, action: Feedback) -> None:
        """Record the rating, then show it on the rated card (or say thanks in a reply)."""
        activity = turn_context.activity
        log.info("feedback entry=%s helpful=%s", action.entry_id, action.helpful)
        self._record_event(
            turn_context,
            EventKind.HELPFUL if action.helpful else EventKind.NOT_HELPFUL,
            question_id=action.question_id,
            entry_id=action.entry_id,
            question_text=action.question,
        )
        entry = self.knowledge.get(action.entry_id)
        if entry is not None and activity.reply_to_id:
            card = self._answer_card(entry, feedback=action.helpful, question_id=action.question_id)
            updated = MessageFactory.attachment(CardFactory.adaptive_card(card))
            updated.id = activity.reply_to_id
            try:
                await turn_context.update_activity(updated)
                return
            except (HttpOperationError, ClientRequestError, NotImplementedError) as error:
                log.warning("could not update the rated card, replying instead: %s", error)
        await turn_context.send_activity(FEEDBACK_RECEIVED)

    # ------------------------------------------------------------------ compose-box search
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Answer the compose-box FAQ search; every other invoke goes to the base class.

        The body is left as the ``MessagingExtensionResponse`` model: the adapter serializes
        it once (the base class's helper serializes it first, which makes botbuilder 4.17.1
        answer HTTP 500). The base class answers 501 to the invokes this bot does not handle,
        but first reads their value into a model: a malformed one is answered 400 here rather
        than failing the turn (which would post an apology into the chat).
        """
        if turn_context.activity.name == "composeExtension/query":
            query = _typed_search(turn_context.activity.value)
            if query and self.recorder.enabled:  # the extra match only when it is recorded
                self._record_question(turn_context, self.matcher.match(query), Surface.SEARCH)
            response = search_response(self.matcher, turn_context.activity.value)
            log.debug("search results=%d", len(response.compose_extension.attachments))
            return InvokeResponse(status=HTTPStatus.OK, body=response)
        try:
            result: InvokeResponse | None = await super().on_invoke_activity(turn_context)
        except (ValueError, TypeError, AttributeError) as error:  # msrest's errors: ValueError
            log.warning("malformed %s invoke: %s", turn_context.activity.name, type(error).__name__)
            return InvokeResponse(status=HTTPStatus.BAD_REQUEST)
        return result

    # ------------------------------------------------------------------ question log
    def _record_question(
        self, turn_context: TurnContext, result: MatchResult, surface: Surface
    ) -> QuestionRecord | None:
        """Hand one handled question to the recorder (never raises, never waits)."""
        if not self.recorder.enabled:
            return None
        try:
            activity = turn_context.activity
            chosen = result.best or (result.matches[0] if result.matches else None)
            chosen_id = chosen.entry.id if chosen else None
            runner_up = next((m for m in result.matches if m.entry.id != chosen_id), None)
            return self.recorder.record_question(
                user_id=_user_id(activity),
                channel=activity.channel_id or "",
                conversation_type=_conversation_type(activity),
                surface=surface,
                text=result.text,
                decision=str(result.decision),
                entry_id=chosen_id,
                score=chosen.score if chosen else None,
                runner_up_id=runner_up.entry.id if runner_up else None,
                runner_up_score=runner_up.score if runner_up else None,
            )
        except Exception:  # the log must never cost a reply
            log.exception("could not record a question")
            return None

    def _record_event(
        self,
        turn_context: TurnContext,
        kind: EventKind,
        *,
        question_id: str | None = None,
        entry_id: str | None = None,
        question_text: str | None = None,
    ) -> None:
        """Hand one click or vote to the recorder (never raises, never waits)."""
        if not self.recorder.enabled:
            return
        try:
            self.recorder.record_event(
                user_id=_user_id(turn_context.activity),
                kind=kind,
                question_id=question_id,
                entry_id=entry_id,
                question_text=question_text,
            )
        except Exception:  # the log must never cost a reply
            log.exception("could not record a %s event", kind)

    # ------------------------------------------------------------------ card helpers
    def _answer_card(
        self,
        entry: FaqEntry,
        *,
        feedback: bool | None = None,
        question_id: str | None = None,
        asked: str | None = None,
    ) -> Card:
        known = self._answer_parts.get(entry.id)
        if known is None or known[0].entry is not entry:
            related = [self.knowledge.get(entry_id) for entry_id in entry.related]
            shown = tuple(other for other in related if other is not None)[:MAX_RELATED]
            known = (answer_parts(entry), shown)
            self._answer_parts[entry.id] = known
        parts, shown = known
        return answer_card_from(
            parts, shown, feedback=feedback, question_id=question_id, asked=asked
        )

    def _no_match_card(
        self, question: str, nearest: Sequence[FaqEntry], *, question_id: str | None = None
    ) -> Card:
        return no_match_card(
            question,
            self.next_steps,
            nearest=nearest,
            source_title=self.source_title,
            question_id=question_id,
        )

    def _nearest(self, result: MatchResult) -> list[FaqEntry]:
        floor = self.matcher.thresholds.clarify * NEAREST_SHARE
        return [match.entry for match in result.matches if match.score >= floor][:MAX_NEAREST]


def _user_id(activity: Activity) -> str | None:
    """The id the question log hashes: the Entra object id when sent, else the channel's id."""
    sender = activity.from_property
    if sender is None:
        return None
    user_id: str | None = sender.aad_object_id or sender.id
    return user_id


def _conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    kind = conversation.conversation_type if conversation is not None else None
    return kind if isinstance(kind, str) else ""


def _typed_search(value: object) -> str | None:
    """The text typed in the compose-box search, for the log: ``None`` for the initial run
    (empty query), a later page of the same query (``skip`` > 0), or another command."""
    if not isinstance(value, dict) or value.get("commandId", SEARCH_COMMAND) != SEARCH_COMMAND:
        return None
    options = value.get("queryOptions")
    if isinstance(options, dict) and options.get("skip") not in (None, 0):
        return None
    parameters = value.get("parameters")
    for parameter in parameters if isinstance(parameters, list) else ():
        if isinstance(parameter, dict) and parameter.get("name") == QUERY_PARAMETER:
            text = parameter.get("value")
            return text.strip() or None if isinstance(text, str) else None
    return None


def _includes_bot(members: Sequence[ChannelAccount] | None, turn_context: TurnContext) -> bool:
    recipient = turn_context.activity.recipient
    return recipient is not None and any(member.id == recipient.id for member in members or [])


async def _send_card(turn_context: TurnContext, card: Card) -> None:
    await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))
