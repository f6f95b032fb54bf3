"""moto's server, one request at a time.

moto applies a TransactWriteItems step by step and rolls a failed one back by restoring a copy of
the whole table, so two requests served at once can interleave or undo each other's writes.
DynamoDB applies each request atomically; serving one request at a time gives the tests the same
guarantee. Connections are still accepted concurrently (keep-alive works); only the handling is
serialized.

    python moto_atomic.py HOST PORT
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

moto = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def app(environ, start_response):
    with one_at_a_time:
        # The body is produced inside the lock too: moto may build it lazily.
        return list(moto(environ, start_response))


if __name__ == "__main__":
    os.environ.setdefault("MOTO_PORT", sys.argv[2])  # as moto_server does: some responses name it
    run_simple(sys.argv[1], int(sys.argv[2]), app, threaded=True, request_handler=MotoRequestHandler)
