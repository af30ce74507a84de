"""Reads the files Django's file email backend writes under var/mail/ in development."""

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SEPARATOR = "\n" + "-" * 79 + "\n"


@dataclass(frozen=True)
class DevMessage:
    id: str
    to: str
    subject: str
    sent_at: datetime
    body: str


def _messages_in(path: Path) -> list[DevMessage]:
    sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
    messages = []
    for index, chunk in enumerate(path.read_text(errors="replace").split(SEPARATOR)):
        if not chunk.strip():
            continue
        parsed = email.message_from_string(chunk, policy=email.policy.default)
        part = parsed.get_body(preferencelist=("plain", "html"))
        messages.append(
            DevMessage(
                id=f"{path.stem}.{index}",
                to=str(parsed.get("To", "")),
                subject=str(parsed.get("Subject", "")),
                sent_at=sent_at,
                body=part.get_content() if part is not None else "",
            )
        )
    return messages


def recent_messages(limit: int = 200) -> list[DevMessage]:
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    messages = [message for path in files for message in reversed(_messages_in(path))]
    return messages[:limit]


def find_message(message_id: str) -> DevMessage | None:
    stem = message_id.rsplit(".", 1)[0]
    if "/" in stem or "\\" in stem or len(stem) > 100:
        return None
    path = Path(settings.EMAIL_FILE_PATH) / f"{stem}.log"
    if not path.is_file():
        return None
    return next((m for m in _messages_in(path) if m.id == message_id), None)
