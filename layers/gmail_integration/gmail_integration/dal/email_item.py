"""The email item: one per activity, from approval to reply. Its key and its shape are read here and nowhere else.

The ledger writes it, the read model and the parked index read it, the reply detection moves its status on.
"""

from __future__ import annotations

from gmail_integration.dal import keys
from gmail_integration.dal.items import Item, text
from gmail_integration.models.domain import EmailRecord, EmailStatus
from gmail_integration.models.times import parse_time

STATUS = {"#status": "status"}
"""``status`` is a DynamoDB reserved word: every expression names it through ``#status``."""


def email_from_item(item: Item) -> EmailRecord:
    approved = parse_time(item.get("approved_at"))
    updated = parse_time(item.get("updated_at"))
    assert approved is not None
    assert updated is not None
    return EmailRecord(
        workspace_id=str(item["workspace_id"]),
        activity_id=str(item["activity_id"]),
        agent_id=str(item.get("agent_id", "")),
        status=EmailStatus(str(item["status"])),
        reason=text(item, "reason"),
        reason_message=text(item, "reason_message"),
        to_email=str(item.get("to_email", "")),
        subject=str(item.get("subject", "")),
        in_reply_to_activity_id=text(item, "in_reply_to_activity_id"),
        gmail_message_id=text(item, "gmail_message_id"),
        gmail_thread_id=text(item, "gmail_thread_id"),
        message_id=text(item, "message_id"),
        approved_at=approved,
        sent_at=parse_time(item.get("sent_at")),
        replied_at=parse_time(item.get("replied_at")),
        updated_at=updated,
        command=text(item, "command"),
        payload_hash=text(item, "payload_hash"),
        lease_until=parse_time(item.get("lease_until")),
        send_cursor=text(item, "send_cursor"),
        delivery_unconfirmed=bool(item.get("delivery_unconfirmed", False)),
        rfc_message_id=text(item, "rfc_message_id"),
        references=text(item, "references"),
        reply_kinds=tuple(sorted(str(k) for k in item.get("reply_kinds", ()))),
        auto_replied_at=parse_time(item.get("auto_replied_at")),
        bounced_at=parse_time(item.get("bounced_at")),
        released=bool(item.get("released", False)),
        not_before=parse_time(item.get("not_before")),
        wait_reason=text(item, "wait_reason"),
    )


def email_key(workspace_id: str, activity_id: str) -> dict[str, str]:
    return {"pk": keys.workspace_pk(workspace_id), "sk": keys.email_sk(activity_id)}
