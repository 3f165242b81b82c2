"""The fake UCXI node: BZZZ's HTTP interface for UCXL content, served from a test's world.

- ``http``: the plain request and response the parts exchange (the contract
  between the application and the server);
- ``rules``: every rule of the API that is chosen rather than known (routes,
  methods, parameter names, messages, limits), in one configurable table;
- ``app``: ``UCXIApp``, the application over a world's connector: callable as
  ASGI and as WSGI, and by the server directly;
- ``server``: ``UCXIServer``, a small HTTP/1.1 server on 127.0.0.1 (standard
  library only) that serves an application.

It may import the kernel, the UCXL library and the interfaces; never another
backend (it serves whatever connector the test's backend built), the
settings or the plugin.
"""
