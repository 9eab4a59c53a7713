"""Line-level IMAP and POP3 clients for asserting exact server responses.
ssl_context: implicit TLS from the start; starttls() upgrades in place;
host/source pick the server address and the local address to connect from."""
import re, socket


class LineClient:
    def __init__(self, port, timeout=10, ssl_context=None, server_hostname="localhost",
                 host="127.0.0.1", source=None):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""
        if ssl_context is not None:
            self.sock = ssl_context.wrap_socket(self.sock, server_hostname=server_hostname)

    def starttls(self, ssl_context, server_hostname="localhost"):
        """TLS handshake on the connection after the server's go-ahead. Bytes
        the server sent after that reply (in plaintext) are an error."""
        assert self.buf == b"", "server sent data after the STARTTLS reply: %r" % self.buf
        self.sock = ssl_context.wrap_socket(self.sock, server_hostname=server_hostname)

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def read_bytes(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def is_closed(self, timeout=5):
        """True if the server closes the connection (after any pending data)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        except OSError as e:     # ssl.SSLError: a TLS alert or EOF in a record
            if e.__class__.__module__ == "ssl":
                return True
            raise

    def close(self):
        self.sock.close()


class Imap(LineClient):
    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.greeting = self.readline()
        self.n = 0

    def command(self, cmd):
        """Send a command; return (untagged lines, tagged line). Literals in
        untagged responses are returned inline as bytes objects."""
        self.n += 1
        tag = "t%d" % self.n
        self.send(f"{tag} {cmd}\r\n")
        return self.read_response(tag)

    def read_response(self, tag):
        untagged = []
        while True:
            line = self.readline()
            m = re.search(r"\{(\d+)\}$", line)
            if m:
                parts = [line, self.read_bytes(int(m.group(1)))]
                rest = self.readline()
                parts.append(rest)
                untagged.append(parts)
                continue
            if line.startswith(tag + " "):
                return untagged, line[len(tag) + 1:]
            untagged.append(line)


class Pop3(LineClient):
    def __init__(self, port, **kw):
        super().__init__(port, **kw)
        self.greeting = self.readline()

    def command(self, cmd):
        self.send(cmd + "\r\n")
        return self.readline()

    def multiline(self, cmd):
        first = self.command(cmd)
        if not first.startswith("+OK"):
            return first, None
        lines = []
        while True:
            line = self.readline()
            if line == ".":
                return first, lines
            lines.append(line)
