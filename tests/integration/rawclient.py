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

    def read_line_bytes(self):
        """One line as bytes, CRLF included."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending %r" % self.buf)
            self.buf += chunk
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def readline(self):
        return self.read_line_bytes()[:-2].decode("utf-8", "replace")

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


    def command_bytes(self, cmd):
        """Send a command; return (every untagged byte, literals included,
        exactly as sent; the tagged line without tag and CRLF)."""
        self.n += 1
        tag = b"t%d " % self.n
        self.send(tag + cmd.encode() + b"\r\n")
        untagged = b""
        while True:
            line = self.read_line_bytes()
            if line.startswith(tag):
                return untagged, line[len(tag):-2].decode()
            untagged += line
            # a literal: its bytes, then the rest of the same line
            while True:
                m = re.search(rb"\{(\d+)\}\r\n$", line)
                if not m:
                    break
                untagged += self.read_bytes(int(m.group(1)))
                line = self.read_line_bytes()
                untagged += line


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


LOGGED_IN_RE = re.compile(r"^OK \[CAPABILITY IMAP4rev1 [^\]]*\] Logged in$")


# Our tagged completions (what `tagged` holds after Imap.command*()).
_OK_REPLIES = {
    "SELECT": "OK [READ-WRITE] Select completed.",
    "EXAMINE": "OK [READ-ONLY] Examine completed.",
    "NOOP": "OK NOOP completed.", "FETCH": "OK Fetch completed.",
    "STORE": "OK Store completed.", "EXPUNGE": "OK Expunge completed.",
    "CLOSE": "OK Close completed.", "CHECK": "OK Check completed.",
    "LOGOUT": "OK Logout completed.",
}


def ok_reply(cmd):
    """The exact tagged OK line our server sends for cmd ("UID X" as X)."""
    words = cmd.split()
    verb = words[1] if words[0].upper() == "UID" else words[0]
    return _OK_REPLIES[verb.upper()]


def login_select(server, exists, user="demo"):
    """A raw IMAP connection logged in as user with INBOX selected; asserts
    the exact tagged replies and the EXISTS count."""
    c = Imap(server.imap_port, timeout=15)
    _, tagged = c.command_bytes("LOGIN %s %s" % (user, server.users[user]))
    assert LOGGED_IN_RE.match(tagged), tagged
    untagged, tagged = c.command_bytes("SELECT INBOX")
    assert tagged == ok_reply("SELECT"), tagged
    assert b"\r\n* %d EXISTS\r\n" % exists in b"\r\n" + untagged, untagged
    return c
