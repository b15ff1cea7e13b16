"""outsales-gmail.d.ts declares what outsales-gmail.js exports and the API's answers as the models shape them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from gmail_integration.models.api import EmailView, StatusView

DEMO = Path(__file__).resolve().parents[2] / "infra" / "local_stack" / "demo"
JS = (DEMO / "outsales-gmail.js").read_text(encoding="utf-8")
DTS = (DEMO / "outsales-gmail.d.ts").read_text(encoding="utf-8")


def _block(text: str, opening: str) -> str:
    start = text.index(opening)
    return text[start : text.index("\n  }", start)]


def _declared_members(body: str) -> set[str]:
    return set(re.findall(r"^\s{4}(\w+)\??[:(]", body, re.MULTILINE))


def test_every_export_of_the_script_is_declared() -> None:
    exported = set(re.findall(r"^\s{4}(\w+):", JS.rsplit("return {", 1)[1], re.MULTILINE))
    declared = set(re.findall(r"^\s{2}(?:function|const) (\w+)", DTS, re.MULTILINE))
    assert exported
    assert exported == declared


def test_every_option_the_script_reads_is_declared() -> None:
    read = set(re.findall(r"options\.(\w+)", JS))
    declared = set()
    for interface in ("ClientOptions", "ConnectOptions", "ListEmailsOptions"):
        declared |= _declared_members(_block(DTS, f"interface {interface} {{"))
    assert read
    assert read <= declared


def test_every_error_code_the_script_knows_is_in_the_union() -> None:
    words = JS.split("var ERROR_WORDS = {", 1)[1].split("};", 1)[0]
    known = set(re.findall(r"^\s+(\w+):", words, re.MULTILINE))
    union = set(re.findall(r'\|\s*"(\w+)"', _block(DTS, "type CallbackErrorCode") + _block(DTS, "type ErrorCode")))
    assert known
    assert known <= union


@pytest.mark.parametrize(("interface", "model"), [("Status", StatusView), ("Email", EmailView)])
def test_answer_types_have_the_models_fields(interface: str, model: type[BaseModel]) -> None:
    assert _declared_members(_block(DTS, f"interface {interface} {{")) == set(model.model_fields)
