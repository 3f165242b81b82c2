"""The simulation kernel: what every backend runs on, knowing no DHT and no BZZZ.

Modules:

- the world: ``world`` (the ``World``: seed, clock, conditions, peers, the
  call record, the backends' state slots), ``core`` (its machinery, which
  its other parts and the backends reach with ``core(world)``), ``slots`` (those slots, the
  world's views, the running test's world), ``seeds``, ``defaults`` (the
  network's default parameters), ``errors`` (``NetworkError``,
  ``NetworkTimeout``, ``NoLeaderError``);
- operations: ``operations`` (the registry backends declare their
  operations in), ``pipeline`` (running one, in its fixed order), ``draws``
  (its latency and failure), ``timeouts`` and ``failures`` (what a timed-out
  or failed one records and raises), ``record`` (calls and counters),
  ``conditions`` (latency, jitter, failures, timeouts), ``units`` (durations
  and rates written by hand);
- time: ``clock`` and ``loop`` (virtual time, and the asyncio event loop
  that follows it without outrunning real work), ``trio_clock`` (the same
  for trio: ``TrioClock``), ``asynclib`` (which async library runs the
  caller), ``timeline`` and ``schedule`` (what is due at a world time, and
  faults at set times);
- peers: ``peers``, ``cluster`` (finding peers, and the faults among them),
  ``topology`` (who reaches whom);
- elections: ``elections`` (what tests call), ``leadership`` (the state
  machine), ``planning`` (when the next election comes and who wins it),
  ``candidates`` (a peer's score), ``terms`` (the record of terms),
  ``reach`` (who reaches a majority, counted), ``jobs`` (the leader's
  replicated job table).

trio is imported by ``trio_clock``, and by ``clock`` only when an async
operation runs under trio. The kernel may import the UCXL library (for the
error base class) and nothing else of the package. Backends reach the
pipeline through ``runners(world)``, the rest of the world's machinery
through ``core(world)``, and
a clock's moving parts through ``control(clock)``: no module touches
another's underscore names. They keep their state in
``World.state``; the only mention of a backend is in the annotations of the
world's views (``World.storage``, ``World.content``), see ``world``.
"""
