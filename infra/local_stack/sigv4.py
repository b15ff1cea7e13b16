"""SigV4 verification for the IAM routes, as API Gateway does it, recomputed with botocore's own signer.

Using botocore for the canonical request means a request signed by any AWS SDK is checked by the same rules that
signed it; only the local key pair is trusted (there is no IAM to ask), and only from loopback.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_stack.http_api import IncomingRequest

SERVICE = "execute-api"
MAX_SKEW = timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION = re.compile(r"^AWS4-HMAC-SHA256\s+(?P<params>.+)$")

# API Gateway's own wording for each refusal, all with status 403.
MISSING = "Missing Authentication Token"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)
UNKNOWN_KEY = "The security token included in the request is invalid."


class SignatureError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IamCaller:
    access_key: str
    account_id: str

    def authorizer(self) -> dict[str, object]:
        """requestContext.authorizer of an IAM-authorized route in payload 2.0."""
        user_id = "AIDALOCALSTACKUSER000"
        return {
            "iam": {
                "accessKey": self.access_key,
                "accountId": self.account_id,
                "callerId": user_id,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": f"arn:aws:iam::{self.account_id}:user/local",
                "userId": user_id,
            }
        }


def verify(
    request: IncomingRequest,
    access_key: str,
    secret_key: str,
    region: str,
    account_id: str,
    now: datetime | None = None,
) -> IamCaller:
    """The caller of a SigV4-signed request, or API Gateway's own refusal words for why it is not one."""
    params = _authorization_params(request)
    date = _check_scope(params["Credential"], access_key, region)
    amz_date = _check_date(request, date, now or datetime.now(UTC))
    expected = _signature(request, params["SignedHeaders"].split(";"), amz_date, access_key, secret_key, region)
    if not hmac.compare_digest(expected, params["Signature"]):
        raise SignatureError(MISMATCH)
    return IamCaller(access_key=access_key, account_id=account_id)


def _authorization_params(request: IncomingRequest) -> dict[str, str]:
    authorization = request.header("authorization")
    if not authorization:
        raise SignatureError(MISSING)
    found = _AUTHORIZATION.match(authorization.strip())
    if not found:
        # AWS appends the header it got; a bearer token sent here by mistake must not be echoed or logged.
        raise SignatureError(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter."
        )
    params = dict(part.strip().split("=", 1) for part in found.group("params").split(",") if "=" in part)
    for name in ("Credential", "SignedHeaders", "Signature"):
        if name not in params:
            raise SignatureError(f"Authorization header requires '{name}' parameter.")
    return params


def _check_scope(credential: str, access_key: str, region: str) -> str:
    """The credential scope's key, region and service; returns its date (YYYYMMDD)."""
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise SignatureError("Credential should be scoped to a valid region. ")
    key_id, date, scope_region, scope_service = scope[:4]
    if key_id != access_key:
        raise SignatureError(UNKNOWN_KEY)
    if scope_region != region:
        raise SignatureError(f"Credential should be scoped to a valid region, not '{scope_region}'. ")
    if scope_service != SERVICE:
        raise SignatureError(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    return date


def _check_date(request: IncomingRequest, date: str, current: datetime) -> str:
    """X-Amz-Date: present, well formed, the scope's day, and within five minutes of now; returns it."""
    amz_date = request.header("x-amz-date")
    if not amz_date:
        raise SignatureError("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError as error:
        raise SignatureError(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.") from error
    if not amz_date.startswith(date):
        raise SignatureError(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if signed_at < current - MAX_SKEW:
        raise SignatureError(
            f"Signature expired: {amz_date} is now earlier than {(current - MAX_SKEW).strftime(_AMZ_DATE)} "
            f"({current.strftime(_AMZ_DATE)} - 5 min.)"
        )
    if signed_at > current + MAX_SKEW:
        raise SignatureError(
            f"Signature not yet current: {amz_date} is still later than {(current + MAX_SKEW).strftime(_AMZ_DATE)} "
            f"({current.strftime(_AMZ_DATE)} + 5 min.)"
        )
    return amz_date


def _signature(
    request: IncomingRequest, signed_headers: list[str], amz_date: str, access_key: str, secret_key: str, region: str
) -> str:
    headers = {name: request.header(name) or "" for name in signed_headers}
    host = headers.get("host") or request.header("host") or "localhost"
    url = f"http://{host}{request.raw_path}" + (f"?{request.raw_query}" if request.raw_query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret_key), SERVICE, region)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
