"""The pytest plugin (entry point ``bzzz``)."""
