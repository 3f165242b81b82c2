"""The fake UCXI node: BZZZ's HTTP interface for UCXL content, served from a test's world.

- ``http``: the plain request and response the parts exchange (the contract
  between the application and the server);
- ``rules``: every rule of the API that is chosen rather than known (routes,
  methods, parameter names, messages, limits), in one configurable table;
- ``app``: ``UCXIApp``, the application over a world's connector: callable as
  ASGI and as WSGI, and by the server directly; it resolves each request
  to an endpoint (``endpoints``, those that reach the network; ``local``,
  status and health), runs its operations through ``driving``, and answers
  with ``responses`` in the envelopes of ``envelopes``; ``adapters`` are its
  ASGI and WSGI faces;
- ``server``: ``UCXIServer``, a small HTTP/1.1 server on 127.0.0.1 (standard
  library only) that serves an application: ``server_arguments`` checks what
  it is given, ``server_threads`` runs its accepting and connection threads,
  ``server_connection`` one connection's conversation, ``server_wire``
  HTTP/1.1 as bytes.

It may import the kernel, the UCXL library and the interfaces; never another
backend (it serves whatever connector the test's backend built), the
settings or the plugin.
"""
