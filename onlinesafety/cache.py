"""The site's shared cache: Django's database cache, with an ``incr`` fit to count with.

Django's ``DatabaseCache`` inherits the generic ``incr``: a ``get`` then a ``set``. Two requests counting at the same
moment both read 5 and both write 6, so a rate limit would miss attempts; and the ``set`` gives the key the cache's
default expiry (5 minutes), so a counter meant to last an hour would vanish after five quiet minutes. Here ``incr``
reads the row locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's transactions are taken up front, so one
writer at a time) and writes the new value back in the same transaction, leaving its expiry as it was.
"""

import base64
import pickle
from typing import Any

from django.core.cache.backends import db
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(db.DatabaseCache):
    _table: str  # set by Django's __init__; not in its type stubs

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, cache_key, value, expires = (quote(name) for name in (self._table, "cache_key", "value", "expires"))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = tz_now().replace(microsecond=0, tzinfo=None)  # as Django's own has_key compares expiry times
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(f"SELECT {value} FROM {table} WHERE {cache_key} = %s AND {expires} > %s{lock}",
                           [key, connection.ops.adapt_datetimefield_value(now)])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            new_value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta
            pickled = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value} = %s WHERE {cache_key} = %s", [pickled, key])
        return new_value
