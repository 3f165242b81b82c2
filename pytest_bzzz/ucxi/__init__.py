"""The fake UCXI node: BZZZ's HTTP interface for UCXL content, over a simulated world.

Serve a world's connector over real HTTP, for code that talks to a BZZZ node
through UCXI rather than through a Python connector::

    world = pytest_bzzz.World(seed=1)
    app = UCXIApp(pytest_bzzz.MockBZZZ(world), world)
    with UCXIServer(app) as server:
        requests.get(f"{server.url}/ucxi/v1/status")

- :class:`UCXIApp`: the application (also WSGI and ASGI, for in-process
  clients), and :class:`ReceivedRequest`, what it records of each request;
- :class:`UCXIRules`: every rule of the API that is chosen rather than known,
  and :class:`Route`, where an endpoint is served;
- :class:`UCXIServer`: an HTTP/1.1 server for it, on 127.0.0.1 by default;
- :class:`Request` and :class:`Response`: what a server hands the application
  (``app.handle(request)``) and gets back, for a server of your own.

The same names but the last two are in ``pytest_bzzz``. For clients in
other languages, ``python -m pytest_bzzz.ucxi --help`` runs a standalone node.
"""

from __future__ import annotations

from .._backends.ucxi.app import ReceivedRequest, UCXIApp
from .._backends.ucxi.http import Request, Response
from .._backends.ucxi.rules import Route, UCXIRules
from .._backends.ucxi.server import UCXIServer

__all__ = ["ReceivedRequest", "Request", "Response", "Route", "UCXIApp", "UCXIRules", "UCXIServer"]
