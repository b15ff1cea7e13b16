"""Each signal added for mail from systems the first fixtures lacked, with the near misses that must not trigger it.

Every case checks the deciding signal as well as the kind: a right kind for the wrong reason would hide a rule
that swallows another's cases.
"""

from __future__ import annotations

import pytest

from gmail_integration.replies.classifier import MessageFacts, ReplyKind, Signal, Verdict, classify, explain

DSN = 'multipart/report; report-type=delivery-status; boundary="b"'


def verdict(**headers: str) -> Verdict:
    return explain(MessageFacts(headers={name.replace("_", "-"): value for name, value in headers.items()}))


# --- delay and success notices: bounce evidence, but the email may still arrive or did ----------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Delivery Status Notification (Delay)",
        "Mail Delivery Status Notification (Delay)",
        "Delivery Status Notification (Mail Delivery Delayed)",
        "Delayed Mail (still being retried)",
        "Warning: could not send message for past 4 hours",
        "Warning: message 1abc-000 delayed 24 hours",
        "Delivery delayed: Following up",
        "Delivery Notification: Delivery has been delayed",
        "Zustellung verzögert: Preise",
        "Remise différée : Tarifs",
        "Delivery status notification: delayed",  # OpenSMTPD
        "Delivery status notification: warning",  # OpenSMTPD before 6.x
        "Returned mail: Warning: could not send message for past 4 hours",  # older sendmail, under its heading
        "Warning: message still undelivered after 4 hours",  # a retrying phrase beats the failure word in it
    ],
)
def test_a_delay_notice_is_an_auto_reply(subject: str) -> None:
    daemon = "Mail Delivery System <mailer-daemon@relay.example>"
    assert verdict(From=daemon, Subject=subject) == Verdict(ReplyKind.AUTO_REPLY, Signal.DELAY_NOTICE)
    assert verdict(From="gw@relay.example", Subject=subject, Content_Type=DSN).kind is ReplyKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Return receipt",
        "Delivery Status Notification (Success)",
        "Delivery Status Notification (Relay)",
        "Delivered: Following up",
        "Relayed: Pricing",
        "Successful Mail Delivery Report",
        "Mail Delivery Status Report",  # Postfix's answer to an address verification: "deliverable"
        "Delivery status notification: delivered",  # OpenSMTPD
    ],
)
def test_a_success_notice_is_an_auto_reply(subject: str) -> None:
    daemon = "Mail Delivery Subsystem <MAILER-DAEMON@example.com>"
    assert verdict(From=daemon, Subject=subject, Content_Type=DSN) == Verdict(
        ReplyKind.AUTO_REPLY, Signal.SUCCESS_NOTICE
    )


@pytest.mark.parametrize(
    ("subject", "signal"),
    [
        ("Dostarczanie opóźnione: Oferta", Signal.DELAY_NOTICE),  # Exchange's localised "Delivery delayed:"
        ("Toimitus viivästynyt: Tarjous", Signal.DELAY_NOTICE),
        ("Teslim gecikti: Teklif", Signal.DELAY_NOTICE),
        ("Késleltetett kézbesítés: Ajánlat", Signal.DELAY_NOTICE),
        ("延遲傳遞: 報價", Signal.DELAY_NOTICE),
        ("配信遅延通知", Signal.DELAY_NOTICE),  # no space after the word: a boundary there would miss it
        ("배달 지연: 견적", Signal.DELAY_NOTICE),
        ("Recapitato: Offerta", Signal.SUCCESS_NOTICE),  # localised "Delivered:"
        ("Dostarczono: Oferta", Signal.SUCCESS_NOTICE),
        ("Doručeno: Nabídka", Signal.SUCCESS_NOTICE),
        ("配信済み: 見積", Signal.SUCCESS_NOTICE),
    ],
)
def test_localised_delay_and_success_notices_inside_a_delivery_report_are_auto_replies(
    subject: str, signal: Signal
) -> None:
    daemon = "Microsoft Outlook <postmaster@contoso.example>"
    assert verdict(From=daemon, Subject=subject, Content_Type=DSN) == Verdict(ReplyKind.AUTO_REPLY, signal)


@pytest.mark.parametrize(
    "subject",
    [
        "无法送达: 报价",
        "Nedoručitelné: Nabídka",
        "Niedostarczalne: Oferta",
        "Nie dostarczono: Oferta",
        "Teslim edilemiyor: Teklif",
        "Ei voitu toimittaa: Tarjous",
        "Kan ikke leveres: Tilbud",
        "Não entregue: Proposta",
        "Message status - undeliverable",  # GroupWise
        "Nachricht konnte nicht zugestellt werden",
    ],
)
def test_localised_failures_stay_bounces_in_a_report_and_under_a_null_sender(subject: str) -> None:
    daemon = "Microsoft Outlook <postmaster@contoso.example>"
    assert verdict(From=daemon, Subject=subject, Content_Type=DSN) == Verdict(ReplyKind.BOUNCE, Signal.DELIVERY_REPORT)
    found = verdict(From="gw@contoso.example", Subject=subject, Return_Path="<>")
    assert found == Verdict(ReplyKind.BOUNCE, Signal.FAILURE_SUBJECT)


@pytest.mark.parametrize(
    ("comment", "signal"),
    [
        ("auto-generated (warning-timeout)", Signal.DELAY_NOTICE),
        ("auto-generated (return-receipt)", Signal.SUCCESS_NOTICE),
    ],
)
def test_sendmails_auto_submitted_comment_tells_a_notice_whatever_the_subject(comment: str, signal: Signal) -> None:
    assert verdict(From="MAILER-DAEMON@example.com", Subject="Returned mail", Auto_Submitted=comment) == Verdict(
        ReplyKind.AUTO_REPLY, signal
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Undeliverable: Don't delay your Q3 review",  # our own subject, quoted after the head, says "delay"
        "Mail delivery failed: returning message to sender",
        "Delivery Status Notification (Failure)",
        "Warning: message delayed, giving up",  # the final word wins over the delay word
        "Warning: message still undelivered, giving up",  # and over a retrying phrase
        "Returned mail: User unknown",
        "Returned mail: Cannot send message for 5 days",
        "Undelivered Mail Returned to Sender",
        "Non remis : Tarifs",
        "Nicht zugestellt: Preise",
        "Mail could not be delivered",  # a success word under a negation
        "Message not delivered: Following up",
        "Zustellung fehlgeschlagen: Preise",
        "Delivery Notification: Delivery has failed",
        "Delivery status notification: failed",  # OpenSMTPD
        "Delivery status notification: error",
    ],
)
def test_a_failure_stays_a_bounce_near_delay_and_success_words(subject: str) -> None:
    assert classify(MessageFacts(headers={"From": "MAILER-DAEMON@example.com", "Subject": subject})) is ReplyKind.BOUNCE


# --- bounce evidence that subjects alone would miss -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        "post_master@vtext.example.com",
        "MDaemon@mail.example.com",
        "Mail Delivery System <notify@mx.example.com>",
        '"Mail Delivery Service" <mailadm@gw.example.com>',
    ],
)
def test_a_daemon_sender_is_a_bounce_even_under_a_reply_subject(sender: str) -> None:
    assert verdict(From=sender, Subject="Re:Test message") == Verdict(ReplyKind.BOUNCE, Signal.DAEMON_SENDER)


@pytest.mark.parametrize(
    "sender",
    [
        '"TUC Email Delivery Failure" <unknown_account+canned.response@tu.example>',
        "Undeliverable Mail Notice <notices@mail.example>",
        "Non-Delivery Report <nd@gw.example>",
    ],
)
def test_failure_words_in_the_sender_name_make_a_canned_failure_notice_a_bounce(sender: str) -> None:
    """A mail system answering for a removed account with an autoreply: every auto-reply header, a "Re:" subject."""
    found = verdict(
        From=sender,
        Subject="Re: Mum Special",
        Auto_Submitted="auto-replied",
        X_Autoreply="yes",
        Return_Path="<MAILER-DAEMON>",
    )
    assert found == Verdict(ReplyKind.BOUNCE, Signal.DAEMON_SENDER)


@pytest.mark.parametrize(
    "sender",
    [
        "Delivery Notification <notify@relay.example>",  # neutral: names success and delay notices too
        "Failure Analysis Lab <lab@acme.example>",
        "Delivery Team <dispatch@freight.example>",
    ],
)
def test_a_sender_name_without_failure_words_is_no_daemon(sender: str) -> None:
    assert verdict(From=sender, Subject="Re: Pricing") == Verdict(ReplyKind.REPLY, Signal.NONE)


def test_a_person_named_like_a_daemon_only_in_part_is_not_one() -> None:
    assert verdict(From="Postmaster General Fan <pat@acme.example>", Subject="Re: Pricing").kind is ReplyKind.REPLY


def test_a_failure_subject_from_an_ordinary_address_is_not_proof_of_a_bounce() -> None:
    found = verdict(
        From="gateway@acme.example", Subject="Delivery failure notification", Return_Path="<gw@acme.example>"
    )
    assert found == Verdict(ReplyKind.AUTO_REPLY, Signal.UNCONFIRMED_FAILURE)
    assert verdict(From="MAILER-DAEMON@acme.example", Subject="Delivery failure notification").kind is ReplyKind.BOUNCE


@pytest.mark.parametrize("return_path", ["<MAILER-DAEMON@relay.example>", "<postmaster@relay.example>"])
def test_a_daemon_return_path_confirms_a_failure_subject(return_path: str) -> None:
    """A forwarding MTA rewrites the null path to its daemon's (WebShield's bounce, relayed, has no From address)."""
    found = verdict(
        From="Webshield SMTP V4.5 MR3 Mail Service",
        Subject="Returned Mail: Error During Delivery",
        Return_Path=return_path,
    )
    assert found == Verdict(ReplyKind.BOUNCE, Signal.FAILURE_SUBJECT)


def test_a_daemon_return_path_alone_is_no_bounce() -> None:
    """The same rewrite happens to forwarded auto-replies and could to a person's mail: it only confirms a failure."""
    rewritten = "<MAILER-DAEMON@relay.example>"
    forwarded_oof = verdict(From="kim@acme.example", Subject="Automatic Response", Return_Path=rewritten)
    assert forwarded_oof == Verdict(ReplyKind.AUTO_REPLY, Signal.AUTO_SUBJECT)
    assert verdict(From="kim@acme.example", Subject="Re: Pricing", Return_Path=rewritten) == Verdict(
        ReplyKind.REPLY, Signal.NONE
    )


# --- challenge-response ---------------------------------------------------------------------------------------------


def test_a_challenge_wrapped_in_a_delivery_report_answering_our_subject_is_an_auto_reply() -> None:
    found = verdict(From="noreply@challenge.example", Subject="Re: Following up", Content_Type=DSN)
    assert found == Verdict(ReplyKind.AUTO_REPLY, Signal.CHALLENGE_RESPONSE)


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("noreply@boxbe.com", "Following up"),
        ("Pat via Bluebottle <pat@bluebottle.com>", "Re: Following up"),
        ("guard@acme.example", "Please verify your email address"),
        ("guard@acme.example", "Re: Verification required: Following up"),
    ],
)
def test_challenge_response_systems(sender: str, subject: str) -> None:
    assert verdict(From=sender, Subject=subject) == Verdict(ReplyKind.AUTO_REPLY, Signal.CHALLENGE_RESPONSE)


def test_a_person_asking_to_verify_something_in_the_middle_of_a_reply_stays_a_reply() -> None:
    assert (
        verdict(From="pat@acme.example", Subject="Re: Following up, please verify the figures").kind is ReplyKind.REPLY
    )


# --- subjects: heads in other languages, ticket systems -----------------------------------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Ārpus biroja atrašanās automātiskā atbilde: Following up",  # Exchange 2003, Latvian
        "Arpus biroja atrasanas automatiska atbilde: subjecting",
        "Out of Office AutoReply: Following up",
        "Auto reply: Following up",
        "Automatische Antwort: Following up",
        "Respuesta automática: Following up",
        "Автоматический ответ: Following up",
        "自動返信: Following up",
        "不在のお知らせ: お見積り",  # a CJK phrase needs no word boundary: 不在 runs into の
    ],
)
def test_a_marker_anywhere_in_the_head_is_an_auto_reply(subject: str) -> None:
    assert verdict(From="kim@acme.example", Subject=subject) == Verdict(ReplyKind.AUTO_REPLY, Signal.AUTO_SUBJECT)


@pytest.mark.parametrize(
    "subject",
    [
        "[rt.example.org #123] AutoReply: Following up",
        "[support #4711] Resolved: Following up",
        "[Ticket#2026112810000011] Ticket received",
        "We have received your request",
        "Thank you for contacting Acme Support",
    ],
)
def test_ticket_systems_and_acknowledgements_are_auto_replies(subject: str) -> None:
    assert verdict(From="support@acme.example", Subject=subject).kind is ReplyKind.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Vaše emailová zpráva byla převzata",  # Czech e-registry (Epodatelna), no automation header at all
        "Eingangsbestätigung: Following up",
        "Accusé de réception : Following up",
        "Acuse de recibo - Following up",
        "Ontvangstbevestiging",
        "Potwierdzenie otrzymania wiadomości",
        "Подтверждение получения",
        "Acknowledgement of receipt: Following up",
        "Return Receipt",  # Lotus Notes, sent as plain mail from the recipient's own address
        "Lesebestätigung: Following up",
        "Accusé de lecture : Following up",
    ],
)
def test_receipt_acknowledgements_in_other_languages_are_auto_replies(subject: str) -> None:
    assert verdict(From="Epodatelna <podatelna@office.example>", Subject=subject) == Verdict(
        ReplyKind.AUTO_REPLY, Signal.ACKNOWLEDGEMENT
    )


@pytest.mark.parametrize(
    "subject", ["Re: Accusé de réception", "AW: Eingangsbestätigung fehlt", "Receipt attached", "Re: Return receipt"]
)
def test_a_person_writing_about_a_receipt_stays_a_reply(subject: str) -> None:
    assert verdict(From="kim@acme.example", Subject=subject) == Verdict(ReplyKind.REPLY, Signal.NONE)


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Out of office plans?",
        "AW: Automatische Antwort gewünscht?",
        "SV: Thank you for your email",
        "Odp: Resolved: the pricing question",
        "[sales-list] Re: Out of office plans?",
        "Re: [support #4711] Following up",
        "Question about our out of office policy",  # no colon: no head to read a marker in
        "Resolved to buy",
        "不在乎价格: 我们想先试用",  # Chinese "does not care about the price": 不在 alone is no absence notice
        "退信问题: 请看附件",  # a person's subject starting with a failure word that runs on
    ],
)
def test_what_a_person_writes_stays_a_reply(subject: str) -> None:
    assert verdict(From="kim@acme.example", Subject=subject) == Verdict(ReplyKind.REPLY, Signal.NONE)


def test_a_human_reply_through_a_list_with_bulk_precedence_stays_a_reply() -> None:
    found = verdict(
        From="kim@acme.example",
        Subject="Re: Out of office plans?",
        Precedence="bulk",
        List_Id="<sales.lists.acme.example>",
    )
    assert found == Verdict(ReplyKind.REPLY, Signal.NONE)


def test_aols_bracketed_marker_behind_a_reply_prefix_is_still_an_auto_reply() -> None:
    found = verdict(From="kim@aol.example", Subject="Re: Following up (Automatic Response)")
    assert found == Verdict(ReplyKind.AUTO_REPLY, Signal.AUTO_SUBJECT)


# --- robots and loop guards: machine answers that carry no automation header at all -------------------------------


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("Majordomo@lists.example", "Confirmation for subscribe sales-news"),
        ("Majordomo@lists.example", "Welcome to sales-news"),
        ("LISTSERV@lists.example", "Output of your job"),
        ("sales-news-request@lists.example", "confirm 4f2a9c"),
        ("Acme <noreply@acme.example>", "Re: Following up"),
        ("do-not-reply@portal.example", "Your request"),
    ],
)
def test_a_robot_sender_is_an_auto_reply(sender: str, subject: str) -> None:
    assert verdict(From=sender, Subject=subject) == Verdict(ReplyKind.AUTO_REPLY, Signal.ROBOT_SENDER)


@pytest.mark.parametrize(
    "sender",
    [
        "Mailman Jones <jones@example.com>",  # the word in a person's name, not the address
        "requests@example.com",  # not the "<list>-request" robot
        "sales-requests@example.com",
        "Jane <jane.noreply.fan@example.com>",
    ],
)
def test_a_person_whose_name_or_address_looks_like_a_robot_only_in_part_stays_a_reply(sender: str) -> None:
    assert verdict(From=sender, Subject="Re: Following up") == Verdict(ReplyKind.REPLY, Signal.NONE)


def test_a_failure_from_a_no_reply_address_stays_a_bounce() -> None:
    found = verdict(From="noreply@relay.example", Subject="Undeliverable: Following up", Content_Type=DSN)
    assert found == Verdict(ReplyKind.BOUNCE, Signal.DELIVERY_REPORT)


def test_a_loop_guard_outside_list_traffic_is_an_auto_reply_even_under_a_reply_subject() -> None:
    tracker = "bugs@tracker.example"
    found = verdict(From=tracker, Subject="Re: Annotate problems (PR#298)", X_Loop=tracker)
    assert found == Verdict(ReplyKind.AUTO_REPLY, Signal.X_LOOP)


@pytest.mark.parametrize(
    "list_headers",
    [
        {"Precedence": "list"},  # SmartList (Debian's lists) stamps X-Loop on every post, without List-Id
        {"Precedence": "bulk"},
        {"List-Id": "<sales.lists.example>"},
    ],
)
def test_a_person_answering_through_a_list_that_stamps_x_loop_stays_a_reply(list_headers: dict[str, str]) -> None:
    headers = {"From": "Jane <jane@example.com>", "Subject": "Re: Pricing", "X-Loop": "sales@lists.example"}
    found = explain(MessageFacts(headers={**headers, **list_headers}))
    assert found == Verdict(ReplyKind.REPLY, Signal.NONE)


def test_an_empty_loop_guard_says_nothing() -> None:
    assert verdict(From="jane@example.com", Subject="Re: Pricing", X_Loop=" ") == Verdict(ReplyKind.REPLY, Signal.NONE)
