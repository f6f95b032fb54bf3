"""moto's server, one request at a time, with transactions that roll back only what they touched.

moto applies a TransactWriteItems step by step and rolls a failed one back by restoring a copy of
the whole table, so two requests served at once can interleave or undo each other's writes.
DynamoDB applies each request atomically; serving one request at a time gives the tests the same
guarantee. Connections are still accepted concurrently (keep-alive works); only the handling is
serialized.

    python moto_atomic.py HOST PORT
"""

import copy
import logging
import os
import sys
import threading

import moto.cognitoidp.models as cognito_models
import moto.dynamodb.models as dynamodb_models
import moto.kms.models as kms_models
from joserfc import jwk as joserfc_jwk
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.utilities.utils import load_resource
from werkzeug.serving import run_simple


class _TablesAsTheyAre:
    """`copy` as moto's DynamoDB backend sees it. Its TransactWriteItems deep-copies every table
    it names, to roll a failed one back: with a few thousand items (a benchmark's 51 rounds of
    every function), seconds a transaction. Tables are handed back as they are instead;
    `transact_write_items` below keeps and restores only the items a transaction touches."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, dynamodb_models.Table) else copy.deepcopy(value, memo)


dynamodb_models.copy = _TablesAsTheyAre()
_moto_transact_write_items = dynamodb_models.DynamoDBBackend.transact_write_items


def transact_write_items(self, transact_items):
    kept = []
    for item in transact_items:
        op = next(iter(item.values()))
        table = self.tables.get(op.get("TableName"))
        if table is None:
            continue
        key = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in key:
            continue
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
        kept.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    try:
        return _moto_transact_write_items(self, transact_items)
    except Exception:
        for table, hash_value, range_value, original in reversed(kept):
            partition = table.items[hash_value] if range_value is not None else table.items
            slot = range_value if range_value is not None else hash_value
            if original is None:
                partition.pop(slot, None)
            else:
                partition[slot] = original
        raise


dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items

# Work moto repeats that no test looks at, about a fifth of its time in `make test` (py-spy): moto
# is the Rust tests' bottleneck, one core serving one request at a time.
# - Every user pool imports the same built-in RSA key, from the same file: imported once.
_pool_key = cognito_models.jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


class _JwkWithOnePoolKey:
    def __getattr__(self, name):
        return getattr(joserfc_jwk, name)

    class RSAKey:
        @staticmethod
        def import_key(value, *args, **kwargs):
            return _pool_key


cognito_models.jwk = _JwkWithOnePoolKey()

# - Every symmetric and HMAC key gets an RSA-2048 private key it never uses: one, made once.
_unused_private_key = kms_models.generate_private_key("SYMMETRIC_DEFAULT")
_generate_private_key = kms_models.generate_private_key


def generate_private_key(key_spec):
    if key_spec.startswith(("RSA_", "ECC_")):
        return _generate_private_key(key_spec)
    return _unused_private_key


kms_models.generate_private_key = generate_private_key

# - A log line for every request: the tests read moto's log only when it fails to start.
logging.getLogger("werkzeug").setLevel(logging.WARNING)

moto = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def app(environ, start_response):
    with one_at_a_time:
        # The body is produced inside the lock too: moto may build it lazily.
        return list(moto(environ, start_response))


if __name__ == "__main__":
    os.environ.setdefault("MOTO_PORT", sys.argv[2])  # as moto_server does: some responses name it
    run_simple(sys.argv[1], int(sys.argv[2]), app, threaded=True, request_handler=MotoRequestHandler)
