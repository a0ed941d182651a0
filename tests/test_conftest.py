"""The offline guard itself: a test that reaches the internet must fail."""

from __future__ import annotations

import socket

import pytest


def test_connection_to_public_address_is_refused() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(RuntimeError, match="network access blocked"),
    ):
        sock.connect(("93.184.216.34", 80))


def test_name_lookup_of_public_host_is_refused() -> None:
    with pytest.raises(RuntimeError, match="blocked"):
        socket.getaddrinfo("example.org", 443)


def test_loopback_connection_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
