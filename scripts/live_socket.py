"""A minimal client for grove serve's live-reload WebSocket (/__grove/live), for the
measurement scripts in this folder. Standard library only: the handshake, then text
frames from the server read one by one (the server never masks, never fragments).
"""

import base64
import json
import os
import socket
import struct


class LiveSocket:
    """One tab's live-reload connection; `messages()` yields (event, dict) pairs."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                "GET /__grove/live HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        if b" 101 " not in status:
            raise RuntimeError(f"live reload refused: {status!r}")
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass

    def _exact(self, n):
        data = self.file.read(n)
        if data is None or len(data) < n:
            raise EOFError("the live-reload connection closed")
        return data

    def messages(self):
        """Yields (event name, message) for each text message until the connection ends."""
        while True:
            try:
                first, second = self._exact(2)
            except (EOFError, OSError, ValueError):
                return
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._exact(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._exact(8))
            try:
                payload = self._exact(length)
            except (EOFError, OSError, ValueError):
                return
            if opcode == 0x8:  # close
                return
            if opcode == 0x1:
                message = json.loads(payload.decode("utf-8"))
                yield message.get("event"), message

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
