"""The recurring families, in the order the loader plans them: failures that share one
underlying cause and keep coming back."""

from __future__ import annotations

from failwell.demo.content.family_cache_stampede import CACHE_STAMPEDE
from failwell.demo.content.family_checkout_pool import CHECKOUT_POOL
from failwell.demo.content.family_flag_typo import FLAG_TYPO
from failwell.demo.content.family_month_end_export import MONTH_END_EXPORT
from failwell.demo.content.family_sms_provider import SMS_PROVIDER
from failwell.demo.content.family_tls_expiry import TLS_EXPIRY
from failwell.demo.content.shapes import Family

RECURRING: tuple[Family, ...] = (
    CHECKOUT_POOL,
    TLS_EXPIRY,
    CACHE_STAMPEDE,
    FLAG_TYPO,
    SMS_PROVIDER,
    MONTH_END_EXPORT,
)
