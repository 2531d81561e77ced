"""gunicorn's threaded worker, spreading kept-alive connections over the workers.

Every worker waits on the one listening socket, and the kernel wakes them all for a new connection: the
worker that happens to run first accepts it. Under steady load that is nearly always the same worker (7
of 8 kept-alive clients were measured on one of two), and since each worker's interpreter lock holds it
to one core, the web tier then uses one core however many it has. A worker that already holds a
connection per thread waits a moment before it accepts, so that a sibling with a free thread takes the
connection first; when every worker is that busy, the connection is still accepted, only that much later.
"""

import time

from gunicorn.workers.gthread import ThreadWorker

# Long enough for a woken sibling to win its interpreter lock back from its own request threads (the
# switch interval is 5 ms) and accept; paid once per new connection, only when every worker is busy.
YIELD_SECONDS = 0.02


class SpreadThreadWorker(ThreadWorker):
    def accept(self, listener):
        if self.nr_conns >= self.cfg.threads:
            time.sleep(YIELD_SECONDS)
        super().accept(listener)
