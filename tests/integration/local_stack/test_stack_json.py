"""stack.json holds the contract's keys, the handlers' environment is the template's, moto's gaps are repaired."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from tests.integration.conftest import LocalStack, http

CONTRACT_KEYS = [
    "api_url",
    "demo_url",
    "frontend_origin",
    "google_url",
    "aws_endpoint",
    "aws_region",
    "aws_access_key_id",
    "aws_secret_access_key",
    "send_queue_url",
    "send_dlq_url",
    "poll_queue_url",
    "poll_dlq_url",
    "table_name",
    "event_bus_name",
    "events_log",
]


def handler_env(stack: LocalStack) -> dict[str, Any]:
    env: dict[str, Any] = stack.api("GET", "/echo", token=stack.jwt("ws_env")).json()["env"]
    return env


def test_stack_json_has_every_contract_key(toy_stack: LocalStack) -> None:
    missing = [key for key in CONTRACT_KEYS if not toy_stack.config.get(key)]
    assert not missing
    for key in ("api_url", "google_url", "aws_endpoint"):
        assert toy_stack[key].startswith("http://127.0.0.1:")
    assert toy_stack["demo_url"] == toy_stack["frontend_origin"] + "/"
    assert toy_stack["frontend_origin"] != toy_stack["api_url"]


def test_queues_table_and_bus_are_the_template_resources_in_moto(toy_stack: LocalStack) -> None:
    sqs = toy_stack.client("sqs")
    redrive = sqs.get_queue_attributes(QueueUrl=toy_stack["send_queue_url"], AttributeNames=["All"])["Attributes"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=toy_stack["send_dlq_url"], AttributeNames=["QueueArn"])
    assert '"maxReceiveCount": 2' in redrive["RedrivePolicy"] or '"maxReceiveCount":2' in redrive["RedrivePolicy"]
    assert dlq_arn["Attributes"]["QueueArn"] in redrive["RedrivePolicy"]
    assert redrive["VisibilityTimeout"] == "1"
    assert toy_stack.client("events").describe_event_bus(Name=toy_stack["event_bus_name"])["Name"] == "toy-bus-dev"
    assert toy_stack.table().table_status == "ACTIVE"


def test_moto_gaps_are_repaired_from_the_template(toy_stack: LocalStack) -> None:
    dynamodb = toy_stack.client("dynamodb")
    ttl = dynamodb.describe_time_to_live(TableName=toy_stack["table_name"])["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = dynamodb.describe_continuous_backups(TableName=toy_stack["table_name"])["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    kms = toy_stack.client("kms")
    assert kms.describe_key(KeyId=toy_stack["kms_key_alias"])["KeyMetadata"]["Enabled"]  # HTTP 500 unrepaired
    ciphertext = kms.encrypt(KeyId=toy_stack["kms_key_alias"], Plaintext=b"x", EncryptionContext={"w": "1"})
    assert kms.decrypt(CiphertextBlob=ciphertext["CiphertextBlob"], EncryptionContext={"w": "1"})["Plaintext"] == b"x"


def test_what_moto_cannot_create_is_skipped_not_fatal(toy_stack: LocalStack) -> None:
    resources = toy_stack.client("cloudformation").list_stack_resources(StackName=toy_stack["stack_name"])
    created = {r["LogicalResourceId"] for r in resources["StackResourceSummaries"]}
    assert {"DataKey", "DataKeyAlias", "Table", "SendQueue", "SendDLQ", "PollQueue", "PollDLQ", "EventBus"} <= created
    assert not created & {"SendQueuePolicy", "SendDLQAlarm", "EchoLogGroup", "ProdOnlyQueue", "EchoFunction"}


def test_handler_environment_resolves_the_template(toy_stack: LocalStack) -> None:
    env = handler_env(toy_stack)
    c = toy_stack.config
    assert env["TABLE_NAME"] == c["table_name"]
    assert env["TABLE_ARN"].endswith(f":table/{c['table_name']}")
    assert env["KMS_KEY_ID"] == c["kms_key_alias"] == "alias/toy-dev"
    assert env["KEY_ARN"].startswith(f"arn:aws:kms:{c['aws_region']}:{c['account_id']}:key/")
    assert env["EVENT_BUS_NAME"] == c["event_bus_name"]
    assert env["EVENT_BUS_ARN"].endswith(f":event-bus/{c['event_bus_name']}")
    assert env["SEND_QUEUE_URL"] == c["send_queue_url"]
    assert c["send_queue_url"].endswith("/" + env["SEND_QUEUE_NAME"])
    assert env["FRONTEND_ORIGIN"] == c["frontend_origin"]
    assert env["GOOGLE_TOKEN_URI"] == f"{c['google_url']}/token"
    assert env["GOOGLE_CLIENT_SECRET_ARN"] == c["google_client_secret_arn"]
    assert env["STAGE_LABEL"] == "not-prod-dev"
    assert env["AUDIENCES"] == c["jwt_audience"]
    assert env["REGION_AND_ACCOUNT"] == f"{c['aws_region']}/{c['account_id']}"
    assert env["AWS_ENDPOINT_URL"] == c["aws_endpoint"]
    assert env["POWERTOOLS_TRACE_DISABLED"] == "1"


def test_client_secret_is_in_secrets_manager_and_registered_with_google(toy_stack: LocalStack) -> None:
    secret = toy_stack.client("secretsmanager").get_secret_value(SecretId=toy_stack["google_client_secret_arn"])
    assert len(secret["SecretString"]) >= 20
    # The emulator refuses an unknown client or redirect URI on its consent page; ours is known.
    consent = http(
        "GET",
        f"{toy_stack['google_url']}/o/oauth2/v2/auth?client_id={toy_stack['google_client_id']}"
        f"&redirect_uri={toy_stack['oauth_redirect_uri']}&response_type=code&state=s"
        "&scope=https://www.googleapis.com/auth/gmail.send&code_challenge=" + "a" * 43 + "&code_challenge_method=S256",
    )
    assert consent.status_code == 200, consent.text[:300]


def test_demo_page_is_served_on_its_own_origin(toy_stack: LocalStack) -> None:
    page = http("GET", toy_stack["demo_url"])
    assert page.status_code == 200
    assert "<title>OutSales · Gmail integration (local demo)</title>" in page.text
    config = http("GET", toy_stack["demo_url"] + "local-config.json").json()
    assert config["api_url"] == toy_stack["api_url"]
    assert "aws_secret_access_key" not in config


def test_functions_env_gives_an_outside_worker_the_handlers_environment(toy_stack: LocalStack) -> None:
    path = Path(toy_stack["functions_env"])
    env = json.loads(path.read_text())
    seen = handler_env(toy_stack)
    shared = [name for name in env if name in seen]
    assert shared, "the file and a running handler share names"
    assert all(env[name] == seen[name] for name in shared)
    assert env["AWS_ENDPOINT_URL"] == toy_stack["aws_endpoint"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
