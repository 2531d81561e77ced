"""gunicorn's settings for Cosmo's web tier (read from the working directory: `gunicorn cosmo.wsgi`).

Threaded workers keep HTTP connections alive between requests (a sync worker closes every connection, so
each request pays a new TCP handshake and a new accept), and each thread keeps its own database connection
open (`CONN_MAX_AGE`). Every figure can be overridden by the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, spreading kept-alive connections over the workers (cosmo/web_worker.py).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "cosmo.web_worker.SpreadThreadWorker")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
# A request that holds a worker longer than this is killed and logged (orders are refused long before).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
# Load the application once in the master so workers fork warm (imports, URL resolvers).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")


def post_fork(server, worker):
    """Leave the preloaded application out of the collector's full passes.

    With preload, every module, URL resolver and cached catalog was built in the master; a worker's full
    collection would walk all of those objects again each time, a pause of its every thread that shows in
    the slowest requests. Frozen, they are never collected (they live as long as the worker anyway).
    """
    import gc

    gc.freeze()
