"""Web Push to the PWA: VAPID keys, RFC 8291 encryption, sending and fan-out."""

from channels.webpush.channel import SubscriptionLookup, WebPushChannel, WebPushConfig
from channels.webpush.crypto import encrypt, encrypt_batch
from channels.webpush.fanout import (
    Encryptor,
    InlineEncryptor,
    ProcessPoolEncryptor,
    send_many,
)
from channels.webpush.keys import VapidKeys
from channels.webpush.notice import PLAINTEXT_BUDGET, PushNotice, encode_notice
from channels.webpush.sender import PushOptions, WebPushSender
from channels.webpush.subscription import (
    KNOWN_PUSH_HOSTS,
    PushSubscription,
    SubscriptionKeys,
    parse_subscription,
)
from channels.webpush.vapid import VapidSigner

__all__ = [
    "KNOWN_PUSH_HOSTS",
    "PLAINTEXT_BUDGET",
    "Encryptor",
    "InlineEncryptor",
    "ProcessPoolEncryptor",
    "PushNotice",
    "PushOptions",
    "PushSubscription",
    "SubscriptionKeys",
    "SubscriptionLookup",
    "VapidKeys",
    "VapidSigner",
    "WebPushChannel",
    "WebPushConfig",
    "WebPushSender",
    "encode_notice",
    "encrypt",
    "encrypt_batch",
    "parse_subscription",
    "send_many",
]
