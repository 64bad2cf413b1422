"""Task arguments Prefect hands over without walking them.

Before a task runs, Prefect visits every element of every argument twice: once to find upstream
futures and states to wait for, once to record them as the task run's inputs. For the decide
step's 50,000 parsed reports that took about 6 s of a 15 s first cycle on the bench farm
(pyinstrument: ``SyncTaskRunEngine.start`` -> ``visit_collection``). Our tasks never receive
futures, so there is nothing to find: ``quote`` tells Prefect not to look, and the task receives
the value itself.
"""

from __future__ import annotations

from typing import TypeVar, cast

from prefect.utilities.annotations import quote

T = TypeVar("T")


def unwalked(value: T) -> T:
    """``value``, marked for Prefect not to introspect (typed as the value it unwraps to)."""
    return cast(T, quote(value))
