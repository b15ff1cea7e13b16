"""How often the reply classifier is right on the real mail under ``tests/fixtures/mail*/``, per corpus and class.

Run: make bench   (or .venv/bin/python bench/classifier_accuracy.py [--corpus mail-3])

Each message goes through the poll worker's path as ``tests/unit/replies/test_classifier_fixtures.py`` builds it:
the requested headers as Gmail's metadata format returns them, once without ``payload.parts`` and once with them.
A message counts as right only if both answers equal its manifest's ``expected``; a message whose two answers
differ is listed with the misses, since production may see either. ``mail`` and ``mail-2`` are the corpora the
rules were tuned on; ``mail-3`` to ``mail-6`` were collected apart from them, and each one's figure
before the rules saw it (in its README) is the honest estimate for unseen mail.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "gmail_integration"))

from gmail_integration.replies.classifier import CLASSIFIER_HEADERS, ReplyKind, explain, facts_from_gmail  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
CORPORA = ("mail", "mail-2", "mail-3", "mail-4", "mail-5", "mail-6")
KINDS = tuple(ReplyKind)


def gmail_answer(raw: bytes, with_parts: bool) -> dict[str, Any]:
    """The ``users.messages.get`` answer in the metadata format, as the fixture test builds it.

    Python's parser fails on some headers of real mail (``To: unlisted-recipients:; (no To-header on input)``);
    those stay as written, as Gmail would return them.
    """
    message = message_from_bytes(raw, policy=policy.default)
    wanted = {header.lower() for header in CLASSIFIER_HEADERS}
    payload: dict[str, Any] = {
        "mimeType": message.get_content_type(),
        "headers": [
            {"name": header, "value": _parsed(header, value)}
            for header, value in message.raw_items()
            if header.lower() in wanted
        ],
    }
    if with_parts and message.is_multipart():
        payload["parts"] = [
            {"partId": str(index), "mimeType": part.get_content_type()}
            for index, part in enumerate(message.iter_parts())
        ]
    return {"id": "18c0000000000001", "threadId": "18c0000000000000", "labelIds": ["INBOX"], "payload": payload}


def _parsed(header: str, value: str) -> str:
    try:
        text = str(policy.default.header_fetch_parse(header, value))
    except (AttributeError, IndexError, TypeError, ValueError):
        text = value
    return " ".join(text.split())


def measure(corpus: str, match: str = "") -> list[tuple[str, ReplyKind, ReplyKind, str, bool]]:
    """(file, expected, answer without parts, deciding signal, both views agree) for every message of a corpus
    whose file name contains ``match`` (a batch's marker, such as ``-b2-``)."""
    manifest = json.loads((FIXTURES / corpus / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for entry in (entry for entry in manifest if match in entry["file"]):
        raw = (FIXTURES / corpus / entry["file"]).read_bytes()
        bare = explain(facts_from_gmail(gmail_answer(raw, with_parts=False)))
        with_parts = explain(facts_from_gmail(gmail_answer(raw, with_parts=True)))
        agree = bare.kind == with_parts.kind
        rows.append((entry["file"], ReplyKind(entry["expected"]), bare.kind, bare.signal.value, agree))
    return rows


def report(corpus: str, rows: list[tuple[str, ReplyKind, ReplyKind, str, bool]]) -> None:
    right = sum(1 for _, expected, got, _, agree in rows if got == expected and agree)
    print(f"{corpus}: {right}/{len(rows)} right ({100 * right / len(rows):.1f}%)")
    for kind in KINDS:
        of_kind = [row for row in rows if row[1] == kind]
        if of_kind:
            hits = sum(1 for _, expected, got, _, agree in of_kind if got == expected and agree)
            print(f"  {kind.value:<10} {hits}/{len(of_kind)}")
    confusion = Counter((expected, got) for _, expected, got, _, _ in rows)
    print("  confusion (rows expected, columns answered): " + " ".join(f"{kind.value:>10}" for kind in KINDS))
    for expected in KINDS:
        cells = " ".join(f"{confusion[(expected, got)]:>10}" for got in KINDS)
        print(f"  {expected.value:>43} {cells}")
    for name, expected, got, signal, agree in rows:
        if got != expected or not agree:
            note = "" if agree else " (answer changes when payload.parts is given)"
            print(f"  miss: {name}: expected {expected.value}, got {got.value} by {signal}{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, action="append", help="corpus to measure (default: all)")
    parser.add_argument("--match", default="", help="only files whose name contains this (a batch: --match=-b2-)")
    args = parser.parse_args()
    for corpus in args.corpus or CORPORA:
        rows = measure(corpus, args.match)
        if rows:
            report(corpus if not args.match else f"{corpus} {args.match}", rows)


if __name__ == "__main__":
    main()
