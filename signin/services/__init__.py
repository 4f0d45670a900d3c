"""Sign-in's writes: the second factor, sign-in events, lockout and the reset throttle."""

from signin.services.events import (
    address_unlock,
    password_reset_request,
    sign_in_event,
    sign_in_failed,
    sign_in_unlock,
)
from signin.services.second_factor import (
    Verified,
    authenticator_confirm,
    authenticator_start,
    code_now,
    confirmed_authenticator,
    recovery_code_use,
    recovery_codes_renew,
    second_factor_reset,
    second_factor_verify,
)
from signin.services.sessions import session_confirmed, session_started, session_verified

__all__ = [
    "Verified",
    "address_unlock",
    "authenticator_confirm",
    "authenticator_start",
    "code_now",
    "confirmed_authenticator",
    "password_reset_request",
    "recovery_code_use",
    "recovery_codes_renew",
    "second_factor_reset",
    "second_factor_verify",
    "session_confirmed",
    "session_started",
    "session_verified",
    "sign_in_event",
    "sign_in_failed",
    "sign_in_unlock",
]
