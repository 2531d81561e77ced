"""Run calls at the same instant in threads, each with its own database connection (race tests)."""

import threading

from django.db import connection


def run_at_once(calls) -> tuple[list, list]:
    """Start every zero-argument call together (a barrier), wait for all; returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - the caller asserts there were none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
