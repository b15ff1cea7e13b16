"""The composition root: the one place that builds real adapters and hands them to the use cases.

Built once per warm container (``bootstrap()`` is cached), so clients, the parsed Gmail discovery document and
the decrypted-token cache live across invocations. Unit tests build a ``Container`` and replace its adapter attributes
with fakes (tests/unit/sending/test_send_email.py); the local stack lets it wire the real adapters.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import boto3

from gmail_integration.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table

    from gmail_integration.dal.connections import DynamoConnectionRepository
    from gmail_integration.dal.grant_holders import DynamoGrantHolders
    from gmail_integration.dal.held import DynamoHeldEmails
    from gmail_integration.dal.ledger import DynamoEmailLedger
    from gmail_integration.dal.pacing import DynamoMailboxPace
    from gmail_integration.dal.profiles import DynamoProfileRepository
    from gmail_integration.dal.read_model import DynamoEmailReadModel
    from gmail_integration.dal.replies import DynamoReplies
    from gmail_integration.dal.send_context import DynamoSendContextReader
    from gmail_integration.dal.snapshots import MailboxSnapshots
    from gmail_integration.dal.states import DynamoStateStore
    from gmail_integration.dal.suppressions import DynamoSuppressions
    from gmail_integration.dal.threads import DynamoThreads
    from gmail_integration.dal.turns import DynamoTurnBook
    from gmail_integration.dal.watches import DynamoWatches
    from gmail_integration.events.eventbridge import EventBridgePublisher
    from gmail_integration.gmail.gateway import GoogleGmailGateway
    from gmail_integration.gmail.push_tokens import GooglePushTokens
    from gmail_integration.kms.vault import KmsTokenVault
    from gmail_integration.mailbox.authorization import MailboxAuthority
    from gmail_integration.mailbox.connect import CompleteConnect, StartConnect
    from gmail_integration.mailbox.disconnect import Disconnect
    from gmail_integration.mailbox.status import GetMailboxStatus
    from gmail_integration.oauth.google import GoogleOAuth, OAuthClient
    from gmail_integration.replies.intake import ProcessPollJob
    from gmail_integration.replies.poll_mailbox import PollMailbox
    from gmail_integration.replies.push import ReceivePush
    from gmail_integration.replies.safety_net import SafetyNetPolls
    from gmail_integration.replies.schedule import SchedulePolls
    from gmail_integration.replies.thread_check import CheckThreadForReplies
    from gmail_integration.replies.watch import ConnectThenWatch, StopThenDisconnect, WatchMailbox
    from gmail_integration.sending.gates import SetAgentActive, SetBilling
    from gmail_integration.sending.intake import ProcessSendMessage
    from gmail_integration.sending.pace_settings import SetSendingPace
    from gmail_integration.sending.redrive import RedriveParked
    from gmail_integration.sending.release import CancelParked, ReleaseParked
    from gmail_integration.sending.send_email import SendEmail
    from gmail_integration.sending.suppressions import LiftSuppression, ListSuppressions
    from gmail_integration.sqs.queues import SqsDeadLetters, SqsQueue

SECRET_MAX_AGE_S = 300
"""A rotated client secret reaches every warm container within five minutes."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    clock: Callable[[], datetime] = field(default=utc_now)
    clients: list[Any] = field(default_factory=list, repr=False)
    """Every AWS client made here, so that a SnapStart restore can close the connections they pooled."""
    sleep: Callable[[float], None] = field(default=time.sleep)
    """How a worker waits for a mailbox turn a second or two away (tests pass their clock's advance)."""

    # ---- AWS adapters ----
    @cached_property
    def aws(self) -> boto3.session.Session:
        return boto3.session.Session()

    def client(self, service: Any) -> Any:
        """boto3 creates clients from a session unsafely across threads; one Lambda runs one event at a time,
        but the local stack runs every function in one process, so creation is serialised here."""
        with _AWS_LOCK:
            client = self.aws.client(service)
        self.clients.append(client)
        return client

    @cached_property
    def sqs(self) -> Any:
        """One SQS client per container, shared by the send queue, the DLQ and the poll queue."""
        return self.client("sqs")

    @cached_property
    def dynamodb(self) -> DynamoDBServiceResource:
        with _AWS_LOCK:
            resource = self.aws.resource("dynamodb")
        self.clients.append(resource.meta.client)
        return resource

    @cached_property
    def table(self) -> Table:
        return self.dynamodb.Table(self.settings.table_name)

    @cached_property
    def emails(self) -> DynamoEmailReadModel:
        from gmail_integration.dal.read_model import DynamoEmailReadModel

        return DynamoEmailReadModel(self.table)

    @cached_property
    def ledger(self) -> DynamoEmailLedger:
        from gmail_integration.dal.ledger import DynamoEmailLedger

        return DynamoEmailLedger(self.table, timedelta(days=self.settings.email_retention_days))

    @cached_property
    def replies(self) -> DynamoReplies:
        from gmail_integration.dal.replies import DynamoReplies

        return DynamoReplies(self.table)

    @cached_property
    def threads(self) -> DynamoThreads:
        from gmail_integration.dal.threads import DynamoThreads

        return DynamoThreads(self.dynamodb, self.table)

    @cached_property
    def connections(self) -> DynamoConnectionRepository:
        from gmail_integration.dal.connections import DynamoConnectionRepository

        return DynamoConnectionRepository(self.table)

    @cached_property
    def sender_profiles(self) -> DynamoProfileRepository:
        from gmail_integration.dal.profiles import DynamoProfileRepository

        return DynamoProfileRepository(self.table)

    @cached_property
    def states(self) -> DynamoStateStore:
        from gmail_integration.dal.states import DynamoStateStore

        return DynamoStateStore(self.table)

    @cached_property
    def vault(self) -> KmsTokenVault:
        from gmail_integration.kms.vault import KmsTokenVault

        return KmsTokenVault(self.client("kms"), self.settings.kms_key_id)

    @cached_property
    def events(self) -> EventBridgePublisher:
        from gmail_integration.events.eventbridge import EventBridgePublisher

        return EventBridgePublisher(self.client("events"), self.settings.event_bus_name)

    @cached_property
    def send_queue(self) -> SqsQueue:
        from gmail_integration.sqs.queues import SqsQueue

        return SqsQueue(self.sqs, self.settings.send_queue_url)

    @cached_property
    def dead_letters(self) -> SqsDeadLetters:
        from gmail_integration.sqs.queues import SqsDeadLetters

        return SqsDeadLetters(self.sqs, self.settings.send_dlq_url)

    # ---- Google adapters ----
    def oauth_client(self) -> OAuthClient:
        """The OAuth client, its secret read from Secrets Manager (cached by Powertools for SECRET_MAX_AGE_S).

        Google's libraries are imported here and in the other Google adapters, on first use, so that a function whose
        routes never call Google (status, emails, the schedule) does not pay for loading them on a cold start.
        """
        from aws_lambda_powertools.utilities.parameters import get_secret
        from pydantic import SecretStr

        from gmail_integration.oauth.google import OAuthClient

        with _AWS_LOCK:
            secret = get_secret(self.settings.google_client_secret_arn, max_age=SECRET_MAX_AGE_S)
        return OAuthClient(
            client_id=self.settings.google_client_id,
            client_secret=SecretStr(str(secret)),
            auth_uri=self.settings.google_auth_uri,
            token_uri=self.settings.google_token_uri,
            revoke_uri=self.settings.google_revoke_uri,
            allow_loopback_http=self.settings.google_is_local,
        )

    @property
    def oauth(self) -> GoogleOAuth:
        from gmail_integration.oauth.google import GoogleOAuth

        return GoogleOAuth(self.oauth_client())

    @cached_property
    def gmail(self) -> GoogleGmailGateway:
        from gmail_integration.gmail.credentials import CredentialsCache
        from gmail_integration.gmail.gateway import GoogleGmailGateway

        return GoogleGmailGateway(
            self.settings.gmail_api_url,
            self.oauth_client,
            CredentialsCache(self.vault, self.oauth_client),
            timeout_s=self.settings.gmail_http_timeout_s,
        )

    # ---- use cases ----
    @cached_property
    def get_mailbox_status(self) -> GetMailboxStatus:
        from gmail_integration.mailbox.status import GetMailboxStatus

        return GetMailboxStatus(self.connections)

    @cached_property
    def redrive(self) -> RedriveParked:
        from gmail_integration.dal.parked import DynamoParkedEmails
        from gmail_integration.sending.redrive import RedriveParked

        return RedriveParked(parked=DynamoParkedEmails(self.table), queue=self.send_queue)

    def start_connect(self) -> StartConnect:
        from gmail_integration.mailbox.connect import StartConnect

        return StartConnect(
            oauth=self.oauth,
            states=self.states,
            clock=self.clock,
            configured_redirect_uri=self.settings.oauth_redirect_uri,
        )

    def complete_connect(self) -> CompleteConnect | ConnectThenWatch:
        from gmail_integration.mailbox.connect import CompleteConnect
        from gmail_integration.replies.watch import ConnectThenWatch

        connect = CompleteConnect(
            oauth=self.oauth,
            states=self.states,
            accounts=self.gmail,
            vault=self.vault,
            connections=self.connections,
            redrive=self.redrive,
            events=self.events,
            clock=self.clock,
            holders=self.grant_holders,
        )
        return ConnectThenWatch(connect, self.watch_mailbox) if self.settings.push_enabled else connect

    def disconnect(self) -> Disconnect | StopThenDisconnect:
        from gmail_integration.mailbox.disconnect import Disconnect
        from gmail_integration.replies.watch import StopThenDisconnect

        disconnect = Disconnect(
            oauth=self.oauth,
            vault=self.vault,
            connections=self.connections,
            events=self.events,
            clock=self.clock,
            holders=self.grant_holders,
        )
        # Stopping also runs with push off, so that turning push off does not leave watches publishing.
        return StopThenDisconnect(disconnect, self.watch_mailbox)

    # ---- Gmail push ----
    @cached_property
    def watches(self) -> DynamoWatches:
        from gmail_integration.dal.watches import DynamoWatches

        return DynamoWatches(self.dynamodb, self.table)

    @cached_property
    def watch_mailbox(self) -> WatchMailbox:
        from gmail_integration.replies.watch import WatchMailbox

        return WatchMailbox(
            connections=self.connections,
            gmail=self.gmail,
            watches=self.watches,
            topic=self.settings.gmail_push_topic,
            clock=self.clock,
        )

    @cached_property
    def push_tokens(self) -> GooglePushTokens:
        from gmail_integration.gmail.push_tokens import GooglePushTokens

        return GooglePushTokens(
            self.settings.google_certs_url, self.settings.push_audience, self.settings.push_service_account
        )

    @cached_property
    def receive_push(self) -> ReceivePush:
        from gmail_integration.replies.push import ReceivePush
        from gmail_integration.sqs.queues import SqsPollJobs

        return ReceivePush(
            tokens=self.push_tokens,
            watches=self.watches,
            connections=self.connections,
            jobs=SqsPollJobs(self.sqs, self.settings.poll_queue_url),
        )

    @cached_property
    def grant_holders(self) -> DynamoGrantHolders:
        from gmail_integration.dal.grant_holders import DynamoGrantHolders

        return DynamoGrantHolders(self.table)

    @cached_property
    def set_billing(self) -> SetBilling:
        from gmail_integration.dal.gates import DynamoGateWriter
        from gmail_integration.sending.gates import SetBilling

        return SetBilling(gates=DynamoGateWriter(self.table), redrive=self.redrive, clock=self.clock)

    @cached_property
    def set_agent_active(self) -> SetAgentActive:
        from gmail_integration.dal.gates import DynamoGateWriter
        from gmail_integration.sending.gates import SetAgentActive

        return SetAgentActive(gates=DynamoGateWriter(self.table), redrive=self.redrive, clock=self.clock)

    @cached_property
    def mailbox_authority(self) -> MailboxAuthority:
        from gmail_integration.mailbox.authorization import MailboxAuthority

        return MailboxAuthority(
            connections=self.connections, credentials=self.gmail, events=self.events, clock=self.clock
        )

    @cached_property
    def send_contexts(self) -> DynamoSendContextReader:
        from gmail_integration.dal.send_context import DynamoSendContextReader

        return DynamoSendContextReader(self.dynamodb, self.table, self.mailbox_snapshots)

    @cached_property
    def mailbox_snapshots(self) -> MailboxSnapshots:
        """The container's last view of each mailbox, which the context reader fills and the turn book moves on."""
        from gmail_integration.dal.snapshots import MailboxSnapshots

        return MailboxSnapshots()

    @cached_property
    def send_email(self) -> SendEmail:
        from gmail_integration.sending.send_email import SendEmail
        from gmail_integration.sending.stop_on_reply import StopOnReply
        from gmail_integration.sending.waiting import MailboxTurns

        return SendEmail(
            contexts=self.send_contexts,
            ledger=self.ledger,
            gmail=self.gmail,
            mailboxes=self.mailbox_authority,
            events=self.events,
            clock=self.clock,
            message_id_domain=self.settings.message_id_domain,
            lease=timedelta(seconds=self.settings.send_lease_s),
            suppressions=self.suppressions,
            stop_on_reply=StopOnReply(self.thread_check),
            turns=MailboxTurns(
                pace=self.mailbox_pace,
                ledger=self.ledger,
                clock=self.clock,
                default_gap_s=self.settings.send_min_gap_s,
                default_max_per_hour=self.settings.send_max_per_hour,
                sleep=self.sleep,
                book=self.turn_book,
            ),
            sleep=self.sleep,
        )

    @cached_property
    def turn_book(self) -> DynamoTurnBook:
        from gmail_integration.dal.slot_pool import SlotPool
        from gmail_integration.dal.turns import DynamoTurnBook

        return DynamoTurnBook(self.table, self.mailbox_snapshots, SlotPool())

    @cached_property
    def mailbox_pace(self) -> DynamoMailboxPace:
        from gmail_integration.dal.pacing import DynamoMailboxPace

        return DynamoMailboxPace(self.table)

    @cached_property
    def set_sending_pace(self) -> SetSendingPace:
        from gmail_integration.sending.pace_settings import SetSendingPace

        return SetSendingPace(
            pace=self.mailbox_pace,
            default_gap_s=self.settings.send_min_gap_s,
            default_max_per_hour=self.settings.send_max_per_hour,
        )

    @cached_property
    def thread_check(self) -> CheckThreadForReplies:
        from gmail_integration.replies.recording import RecordArrivals
        from gmail_integration.replies.thread_check import CheckThreadForReplies

        record = RecordArrivals(self.replies, self.events, self.clock, self.suppressions, self.gmail, self.threads)
        return CheckThreadForReplies(gmail=self.gmail, threads=self.threads, record=record)

    @cached_property
    def held_emails(self) -> DynamoHeldEmails:
        from gmail_integration.dal.held import DynamoHeldEmails

        return DynamoHeldEmails(self.table)

    @cached_property
    def release_parked(self) -> ReleaseParked:
        from gmail_integration.sending.release import ReleaseParked

        return ReleaseParked(held=self.held_emails, queue=self.send_queue, clock=self.clock)

    @cached_property
    def cancel_parked(self) -> CancelParked:
        from gmail_integration.sending.release import CancelParked

        return CancelParked(held=self.held_emails, events=self.events, clock=self.clock)

    @cached_property
    def suppressions(self) -> DynamoSuppressions:
        from gmail_integration.dal.suppressions import DynamoSuppressions

        return DynamoSuppressions(self.table)

    @cached_property
    def list_suppressions(self) -> ListSuppressions:
        from gmail_integration.sending.suppressions import ListSuppressions

        return ListSuppressions(suppressions=self.suppressions)

    @cached_property
    def lift_suppression(self) -> LiftSuppression:
        from gmail_integration.sending.suppressions import LiftSuppression

        return LiftSuppression(suppressions=self.suppressions)

    @cached_property
    def schedule_polls(self) -> SchedulePolls | SafetyNetPolls:
        from gmail_integration.dal.mailboxes import DynamoConnectedMailboxes
        from gmail_integration.replies.safety_net import SafetyNetPolls
        from gmail_integration.replies.schedule import SchedulePolls
        from gmail_integration.sqs.queues import SqsPollJobs, SqsTickHandoff

        jobs = SqsPollJobs(self.sqs, self.settings.poll_queue_url)
        if self.settings.push_enabled:
            return SafetyNetPolls(
                mailboxes=DynamoConnectedMailboxes(self.table),
                watches=self.watches,
                jobs=jobs,
                renew=self.watch_mailbox,
                every_minutes=self.settings.safety_poll_minutes,
                clock=self.clock,
            )
        shards_url = self.settings.schedule_shard_queue_url
        handoff = SqsTickHandoff(self.client("sqs"), shards_url) if shards_url else None
        return SchedulePolls(
            mailboxes=DynamoConnectedMailboxes(self.table), jobs=jobs, clock=self.clock, handoff=handoff
        )

    @cached_property
    def poll_mailbox(self) -> PollMailbox:
        from gmail_integration.replies.poll_mailbox import PollMailbox
        from gmail_integration.sending.daily_limit import ResumeAfterDailyLimit

        return PollMailbox(
            connections=self.connections,
            threads=self.threads,
            replies=self.replies,
            gmail=self.gmail,
            authority=self.mailbox_authority,
            daily_limit_resume=ResumeAfterDailyLimit(pauses=self.connections, redrive=self.redrive, clock=self.clock),
            events=self.events,
            clock=self.clock,
            bounces=self.suppressions,
            recovery_window=timedelta(days=self.settings.recovery_window_days),
        )

    @cached_property
    def poll_queue(self) -> SqsQueue:
        from gmail_integration.sqs.queues import SqsQueue

        return SqsQueue(self.sqs, self.settings.poll_queue_url)

    @cached_property
    def process_poll_job(self) -> ProcessPollJob:
        from gmail_integration.replies.intake import ProcessPollJob

        return ProcessPollJob(poll_mailbox=self.poll_mailbox, postponer=self.poll_queue)

    @cached_property
    def process_send_message(self) -> ProcessSendMessage:
        from gmail_integration.sending.intake import ProcessSendMessage

        return ProcessSendMessage(
            send_email=self.send_email,
            ledger=self.ledger,
            dead_letters=self.dead_letters,
            postponer=self.send_queue,
            clock=self.clock,
            resend=self.send_queue,
        )


_AWS_LOCK = threading.RLock()


def bootstrap() -> Container:
    with _AWS_LOCK:
        return _container()


@lru_cache(maxsize=1)
def _container() -> Container:
    return Container(settings=get_settings())
