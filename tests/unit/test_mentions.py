"""Extracting the question from Teams and Emulator message activities."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from bot.mentions import has_user_attachments, question_text
from tests.activities import TEAMS_BOT_ID, TEAMS_BOT_NAME, TEAMS_CHANNEL_MESSAGE, payload

FAKE_URL = "http://127.0.0.1:9"  # never contacted: these tests only parse


def _activity(**fields: Any) -> Activity:
    data = {
        "type": "message",
        "recipient": {"id": TEAMS_BOT_ID, "name": TEAMS_BOT_NAME},
        **fields,
    }
    activity: Activity = Activity().deserialize(data)
    return activity


def _mention(user_id: str, name: str, text: str | None = None) -> dict[str, Any]:
    return {
        "type": "mention",
        "text": text or f"<at>{name}</at>",
        "mentioned": {"id": user_id, "name": name},
    }


def test_saved_channel_message_keeps_other_people_and_drops_the_bot() -> None:
    activity = Activity().deserialize(payload(TEAMS_CHANNEL_MESSAGE, service_url=FAKE_URL))

    assert question_text(activity) == "can Jane Doe and I request a technical expert?"


def test_plain_text_is_trimmed_and_decoded() -> None:
    activity = _activity(text="  How do I\r\nhandle GDPR &amp; PII?  ")

    assert question_text(activity) == "How do I handle GDPR & PII?"


def test_only_the_mention_is_removed_not_the_name_elsewhere() -> None:
    activity = _activity(
        text="<at>FAQ</at> where is the FAQ page?",
        recipient={"id": TEAMS_BOT_ID, "name": "FAQ"},
        entities=[_mention(TEAMS_BOT_ID, "FAQ")],
    )

    assert question_text(activity) == "where is the FAQ page?"


def test_mention_is_recognised_by_id_even_under_another_display_name() -> None:
    activity = _activity(
        text="<at>FastTrack (Preview)</at> sme request",
        entities=[_mention(TEAMS_BOT_ID, "FastTrack (Preview)")],
    )

    assert question_text(activity) == "sme request"


def test_escaped_name_matches_an_unescaped_entity() -> None:
    activity = _activity(
        text="<at>FastTrack Q&amp;A</at> ftop login",
        entities=[_mention(TEAMS_BOT_ID, TEAMS_BOT_NAME, text="<at>FastTrack Q&A</at>")],
    )

    assert question_text(activity) == "ftop login"


def test_recipient_name_is_the_fallback_without_entities() -> None:
    activity = _activity(text="<at>FastTrack Q&amp;A</at> ftop login")

    assert question_text(activity) == "ftop login"


def test_mentioning_only_someone_else_keeps_their_name() -> None:
    activity = _activity(
        text="<at>Jane Doe</at> knows FTOP",
        entities=[_mention("29:jane", "Jane Doe")],
    )

    assert question_text(activity) == "Jane Doe knows FTOP"


def test_empty_text_falls_back_to_the_html_attachment() -> None:
    html = (
        '<div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">'
        "FastTrack Q&amp;A</span>&nbsp;where is <b>FTOP</b>?</div>"
    )
    activity = _activity(text="", attachments=[{"contentType": "text/html", "content": html}])

    assert question_text(activity) == "where is FTOP?"


def test_only_a_mention_is_no_question() -> None:
    activity = _activity(
        text="<at>FastTrack Q&amp;A</at>&nbsp;\r\n",
        entities=[_mention(TEAMS_BOT_ID, TEAMS_BOT_NAME)],
    )

    assert question_text(activity) == ""


def test_html_copy_is_not_a_user_attachment_but_a_file_is() -> None:
    html_only = _activity(text="x", attachments=[{"contentType": "text/html", "content": "x"}])
    with_file = _activity(
        attachments=[
            {"contentType": "image/*", "contentUrl": "https://example.com/a.png"},
            {"contentType": "text/html", "content": "<img>"},
        ]
    )

    assert not has_user_attachments(html_only)
    assert has_user_attachments(with_file)
    assert question_text(with_file) == ""
