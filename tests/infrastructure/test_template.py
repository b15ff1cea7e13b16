"""The rules of design.md and of the project, asserted on the parsed template.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from .cfn import ROOT, as_list, attribute, of_type, references, target

FUNCTIONS = [
    "ApiFunction",
    "OAuthCallbackFunction",
    "InternalApiFunction",
    "SendEmailFunction",
    "SchedulePollsFunction",
    "PollMailboxFunction",
    "GmailPushFunction",
]

# Others code against these: the handlers, the local stack, the integration tests.
STABLE_LOGICAL_IDS = [
    "DataKey",
    "DataKeyAlias",
    "Table",
    "SendQueue",
    "SendDLQ",
    "PollQueue",
    "PollDLQ",
    "SendDLQAlarm",
    "PollDLQAlarm",
    "EventBus",
    "SharedLayer",
    "HttpApi",
    *FUNCTIONS,
]
STABLE_ENV = [
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
    "STAGE",
    "TABLE_NAME",
    "KMS_KEY_ID",
    "EVENT_BUS_NAME",
    "SEND_QUEUE_URL",
    "SEND_DLQ_URL",
    "POLL_QUEUE_URL",
    "WORKSPACE_CLAIM",
    "FRONTEND_ORIGIN",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET_ARN",
    "GOOGLE_AUTH_URI",
    "GOOGLE_TOKEN_URI",
    "GOOGLE_REVOKE_URI",
    "GMAIL_API_URL",
    "OAUTH_REDIRECT_URI",
    "MESSAGE_ID_DOMAIN",
]
STABLE_PARAMETERS = [
    "Stage",
    "JwtIssuer",
    "JwtAudience",
    "WorkspaceClaim",
    "FrontendOrigin",
    "GoogleClientId",
    "GoogleClientSecretArn",
    "OAuthRedirectUri",
    "MessageIdDomain",
    "GoogleAuthUri",
    "GoogleTokenUri",
    "GoogleRevokeUri",
    "GmailApiUrl",
    "LogLevel",
]


def function_property(template: dict[str, Any], name: str, key: str) -> Any:
    own = template["Resources"][name]["Properties"]
    return own[key] if key in own else template["Globals"]["Function"].get(key)


def sqs_events(template: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(function, event name, event properties) of every SQS event source."""
    found = []
    for name, resource in of_type(template["Resources"], "AWS::Serverless::Function"):
        for event_name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "SQS":
                found.append((name, event_name, event["Properties"]))
    return found


def dead_letter_queues(resources: dict[str, Any]) -> dict[str, list[str]]:
    """DLQ logical id -> what sends to it (queues through their redrive policy, functions through DeadLetterQueue)."""
    dlqs: dict[str, list[str]] = {}
    for name, queue in of_type(resources, "AWS::SQS::Queue"):
        redrive = queue["Properties"].get("RedrivePolicy")
        if redrive:
            dlqs.setdefault(target(redrive["deadLetterTargetArn"]) or "?", []).append(name)
    for name, function in of_type(resources, "AWS::Serverless::Function"):
        dlq = function["Properties"].get("DeadLetterQueue")
        if dlq:
            dlqs.setdefault(target(dlq["TargetArn"]) or "?", []).append(name)
    return dlqs


def test_the_stable_names_are_all_there(template: dict[str, Any]) -> None:
    assert set(STABLE_LOGICAL_IDS) <= set(template["Resources"])
    assert set(STABLE_PARAMETERS) <= set(template["Parameters"])
    assert set(STABLE_ENV) <= set(template["Globals"]["Function"]["Environment"]["Variables"])
    assert set(FUNCTIONS) == {n for n, _ in of_type(template["Resources"], "AWS::Serverless::Function")}


def test_functions_run_python_3_13_on_arm64_from_their_own_folder(template: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        assert function_property(template, name, "Runtime") == "python3.13"
        assert function_property(template, name, "Architectures") == ["arm64"]
        props = template["Resources"][name]["Properties"]
        assert props["CodeUri"].startswith("functions/")
        assert props["Handler"] == "handler.lambda_handler"


def test_the_table_keeps_its_key_schema_and_protections(resources: dict[str, Any]) -> None:
    table = resources["Table"]["Properties"]
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "gsi1"
    assert [k["AttributeName"] for k in gsi["KeySchema"]] == ["gsi1pk", "gsi1sk"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEType"] == "KMS"
    assert target(table["SSESpecification"]["KMSMasterKeyId"]) == "DataKey"
    assert resources["Table"]["DeletionPolicy"] == "Retain"
    assert resources["DataKey"]["DeletionPolicy"] == "Retain"
    assert resources["DataKey"]["Properties"]["EnableKeyRotation"] is True


def test_every_queue_is_encrypted_with_the_data_key(resources: dict[str, Any]) -> None:
    for name, queue in of_type(resources, "AWS::SQS::Queue"):
        assert target(queue["Properties"].get("KmsMasterKeyId")) == "DataKey", name


def test_every_queue_that_is_not_a_dlq_redrives_to_one(resources: dict[str, Any]) -> None:
    dlqs = dead_letter_queues(resources)
    queues = dict(of_type(resources, "AWS::SQS::Queue"))
    assert set(dlqs) <= set(queues), "a redrive or DeadLetterQueue target is not a queue of this stack"
    for name, queue in queues.items():
        redrive = queue["Properties"].get("RedrivePolicy")
        if name in dlqs:
            assert redrive is None, f"{name} is a DLQ and should not redrive further"
            continue
        assert redrive, f"{name} has no RedrivePolicy"
        assert target(redrive["deadLetterTargetArn"]) in dlqs
        assert 1 < int(redrive["maxReceiveCount"]) <= 10, name


def test_each_dlq_outlives_the_messages_of_its_sources(resources: dict[str, Any]) -> None:
    # SQS keeps a message's original enqueue time when it moves it to the DLQ.
    for dlq, sources in dead_letter_queues(resources).items():
        kept = int(resources[dlq]["Properties"]["MessageRetentionPeriod"])
        assert kept == 1209600, f"{dlq} should keep messages for the maximum, 14 days"
        for source in sources:
            if resources[source]["Type"] == "AWS::SQS::Queue":
                assert kept > int(resources[source]["Properties"]["MessageRetentionPeriod"]), (dlq, source)


def alarms_on_queue(resources: dict[str, Any], queue: str) -> list[dict[str, Any]]:
    found = []
    for _, alarm in of_type(resources, "AWS::CloudWatch::Alarm"):
        props = alarm["Properties"]
        for dimension in props.get("Dimensions", []):
            if dimension["Name"] == "QueueName" and attribute(dimension["Value"]) == (queue, "QueueName"):
                found.append(props)
    return found


def test_every_dlq_has_an_alarm_that_notifies(resources: dict[str, Any]) -> None:
    dlqs = dead_letter_queues(resources)
    assert {"SendDLQ", "PollDLQ", "ScheduleDLQ"} <= set(dlqs)
    for dlq in dlqs:
        alarms = [a for a in alarms_on_queue(resources, dlq) if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
        assert alarms, f"{dlq} has no alarm on ApproximateNumberOfMessagesVisible"
        for alarm in alarms:
            assert alarm["Namespace"] == "AWS/SQS"
            assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
            assert alarm["Threshold"] in (0, "0")
            assert [target(a) for a in alarm.get("AlarmActions", [])] == ["AlarmTopic"], dlq


def test_every_alarm_notifies_the_alarm_topic(resources: dict[str, Any]) -> None:
    alarms = dict(of_type(resources, "AWS::CloudWatch::Alarm"))
    assert len(alarms) >= 10
    for name, alarm in alarms.items():
        actions = alarm["Properties"].get("AlarmActions", [])
        assert [target(a) for a in actions] == ["AlarmTopic"], name
        assert alarm["Properties"].get("AlarmDescription"), f"{name} should say what it means"
    topic = resources["AlarmTopic"]["Properties"]
    assert target(topic["KmsMasterKeyId"]) == "OpsKey"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert target(subscription["Properties"]["Endpoint"]) == "AlarmEmail"


def test_every_function_has_an_errors_alarm_and_a_throttles_watch(resources: dict[str, Any]) -> None:
    names = {fn: resources[fn]["Properties"]["FunctionName"]["Fn::Sub"] for fn in FUNCTIONS}
    errors = set()
    for _, alarm in of_type(resources, "AWS::CloudWatch::Alarm"):
        props = alarm["Properties"]
        if props.get("Namespace") == "AWS/Lambda" and props.get("MetricName") == "Errors":
            (dimension,) = props["Dimensions"]
            errors.add(dimension["Value"]["Fn::Sub"])
    assert errors == set(names.values())
    throttled = {
        m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::Sub"]
        for m in resources["ThrottlesAlarm"]["Properties"]["Metrics"]
        if "MetricStat" in m
    }
    assert throttled == set(names.values())


def test_logs_have_retention_encryption_and_an_error_metric(resources: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        props = resources[name]["Properties"]
        group_id = target(props["LoggingConfig"]["LogGroup"])
        assert group_id is not None
        group = resources[group_id]["Properties"]
        assert group["LogGroupName"]["Fn::Sub"] == "/aws/lambda/" + props["FunctionName"]["Fn::Sub"]
        assert target(group["RetentionInDays"]) == "LogRetentionDays"
        assert attribute(group["KmsKeyId"]) == ("OpsKey", "Arn")
        filters = [
            f["Properties"]
            for _, f in of_type(resources, "AWS::Logs::MetricFilter")
            if target(f["Properties"]["LogGroupName"]) == group_id
        ]
        assert len(filters) == 1, f"{group_id} needs its LoggedErrors metric filter"
        (transformation,) = filters[0]["MetricTransformations"]
        assert transformation["MetricName"] == resources["LoggedErrorsAlarm"]["Properties"]["MetricName"]
        assert transformation["MetricNamespace"] == resources["LoggedErrorsAlarm"]["Properties"]["Namespace"]


def test_every_sqs_event_reports_batch_item_failures(template: dict[str, Any]) -> None:
    events = sqs_events(template)
    assert {(f, e) for f, e, _ in events} == {
        ("SendEmailFunction", "SendQueue"),
        ("PollMailboxFunction", "PollQueue"),
        ("SchedulePollsFunction", "HandedOffShards"),
    }
    for function, _, props in events:
        assert props.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], function


@pytest.mark.parametrize("concurrency", ["enabled", "disabled"])
def test_sqs_consumers_never_invoke_beyond_their_reservation(template: dict[str, Any], concurrency: str) -> None:
    # A throttled batch counts as a receive and can end on the DLQ: the event source must stay within the reservation.
    for function, _, props in sqs_events(template):
        maximum = props["ScalingConfig"]["MaximumConcurrency"]
        reserved = template["Resources"][function]["Properties"]["ReservedConcurrentExecutions"]["Fn::If"]
        assert reserved[0] == "ReserveConcurrency"
        if concurrency == "enabled":
            assert 2 <= maximum <= reserved[1], function
        else:
            assert reserved[2] == {"Ref": "AWS::NoValue"}


def test_queue_visibility_covers_six_function_timeouts(template: dict[str, Any]) -> None:
    # AWS's advice for SQS event sources: visibility >= 6 x the function timeout, so retries after throttling or a
    # timeout never overlap a batch still running.
    for function, _, props in sqs_events(template):
        queue = template["Resources"][target(props["Queue"]) or "?"]["Properties"]
        timeout = int(function_property(template, function, "Timeout"))
        assert int(queue["VisibilityTimeout"]) >= 6 * timeout, function


def test_reservations_are_modest_and_switchable(template: dict[str, Any]) -> None:
    total = 0
    for name in FUNCTIONS:
        condition, reserved, otherwise = template["Resources"][name]["Properties"]["ReservedConcurrentExecutions"][
            "Fn::If"
        ]
        assert condition == "ReserveConcurrency"
        assert otherwise == {"Ref": "AWS::NoValue"}
        total += int(reserved)
    # The parameter's description states the total; keep them in step.
    assert f"({total} in all)" in template["Parameters"]["ConcurrencyReservations"]["Description"]
    assert total <= 100, "the poll worker needs 60 of it (test_poll_capacity.py); the rest stays small"


def test_the_schedule_runs_every_minute_with_a_dlq(resources: dict[str, Any]) -> None:
    props = resources["SchedulePollsFunction"]["Properties"]
    assert props["Events"]["EveryMinute"] == {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}}
    assert props["DeadLetterQueue"]["Type"] == "SQS"
    assert target(props["DeadLetterQueue"]["TargetArn"]) == "ScheduleDLQ"


def test_no_secret_travels_as_a_plain_parameter_or_variable(template: dict[str, Any]) -> None:
    words = ("secret", "password", "token", "private", "credential")
    for name, parameter in template["Parameters"].items():
        if any(word in name.lower() for word in words) and not name.lower().endswith("uri"):
            # Only a pointer to Secrets Manager, and it must be the full ARN the roles are scoped to.
            assert name == "GoogleClientSecretArn", name
            assert parameter["AllowedPattern"].startswith("^arn:aws[a-z-]*:secretsmanager:")
            assert parameter["AllowedPattern"].endswith("-[A-Za-z0-9]{6}$")
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for name, value in variables.items():
        if any(word in name.lower() for word in words) and not name.endswith(("_URI", "_URL")):
            assert name.endswith("_ARN"), name
            assert target(value) == "GoogleClientSecretArn", name
    for name in FUNCTIONS:
        assert "Environment" not in template["Resources"][name]["Properties"], f"{name}: keep variables in Globals"


def test_the_jwt_authorizer_takes_issuer_audience_and_claim_from_parameters(template: dict[str, Any]) -> None:
    auth = template["Resources"]["HttpApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "WorkspaceJwt"
    assert auth["EnableIamAuthorizer"] is True
    jwt = auth["Authorizers"]["WorkspaceJwt"]
    assert jwt["IdentitySource"] == "$request.header.Authorization"
    assert target(jwt["JwtConfiguration"]["issuer"]) == "JwtIssuer"
    assert target(jwt["JwtConfiguration"]["audience"]) == "JwtAudience"
    assert template["Parameters"]["JwtAudience"]["Type"] == "CommaDelimitedList"
    assert target(template["Globals"]["Function"]["Environment"]["Variables"]["WORKSPACE_CLAIM"]) == "WorkspaceClaim"


def test_cors_and_the_access_log(resources: dict[str, Any]) -> None:
    api = resources["HttpApi"]["Properties"]
    assert [target(o) for o in api["CorsConfiguration"]["AllowOrigins"]] == ["FrontendOrigin"]
    logs = api["AccessLogSettings"]
    assert attribute(logs["DestinationArn"]) == ("HttpApiAccessLogGroup", "Arn")
    # The OAuth callback carries code and state in its query string: the access log must never record it.
    lowered = logs["Format"].lower()
    for leak in ("querystring", "$context.path", "$request", "$input", "requestoverride"):
        assert leak not in lowered
    assert api["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_plain_resources_never_refer_to_sam_ones(template: dict[str, Any]) -> None:
    # The local stack creates the plain resources in moto without the SAM transform; a reference to a function or
    # the HTTP API would make it drop them.
    # Resources that exist only with the API's custom domain are never created locally, so they may.
    resources = template["Resources"]
    serverless = {n for n, r in resources.items() if r["Type"].startswith("AWS::Serverless::")}
    for name, resource in resources.items():
        if resource["Type"].startswith("AWS::Serverless::") or resource.get("Condition") == "HasApiDomain":
            continue
        body = {k: v for k, v in resource.items() if k != "DependsOn"}
        assert not references(body) & serverless, name
        assert not set(as_list(resource.get("DependsOn", []))) & serverless, name


def test_explicit_deletion_policies_on_stateful_resources(resources: dict[str, Any]) -> None:
    kinds = {"AWS::KMS::Key", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::Logs::LogGroup"}
    for name, resource in resources.items():
        if resource["Type"] in kinds:
            assert resource.get("DeletionPolicy") in ("Retain", "Delete"), name
            assert resource.get("UpdateReplacePolicy") == resource["DeletionPolicy"], name


def test_every_function_is_built_by_the_makefile(template: dict[str, Any]) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for name, resource in template["Resources"].items():
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion"):
            assert resource["Metadata"]["BuildMethod"] == "makefile", name
            assert resource["Metadata"]["ContextPath"] == ".", name
            assert f"build-{name}" in makefile, name
