"""Least privilege, checked on what CloudFormation receives: the SAM-translated template, where each function's role,
its inline policy and the managed policies SAM attaches are spelled out."""

from __future__ import annotations

from typing import Any

import pytest

from .cfn import as_list, describe, of_type, target

TABLE = {"Table", "Table/index/gsi1"}
TABLE_READ_WRITE = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
}
# Use of DataKey by DynamoDB, SQS and Lambda (environment) on the function's behalf.
KEY_THROUGH_SERVICES = {"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}


def grants(actions: set[str], resources: set[str]) -> set[tuple[str, str]]:
    return {(action, resource) for action in actions for resource in resources}


EVENTS = {("events:PutEvents", "EventBus")}
SECRET = {("secretsmanager:GetSecretValue", "GoogleClientSecretArn")}

# Every Allow of every function's role, as (action, resource). Changing a function's needs means changing this.
EXPECTED_GRANTS: dict[str, set[tuple[str, str]]] = {
    "ApiFunction": grants(TABLE_READ_WRITE, TABLE)
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | {("sqs:SendMessage", "SendQueue")}
    | EVENTS
    | SECRET,
    "OAuthCallbackFunction": grants(TABLE_READ_WRITE, TABLE)
    | grants(KEY_THROUGH_SERVICES | {"kms:Encrypt"}, {"DataKey"})
    | {("sqs:SendMessage", "SendQueue")}
    | EVENTS
    | SECRET,
    "InternalApiFunction": grants(TABLE_READ_WRITE, TABLE)
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | {("sqs:SendMessage", "SendQueue")}
    | EVENTS,
    "SendEmailFunction": grants(TABLE_READ_WRITE, TABLE)
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | grants({"sqs:SendMessage", "sqs:ChangeMessageVisibility"}, {"SendQueue"})
    | {("sqs:SendMessage", "SendDLQ")}
    | EVENTS
    | SECRET,
    # With push on, the schedule reads the watches and renews them (users.watch with the mailbox's token).
    "SchedulePollsFunction": grants(
        {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        {"Table"},
    )
    | {("dynamodb:Query", "Table/index/gsi1")}
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | {("sqs:SendMessage", "PollQueue"), ("sqs:SendMessage", "ScheduleDLQ")}
    | {("sqs:SendMessage", "ScheduleShardQueue")}  # hands off the shards of a tick it cannot finish in time
    | SECRET,
    # The push function may only find the mailbox and enqueue a poll job.
    "GmailPushFunction": {("dynamodb:GetItem", "Table")}
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | {("sqs:SendMessage", "PollQueue")},
    "PollMailboxFunction": grants(TABLE_READ_WRITE, TABLE)
    | grants(KEY_THROUGH_SERVICES, {"DataKey"})
    | {("sqs:ChangeMessageVisibility", "PollQueue")}
    | EVENTS
    | SECRET,
}
# Functions that handle refresh tokens directly (KMS calls of their own, under the workspace encryption context).
TOKEN_DECRYPTERS = {
    "ApiFunction",
    "OAuthCallbackFunction",
    "SendEmailFunction",
    "PollMailboxFunction",
    "SchedulePollsFunction",
}
TOKEN_ENCRYPTERS = {"OAuthCallbackFunction"}

# The managed policies SAM attaches, and why each is acceptable.
MANAGED_POLICIES = {
    # CloudWatch Logs streams and events, AWS's baseline for every function; the logs land in the function's own
    # KMS-encrypted group (LoggingConfig).
    "service-role/AWSLambdaBasicExecutionRole": "every function",
    # X-Ray (Tracing: Active) has no resource-level permissions: AWS requires Resource "*" for its actions.
    "AWSXrayWriteOnlyAccess": "every function",
    # The SQS event source's receive/delete on "*"; each consumer's inline policy denies those actions on every
    # queue but its own (OwnQueueOnly, tested below).
    "service-role/AWSLambdaSQSQueueExecutionRole": "SQS consumers",
}
SQS_POLLER_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return as_list(document["Statement"])


def function_roles(translated: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = translated["Resources"]
    roles = {}
    for name, function in of_type(resources, "AWS::Lambda::Function"):
        role = target(function["Properties"]["Role"])
        assert role in resources, f"{name}'s role is not created by this stack"
        roles[name] = resources[role]["Properties"]
    return roles


def allows(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in role.get("Policies", []) for s in statements(p["PolicyDocument"]) if s["Effect"] == "Allow"]


def test_one_role_per_function_created_by_sam(template: dict[str, Any], translated: dict[str, Any]) -> None:
    for name, function in of_type(template["Resources"], "AWS::Serverless::Function"):
        assert "Role" not in function["Properties"], f"{name} should let SAM create its own role"
    role_ids = [target(f["Properties"]["Role"]) for _, f in of_type(translated["Resources"], "AWS::Lambda::Function")]
    assert len(role_ids) == len(EXPECTED_GRANTS)
    assert len(set(role_ids)) == len(role_ids), "two functions share a role"
    assert len(list(of_type(translated["Resources"], "AWS::IAM::Role"))) == len(role_ids)
    for role in function_roles(translated).values():
        (trust,) = statements(role["AssumeRolePolicyDocument"])
        assert trust["Principal"] == {"Service": ["lambda.amazonaws.com"]}


@pytest.mark.parametrize("function", sorted(EXPECTED_GRANTS))
def test_each_role_grants_exactly_its_functions_needs(translated: dict[str, Any], function: str) -> None:
    role = function_roles(translated)[function]
    granted = {
        (action, describe(resource))
        for statement in allows(role)
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    expected = EXPECTED_GRANTS[function]
    assert granted == expected, f"missing: {sorted(expected - granted)}; unexpected: {sorted(granted - expected)}"


def test_no_wildcard_action_or_resource_in_the_stacks_own_policies(translated: dict[str, Any]) -> None:
    documents = [p["PolicyDocument"] for role in function_roles(translated).values() for p in role.get("Policies", [])]
    documents += [
        p["Properties"]["PolicyDocument"] for _, p in of_type(translated["Resources"], "AWS::IAM::ManagedPolicy")
    ]
    for document in documents:
        for statement in statements(document):
            for action in as_list(statement.get("Action", [])):
                assert "*" not in action, statement
            for resource in as_list(statement.get("Resource", [])):
                assert "*" not in describe(resource), statement


def test_managed_policies_are_the_known_few(translated: dict[str, Any]) -> None:
    consumers = {"SendEmailFunction", "PollMailboxFunction", "SchedulePollsFunction"}
    for function, role in function_roles(translated).items():
        attached = {describe(arn).split(":policy/", 1)[1] for arn in role.get("ManagedPolicyArns", [])}
        assert attached <= set(MANAGED_POLICIES), function
        if function in consumers:
            assert "service-role/AWSLambdaSQSQueueExecutionRole" in attached
        else:
            assert "service-role/AWSLambdaSQSQueueExecutionRole" not in attached, function


def test_sqs_consumers_are_held_to_their_own_queue(translated: dict[str, Any]) -> None:
    own = {
        "SendEmailFunction": "SendQueue",
        "PollMailboxFunction": "PollQueue",
        "SchedulePollsFunction": "ScheduleShardQueue",
    }
    for function, queue in own.items():
        role = function_roles(translated)[function]
        denies = [s for p in role.get("Policies", []) for s in statements(p["PolicyDocument"]) if s["Effect"] == "Deny"]
        assert any(
            set(as_list(s["Action"])) >= SQS_POLLER_ACTIONS
            and [describe(r) for r in as_list(s["NotResource"])] == [queue]
            for s in denies
        ), f"{function} needs the OwnQueueOnly deny"


def test_kms_use_is_conditioned(translated: dict[str, Any]) -> None:
    for function, role in function_roles(translated).items():
        decrypts_tokens = encrypts_tokens = False
        for statement in allows(role):
            actions = set(as_list(statement["Action"]))
            if not any(a.startswith("kms:") for a in actions):
                continue
            condition = statement.get("Condition", {})
            if "StringEquals" in condition and "kms:ViaService" in condition["StringEquals"]:
                services = {describe(s).split(".", 1)[0] for s in as_list(condition["StringEquals"]["kms:ViaService"])}
                assert services <= {"dynamodb", "sqs", "lambda"}, function
                assert actions <= KEY_THROUGH_SERVICES, function
                continue
            # Refresh tokens: only under an encryption context made of workspace_id, and never without one.
            assert condition == {
                "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["workspace_id"]},
                "Null": {"kms:EncryptionContextKeys": "false"},
            }, function
            assert actions <= {"kms:Encrypt", "kms:Decrypt"}, function
            decrypts_tokens |= "kms:Decrypt" in actions
            encrypts_tokens |= "kms:Encrypt" in actions
        assert decrypts_tokens == (function in TOKEN_DECRYPTERS), function
        assert encrypts_tokens == (function in TOKEN_ENCRYPTERS), function


def test_events_are_put_under_the_service_source_only(translated: dict[str, Any]) -> None:
    for function, role in function_roles(translated).items():
        for statement in allows(role):
            if "events:PutEvents" in as_list(statement["Action"]):
                assert statement["Condition"] == {"StringEquals": {"events:source": "outsales.gmail"}}, function


def test_key_policies_delegate_to_iam_and_open_only_what_they_must(template: dict[str, Any]) -> None:
    # In a key policy Resource "*" means "this key" (AWS requires it), and kms:* for the account root is what makes
    # IAM policies effective. Service principals appear only on OpsKey, each limited.
    resources = template["Resources"]
    (admin,) = statements(resources["DataKey"]["Properties"]["KeyPolicy"])
    assert admin["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert admin["Action"] == "kms:*"
    ops = {s["Sid"]: s for s in statements(resources["OpsKey"]["Properties"]["KeyPolicy"])}
    assert set(ops) == {"AccountAdministers", "LogsEncryptThisStacksLogGroups", "CloudWatchPublishesAlarms"}
    assert ops["LogsEncryptThisStacksLogGroups"]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert set(ops["CloudWatchPublishesAlarms"]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_upstream_producers_get_only_the_send_queue(template: dict[str, Any]) -> None:
    policy = template["Resources"]["SendQueueProducerPolicy"]["Properties"]["PolicyDocument"]
    send, key = statements(policy)
    assert (send["Action"], describe(send["Resource"])) == ("sqs:SendMessage", "SendQueue")
    assert describe(key["Resource"]) == "DataKey"
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": {"Fn::Sub": "sqs.${AWS::Region}.amazonaws.com"}}}
