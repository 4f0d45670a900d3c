"""Reads of the api app: tokens, and what a token may see."""

from api.models import ApiToken, Scope
from api.selectors.acting import acting_person, request_token, token_trial
from api.selectors.tokens import service_tokens_for, token_for_secret, tokens_of
from api.selectors.trials import trials_for_token

__all__ = ["ApiToken", "Scope", "service_tokens_for", "token_for_secret", "tokens_of"]
__all__ += ["trials_for_token"]
__all__ += ["acting_person", "request_token", "token_trial"]
