"""Pure rendering of a digest: several alerts in one email or one webhook call.

A digest channel gets one message per run (or per period) instead of one per alert, so a busy
story cannot flood an inbox. Each alert inside keeps all of its evidence, as in a single alert.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from alerts.render.alert import (
    MAX_SUBJECT,
    PAYLOAD_VERSION,
    TEMPLATES,
    email_text,
    html_alert,
    new_email,
    webhook_payload,
)
from monitors.models import Alert
from monitors.untrusted import one_line

DIGEST_TYPE = "claimwatch.digest"


def digest_subject(alerts: Sequence[Alert]) -> str:
    """``[claimwatch] digest: 3 alerts (2 CONTRADICTED, 1 CONFIRMED)``."""
    counts = Counter(a.headline.split(":", 1)[0] for a in alerts)
    parts = ", ".join(f"{n} {word}" for word, n in counts.most_common())
    noun = "alert" if len(alerts) == 1 else "alerts"
    return one_line(f"[claimwatch] digest: {len(alerts)} {noun} ({parts})", MAX_SUBJECT)


def digest_text(alerts: Sequence[Alert]) -> str:
    rule = "\n" + "=" * 72 + "\n\n"
    return one_line(digest_subject(alerts)) + "\n\n" + rule.join(email_text(a) for a in alerts)


def digest_html(alerts: Sequence[Alert]) -> str:
    """The subject as a heading, then each alert as in a single alert's HTML body."""
    template = TEMPLATES.get_template("digest.html.j2")
    return template.render(subject=digest_subject(alerts), alerts=[html_alert(a) for a in alerts])


def digest_message(alerts: Sequence[Alert], from_addr: str, to: list[str]) -> EmailMessage:
    message = new_email(digest_subject(alerts), from_addr, to)
    message["Message-ID"] = digest_message_id(alerts)
    message.set_content(digest_text(alerts))
    message.add_alternative(digest_html(alerts), subtype="html")
    return message


def digest_message_id(alerts: Sequence[Alert]) -> str:
    """Derived from the alert keys, in order: a digest retried after a failed send (the same
    pending alerts) carries the same id, so a mail system or reader can drop the repeat."""
    keys = "\n".join(alert.key for alert in alerts)
    return f"<digest-{hashlib.sha256(keys.encode('utf-8')).hexdigest()[:32]}@claimwatch>"


def digest_payload(alerts: Sequence[Alert]) -> dict[str, Any]:
    """``{"version": "1", "type": "claimwatch.digest", "alerts": [<alert objects>]}``."""
    return {
        "version": PAYLOAD_VERSION,
        "type": DIGEST_TYPE,
        "alerts": [webhook_payload(a)["alert"] for a in alerts],
    }
