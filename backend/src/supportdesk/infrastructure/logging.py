"""structlog: JSON lines in production, readable lines in development.

Every line, ours and the libraries' (uvicorn, SQLAlchemy, httpx through the standard
``logging`` module), goes through one formatter, so two rules hold for all of them:

- a traceback is the standard library's plain text: no local variables (a renderer that
  prints every frame's locals took 30-90 s and megabytes per error, with the request's
  password and token among them), rendered in a millisecond;
- secrets are masked by key (``password``, ``token``, ``authorization``, ``cookie`` ...,
  in nested dicts and header lists too) and by shape in any text (the password of a URL,
  a bearer token, a JWT, ``password=...``), after the traceback is rendered, so an
  exception's message is masked as well.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from supportdesk.infrastructure.json_text import json_text

MASK = "***"

# Compared after lower-casing and turning "-" into "_", so "Set-Cookie" is "set_cookie".
_SECRET_KEYS = frozenset(
    {
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "credentials",
        "dsn",
    }
)
# A key ending in one of these names a secret: "new_password", "refresh_token",
# "jwt_secret", "payment_gateway_api_key". ("token_id" is an id, not a token.)
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "passphrase",
    "token",
    "secret",
    "api_key",
    "apikey",
    "private_key",
    "secret_key",
)

# Every pattern below that starts with a run of name characters starts only where such a run
# starts (the look-behind): tried at every position inside a long run, each try would scan
# to the run's end, and a client's 8 KB path would cost seconds of CPU (quadratic).
# scheme://user:password@host -> scheme://user:***@host (database and Redis URLs).
_URL_PASSWORD = re.compile(
    r"(?P<head>(?<![a-zA-Z0-9+.\-])[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+(?=@)"
)
_BEARER = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
# password=hunter2, "password": "hunter2", 'api_key': 'x' inside a message or a repr.
_KEY_VALUE = re.compile(
    r"""(?ix)
    (?P<key>(?<![a-z0-9_\-])["']?[a-z0-9_\-]*(?:password|passwd|token|secret|api_key|apikey|authorization|cookie)["']?
       \s*[:=]\s*)
    (?P<quote>["']?)
    (?P<value>(?:bearer\s+)?[^"'\s,;&})\]]+)
    """
)
# Every shape above holds one of these words in some case, so an ASCII text without any is
# left as it is after a few substring tests. Most log text has none (the access line's
# method, path and request id), and the subs above cost far more (~0.2 ms for a 60-character
# path before the look-behinds, measured).
# Other text goes through the subs: their case-blind matching also takes a few non-ASCII
# letters (the long s, the Kelvin sign) for ASCII ones, which lower() does not.
_SECRET_WORDS = (
    "://",
    "bearer",
    "basic",
    "eyj",
    "password",
    "passwd",
    "token",
    "secret",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
)
# One scan for any of them (a dozen ``in`` tests cost twice as much).
_ANY_SECRET_WORD = re.compile("|".join(re.escape(word) for word in _SECRET_WORDS))
_MAX_DEPTH = 8
# Values that hold no text: nothing to mask, and no ``Mapping`` check (an ABC's) to pay.
_PLAIN = (int, float, bool, type(None))


def is_secret_key(key: object) -> bool:
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if not isinstance(key, str):
        return False
    return _is_secret_name(key)


@functools.lru_cache(maxsize=4096)
def _is_secret_name(key: str) -> bool:
    # Kept per key: a log line's keys are the code's own few (or a header's name), asked
    # about on every line.
    name = key.strip().lower().replace("-", "_")
    return name in _SECRET_KEYS or name.endswith(_SECRET_SUFFIXES)


def mask_text(text: str) -> str:
    """The text with every secret-shaped part masked; cheap when there is none."""
    if text.isascii() and _ANY_SECRET_WORD.search(text.lower()) is None:
        return text
    if "://" in text:
        text = _URL_PASSWORD.sub(rf"\g<head>{MASK}", text)
    text = _BEARER.sub(rf"\g<scheme> {MASK}", text)
    if "eyJ" in text:
        text = _JWT.sub(MASK, text)
    return _KEY_VALUE.sub(rf"\g<key>\g<quote>{MASK}", text)


def redact(value: Any, depth: int = 0) -> Any:
    """``value`` with secrets masked: by key in mappings and in (name, value) pairs such as
    ASGI header lists, by shape in text."""
    if isinstance(value, str):
        return mask_text(value)
    if type(value) in _PLAIN or depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {
            k: MASK if is_secret_key(k) and v is not None else redact(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if (
            len(value) == 2
            and isinstance(value[0], str | bytes)
            and is_secret_key(value[0])
            and value[1] is not None
        ):
            return (value[0], MASK) if isinstance(value, tuple) else [value[0], MASK]
        items = [redact(item, depth + 1) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    return value


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """A structlog processor: masks secrets in every value of the event, nested ones too.
    Runs after the traceback is rendered, so the exception's text is masked as well."""
    for key, value in list(event_dict.items()):
        if key.startswith("_"):  # structlog's own bookkeeping (_record, _from_structlog)
            continue
        if is_secret_key(key) and value is not None:
            event_dict[key] = MASK
        else:
            event_dict[key] = redact(value)
    return event_dict


class _OurHandler(logging.StreamHandler[TextIO]):
    """Marks the handler we install, so configuring again replaces it and nothing else."""


# What ``access_line`` needs from the last ``configure_logging``: the handler it installed
# and the processors of a line, in the order a line goes through them on the long way.
_access: tuple[_OurHandler, tuple[Processor, ...]] | None = None


def access_line(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """One line of ``logger`` at ``level``, as ``structlog.get_logger(name).info(event,
    **fields)`` writes it (the same fields, level, time stamp, context, masking and
    renderer, to the same stream) without structlog's bound logger, the standard library's
    record, its handler chain and ``ProcessorFormatter``: every request writes one, and
    that way cost a tenth of the CPU of a GET of a case. For lines with no exception."""
    if not logger.isEnabledFor(level):
        return
    if _access is None:  # logging not configured here: the long way
        structlog.get_logger(logger.name).log(level, event, **fields)
        return
    handler, processors = _access
    method = logging.getLevelName(level).lower()
    event_dict: Any = {**fields, "event": event}
    for processor in processors:
        event_dict = processor(logger, method, event_dict)
    line = event_dict + handler.terminator
    handler.acquire()
    try:
        handler.stream.write(line)
        handler.flush()
    finally:
        handler.release()


def configure_logging(
    level: str = "INFO", json: bool = False, stream: TextIO | None = None
) -> None:
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=json_text)
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            structlog.processors.StackInfoRenderer(),
            # Rendered here, in plain text, so no renderer can reach for frames' locals.
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            timestamper,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
    )
    handler = _OurHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    global _access
    _access = (
        handler,
        (
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            redact_secrets,
            renderer,
        ),
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        # uvicorn's own handlers would print its lines (and its tracebacks) unmasked.
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.setLevel(logging.NOTSET)  # the root's level, as for everything else
        server_logger.propagate = True
        server_logger.disabled = False
    logging.getLogger("uvicorn.access").disabled = True
