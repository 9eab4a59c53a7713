"""imap_client_workarounds and pop3_client_workarounds (Dovecot 2.3's
values): exact replies with and without each one, and the same scripts on
Debian's Dovecot 2.3 with the same setting give the same replies (where
the two servers already agree without it: RECENT counts and unsolicited
FETCHes are left out of the delay-newmail comparison, see the comments).
An unknown value stops the master at start-up, naming it."""
import os
import re
import socket
import subprocess

import pytest

import dovecot
from dlserver import Server
from rawclient import Imap, Pop3, LOGGED_IN_RE

TIMING_RE = re.compile(r" \([0-9.]+( \+ [0-9.]+)* secs\)\.$")

MSGS = [
    b"From: a@b.example\r\nSubject: one\r\n\r\nbody one\r\n",
    b"From: a@b.example\r\nSubject: nul\r\n\r\nbody\x00two\x00\r\n\x00.dot\r\n",
    # header with no empty line after it
    b"From: a@b.example\r\nSubject: no eoh\r\n",
    b"From: a@b.example\r\nSubject: no eoh2\r\nX: y\r\n",
    # not even a final CRLF
    b"From: a@b.example\r\nSubject: no crlf",
    # LF-only lines, empty line ends the header
    b"From: a@b.example\nSubject: lf\n\nbody\n",
]


def start_ours(extra, location="maildir:~/Maildir"):
    s = Server(users={"demo": "demo"}, messages=MSGS, extra_conf=extra,
               mail_location=location)
    s.start()
    return s


def start_dovecot(extra):
    """Dovecot with the same users, messages and setting (skips where it
    can't run)."""
    dovecot.ensure_or_skip()
    d = Server(users={"demo": "demo"}, messages=MSGS)
    d.prepare()
    dc = dovecot.ForServer(d)
    with open(dc.conf, "a") as f:
        f.write(extra + "\n")
    dc.start_or_skip()
    return dc


def both(extra, script):
    """script(imap_port, pop3_port) -> transcript, on ours then on Dovecot
    with the same extra config lines."""
    s = start_ours(extra)
    try:
        ours = script(s.imap_port, s.pop3_port)
    finally:
        s.stop()
    dc = start_dovecot(extra)
    try:
        theirs = script(dc.imap_port, dc.pop3_port)
    finally:
        dc.cleanup()
    return ours, theirs


def imap_login(port):
    c = Imap(port, timeout=20)
    _, tagged = c.command("LOGIN demo demo")
    assert LOGGED_IN_RE.match(tagged), tagged
    return c


def run(c, cmd, keep=lambda line: True):
    """One command's transcript: [cmd, untagged lines kept..., tagged]
    (Dovecot's timing text and the final "." removed: Dovecot's NO texts
    have no "." before the timing)."""
    untagged, tagged = c.command(cmd)
    return [cmd] + [u for u in untagged if keep(u)] + \
        [re.sub(r"\.$", "", TIMING_RE.sub("", tagged))]


# -- the config check --------------------------------------------------------

@pytest.mark.parametrize("line,word", [
    ("imap_client_workarounds = delay-newmail x", "x"),
    ("imap_client_workarounds = oe-ns-eoh", "oe-ns-eoh"),
    ("pop3_client_workarounds = outlook-no-nuls delay-newmail", "delay-newmail"),
    ("protocol imap {\n  imap_client_workarounds = tb-lsub-flag\n}", "tb-lsub-flag"),
])
def test_unknown_workaround_stops_start(line, word):
    s = Server(users={"demo": "demo"}, messages=0, extra_conf=line)
    with pytest.raises(RuntimeError) as e:
        s.start()
    assert "Unknown workaround: %s" % word in str(e.value), str(e.value)
    assert ("imap_client_workarounds" if "imap_" in line
            else "pop3_client_workarounds") in str(e.value)


def test_known_workarounds_start():
    # any case, commas, repeats and the dropped 1.x words are accepted
    s = start_ours("imap_client_workarounds = Delay-Newmail,tb-lsub-flags "
                   "tb-lsub-flags outlook-idle\n"
                   "pop3_client_workarounds = OE-NS-EOH,outlook-no-nuls")
    try:
        c = imap_login(s.imap_port)
        assert c.command("NOOP")[1] == "OK NOOP completed."
    finally:
        s.stop()


# -- pop3 --------------------------------------------------------------------

def pop3_script(_, pop3_port):
    p = Pop3(pop3_port, timeout=20)
    assert p.command("USER demo").startswith("+OK")
    assert p.command("PASS demo").startswith("+OK")
    out = []
    for cmd in ("RETR 1", "RETR 2", "RETR 3", "RETR 4", "RETR 5", "RETR 6",
                "TOP 2 0", "TOP 3 0", "TOP 4 5", "TOP 5 0", "TOP 1 0",
                "TOP 6 0"):
        p.send(cmd + "\r\n")
        data = b""
        while not data.endswith(b"\r\n.\r\n"):
            chunk = p.sock.recv(4096)
            assert chunk, (cmd, data)
            data += chunk
        out.append((cmd, data))
    p.close()
    return out


POP3_PLAIN = {
    "RETR 2": b"+OK 53 octets\r\nFrom: a@b.example\r\nSubject: nul\r\n\r\n"
              b"body\x00two\x00\r\n\x00.dot\r\n.\r\n",
    "RETR 3": b"+OK 36 octets\r\nFrom: a@b.example\r\nSubject: no eoh\r\n.\r\n",
    "RETR 5": b"+OK 35 octets\r\nFrom: a@b.example\r\nSubject: no crlf\r\n.\r\n",
    "TOP 3 0": b"+OK\r\nFrom: a@b.example\r\nSubject: no eoh\r\n.\r\n",
    "TOP 1 0": b"+OK\r\nFrom: a@b.example\r\nSubject: one\r\n\r\n.\r\n",
}
POP3_BOTH = {
    "RETR 1": b"+OK 45 octets\r\nFrom: a@b.example\r\nSubject: one\r\n\r\n"
              b"body one\r\n.\r\n",
    "RETR 2": b"+OK 53 octets\r\nFrom: a@b.example\r\nSubject: nul\r\n\r\n"
              b"body\x80two\x80\r\n\x80.dot\r\n.\r\n",
    "RETR 3": b"+OK 36 octets\r\nFrom: a@b.example\r\nSubject: no eoh\r\n"
              b"\r\n.\r\n",
    "RETR 4": b"+OK 43 octets\r\nFrom: a@b.example\r\nSubject: no eoh2\r\n"
              b"X: y\r\n\r\n.\r\n",
    "RETR 5": b"+OK 35 octets\r\nFrom: a@b.example\r\nSubject: no crlf\r\n"
              b"\r\n.\r\n",
    "TOP 2 0": b"+OK\r\nFrom: a@b.example\r\nSubject: nul\r\n\r\n.\r\n",
    "TOP 3 0": b"+OK\r\nFrom: a@b.example\r\nSubject: no eoh\r\n\r\n.\r\n",
    "TOP 4 5": b"+OK\r\nFrom: a@b.example\r\nSubject: no eoh2\r\nX: y\r\n"
               b"\r\n.\r\n",
    "TOP 5 0": b"+OK\r\nFrom: a@b.example\r\nSubject: no crlf\r\n\r\n.\r\n",
    "TOP 1 0": b"+OK\r\nFrom: a@b.example\r\nSubject: one\r\n\r\n.\r\n",
}


@pytest.mark.parametrize("extra,expect", [
    ("", POP3_PLAIN),
    ("pop3_client_workarounds = outlook-no-nuls oe-ns-eoh", POP3_BOTH),
])
def test_pop3_workarounds(extra, expect):
    ours, theirs = both(extra, pop3_script)
    got = dict(ours)
    for cmd, data in expect.items():
        assert got[cmd] == data, (cmd, got[cmd])
    # the LF-only message (stored with CRLFs) has its empty line
    assert got["TOP 6 0"] == b"+OK\r\nFrom: a@b.example\r\nSubject: lf\r\n\r\n.\r\n"
    assert ours == theirs


@pytest.mark.parametrize("extra,nul,eoh", [
    ("pop3_client_workarounds = outlook-no-nuls", True, False),
    ("pop3_client_workarounds = oe-ns-eoh", False, True),
])
def test_pop3_one_workaround(extra, nul, eoh):
    s = start_ours(extra)
    try:
        got = dict(pop3_script(s.imap_port, s.pop3_port))
    finally:
        s.stop()
    assert (b"\x80" in got["RETR 2"]) == nul and \
        (b"\x00" in got["RETR 2"]) != nul
    assert got["RETR 3"].endswith(b"no eoh\r\n\r\n.\r\n" if eoh
                                  else b"no eoh\r\n.\r\n")


# -- delay-newmail -----------------------------------------------------------

def newmail_script(imap_port, _):
    """Another session appends and expunges while a has INBOX selected;
    a learns of it only when the workaround lets it."""
    a, b = imap_login(imap_port), imap_login(imap_port)
    out = run(a, "SELECT INBOX", lambda u: "EXISTS" in u)
    out += run(b, "APPEND INBOX {6+}\r\nA: b\r\n", lambda u: False)
    out += run(a, "UID FETCH 1 (UID)")
    out += run(a, "NOOP")
    b.command("SELECT INBOX")
    b.command("STORE 2 +FLAGS (\\Deleted)")
    b.command("EXPUNGE")
    b.command("UNSELECT")
    out += run(a, "UID SEARCH ALL")
    out += run(a, "CHECK")
    b.command("APPEND INBOX {6+}\r\nA: c\r\n")
    out += run(a, "APPEND INBOX {6+}\r\nA: d\r\n")
    b.command("SELECT INBOX")
    b.command("STORE 1 +FLAGS (\\Deleted)")
    b.command("EXPUNGE")
    b.command("UNSELECT")
    out += run(a, "UID SEARCH 1:*")
    out += run(a, "EXPUNGE")
    b.command("APPEND INBOX {6+}\r\nA: e\r\n")
    out += run(a, "UID FETCH 1:* (UID)")
    out += run(a, "NOOP")
    a.close()
    b.close()
    return out


def comparable(transcript):
    """Without RECENT and unsolicited FETCH lines: Maildir \\Recent
    ownership and Dovecot's flag-change FETCHes at every command already
    differ from ours without the workaround."""
    return [l for l in transcript
            if not re.match(r"^\* \d+ RECENT$", l) and
            not re.match(r"^\* \d+ FETCH \((?!UID \d+\)$)", l)]


def recent_lines(transcript):
    return [l for l in transcript if re.match(r"^\* \d+ RECENT$", l)]


NEWMAIL_PLAIN = [
    "SELECT INBOX", "* 6 EXISTS", "OK [READ-WRITE] Select completed",
    "APPEND INBOX {6+}\r\nA: b\r\n", "OK [APPENDUID UV 7] Append completed",
    "UID FETCH 1 (UID)", "* 1 FETCH (UID 1)", "* 7 EXISTS",
    "OK Fetch completed",
    "NOOP", "OK NOOP completed",
    "UID SEARCH ALL", "* SEARCH 1 2 3 4 5 6 7", "* 2 EXPUNGE",
    "OK Search completed",
    "CHECK", "OK Check completed",
    "APPEND INBOX {6+}\r\nA: d\r\n", "* 8 EXISTS",
    "OK [APPENDUID UV 9] Append completed",
    "UID SEARCH 1:*", "* SEARCH 1 3 4 5 6 7 8 9", "* 1 EXPUNGE",
    "OK Search completed",
    "EXPUNGE", "OK Expunge completed",
    "UID FETCH 1:* (UID)", "* 1 FETCH (UID 3)", "* 2 FETCH (UID 4)",
    "* 3 FETCH (UID 5)", "* 4 FETCH (UID 6)", "* 5 FETCH (UID 7)",
    "* 6 FETCH (UID 8)", "* 7 FETCH (UID 9)", "* 8 EXISTS",
    "OK Fetch completed",
    "NOOP", "OK NOOP completed",
]
NEWMAIL_DELAYED = [
    "SELECT INBOX", "* 6 EXISTS", "OK [READ-WRITE] Select completed",
    "APPEND INBOX {6+}\r\nA: b\r\n", "OK [APPENDUID UV 7] Append completed",
    # no EXISTS in a UID FETCH reply
    "UID FETCH 1 (UID)", "* 1 FETCH (UID 1)", "OK Fetch completed",
    "NOOP", "* 7 EXISTS", "OK NOOP completed",
    # nor EXPUNGE
    "UID SEARCH ALL", "* SEARCH 1 2 3 4 5 6 7", "OK Search completed",
    "CHECK", "* 2 EXPUNGE", "OK Check completed",
    # APPEND to the selected mailbox may (as Dovecot)
    "APPEND INBOX {6+}\r\nA: d\r\n", "* 8 EXISTS",
    "OK [APPENDUID UV 9] Append completed",
    "UID SEARCH 1:*", "* SEARCH 1 3 4 5 6 7 8 9", "OK Search completed",
    # EXPUNGE may
    "EXPUNGE", "* 1 EXPUNGE", "OK Expunge completed",
    "UID FETCH 1:* (UID)", "* 1 FETCH (UID 3)", "* 2 FETCH (UID 4)",
    "* 3 FETCH (UID 5)", "* 4 FETCH (UID 6)", "* 5 FETCH (UID 7)",
    "* 6 FETCH (UID 8)", "* 7 FETCH (UID 9)", "OK Fetch completed",
    "NOOP", "* 8 EXISTS", "OK NOOP completed",
]


def uv(transcript):
    return [re.sub(r"APPENDUID \d+ ", "APPENDUID UV ", l) for l in transcript]


@pytest.mark.parametrize("extra,expect", [
    ("", NEWMAIL_PLAIN),
    ("imap_client_workarounds = delay-newmail", NEWMAIL_DELAYED),
])
def test_delay_newmail(extra, expect):
    ours, theirs = both(extra, newmail_script)
    assert uv(comparable(ours)) == expect
    # from there on Dovecot's Maildir sync may see the other session's
    # expunge as a flag change first (its cur/ mtime check): not compared
    n = expect.index("UID SEARCH 1:*")
    assert uv(comparable(theirs))[:n] == expect[:n]
    if "delay" in extra:
        # RECENT only next to the EXISTS NOOP/APPEND send
        got = [l for i, l in enumerate(ours)
               if re.match(r"^\* \d+ RECENT$", l)]
        assert got == ["* 1 RECENT", "* 1 RECENT", "* 1 RECENT"] or \
            len(got) == 3, ours
        for i, l in enumerate(ours):
            if re.match(r"^\* \d+ RECENT$", l):
                assert re.match(r"^\* \d+ EXISTS$", ours[i - 1]), ours


def test_delay_newmail_idle():
    """IDLE still reports new mail at once (Dovecot: IDLE is not delayed)."""
    s = start_ours("imap_client_workarounds = delay-newmail\n"
                   "mailbox_idle_check_interval = 1 secs")
    try:
        a, b = imap_login(s.imap_port), imap_login(s.imap_port)
        a.command("SELECT INBOX")
        a.send("i1 IDLE\r\n")
        assert a.readline() == "+ idling"
        b.command("APPEND INBOX {6+}\r\nA: b\r\n")
        assert a.readline() == "* 7 EXISTS"
        assert re.match(r"^\* \d+ RECENT$", a.readline())
        a.send("DONE\r\n")
        assert a.readline() == "i1 OK Idle completed."
    finally:
        s.stop()


# -- tb-extra-mailbox-sep ----------------------------------------------------

def sep_script(imap_port, _):
    c = imap_login(imap_port)
    out = []
    for cmd in ("CREATE Foo", "CREATE Par.Child", "STATUS Foo. (MESSAGES)",
                "STATUS Foo.. (MESSAGES)", "STATUS INBOX. (MESSAGES)",
                "STATUS . (MESSAGES)", "SELECT INBOX.", "COPY 1 Foo.",
                "APPEND Foo. {6+}\r\nA: b\r\n", "STATUS Foo (MESSAGES)",
                "RENAME Foo. Bar.", "SUBSCRIBE Bar.", "CREATE Baz.",
                "DELETE Bar.", "DELETE Par.Child.", 'LIST "" "*"'):
        out += run(c, cmd, lambda u: not u.startswith("* OK") and
                   not u.startswith("* FLAGS"))
    c.close()
    return [re.sub(r" \[(MAILBOXID|COPYUID|APPENDUID) [^]]*\]", "", l)
            for l in out]


SEP_ON = [
    "CREATE Foo", "OK Create completed",
    "CREATE Par.Child", "OK Create completed",
    "STATUS Foo. (MESSAGES)", "* STATUS Foo. (MESSAGES 0)",
    "OK Status completed",
    "STATUS Foo.. (MESSAGES)",
    "NO [CANNOT] Invalid mailbox name: Ends with hierarchy separator",
    "STATUS INBOX. (MESSAGES)", "* STATUS INBOX. (MESSAGES 6)",
    "OK Status completed",
    "STATUS . (MESSAGES)", "NO [CANNOT] Invalid mailbox name: Name is empty",
    "SELECT INBOX.", "* 6 EXISTS", "RECENT", "OK [READ-WRITE] Select completed",
    "COPY 1 Foo.", "OK Copy completed",
    "APPEND Foo. {6+}\r\nA: b\r\n", "OK Append completed",
    "STATUS Foo (MESSAGES)", "* STATUS Foo (MESSAGES 2)", "OK Status completed",
    "RENAME Foo. Bar.", "OK Rename completed",
    "SUBSCRIBE Bar.", "OK Subscribe completed",
    "CREATE Baz.", "OK Create completed",
    "DELETE Bar.", "OK Delete completed",
    "DELETE Par.Child.", "OK Delete completed",
    'LIST "" "*"', "LIST", "OK List completed",
]


def normalized(transcript):
    """RECENT counts (Maildir \\Recent) and LIST order differ already."""
    out = []
    for l in transcript:
        if re.match(r"^\* \d+ RECENT$", l):
            l = "RECENT"
        elif l.startswith("* LIST "):
            if out and out[-1] == "LIST":
                continue
            l = "LIST"
        out.append(l)
    return out


def test_tb_extra_mailbox_sep():
    ours, theirs = both("imap_client_workarounds = tb-extra-mailbox-sep",
                        sep_script)
    assert normalized(ours) == SEP_ON
    assert normalized(theirs) == SEP_ON
    assert sorted(l for l in ours if l.startswith("* LIST")) == \
        sorted(l for l in theirs if l.startswith("* LIST")) == [
            '* LIST (\\HasNoChildren) "." Baz',
            '* LIST (\\HasNoChildren) "." INBOX']


def test_tb_extra_mailbox_sep_off():
    s = start_ours("")
    try:
        got = sep_script(s.imap_port, None)
    finally:
        s.stop()
    ends = "NO [CANNOT] Invalid mailbox name: Ends with hierarchy separator"
    assert got[got.index("STATUS Foo. (MESSAGES)") + 1] == ends
    assert got[got.index("SELECT INBOX.") + 1] == ends
    assert got[got.index("STATUS . (MESSAGES)") + 1] == \
        "NO [CANNOT] Invalid mailbox name: Begins with hierarchy separator"
    assert got[got.index("RENAME Foo. Bar.") + 1] == ends
    assert got[got.index("DELETE Par.Child.") + 1] == ends


# -- tb-lsub-flags -----------------------------------------------------------

def lsub_script(imap_port, _):
    c = imap_login(imap_port)
    out = []
    for cmd in ("CREATE Foo", "SUBSCRIBE Foo", "CREATE Gone", "SUBSCRIBE Gone",
                "CREATE Par.Child", "SUBSCRIBE Par.Child", "DELETE Gone",
                "DELETE Par.Child", 'LSUB "" "*"', 'LSUB "" "%"',
                'LSUB "" "Par.%"', 'LSUB "" "G*"'):
        out += run(c, cmd)
    c.close()
    out = [re.sub(r" \[MAILBOXID [^]]*\]", "", l) for l in out]
    return out[out.index('LSUB "" "*"'):]


LSUB_PLAIN = [
    'LSUB "" "*"', '* LSUB () "." Foo', '* LSUB () "." Gone',
    '* LSUB () "." Par.Child', "OK Lsub completed",
    'LSUB "" "%"', '* LSUB () "." Foo', '* LSUB () "." Gone',
    '* LSUB (\\Noselect) "." Par', "OK Lsub completed",
    'LSUB "" "Par.%"', '* LSUB () "." Par.Child', "OK Lsub completed",
    'LSUB "" "G*"', '* LSUB () "." Gone', "OK Lsub completed",
]
LSUB_TB = [
    'LSUB "" "*"', '* LSUB () "." Foo', '* LSUB (\\Noselect) "." Gone',
    '* LSUB (\\Noselect) "." Par.Child', "OK Lsub completed",
    'LSUB "" "%"', '* LSUB () "." Foo', '* LSUB (\\Noselect) "." Gone',
    '* LSUB (\\Noselect) "." Par', "OK Lsub completed",
    'LSUB "" "Par.%"', '* LSUB (\\Noselect) "." Par.Child',
    "OK Lsub completed",
    'LSUB "" "G*"', '* LSUB (\\Noselect) "." Gone', "OK Lsub completed",
]


@pytest.mark.parametrize("extra,expect", [
    ("", LSUB_PLAIN),
    ("imap_client_workarounds = tb-lsub-flags", LSUB_TB),
])
def test_tb_lsub_flags(extra, expect):
    ours, theirs = both(extra, lsub_script)
    assert ours == expect
    assert theirs == expect
