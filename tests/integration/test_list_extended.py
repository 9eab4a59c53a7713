"""LIST-EXTENDED (RFC 5258: selection options SUBSCRIBED, REMOTE,
RECURSIVEMATCH, SPECIAL-USE; return options SUBSCRIBED, CHILDREN,
SPECIAL-USE; several patterns; \\NonExistent, \\Subscribed, CHILDINFO),
CHILDREN (RFC 3348), LIST-STATUS (RFC 5819), special-use attributes
(RFC 6154), STATUS=SIZE (RFC 8438), STATUS on the selected mailbox and
CREATE with a USE parameter list, against a running server: every LIST
line is parsed strictly and the replies are asserted exactly; the same
scripts on Debian's Dovecot 2.3 give the same replies (Dovecot lists in
directory order: LIST/STATUS lines are compared sorted, and the order
"each STATUS right after its LIST line" is asserted on ours)."""
import re
import pytest
import dovecot
from dlserver import Server
from rawclient import Imap, LOGGED_IN_RE, login, strip_objectid
from test_namespaces import SEED_NS, TWO_NS
from test_mailbox_mgmt import make_server
from test_append_copy import APPENDUID_RE

TIMING_RE = re.compile(r" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)\.$")

# * LIST (attrs) "delim" name [(CHILDINFO ("SUBSCRIBED"))]
LIST_RE = re.compile(
    r'^\* (LIST|LSUB) \(((?:\\[A-Za-z]+)(?: \\[A-Za-z]+)*|)\) "([^"\\])" '
    r'("(?:[^"\\]|\\["\\])*"|[^\s"(){}%*\\]+)'
    r'( \(CHILDINFO \("SUBSCRIBED"\)\))?$')
STATUS_RE = re.compile(
    r'^\* STATUS ("(?:[^"\\]|\\["\\])*"|[^\s"(){}%*\\]+) \(((?:[A-Z]+ \d+)'
    r'(?: [A-Z]+ \d+)*)\)$')
KNOWN_ATTRS = {"\\Noselect", "\\NonExistent", "\\HasChildren",
               "\\HasNoChildren", "\\Subscribed", "\\Sent", "\\Trash",
               "\\Drafts", "\\Junk", "\\Archive", "\\All", "\\Flagged"}


def unquote(name):
    if name.startswith('"'):
        return re.sub(r'\\(.)', r'\1', name[1:-1])
    return name


def parse_list(line):
    """(kind, [attrs], delim, name, childinfo) of a LIST/LSUB line, or an
    assertion error for anything malformed."""
    assert isinstance(line, str), line
    m = LIST_RE.match(line)
    assert m, line
    attrs = m.group(2).split() if m.group(2) else []
    assert set(attrs) <= KNOWN_ATTRS, line
    assert len(set(attrs)) == len(attrs), line
    assert not ({"\\HasChildren", "\\HasNoChildren"} <= set(attrs)), line
    return (m.group(1), attrs, m.group(3), unquote(m.group(4)),
            m.group(5) is not None)


def parse_status(line):
    m = STATUS_RE.match(line)
    assert m, line
    words = m.group(2).split()
    return unquote(m.group(1)), [(words[i], int(words[i + 1]))
                                 for i in range(0, len(words), 2)]


def check_lines(untagged):
    """Every LIST/STATUS line parses; every STATUS comes right after the
    LIST line of the same mailbox, which is selectable."""
    prev = None
    for line in untagged:
        if line.startswith("* STATUS "):
            name, _ = parse_status(line)
            assert prev is not None and prev[3] == name, (prev, line)
            assert "\\NonExistent" not in prev[1], (prev, line)
            assert "\\Noselect" not in prev[1], (prev, line)
            prev = None
        elif line.startswith(("* LIST ", "* LSUB ")):
            prev = parse_list(line)
        else:
            prev = None


def run(c, cmds, ours=False):
    """[(cmd, sorted untagged, tagged without Dovecot's timing and the
    final '.')], UIDVALIDITY values as '*'.
    ours: our server's replies, through strip_objectid() (checked, then
    compared as Dovecot 2.3's, which has no OBJECTID)."""
    out = []
    for cmd in cmds:
        untagged, tagged = c.command(cmd)
        if ours:    # our replies checked (ids against STATUS) and stripped
            untagged, tagged = strip_objectid(cmd, untagged, tagged, c)
        if cmd.upper().startswith("LIST"):
            check_lines(untagged)
        tagged = TIMING_RE.sub("", tagged)
        tagged = tagged[:-1] if tagged.endswith(".") else tagged
        if cmd.startswith("SELECT"):
            untagged = []
            tagged = tagged.split("]")[0] + "]"
        elif cmd.startswith("APPEND"):
            tagged = re.sub(r"^OK \[APPENDUID \d+ ", "OK [APPENDUID * ", tagged)
            untagged = []
        untagged = sorted(re.sub(r"UIDVALIDITY \d+", "UIDVALIDITY *", u)
                          for u in untagged)
        out.append((cmd, untagged, tagged))
    return out


def ours(conf, cmds):
    srv = Server(users={"demo": "demo"}, extra_conf=conf).start()
    try:
        c = login(srv)
        out = run(c, cmds, ours=True)
        c.close()
        return out
    finally:
        srv.stop()


def theirs(conf, cmds):
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"})
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write(conf)
    try:
        dc.start_or_skip()
        c = Imap(dc.imap_port, timeout=30)
        _, tagged = c.command("LOGIN demo demo")
        assert LOGGED_IN_RE.match(tagged), tagged
        out = run(c, cmds)
        c.close()
        return out
    finally:
        dc.cleanup()


def L(*lines):
    return sorted(lines)


OK = "OK List completed"
# SEED_NS: Drafts, Sent subscribed (auto = subscribe), Trash created, Junk
# only configured; a/b/c and p/q leave a, a/b, p as parents without a
# mailbox; z is subscribed, then deleted (stays subscribed)
SEED_SETUP = [
    ("CREATE a/b/c", [], "OK Create completed"),
    ("CREATE p/q", [], "OK Create completed"),
    ("CREATE z", [], "OK Create completed"),
    ("SUBSCRIBE z", [], "OK Subscribe completed"),
    ("SUBSCRIBE p/q", [], "OK Subscribe completed"),
    ("DELETE z", [], "OK Delete completed"),
    ("SUBSCRIBE a/b/c", [], "OK Subscribe completed"),
    ("APPEND p/q {5+}\r\nhello", [], "OK [APPENDUID * 1] Append completed"),
]
SEED_SCRIPT = SEED_SETUP + [
    # plain LIST: CHILDREN and special-use attributes, \Noselect parents
    ('LIST "" *', L(
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" a/b/c',
        '* LIST (\\HasNoChildren) "/" p/q',
        '* LIST (\\Noselect \\HasChildren) "/" a',
        '* LIST (\\Noselect \\HasChildren) "/" a/b',
        '* LIST (\\Noselect \\HasChildren) "/" p'), OK),
    # any extended syntax: only what was asked, \NonExistent
    ('LIST () "" %', L(
        '* LIST () "/" Drafts', '* LIST () "/" INBOX', '* LIST () "/" Sent',
        '* LIST () "/" Trash', '* LIST (\\NonExistent) "/" a',
        '* LIST (\\NonExistent) "/" p'), OK),
    ('LIST (REMOTE) "" %', L(
        '* LIST () "/" Drafts', '* LIST () "/" INBOX', '* LIST () "/" Sent',
        '* LIST () "/" Trash', '* LIST (\\NonExistent) "/" a',
        '* LIST (\\NonExistent) "/" p'), OK),
    ('LIST "" % RETURN ()', L(
        '* LIST () "/" Drafts', '* LIST () "/" INBOX', '* LIST () "/" Sent',
        '* LIST () "/" Trash', '* LIST (\\NonExistent) "/" a',
        '* LIST (\\NonExistent) "/" p'), OK),
    ('LIST "" (p a/%)', L(
        '* LIST (\\NonExistent) "/" p', '* LIST (\\NonExistent) "/" a/b'), OK),
    ('LIST "" (INBOX p/q INBOX)', L(
        '* LIST () "/" INBOX', '* LIST () "/" p/q'), OK),
    ('LIST "" (* %)', L(
        '* LIST () "/" Drafts', '* LIST () "/" INBOX', '* LIST () "/" Sent',
        '* LIST () "/" Trash', '* LIST () "/" a/b/c', '* LIST () "/" p/q',
        '* LIST (\\NonExistent) "/" a', '* LIST (\\NonExistent) "/" a/b',
        '* LIST (\\NonExistent) "/" p'), OK),
    ('LIST a/ (%)', ['* LIST (\\NonExistent) "/" a/b'], OK),
    ('LIST "" ()', [], OK),
    ('LIST "" ("")', [], OK),
    ('LIST "" "" RETURN (CHILDREN)', [], OK),
    ('LIST () "" ""', [], OK),
    ('LIST "" (x NIL)', [], OK),
    # return options
    ('LIST "" % RETURN (CHILDREN)', L(
        '* LIST (\\HasNoChildren) "/" Drafts',
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" Sent',
        '* LIST (\\HasNoChildren) "/" Trash',
        '* LIST (\\NonExistent \\HasChildren) "/" a',
        '* LIST (\\NonExistent \\HasChildren) "/" p'), OK),
    ('LIST "" % RETURN (SPECIAL-USE)', L(
        '* LIST (\\Drafts) "/" Drafts', '* LIST () "/" INBOX',
        '* LIST (\\Sent) "/" Sent', '* LIST (\\Trash) "/" Trash',
        '* LIST (\\NonExistent) "/" a', '* LIST (\\NonExistent) "/" p'), OK),
    ('LIST "" * RETURN (SUBSCRIBED)', L(
        '* LIST () "/" INBOX', '* LIST () "/" Trash',
        '* LIST (\\NonExistent) "/" a', '* LIST (\\NonExistent) "/" a/b',
        '* LIST (\\NonExistent) "/" p',
        '* LIST (\\Subscribed) "/" Drafts', '* LIST (\\Subscribed) "/" Sent',
        '* LIST (\\Subscribed) "/" a/b/c', '* LIST (\\Subscribed) "/" p/q'), OK),
    ('LIST "" * RETURN (SPECIAL-USE CHILDREN SUBSCRIBED)', L(
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\NonExistent \\HasChildren) "/" a',
        '* LIST (\\NonExistent \\HasChildren) "/" a/b',
        '* LIST (\\NonExistent \\HasChildren) "/" p',
        '* LIST (\\Subscribed \\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\Subscribed \\HasNoChildren) "/" a/b/c',
        '* LIST (\\Subscribed \\HasNoChildren) "/" p/q'), OK),
    ('list "" a/% return (subscribed children)',
     ['* LIST (\\NonExistent \\HasChildren) "/" a/b'], OK),
    # selection options
    ('LIST (SUBSCRIBED) "" *', L(
        '* LIST (\\Subscribed \\NonExistent) "/" z',
        '* LIST (\\Subscribed) "/" Drafts', '* LIST (\\Subscribed) "/" Sent',
        '* LIST (\\Subscribed) "/" a/b/c', '* LIST (\\Subscribed) "/" p/q'), OK),
    ('LIST (SUBSCRIBED SUBSCRIBED) "" %', L(
        '* LIST (\\Subscribed \\NonExistent) "/" z',
        '* LIST (\\Subscribed) "/" Drafts', '* LIST (\\Subscribed) "/" Sent'), OK),
    ('LIST (SUBSCRIBED) "" % RETURN (CHILDREN)', L(
        '* LIST (\\Subscribed \\HasNoChildren) "/" Drafts',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Sent',
        '* LIST (\\Subscribed \\NonExistent \\HasNoChildren) "/" z'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" %', L(
        '* LIST (\\NonExistent) "/" a (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\NonExistent) "/" p (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\Subscribed \\NonExistent) "/" z',
        '* LIST (\\Subscribed) "/" Drafts', '* LIST (\\Subscribed) "/" Sent'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" * RETURN (CHILDREN)', L(
        '* LIST (\\Subscribed \\HasNoChildren) "/" Drafts',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Sent',
        '* LIST (\\Subscribed \\HasNoChildren) "/" a/b/c',
        '* LIST (\\Subscribed \\HasNoChildren) "/" p/q',
        '* LIST (\\Subscribed \\NonExistent \\HasNoChildren) "/" z'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" a/%',
     ['* LIST (\\NonExistent) "/" a/b (CHILDINFO ("SUBSCRIBED"))'], OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" a/%/%',
     ['* LIST (\\Subscribed) "/" a/b/c'], OK),
    ('LIST (SPECIAL-USE) "" *', L(
        '* LIST (\\Drafts) "/" Drafts', '* LIST (\\Sent) "/" Sent',
        '* LIST (\\Trash) "/" Trash'), OK),
    ('LIST (SPECIAL-USE RECURSIVEMATCH) "" % RETURN (CHILDREN)', L(
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash'), OK),
    ('LIST (SUBSCRIBED SPECIAL-USE) "" *', L(
        '* LIST (\\Subscribed \\Drafts) "/" Drafts',
        '* LIST (\\Subscribed \\Sent) "/" Sent'), OK),
    # LIST-STATUS (RFC 5819) and STATUS=SIZE
    ('LIST "" * RETURN (STATUS (MESSAGES UNSEEN SIZE))', L(
        '* LIST () "/" Drafts', '* LIST () "/" INBOX', '* LIST () "/" Sent',
        '* LIST () "/" Trash', '* LIST () "/" a/b/c', '* LIST () "/" p/q',
        '* LIST (\\NonExistent) "/" a', '* LIST (\\NonExistent) "/" a/b',
        '* LIST (\\NonExistent) "/" p',
        '* STATUS Drafts (MESSAGES 0 UNSEEN 0 SIZE 0)',
        '* STATUS INBOX (MESSAGES 3 UNSEEN 2 SIZE 1161)',
        '* STATUS Sent (MESSAGES 0 UNSEEN 0 SIZE 0)',
        '* STATUS Trash (MESSAGES 0 UNSEEN 0 SIZE 0)',
        '* STATUS a/b/c (MESSAGES 0 UNSEEN 0 SIZE 0)',
        '* STATUS p/q (MESSAGES 1 UNSEEN 1 SIZE 5)'), OK),
    ('LIST "" p/% RETURN (STATUS (SIZE UIDNEXT UIDVALIDITY HIGHESTMODSEQ) '
     'STATUS (UIDNEXT SIZE))',
     L('* LIST () "/" p/q', '* STATUS p/q (UIDNEXT 2 SIZE 5)'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))', L(
        '* LIST (\\NonExistent) "/" a (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\NonExistent) "/" p (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\Subscribed \\NonExistent) "/" z',
        '* LIST (\\Subscribed) "/" Drafts', '* LIST (\\Subscribed) "/" Sent',
        '* STATUS Drafts (MESSAGES 0)', '* STATUS Sent (MESSAGES 0)'), OK),
    ('LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE STATUS (MESSAGES))', L(
        '* LIST (\\Drafts) "/" Drafts', '* LIST (\\Sent) "/" Sent',
        '* LIST (\\Trash) "/" Trash', '* STATUS Drafts (MESSAGES 0)',
        '* STATUS Sent (MESSAGES 0)', '* STATUS Trash (MESSAGES 0)'), OK),
    ("STATUS p/q (SIZE)", ["* STATUS p/q (SIZE 5)"], "OK Status completed"),
    ("STATUS p/q (SIZE MESSAGES UNSEEN)",
     ["* STATUS p/q (MESSAGES 1 UNSEEN 1 SIZE 5)"], "OK Status completed"),
    ("STATUS INBOX (SIZE)", ["* STATUS INBOX (SIZE 1161)"],
     "OK Status completed"),
    # the selected mailbox: its own view, Dovecot's [CLIENTBUG] reminder
    ("SELECT p/q", [], "OK [READ-WRITE]"),
    ("STATUS p/q (MESSAGES SIZE)", ["* STATUS p/q (MESSAGES 1 SIZE 5)"],
     "OK [CLIENTBUG] Status on selected mailbox completed"),
    ("APPEND p/q {3+}\r\nabc", [], "OK [APPENDUID * 2] Append completed"),
    ("STATUS p/q (MESSAGES SIZE UIDNEXT)",
     ["* STATUS p/q (MESSAGES 2 UIDNEXT 3 SIZE 8)"],
     "OK [CLIENTBUG] Status on selected mailbox completed"),
    ('LIST "" p/q RETURN (STATUS (MESSAGES SIZE))',
     L('* LIST () "/" p/q', '* STATUS p/q (MESSAGES 2 SIZE 8)'), OK),
    # CREATE-SPECIAL-USE is not offered: the USE list is ignored
    ("CREATE u1 (USE (\\Sent))", [], "OK Create completed"),
    ("CREATE u2 (USE ())", [], "OK Create completed"),
    ("CREATE Trash (USE (\\Trash))", [],
     "NO [ALREADYEXISTS] Mailbox already exists"),
    ('LIST "" u* RETURN (SPECIAL-USE)',
     L('* LIST () "/" u1', '* LIST () "/" u2'), OK),
]

# malformed LIST: Dovecot's BAD texts
BAD = "BAD Error in IMAP command LIST: "
BAD_SCRIPT = [
    ("LIST", [], BAD + "Invalid reference"),
    ("LIST (SUBSCRIBED)", [], BAD + "Invalid reference"),
    ('LIST (SUBSCRIBED) ""', [], BAD + "Invalid pattern"),
    ('LIST "" ((x))', [], BAD + "Invalid pattern list"),
    ('LIST (FOO) "" %', [], BAD + "Unknown select options"),
    ('LIST (FOO (BAR)) "" %', [], BAD + "Unknown select options"),
    ('LIST ("SUBSCRIBED") "" %', [], BAD + "List options contains non-atoms"),
    ('LIST ({10+}\r\nSUBSCRIBED) "" %', [],
     BAD + "List options contains non-atoms"),
    ('LIST (RECURSIVEMATCH) "" *', [],
     BAD + "RECURSIVEMATCH must not be the only selection"),
    ('LIST (REMOTE RECURSIVEMATCH) "" %', [],
     BAD + "RECURSIVEMATCH must not be the only selection"),
    ('LIST "" % RETURN (FOO)', [], BAD + "Unknown return options"),
    ('LIST "" % RETURN (STATUS)', [], BAD + "Unknown return options"),
    ('LIST "" % RETURN (STATUS MESSAGES)', [], BAD + "Unknown return options"),
    ('LIST "" % RETURN ("SUBSCRIBED")', [],
     BAD + "List options contains non-atoms"),
    ('LIST "" % RETURN (STATUS ())', [], BAD + "Empty status list"),
    ('LIST "" % RETURN (STATUS (FOO))', [], BAD + "Invalid status item FOO"),
    ('LIST "" % RETURN SUBSCRIBED', [], BAD + "Extra arguments"),
    ('LIST "" % RETURN', [], BAD + "Extra arguments"),
    ('LIST "" % FOO', [], BAD + "Extra arguments"),
    ('LIST (SUBSCRIBED) "" % RETURN (CHILDREN) x', [], BAD + "Extra arguments"),
]

# TWO_NS: Other/ (list = yes) and the hidden Hid/ (list = no) over the
# same mailboxes
TWO_SCRIPT = [
    ("CREATE a/b", [], "OK Create completed"),
    ("CREATE Other/x/y", [], "OK Create completed"),
    ("CREATE Other/z", [], "OK Create completed"),
    ("SUBSCRIBE a/b", [], "OK Subscribe completed"),
    ("SUBSCRIBE Other/x/y", [], "OK Subscribe completed"),
    ('LIST "" % RETURN (CHILDREN)', L(
        '* LIST (\\HasChildren) "/" Other',
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" z',
        '* LIST (\\NonExistent \\HasChildren) "/" a',
        '* LIST (\\NonExistent \\HasChildren) "/" x'), OK),
    # a list = no namespace shown by one pattern is matched by all
    ('LIST "" (* Hid/%)', L(
        '* LIST () "/" Hid/a/b', '* LIST () "/" Hid/x/y', '* LIST () "/" Hid/z', '* LIST () "/" INBOX', '* LIST () "/" Other',
        '* LIST () "/" Other/a/b', '* LIST () "/" Other/x/y',
        '* LIST () "/" Other/z', '* LIST () "/" a/b', '* LIST () "/" x/y',
        '* LIST () "/" z', '* LIST (\\NonExistent) "/" Hid/a',
        '* LIST (\\NonExistent) "/" Hid/x',
        '* LIST (\\NonExistent) "/" Other/a',
        '* LIST (\\NonExistent) "/" Other/x', '* LIST (\\NonExistent) "/" a',
        '* LIST (\\NonExistent) "/" x'), OK),
    ('LIST "" Other/% RETURN (CHILDREN SUBSCRIBED)', L(
        '* LIST (\\HasNoChildren) "/" Other/z',
        '* LIST (\\NonExistent \\HasChildren) "/" Other/a',
        '* LIST (\\NonExistent \\HasChildren) "/" Other/x'), OK),
    ('LIST (SUBSCRIBED) "" *', L(
        '* LIST (\\Subscribed) "/" Other/a/b',
        '* LIST (\\Subscribed) "/" Other/x/y',
        '* LIST (\\Subscribed) "/" a/b', '* LIST (\\Subscribed) "/" x/y'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" %', L(
        '* LIST () "/" Other (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\NonExistent) "/" a (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\NonExistent) "/" x (CHILDINFO ("SUBSCRIBED"))'), OK),
    ('LIST (SUBSCRIBED RECURSIVEMATCH) "" Other/%', L(
        '* LIST (\\NonExistent) "/" Other/a (CHILDINFO ("SUBSCRIBED"))',
        '* LIST (\\NonExistent) "/" Other/x (CHILDINFO ("SUBSCRIBED"))'), OK),
    ('LIST (SUBSCRIBED) "" (Hid/* Other/*)', L(
        '* LIST (\\Subscribed) "/" Hid/a/b', '* LIST (\\Subscribed) "/" Hid/x/y',
        '* LIST (\\Subscribed) "/" Other/a/b',
        '* LIST (\\Subscribed) "/" Other/x/y'), OK),
    ('LIST "" (Other/* INBOX) RETURN (STATUS (MESSAGES SIZE))', L(
        '* LIST () "/" INBOX', '* LIST () "/" Other/a/b',
        '* LIST () "/" Other/x/y', '* LIST () "/" Other/z',
        '* LIST (\\NonExistent) "/" Other/a',
        '* LIST (\\NonExistent) "/" Other/x',
        '* STATUS INBOX (MESSAGES 3 SIZE 1161)',
        '* STATUS Other/a/b (MESSAGES 0 SIZE 0)',
        '* STATUS Other/x/y (MESSAGES 0 SIZE 0)',
        '* STATUS Other/z (MESSAGES 0 SIZE 0)'), OK),
    ('LIST "" Other RETURN (CHILDREN)', ['* LIST (\\HasChildren) "/" Other'], OK),
    ('LIST "" Other', ['* LIST (\\HasChildren) "/" Other'], OK),
    ("STATUS Other/z (SIZE MESSAGES)", ["* STATUS Other/z (MESSAGES 0 SIZE 0)"],
     "OK Status completed"),
]


def cmds(script):
    return [cmd for cmd, _, _ in script]


@pytest.mark.parametrize("conf,script", [
    (SEED_NS, SEED_SCRIPT), (SEED_NS, BAD_SCRIPT), (TWO_NS, TWO_SCRIPT)],
    ids=["seed", "bad", "two-namespaces"])
def test_list_extended(conf, script):
    assert ours(conf, cmds(script)) == script


@pytest.mark.parametrize("conf,script", [
    (SEED_NS, SEED_SCRIPT), (SEED_NS, BAD_SCRIPT), (TWO_NS, TWO_SCRIPT)],
    ids=["seed", "bad", "two-namespaces"])
def test_list_extended_as_dovecot(conf, script):
    assert theirs(conf, cmds(script)) == script


def test_capabilities_and_exact_texts():
    """CHILDREN LIST-EXTENDED LIST-STATUS STATUS=SIZE advertised; the BAD
    and tagged texts end with '.' (Dovecot puts its timing there)."""
    srv = Server(users={"demo": "demo"}, extra_conf=SEED_NS).start()
    try:
        c = login(srv)
        untagged, tagged = c.command("CAPABILITY")
        caps = untagged[0].split()
        for cap in ("CHILDREN", "LIST-EXTENDED", "LIST-STATUS",
                    "STATUS=SIZE", "SPECIAL-USE"):
            assert caps.count(cap) == 1, (cap, untagged)
        assert "CREATE-SPECIAL-USE" not in caps
        _, tagged = c.command('LIST (FOO) "" %')
        assert tagged == BAD + "Unknown select options.", tagged
        _, tagged = c.command('LIST "" % RETURN (STATUS (FOO))')
        assert tagged == BAD + "Invalid status item FOO", tagged
        c.command("SELECT INBOX")
        untagged, tagged = c.command("STATUS inbox (RECENT SIZE)")
        assert untagged == ["* STATUS inbox (RECENT 2 SIZE 1161)"], untagged
        assert tagged == "OK [CLIENTBUG] Status on selected mailbox completed."
        c.close()
    finally:
        srv.stop()


@pytest.mark.parametrize("kind", ["maildir", "mbox"])
def test_status_size_is_sum_of_rfc822_size(kind):
    """SIZE equals the sum of FETCH RFC822.SIZE (CRLF counted), through
    STATUS and LIST-STATUS, on Maildir and mbox, unselected and selected,
    and follows an APPEND."""
    srv = make_server(kind)
    try:
        c = login(srv)
        _, tagged = c.command("SELECT INBOX")
        assert tagged.startswith("OK [READ-WRITE]"), tagged
        untagged, tagged = c.command("FETCH 1:* (RFC822.SIZE)")
        sizes = [int(re.match(r"^\* \d+ FETCH \(RFC822\.SIZE (\d+)\)$", u)
                     .group(1)) for u in untagged]
        assert len(sizes) == 3 and all(s > 0 for s in sizes), untagged
        untagged, tagged = c.command("STATUS INBOX (SIZE MESSAGES)")
        assert untagged == ["* STATUS INBOX (MESSAGES 3 SIZE %d)" % sum(sizes)]
        assert tagged == "OK [CLIENTBUG] Status on selected mailbox completed."
        c.command("UNSELECT")
        untagged, tagged = c.command("STATUS INBOX (SIZE)")
        assert untagged == ["* STATUS INBOX (SIZE %d)" % sum(sizes)], untagged
        assert tagged == "OK Status completed.", tagged
        _, tagged = c.command("APPEND INBOX {12+}\r\nSubject: x\r\n")
        assert APPENDUID_RE.match(tagged), tagged
        c.command("EXAMINE INBOX")
        untagged, _ = c.command("FETCH 4 (RFC822.SIZE)")
        new = int(re.match(r"^\* 4 FETCH \(RFC822\.SIZE (\d+)\)$",
                           untagged[0]).group(1))
        c.command("UNSELECT")
        untagged, _ = c.command('LIST "" INBOX RETURN (STATUS (SIZE))')
        assert len(untagged) == 2, untagged
        assert parse_list(untagged[0])[1:] == ([], srv_sep(untagged[0]),
                                               "INBOX", False)
        assert untagged[1] == "* STATUS INBOX (SIZE %d)" % (sum(sizes) + new)
        if kind == "maildir":
            assert new == 12, new
        c.close()
    finally:
        srv.stop()


def srv_sep(line):
    return parse_list(line)[2]
