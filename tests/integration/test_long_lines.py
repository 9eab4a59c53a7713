"""Over-long command lines after login, compared with Debian's Dovecot 2.3
(imap_max_line_length = 2k): one atom, quoted string, tag or command name
over the limit, a line of many small arguments over it, NOOP (whose
arguments are not parsed), a line of 1 MiB, and literals announced bigger
than the limit. Apart from the literals, the connection stays usable: a
following "y NOOP" gets "y OK NOOP completed."."""
import socket, time
import pytest
from dlserver import Server
from rawclient import LineClient
from filled_inbox import without_timing

LIMIT_CONF = "protocol imap {\n  imap_max_line_length = 2k\n}\n"
MIB = 1024 * 1024

# name -> the bytes sent; every one is answered by BAD or OK and the
# connection goes on
RECOVERING = {
    "atom3000": b"x STATUS " + b"a" * 3000 + b" (MESSAGES)\r\n",
    "atom9000": b"x STATUS " + b"a" * 9000 + b" (MESSAGES)\r\n",
    "quoted3000": b'x STATUS "' + b"a" * 3000 + b'" (MESSAGES)\r\n',
    "many_args": b"x STATUS INBOX (" + b"MESSAGES " * 400 + b")\r\n",
    "many_atoms": b"x STATUS INBOX " + b"MESSAGES " * 400 + b"M\r\n",
    "crossing_atom_at_eol": b"x ENABLE " + b"X " * 1010 + b"Y" * 100 + b"\r\n",
    "crossing_atom_then_more": b"x ENABLE " + b"X " * 1010 + b"Y" * 100 + b" Z\r\n",
    "uid_fetch": b"x UID FETCH 1:* (" + b"FLAGS " * 500 + b")\r\n",
    "long_tag": b"a" * 3000 + b" NOOP\r\n",
    "long_command": b"x " + b"A" * 3000 + b"\r\n",
    "noop3000": b"x NOOP " + b"a" * 3000 + b"\r\n",
    "noop_bad_syntax": b'x NOOP "unterminated ) ( {x}\r\n',
    "noop1M": b"x NOOP " + b"a" * MIB + b"\r\n",
    "status1M": b"x STATUS " + b"a" * MIB + b"\r\n",
    "status1M_spaces": b"x STATUS " + b"a " * (MIB // 2) + b"\r\n",
}

# what we send, byte for byte (Dovecot's is the same plus its timing)
EXPECTED = {
    "atom3000": "x BAD Error in IMAP command STATUS: Too long argument.",
    "atom9000": "x BAD Error in IMAP command STATUS: Too long argument.",
    "quoted3000": "x BAD Error in IMAP command STATUS: Too long argument.",
    "many_args": "x BAD Error in IMAP command STATUS: IMAP command line too large.",
    "many_atoms": "x BAD Error in IMAP command STATUS: IMAP command line too large.",
    "crossing_atom_at_eol": "x OK Enabled.",
    "crossing_atom_then_more":
        "x BAD Error in IMAP command ENABLE: IMAP command line too large.",
    "uid_fetch": "x BAD Error in IMAP command UID FETCH: IMAP command line too large.",
    "long_tag": "* BAD Error in IMAP tag: Too long argument.",
    "long_command": "x BAD Error in IMAP command: Too long argument.",
    "noop3000": "x OK NOOP completed.",
    "noop_bad_syntax": "x OK NOOP completed.",
    "noop1M": "x OK NOOP completed.",
    "status1M": "x BAD Error in IMAP command STATUS: Too long argument.",
    "status1M_spaces": "x BAD Error in IMAP command STATUS: IMAP command line too large.",
}

# Dovecot's commands read only as many arguments as they need (its STATUS
# stops after two), so a line whose first arguments are already wrong gets
# "Invalid arguments" there before the line's length is seen; our parser
# reads the whole line first. Dovecot's replies, so this stays checked:
DOVECOT_DIFFERS = {
    "many_atoms": "x BAD Error in IMAP command STATUS: Invalid arguments.",
    "status1M_spaces": "x BAD Error in IMAP command STATUS: Invalid arguments.",
}

# name -> (parts sent, all the server sends before it closes the
# connection). A literal's data counts toward the line: the second one
# here is bigger than what is left of the 2k.
BYE = b"* BYE Literal size too large\r\n"
LITERALS = {
    "sync": ([b"x STATUS {100000}\r\n"], BYE),
    "nonsync": ([b"x STATUS {100000+}\r\n", b"a" * 1000], BYE),
    "second_over_budget": ([b"x STATUS {1500}\r\n", b"a" * 1500 + b" ({1500}\r\n"],
                           b"+ OK\r\n" + BYE),
}


def connect(port):
    return LineClient.logged_in(port)


def send_slowly(c, data):
    """Sends in pieces, as a client streaming a long line would."""
    for i in range(0, len(data), 65536):
        c.send(data[i:i + 65536])


def first_reply(c):
    """The reply to the over-long line (skipping the "* OK" a UID FETCH
    may not cause: only lines starting with "x " or "* BAD" count)."""
    while True:
        line = c.readline()
        if line.startswith("x ") or line.startswith("* BAD"):
            return line


def run_recovering(port, name):
    c = connect(port)
    try:
        if name == "uid_fetch":
            c.send(b"s SELECT INBOX\r\n")
            while not c.readline().startswith("s "):
                pass
        send_slowly(c, RECOVERING[name])
        reply = first_reply(c)
        c.send(b"y NOOP\r\n")
        while True:
            line = c.readline()
            if line.startswith("y "):
                return reply, line
    finally:
        c.close()


def run_literal(port, name):
    """The bytes the server sends before closing the connection."""
    c = LineClient.logged_in(port)
    try:
        for part in LITERALS[name][0]:
            try:
                c.send(part)
            except OSError:
                break
            time.sleep(0.1)
        assert c.is_closed(), "server kept the connection"
        return c.buf
    finally:
        c.close()


@pytest.fixture(scope="module")
def dl():
    srv = Server(users={"demo": "demo"}, extra_conf=LIMIT_CONF)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def dc():
    import dovecot
    with dovecot.serving_demo(LIMIT_CONF) as inst:
        yield inst


@pytest.mark.parametrize("name", sorted(RECOVERING))
def test_long_line_recovers(dl, name):
    reply, after = run_recovering(dl.imap_port, name)
    assert reply == EXPECTED[name]
    assert after == "y OK NOOP completed."


@pytest.mark.parametrize("name", sorted(RECOVERING))
def test_long_line_like_dovecot(dc, name):
    reply, after = run_recovering(dc.imap_port, name)
    want = DOVECOT_DIFFERS.get(name, EXPECTED[name])
    assert without_timing(reply) + "." == want, reply
    assert without_timing(after) + "." == "y OK NOOP completed.", after


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_too_big_literal_disconnects(dl, name):
    assert run_literal(dl.imap_port, name) == LITERALS[name][1]


@pytest.mark.parametrize("name", sorted(LITERALS))
def test_too_big_literal_like_dovecot(dc, name):
    assert run_literal(dc.imap_port, name) == LITERALS[name][1]


def test_small_literal_still_works(dl):
    c = connect(dl.imap_port)
    try:
        c.send(b"x STATUS {5}\r\n")
        assert c.readline() == "+ OK"
        c.send(b"INBOX (MESSAGES)\r\n")
        assert c.readline().startswith("* STATUS INBOX (MESSAGES ")
        assert c.readline() == "x OK Status completed."
    finally:
        c.close()


def test_skipped_line_memory_bounded(dl):
    """8 MiB of one argument without CRLF, far more than the worker's
    input buffer (2k + 8k): had it kept the line, the full buffer would
    have ended the connection; it discards the bytes as they arrive and
    answers once the line ends."""
    c = connect(dl.imap_port)
    try:
        c.send(b"x STATUS ")
        chunk = b"a" * 65536
        for _ in range(128):
            c.send(chunk)
        c.send(b"\r\ny NOOP\r\n")
        assert c.readline() == "x BAD Error in IMAP command STATUS: Too long argument."
        assert c.readline() == "y OK NOOP completed."
    finally:
        c.close()
