"""Gunicorn settings for Hearth (`gunicorn --config deploy/gunicorn.conf.py wsgi:app`).

Why these numbers: a Hearth request spends most of its time waiting on the database, so each of
(2 × cores + 1) processes runs a few threads (gthread); more processes than that only add memory.
Override with WEB_CONCURRENCY (processes) and WEB_THREADS. The access log masks URL tokens
(reminder, reset, invitation and confirmation links) and ends with the request id.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 4)
timeout = int(os.environ.get("WEB_TIMEOUT") or 30)
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle processes now and then (memory); jitter spreads the restarts
max_requests_jitter = 500
logger_class = "hearth.logs.GunicornLogger"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
