"""moto's standalone S3-compatible server on 127.0.0.1, for the storage tests (and anything else that
wants object storage): a real HTTP server in a process of its own, with authentication switched on
(``INITIAL_NO_AUTH_ACTION_COUNT``: the first calls make an IAM user with a key; every call after
that must be signed with it), so that wrong credentials are refused as a real service refuses them;
or, for presigned URLs, without authentication (``auth=False``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig

from tests.support.gunicorn import free_port

# For the few tests that look at the local folders themselves: skipped when the whole run is on object
# storage (``TEST_STORAGE=s3``).
local_storage_only = pytest.mark.skipif(os.environ.get("TEST_STORAGE") == "s3",
                                        reason="looks at the local folders (TEST_STORAGE=s3)")
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
REGION = "eu-west-1"
# Calls made before authentication starts: create_user, put_user_policy, create_access_key.
_SETUP_CALLS = 3


@dataclass
class S3Server:
    process: subprocess.Popen
    port: int
    access_key_id: str = ""
    secret_access_key: str = ""
    buckets: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **overrides: Any) -> Any:
        settings = {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key,
                    **overrides}
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 1}), **settings)

    def make_bucket(self) -> str:
        name = f"congres-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.buckets.append(name)
        return name

    def config(self, bucket: str, prefix: str = "congres") -> dict[str, Any]:
        """The app settings that point the storage at this server."""
        return {"STORAGE_URL": f"s3://{bucket}/{prefix}", "STORAGE_S3_ENDPOINT_URL": self.endpoint,
                "STORAGE_S3_REGION": REGION, "STORAGE_S3_ACCESS_KEY_ID": self.access_key_id,
                "STORAGE_S3_SECRET_ACCESS_KEY": self.secret_access_key, "STORAGE_S3_TIMEOUT_SECONDS": 2,
                "STORAGE_S3_MAX_ATTEMPTS": 1}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_s3_server(log: Path, *, auth: bool = True) -> S3Server:
    """A fresh server on a free port, answering once it is up, with one IAM key allowed everything.

    ``auth=False``: a server that checks no signature (moto's authentication does not understand the
    query-string signature of presigned URLs, so presigned downloads are tested against this one)."""
    port = free_port()
    env = {**os.environ, "MOTO_PORT": str(port)}
    if auth:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(_SETUP_CALLS)
    with log.open("ab") as out:
        process = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    server = S3Server(process, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"moto_server did not start on port {port}: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)
    if not auth:
        server.access_key_id, server.secret_access_key = "congres", "geen-controle"
        return server
    iam = boto3.session.Session().client("iam", endpoint_url=server.endpoint, region_name=REGION,
                                         aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="congres")
    iam.put_user_policy(UserName="congres", PolicyName="everything", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="congres")["AccessKey"]
    server.access_key_id, server.secret_access_key = key["AccessKeyId"], key["SecretAccessKey"]
    return server
