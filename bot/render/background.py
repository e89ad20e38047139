"""Heavy rendering (charts, the PDF, a workbook's archive) off the event loop.

Drawing a chart or building a PDF takes from a tenth of a second to seconds of CPU. Run on
the event loop, it would hold up every other person's button press for that long; run in
a thread, the loop goes on between the thread's slices of time. One thread does all such
work, one piece after the other: matplotlib and reportlab keep caches that are not meant
for several threads at once, and two exports at the same time would only share the CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` run in the render thread; the loop goes on meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDERER, lambda: work(*args, **kwargs))
