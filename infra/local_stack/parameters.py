"""The template's parameters as the local stack sets them, and the process environment the handlers see.

The handlers run in this one process, so their environments are merged into os.environ once, before any handler
is imported; a name that two functions set differently is reported, since one process cannot give both.
AWS_LAMBDA_FUNCTION_NAME cannot follow each invocation for the same reason: it names the stack instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from local_stack.aws import Credentials

log = logging.getLogger("local_stack.parameters")

GOOGLE_CLIENT_ID = "outsales-local.apps.googleusercontent.com"
JWT_AUDIENCE = "outsales-local"
PUSH_TOPIC = "projects/outsales-local/topics/gmail-push"
PUSH_SERVICE_ACCOUNT = "gmail-push@outsales-local.iam.gserviceaccount.com"


@dataclass(frozen=True)
class Urls:
    api: str  # no trailing slash
    demo_origin: str
    google: str  # no trailing slash
    aws: str

    @property
    def jwt_issuer(self) -> str:
        return f"{self.api}/_local"

    @property
    def oauth_redirect_uri(self) -> str:
        return f"{self.api}/gmail/oauth/callback"

    @property
    def push_endpoint(self) -> str:
        return f"{self.api}/gmail/push"


def local_values(urls: Urls, client_secret_arn: str) -> dict[str, str]:
    """The values a developer would pass to `sam deploy`, pointing every outside party at its local stand-in."""
    return {
        "Stage": "dev",
        "JwtIssuer": urls.jwt_issuer,
        "JwtAudience": JWT_AUDIENCE,
        "FrontendOrigin": urls.demo_origin,
        "GoogleClientId": GOOGLE_CLIENT_ID,
        "GoogleClientSecretArn": client_secret_arn,
        "OAuthRedirectUri": urls.oauth_redirect_uri,
        "GoogleAuthUri": f"{urls.google}/o/oauth2/v2/auth",
        "GoogleTokenUri": f"{urls.google}/token",
        "GoogleRevokeUri": f"{urls.google}/revoke",
        "GmailApiUrl": f"{urls.google}/",
        # Gmail push is on locally: the emulator's Pub/Sub simulator pushes to the front door. Turn it off with
        # --parameter GmailPushTopic= (the schedule then polls every mailbox every minute, as in a stack without it).
        "GmailPushTopic": PUSH_TOPIC,
        "PushAudience": urls.push_endpoint,
        "PushServiceAccountEmail": PUSH_SERVICE_ACCOUNT,
        "GoogleCertsUrl": f"{urls.google}/oauth2/v1/certs",
        # No mailbox pace locally beyond Gmail's own rate, so that tests and demos send at once; a workspace (or a
        # test) sets one on PUT /internal/workspaces/{id}/sending, or --parameter SendMinGapSeconds=30 sets it all.
        "SendMinGapSeconds": "0",
        "SendMaxPerHour": "0",
    }


def resolve_parameters(
    declared: dict[str, Any], local: dict[str, str], overrides: dict[str, str]
) -> tuple[dict[str, str], dict[str, Any]]:
    """(values for create_stack, values for the resolver: list types as lists, as Ref returns them)."""
    raw: dict[str, str] = {}
    for name, spec in declared.items():
        if name in overrides:
            raw[name] = overrides[name]
        elif name in local:
            raw[name] = local[name]
        elif "Default" in spec:
            raw[name] = str(spec["Default"]) if not isinstance(spec["Default"], list) else ",".join(spec["Default"])
        else:
            raw[name] = ""
    typed: dict[str, Any] = {}
    for name, value in raw.items():
        kind = str(declared[name].get("Type", "String"))
        is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
        typed[name] = [v.strip() for v in value.split(",")] if is_list else value
    return raw, typed


def report_unset(declared: dict[str, Any], local: dict[str, str], overrides: dict[str, str]) -> None:
    for name, spec in declared.items():
        if name not in overrides and name not in local and "Default" not in spec:
            log.warning("parameter %s has no local value and no default; using an empty string", name)
    for name in overrides:
        if name not in declared:
            log.warning("--parameter %s: the template declares no such parameter", name)


def process_environment(
    function_envs: dict[str, dict[str, str]], aws_endpoint: str, credentials: Credentials, function_name: str
) -> dict[str, str]:
    """The union of the functions' environments plus what Lambda and boto3 need to find local AWS."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for function, env in function_envs.items():
        for name, value in env.items():
            if name in merged and merged[name] != value:
                log.warning(
                    "%s sets %s differently from %s; one process keeps %s's value",
                    function,
                    name,
                    owner[name],
                    owner[name],
                )
                continue
            merged.setdefault(name, value)
            owner.setdefault(name, function)
    merged.update(
        {
            "AWS_ENDPOINT_URL": aws_endpoint,
            "AWS_REGION": credentials.region,
            "AWS_DEFAULT_REGION": credentials.region,
            "AWS_ACCESS_KEY_ID": credentials.access_key_id,
            "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "AWS_EC2_METADATA_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
        }
    )
    return merged


def apply_environment(env: dict[str, str]) -> None:
    """Sets the handlers' environment; drops what would send boto3 anywhere but moto (profiles, per-service URLs)."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL_") or name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
        ):
            del os.environ[name]
    os.environ.update(env)
