"""Gunicorn settings for one Cocreate instance: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Flask-SocketIO runs in threading mode (simple-websocket), which under gunicorn needs the
``gthread`` worker and exactly ONE worker process per instance: Socket.IO keeps each
connection's state in the process that accepted it, and gunicorn cannot route a client back
to the same worker. Scale out with more instances (more ports or hosts) behind nginx, sharing
Redis (``SOCKETIO_MESSAGE_QUEUE``), not with more workers. Every open WebSocket holds one
thread for as long as it is open, so ``threads`` must cover the open live pages plus the
ordinary requests.

The instance listens on loopback by default: only nginx on the same host should reach it.
An instance reachable directly would let anyone send their own ``X-Forwarded-For`` and choose
the address rate limits count (``TRUSTED_PROXIES``). Bind elsewhere only on a private network
that just the proxies reach.

Overridable from the environment (the systemd unit and ``make cluster`` set them):
``GUNICORN_BIND`` (default ``127.0.0.1:8000``), ``GUNICORN_THREADS`` (500),
``GUNICORN_ACCESS_LOG`` (``-``: stderr; empty: none).
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
worker_class = "gthread"
workers = 1
threads = int(os.environ.get("GUNICORN_THREADS", "500"))

# The application reads the client's address and scheme from X-Forwarded-* through
# TRUSTED_PROXIES (Werkzeug's ProxyFix), one mechanism for every server: gunicorn's own
# reading of those headers is turned off.
forwarded_allow_ips = ""

# Several instances on one host must not share gunicorn's control socket (in $HOME).
control_socket_disable = True

# A restart (systemctl restart, SIGTERM) lets requests finish, then closes open sockets;
# clients reconnect through nginx to another instance meanwhile.
graceful_timeout = 10
# Idle keep-alive connections from nginx are kept this long (nginx reuses them).
keepalive = 75

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The app logs each request with its id (community/logs.py); the access log adds the status
# and the time taken.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
