"""Structured logs: one JSON object a line, the request id on every line, contact details masked.

The request id lives in a context variable set by the request middleware, so every line logged
while a request is handled (by any module) carries it. Phones, e-mail addresses and ID numbers
are masked with the classifier's own patterns before a line leaves the process.
"""

from __future__ import annotations

import logging
import logging.config
import time
from contextvars import ContextVar
from typing import Any, Literal

import msgspec
from litestar.logging.config import LoggingConfig

from classifiers.masking import Placeholders, mask_contacts

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
LOG_PLACEHOLDERS = Placeholders("[email]", None, "[id-number]", "[phone]")
LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_encoder = msgspec.json.Encoder()


def redact(text: str) -> str:
    """The text with phones, e-mail addresses and ID numbers masked."""
    return mask_contacts(text, LOG_PLACEHOLDERS)


class RequestIdFilter(logging.Filter):
    """Copies the current request id onto the record (in the thread that logged it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exc"] = redact(record.exc_text)
        return _encoder.encode(line).decode()


class RedactingTextFormatter(logging.Formatter):
    """The plain-text alternative (TIENGDAN_LOG_FORMAT=text), masked the same way."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = None
        return redact(super().format(record))


QUIET_LOGGERS = {
    "saq": {"level": "WARNING"},
    "httpx": {"level": "WARNING"},
    "mail.log": {"level": "WARNING"},  # aiosmtpd logs every SMTP command at INFO
}


def formatters(log_format: LogFormat) -> dict[str, dict[str, Any]]:
    if log_format == "json":
        return {"tiengdan": {"()": JsonFormatter}}
    return {"tiengdan": {"()": RedactingTextFormatter, "format": TEXT_FORMAT}}


FILTERS = {"request_id": {"()": RequestIdFilter}}


def configure_process_logging(log_format: LogFormat, level: str) -> None:
    """Logging for processes without Litestar (the worker): the same lines on stderr."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": formatters(log_format),
            "filters": FILTERS,
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "formatter": "tiengdan",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": level, "handlers": ["stderr"]},
            "loggers": QUIET_LOGGERS,
        }
    )


def app_logging_config(log_format: LogFormat, level: str) -> LoggingConfig:
    """Litestar's logging: its queue handler (no blocking writes on the event loop) formats
    each line in the thread that logged it, so the filter sees that request's id."""
    return LoggingConfig(
        root={"level": level, "handlers": ["queue_listener"]},
        formatters=formatters(log_format),
        filters=FILTERS,
        handlers={
            "queue_listener": {
                "class": "litestar.logging.standard.QueueListenerHandler",
                "level": "DEBUG",
                "formatter": "tiengdan",
                "filters": ["request_id"],
            }
        },
        loggers=QUIET_LOGGERS,
    )
