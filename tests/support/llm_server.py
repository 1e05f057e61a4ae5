"""A local OpenAI-compatible server for tests, spoken to by the real ``openai`` SDK.

Point the client at ``AsyncOpenAI(base_url=f"{srv.url}/v1", api_key=...)``. Chat completions come from a
script of replies (then from `responder`), which can also inject the faults the real API produces.
Note the SDK asks for embeddings as base64 float32 unless ``encoding_format="float"`` is passed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import math
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JsonDict = dict[str, Any]

DEFAULT_REPLY = "This is a scripted reply from the test language model."
_TOKEN_RE = re.compile(r"\w+")
_INVALID = "invalid_request_error"


@dataclass
class LlmReply:
    """One scripted answer: a completion, or a fault when `status` is not 200 or `error_type` is set."""

    content: str | None = ""
    status: int = 200
    delay: float = 0.0
    finish_reason: str = "stop"
    error_type: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def server_error(cls, *, retry_after: float | None = None) -> LlmReply:
        return cls(
            status=500,
            error_type="server_error",
            headers=_retry_headers(retry_after),
            error_message="The server had an error while processing your request.",
        )

    @classmethod
    def rate_limited(cls, *, retry_after: float = 1.0) -> LlmReply:
        """A 429 for too many requests, with the retry-after headers the API sends."""
        return cls(
            status=429,
            error_type="requests",
            error_code="rate_limit_exceeded",
            error_message="Rate limit reached for requests.",
            headers=_retry_headers(retry_after),
        )

    @classmethod
    def quota_exceeded(cls) -> LlmReply:
        """A 429 that retrying cannot fix: the account is out of credit."""
        message = "You exceeded your current quota, please check your plan and billing details."
        return cls(
            status=429,
            error_type="insufficient_quota",
            error_code="insufficient_quota",
            error_message=message,
        )

    @classmethod
    def truncated(cls, content: str) -> LlmReply:
        return cls(content=content, finish_reason="length")

    @classmethod
    def slow(cls, content: str, delay: float) -> LlmReply:
        return cls(content=content, delay=delay)

    @property
    def is_error(self) -> bool:
        return self.status != 200 or self.error_type is not None


@dataclass
class LlmRequest:
    """One request as received: path, decoded JSON body (None for GET) and headers."""

    method: str
    path: str
    json: JsonDict | None
    headers: dict[str, str]
    timestamp: float

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")


def _retry_headers(seconds: float | None) -> dict[str, str]:
    if seconds is None:
        return {}
    return {"retry-after": str(max(1, math.ceil(seconds))), "retry-after-ms": str(int(seconds * 1000))}


def embed_text(text: str, dim: int = 64) -> list[float]:
    """Deterministic stand-in embedding: hashed words and word trigrams, L2-normalised.

    Texts sharing words get close vectors, which is all retrieval tests need from a model.
    """
    vector = [0.0] * dim
    words = _TOKEN_RE.findall(text.lower())
    features = [(word, 1.0) for word in words]
    for word in words:
        padded = f"#{word}#"
        features.extend((padded[i : i + 3], 0.3) for i in range(len(padded) - 2))
    for feature, weight in features:
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        vector[digest % dim] += weight if (digest >> 32) & 1 else -weight
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0:
        # Text without words still needs a valid unit vector.
        vector[0], norm = 1.0, 1.0
    return [value / norm for value in vector]


class LlmServer:
    """OpenAI-compatible stand-in: ``async with LlmServer() as srv``; then ``srv.script(...)``."""

    def __init__(self, *, dim: int = 64, model: str = "gpt-test", api_key: str | None = None) -> None:
        self.dim = dim
        self.model = model
        # When set, requests with another bearer token get the API's 401.
        self.api_key = api_key
        self.url = ""
        self.requests: list[LlmRequest] = []
        self.responder: Callable[[JsonDict], str | LlmReply] = lambda request_json: DEFAULT_REPLY
        self.embeddings_down = False
        # When set, an embeddings request with an input containing it gets the API's 400 for that input.
        self.reject_inputs_containing: str | None = None
        self._script: list[str | LlmReply] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> LlmServer:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/v1/models", self._models)
        # Cancelling handlers whose client gave up lets slow replies end with the test.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def script(self, *replies: str | LlmReply) -> None:
        """Queue replies for the next chat completions, in order."""
        self._script.extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not used yet."""
        return len(self._script)

    @property
    def chat_requests(self) -> list[JsonDict]:
        return [r.json for r in self.requests if r.path == "/v1/chat/completions" and r.json is not None]

    @property
    def embedding_requests(self) -> list[JsonDict]:
        return [r.json for r in self.requests if r.path == "/v1/embeddings" and r.json is not None]

    async def _record(self, request: web.Request) -> tuple[LlmRequest, web.Response | None]:
        body: JsonDict | None = None
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError:
                body = None
        recorded = LlmRequest(request.method, request.path, body, dict(request.headers), time.time())
        self.requests.append(recorded)
        if self.api_key is not None and recorded.authorization != f"Bearer {self.api_key}":
            return recorded, _error(401, "Incorrect API key provided.", _INVALID, "invalid_api_key")
        if request.method == "POST" and not isinstance(body, dict):
            return recorded, _error(400, "We could not parse the JSON body of your request.", _INVALID, None)
        return recorded, None

    async def _chat_completions(self, request: web.Request) -> web.Response:
        recorded, failure = await self._record(request)
        if failure is not None:
            return failure
        body = recorded.json or {}
        if not isinstance(body.get("messages"), list) or not body.get("model"):
            return _error(
                400,
                "Missing required parameter: 'messages' and 'model' are required.",
                _INVALID,
                "missing_required_parameter",
            )
        if body.get("stream"):
            return _error(400, "Streaming is not supported by the test server.", _INVALID, None)
        reply = self._script.pop(0) if self._script else self.responder(body)
        if isinstance(reply, str):
            reply = LlmReply(content=reply)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.is_error:
            return _error(
                reply.status,
                reply.error_message or "The request failed.",
                reply.error_type,
                reply.error_code,
                reply.headers,
            )
        prompt_tokens = sum(len(_TOKEN_RE.findall(str(m.get("content") or ""))) for m in body["messages"])
        completion_tokens = len(_TOKEN_RE.findall(reply.content or ""))
        completion = {
            "id": f"chatcmpl-test{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return web.json_response(completion, headers=reply.headers)

    async def _embeddings(self, request: web.Request) -> web.Response:
        recorded, failure = await self._record(request)
        if failure is not None:
            return failure
        if self.embeddings_down:
            return _error(
                503, "The engine is currently overloaded, please try again later.", "server_error", None
            )
        body = recorded.json or {}
        texts = _embedding_inputs(body.get("input"))
        if texts is None:
            return _error(400, "'$.input' is invalid. Please check the API reference.", _INVALID, None)
        poison = self.reject_inputs_containing
        if poison is not None and any(poison in text for text in texts):
            message = "This model's maximum context length is 8192 tokens; your input is longer."
            return _error(400, message, _INVALID, None)
        dim = int(body.get("dimensions") or self.dim)
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = embed_text(text, dim)
            encoded: list[float] | str = (
                base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode() if as_base64 else vector
            )
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(_TOKEN_RE.findall(text)) for text in texts)
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "model": body.get("model") or self.model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    async def _models(self, request: web.Request) -> web.Response:
        _, failure = await self._record(request)
        if failure is not None:
            return failure
        model = {"id": self.model, "object": "model", "created": 0, "owned_by": "briefbot-tests"}
        return web.json_response({"object": "list", "data": [model]})


def _embedding_inputs(raw: object) -> list[str] | None:
    """The texts to embed, or None when the API would reject the input (empty strings included)."""
    if isinstance(raw, str):
        items: list[object] = [raw]
    elif isinstance(raw, list) and raw:
        # A flat list of ints is one pre-tokenised input; tokens stand in for words.
        items = [raw] if all(isinstance(x, int) for x in raw) else list(raw)
    else:
        return None
    texts: list[str] = []
    for item in items:
        if isinstance(item, list):
            texts.append(" ".join(f"t{token}" for token in item))
        elif isinstance(item, str) and item:
            texts.append(item)
        else:
            return None
    return texts


def _error(
    status: int,
    message: str,
    error_type: str | None,
    code: str | None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"error": {"message": message, "type": error_type, "param": None, "code": code}}
    return web.json_response(body, status=status, headers=headers or {})


_BLOCK = re.compile(
    r"<<source-(?P<nonce>[0-9a-f]+) n=(?P<n>\d+)>>\n(?P<body>.*?)\n<</source-(?P=nonce)>>", re.S
)


def blocks(request: dict[str, Any]) -> dict[int, str]:
    """The source texts the server was sent, by number."""
    user = request["messages"][-1]["content"]
    return {int(m["n"]): m["body"].split("text:\n", 1)[1] for m in _BLOCK.finditer(user)}


def faithful(request: dict[str, Any]) -> str:
    """A well-behaved model: the first sentence of source 1, cited."""
    first = re.split(r"(?<=\.)\s", blocks(request)[1].strip())[0]
    return f"{first.rstrip('.')} [1]."
