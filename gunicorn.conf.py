"""gunicorn's settings, read from the working directory by every `gunicorn` command here.

The access log keeps the path without its query string (%(U)s, not %(r)s): a case search's
query holds what an officer typed, a name or a PNC ID, and logs are kept longer than pages.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
