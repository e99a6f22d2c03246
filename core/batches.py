"""Rows of one model written one at a time, or collected inside a block and written together.

A write of many steps (a walk-in) records an audit entry and a timeline entry at several of
them; inside `block()` each `write` only collects its row and the block's end writes them all
in one INSERT, in order, still inside the caller's transaction. Nothing is written if the
block raises; the rows have no id until the end."""

import contextlib
import contextvars


class Batched:
    def __init__(self, model):
        self.model = model
        # The rows of the current block (None outside one), per thread and task.
        self._rows: contextvars.ContextVar[list | None] = contextvars.ContextVar(
            f"batched_{model._meta.label_lower}", default=None)

    @contextlib.contextmanager
    def block(self):
        rows = []
        token = self._rows.set(rows)
        try:
            yield
        finally:
            self._rows.reset(token)
        self.model.objects.bulk_create(rows)

    def write(self, row):
        rows = self._rows.get()
        if rows is None:
            row.save(force_insert=True)
        else:
            rows.append(row)
        return row
