"""Parley's shell: the one writer (hub), the SQLite store, Socket.IO handlers, the HTTP API and
pages, the instructor's console and the research exports. It translates, calls the core,
persists and sends."""
