"""The simulation kernel: what every backend runs on, knowing no DHT and no BZZZ.

Modules: ``world`` (the ``World``: seed, clock, conditions, peers, the call
record, the backends' state slots and the operation pipeline), ``clock`` and
``loop`` (virtual time, and the asyncio event loop that follows it without
outrunning real work), ``trio_clock`` (the same for trio: ``TrioClock``, the
only module that imports trio), ``asynclib`` (which async library runs the
caller),
``conditions`` (latency, jitter, failures, timeouts), ``operations`` (the
registry backends declare their operations in), ``record`` (calls and
counters), ``peers``, ``seeds``, ``units`` (durations and rates written by
hand) and ``errors`` (``NetworkError``, ``NetworkTimeout``).

It may import the UCXL library (for the error base class) and nothing else of
the package. Backends reach the pipeline through ``world.runners`` and keep
their state in ``World.state``; the only mention of a backend is in two
annotations (``World.storage``, ``World.content``), see ``world``.
"""
