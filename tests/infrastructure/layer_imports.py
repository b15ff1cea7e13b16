"""Imports a built copy of the shared layer the way the Lambda runtime would.

Run with `python -S` and PYTHONPATH=<layer>/python:<runtime>, where <runtime> holds only boto3, botocore and
s3transfer (what the python3.13 runtime ships besides the standard library). -S keeps the development venv's
site-packages out, so a dependency missing from the layer fails here instead of being found in the venv.
"""

import importlib
import pkgutil

import boto3
import google.auth.credentials
import pydantic
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from aws_lambda_powertools.utilities.parser.models import SqsModel
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import UnknownApiNameOrVersion

import gmail_integration


def main() -> None:
    Logger(service="layer-check")
    Metrics(namespace="LayerCheck", service="layer-check")
    Tracer(service="layer-check", disabled=True)
    BatchProcessor(event_type=EventType.SQS)
    DynamoDBPersistenceLayer(
        table_name="t", boto3_client=boto3.client("dynamodb", region_name="us-east-1"), sort_key_attr="sk"
    )
    IdempotencyConfig(event_key_jmespath="body")
    SqsModel.model_json_schema()
    assert Flow.__name__ == "Flow"
    anonymous = google.auth.credentials.AnonymousCredentials()
    gmail = build("gmail", "v1", credentials=anonymous, static_discovery=True)
    assert hasattr(gmail.users(), "history")
    try:
        build("drive", "v3", credentials=anonymous, static_discovery=True)
    except UnknownApiNameOrVersion:
        pass
    else:
        raise SystemExit("the layer should ship no discovery document but Gmail's")
    for module in pkgutil.walk_packages(gmail_integration.__path__, "gmail_integration."):
        importlib.import_module(module.name)
    print(f"layer imports fine: pydantic {pydantic.VERSION}, gmail_integration from {gmail_integration.__file__}")


if __name__ == "__main__":
    main()
