"""Line-level IMAP and POP3 clients for asserting exact server responses.
ssl_context: implicit TLS from the start; starttls() upgrades in place;
host/source pick the server address and the local address to connect from."""
import re, socket, time

import imap_grammar


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

    @classmethod
    def logged_in(cls, port, user="demo", password="demo", timeout=15):
        """Connected, greeting read, "l LOGIN" answered (whatever it says)."""
        c = cls(port, timeout=timeout)
        c.readline()
        c.send(b"l LOGIN %s %s\r\n" % (user.encode(), password.encode()))
        while not c.readline().startswith("l "):
            pass
        return c

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
    """Every response read (greeting, untagged, tagged, "+ ...") is first
    read whole (literals included) and checked by imap_grammar's strict
    parser, which raises ImapGrammarError on a violation; then it is
    handed out line by line as before. dovecot: the server is Debian's
    Dovecot 2.3, whose known deviations (imap_grammar.DOVECOT_DEVIATIONS)
    are accepted; None: detected from its "(Debian)" greeting. Quoted
    strings may carry UTF-8 once the server answered "* ENABLED" with
    UTF8=ACCEPT or IMAP4rev2. The parsed form of the last response read
    is in self.parsed."""

    def __init__(self, port, dovecot=None, **kw):
        super().__init__(port, **kw)
        self.dovecot, self.utf8, self.parsed = dovecot, False, None
        self._checked = 0           # bytes at the start of buf already parsed
        self._greeting = True
        self.greeting = self.readline()
        self.n = 0

    def _raw_response(self):
        """The bytes of one whole response: its line and any literals with
        the lines after them."""
        line = LineClient.read_line_bytes(self)
        raw = line
        while True:
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if not m:
                return raw
            raw += LineClient.read_bytes(self, int(m.group(1)))
            line = LineClient.read_line_bytes(self)
            raw += line

    def _check(self):
        """Reads the next whole response, parses it strictly and puts it
        back in buf for the line readers."""
        raw = self._raw_response()
        greeting, self._greeting = self._greeting, False
        if greeting and self.dovecot is None:
            self.dovecot = b"(Debian)" in raw
        self.parsed = imap_grammar.parse_response(
            raw, utf8=self.utf8, dovecot=bool(self.dovecot), greeting=greeting)
        if self.parsed[:2] == ("*", "ENABLED") and any(
                c.upper() in ("UTF8=ACCEPT", "UTF8=ONLY", "IMAP4REV2")
                for c in self.parsed[2]):
            self.utf8 = True
        self.buf = raw + self.buf
        self._checked = len(raw)

    def read_line_bytes(self):
        if self._checked == 0:
            self._check()
        line = LineClient.read_line_bytes(self)
        self._checked = max(0, self._checked - len(line))
        return line

    def read_bytes(self, n):
        data = LineClient.read_bytes(self, n)
        self._checked = max(0, self._checked - n)
        return data

    def _next_response(self):
        """One whole (checked) response: (its raw bytes, its lines as str
        without CRLF with each literal's bytes after the line announcing
        it)."""
        line = self.read_line_bytes()
        raw, parts = line, [line[:-2].decode("utf-8", "replace")]
        while True:
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if not m:
                return raw, parts
            lit = self.read_bytes(int(m.group(1)))
            line = self.read_line_bytes()
            raw += lit + line
            parts += [lit, line[:-2].decode("utf-8", "replace")]

    def command(self, cmd):
        """Send a command; return (untagged lines, tagged line). A response
        with literals is a list [line, literal bytes, rest of line, ...]."""
        self.n += 1
        tag = "t%d" % self.n
        self.send(f"{tag} {cmd}\r\n")
        return self.read_response(tag)

    def read_response(self, tag):
        untagged = []
        while True:
            _, parts = self._next_response()
            if len(parts) > 1:
                untagged.append(parts)
                continue
            line = parts[0]
            if line.startswith(tag + " "):
                return untagged, line[len(tag) + 1:]
            untagged.append(line)

    def command_parsed(self, cmd):
        """Send a command; return (the parsed untagged responses, the parsed
        tagged one), as imap_grammar.parse_response() returns them."""
        self.n += 1
        tag = "t%d" % self.n
        self.send(f"{tag} {cmd}\r\n")
        untagged = []
        while True:
            self._next_response()
            if self.parsed[0] == tag:
                return untagged, self.parsed
            untagged.append(self.parsed)

    def command_bytes(self, cmd):
        """Send a command; return (every untagged byte, literals included,
        exactly as sent; the tagged line without tag and CRLF)."""
        self.n += 1
        tag = b"t%d " % self.n
        self.send(tag + cmd.encode() + b"\r\n")
        untagged = b""
        while True:
            raw, _ = self._next_response()
            if raw.startswith(tag):
                return untagged, raw[len(tag):-2].decode()
            untagged += raw


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
    "CREATE": "OK Create completed.", "DELETE": "OK Delete completed.",
    "RENAME": "OK Rename completed.", "SUBSCRIBE": "OK Subscribe completed.",
    "UNSUBSCRIBE": "OK Unsubscribe completed.", "STATUS": "OK Status completed.",
    "LIST": "OK List completed.", "LSUB": "OK Lsub completed.",
}


def ok_reply(cmd):
    """The exact tagged OK line our server sends for cmd ("UID X" as X).
    CREATE: the reply without RFC 8474's MAILBOXID, i.e. Dovecot's, or ours
    for a "name<separator>" directory; check our CREATE of a mailbox with
    create_ok()."""
    words = cmd.split()
    verb = words[1] if words[0].upper() == "UID" else words[0]
    return _OK_REPLIES[verb.upper()]


def login(server, user="demo", timeout=30, **kw):
    """A raw IMAP connection to server's imap port, logged in as user
    (exact tagged reply asserted)."""
    c = Imap(server.imap_port, timeout=timeout, **kw)
    _, tagged = c.command("LOGIN %s %s" % (user, server.users[user]))
    assert LOGGED_IN_RE.match(tagged), tagged
    return c


def server_date(epoch):
    """epoch as our server renders an INTERNALDATE: local time,
    "%d-%b-%Y %H:%M:%S %z" with a space-padded day."""
    t = time.localtime(epoch)
    return "%2d-%s" % (t.tm_mday, time.strftime("%b-%Y %H:%M:%S %z", t))


_SELECT_UNTAGGED = (
    ("EXISTS", re.compile(r"^\* (\d+) EXISTS$")),
    ("RECENT", re.compile(r"^\* (\d+) RECENT$")),
    ("UIDVALIDITY", re.compile(r"^\* OK \[UIDVALIDITY (\d+)\] UIDs valid$")),
    ("UIDNEXT", re.compile(r"^\* OK \[UIDNEXT (\d+)\] Predicted next UID$")),
)


def select(c, box="INBOX", examine=False):
    """SELECT (or EXAMINE) box; asserts our exact tagged reply and that each
    of EXISTS, RECENT, UIDVALIDITY and UIDNEXT came exactly once; returns
    them as a dict of ints."""
    verb = "EXAMINE" if examine else "SELECT"
    untagged, tagged = c.command("%s %s" % (verb, box))
    assert tagged == ok_reply(verb), (untagged, tagged)
    out = {}
    for key, rx in _SELECT_UNTAGGED:
        found = [int(m.group(1)) for m in (rx.match(l) for l in untagged
                                           if isinstance(l, str)) if m]
        assert len(found) == 1, (key, untagged)
        out[key] = found[0]
    return out


_BODY_FETCH_RE = re.compile(r'^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\) '
                            r'INTERNALDATE "([^"]+)" BODY\[\] \{\d+\}$')


def fetch_bodies(c):
    """{uid: (flags string, internaldate, body bytes)} of every message in
    the selected (non-empty) mailbox, in sequence order; asserts the exact
    tagged reply and one response per message numbered 1, 2, ..."""
    untagged, tagged = c.command("FETCH 1:* (UID FLAGS INTERNALDATE BODY.PEEK[])")
    assert tagged == ok_reply("FETCH"), tagged
    out = {}
    for n, item in enumerate(untagged):
        assert isinstance(item, list), item
        head, body, rest = item
        m = _BODY_FETCH_RE.match(head)
        assert m and int(m.group(1)) == n + 1 and rest == ")", item
        assert int(m.group(2)) not in out, "duplicate UID: %r" % item
        out[int(m.group(2))] = (m.group(3), m.group(4), body)
    return out


def login_select(server, exists, user="demo"):
    """A raw IMAP connection logged in as user with INBOX selected; asserts
    the exact tagged replies and the EXISTS count."""
    c = login(server, user, timeout=15)
    got = select(c, "INBOX")
    assert got["EXISTS"] == exists, got
    return c


def pop3_uidls(port, user="demo", password="demo", ours=True):
    """The UIDL lines ("n uidl") for user over POP3 on port; with ours,
    every reply is checked against the exact line our server sends."""
    p = Pop3(port, timeout=30)
    replies = [p.command("USER " + user), p.command("PASS " + password)]
    first, lines = p.multiline("UIDL")
    replies += [first, p.command("QUIT")]
    if ours:
        assert replies == ["+OK", "+OK Logged in.", "+OK", "+OK Logging out."], replies
    else:
        assert all(r.startswith("+OK") for r in replies), replies
    p.close()
    return lines


# --- RFC 8474 OBJECTID: the parts of our replies Dovecot 2.3 lacks ----------

MAILBOXID = r"F[0-9a-f]{32}"
_CREATE_ID_RE = re.compile(r"^OK \[MAILBOXID \((%s)\)\] Create completed\.$"
                           % MAILBOXID)
_SELECT_ID_RE = re.compile(r"^\* OK \[MAILBOXID \((%s)\)\] Ok$" % MAILBOXID)
_STATUS_ID_RE = re.compile(r'^\* STATUS (\S+|"(?:[^"\\]|\\.)*") '
                           r'\(MAILBOXID \((%s)\)\)$' % MAILBOXID)


def mailbox_id(c, name):
    """name's MAILBOXID by STATUS (name as sent: an atom or quoted);
    asserts the exact reply (Dovecot's [CLIENTBUG] OK on a selected one)."""
    untagged, tagged = c.command("STATUS %s (MAILBOXID)" % name)
    assert tagged in (ok_reply("STATUS"), "OK [CLIENTBUG] Status on "
                      "selected mailbox completed."), (name, untagged, tagged)
    assert len(untagged) == 1, untagged
    m = _STATUS_ID_RE.match(untagged[0])
    assert m and m.group(1) == name, (name, untagged)
    return m.group(2)


def create_ok(c, name, tagged):
    """Asserts tagged is our exact OK to "CREATE name": with the new
    mailbox's [MAILBOXID (F<32 hex>)] (RFC 8474 4.1), equal to what STATUS
    then reports, or none for a "name." / "name/" directory. Returns the
    id (None for a directory)."""
    if name.rstrip('"').endswith((".", "/")):
        assert tagged == ok_reply("CREATE"), (name, tagged)
        return None
    m = _CREATE_ID_RE.match(tagged)
    assert m, (name, tagged)
    assert mailbox_id(c, name) == m.group(1), (name, tagged)
    return m.group(1)


def create(c, name):
    """CREATE name on our server: no untagged reply, create_ok()'s tagged
    one; returns the MAILBOXID."""
    untagged, tagged = c.command("CREATE " + name)
    assert untagged == [], (name, untagged, tagged)
    return create_ok(c, name, tagged)


def _command_name(cmd):
    """The mailbox argument of "VERB name [params]", as sent."""
    arg = cmd.split(" ", 1)[1]
    if arg.startswith('"'):
        m = re.match(r'^"(?:[^"\\]|\\.)*"', arg)
        assert m, cmd
        return m.group(0)
    return arg.split(" ")[0]


def select_mailbox_id(untagged):
    """The id of the one "* OK [MAILBOXID (F<32 hex>)] Ok" line of our
    successful SELECT/EXAMINE, asserted to come after UIDNEXT and any
    HIGHESTMODSEQ (RFC 8474 4.2) and before any QRESYNC VANISHED/FETCH;
    returns (id, its index in untagged)."""
    lines = [l if isinstance(l, str) else "" for l in untagged]
    found = [i for i, l in enumerate(lines) if "MAILBOXID" in l]
    assert len(found) == 1, untagged
    i = found[0]
    m = _SELECT_ID_RE.match(lines[i])
    assert m, untagged
    before = [l for l in lines[:i]]
    assert any(l.startswith("* OK [UIDNEXT ") for l in before), untagged
    assert not any(l.startswith("* OK [HIGHESTMODSEQ ") for l in lines[i:]), \
        untagged
    assert not any(re.match(r"^\* (VANISHED |\d+ FETCH )", l)
                   for l in before), untagged
    return m.group(1), i


def strip_objectid(cmd, untagged, tagged, c=None):
    """Dovecot 2.3 has no OBJECTID (RFC 8474): our (untagged, tagged) reply
    to cmd with exactly the parts OBJECTID adds taken out, to compare with
    Dovecot's. Asserts first that they were there and well-formed: a
    successful CREATE of a mailbox opens its OK with [MAILBOXID
    (F<32 hex>)] (create_ok(); with c, the id must equal STATUS's), a
    successful SELECT/EXAMINE sends one "* OK [MAILBOXID (...)] Ok" line
    (select_mailbox_id()). Nothing else is touched; use it on OUR side
    only."""
    verb = cmd.split(" ", 1)[0].upper()
    if verb == "CREATE" and tagged.startswith("OK"):
        name = _command_name(cmd)
        if c is not None:
            create_ok(c, name, tagged)
        elif not name.rstrip('"').endswith((".", "/")):
            assert _CREATE_ID_RE.match(tagged), (cmd, tagged)
        tagged = re.sub(r"^OK \[MAILBOXID \(%s\)\] " % MAILBOXID, "OK ",
                        tagged)
    elif verb in ("SELECT", "EXAMINE") and tagged.startswith("OK"):
        _, i = select_mailbox_id(untagged)
        untagged = untagged[:i] + untagged[i + 1:]
    else:
        assert not any(isinstance(l, str) and "MAILBOXID" in l
                       for l in untagged), (cmd, untagged)
    return untagged, tagged
