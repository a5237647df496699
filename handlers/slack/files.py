"""Files sent to a person in Slack: uploaded into their direct messages with Baton."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.model import Person
from bot.messages import Attachment, Message, Paragraph
from bot.ports import NotifyError
from handlers.slack.render import fallback_text, mrkdwn


def upload_to_person(
    client: WebClient, person: Person, message: Message, files: Sequence[Attachment]
) -> None:
    """Upload `files` into the person's direct messages with Baton, with `message` as their
    comment: `conversations.open` finds the conversation, then `files_upload_v2` asks
    files.getUploadURLExternal for an address per file, sends each file there, and shares
    them with files.completeUploadExternal. NotifyError, naming the step, if it fails."""
    step = "conversations.open"
    try:
        opened = client.conversations_open(users=person.external_id)
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            raise NotifyError("conversations.open: no direct message conversation")
        step = "files.upload"
        client.files_upload_v2(
            channel=channel,
            initial_comment=comment(message),
            file_uploads=[
                {"filename": file.filename, "title": file.title, "content": file.content}
                for file in files
            ],
        )
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        raise NotifyError(f"{step}: {code or 'failed'}") from error
    except HTTPError as error:
        raise NotifyError(f"{step}: the upload was refused (HTTP {error.code})") from error
    except (SlackClientError, URLError, OSError) as error:
        raise NotifyError(f"{step}: {type(error).__name__}") from error


def comment(message: Message) -> str:
    """A message as the text that comes with files: its paragraphs, in mrkdwn."""
    paragraphs = [mrkdwn(block.text) for block in message.blocks if isinstance(block, Paragraph)]
    return "\n\n".join(paragraphs) or fallback_text(message)
