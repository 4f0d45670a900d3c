"""Sign-in security: second factor, lockout, session limits and the headers every page carries."""
