"""Keywords (RFC 3501 2.3.2 flag-keyword, 7.2.6 FLAGS, 7.1 PERMANENTFLAGS)
against a running server on Maildir and mbox: STORE adds, removes and
replaces them, new ones are announced with FLAGS and PERMANENTFLAGS before
the FETCH that uses them, a second session sees them, they survive a new
session (Maildir: the warm index path), APPEND and COPY keep them, bad
ones get BAD, and Maildir's 26 letters give NO [LIMIT]. On disk they are
where Dovecot keeps them: dovecot-keywords + file name letters, or
X-Keywords + X-IMAPbase.

Every reply is matched exactly or against the RFC 3501 flag-list grammar."""
import os, re
import pytest
from dlserver import Server
from rawclient import ok_reply, login, select as raw_select
from test_append_copy import prepare_mbox_home, prepare_maildir_folder

LOCATIONS = {
    "maildir": "maildir:~/Maildir",
    "mbox": "mbox:~/mail:INBOX=~/mail/inbox",
}
SYSTEM = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]
# RFC 3501 9: flag = "\Answered" / ... / flag-keyword / flag-extension;
# flag-keyword = atom (no atom-specials)
ATOM = r'[^\x00-\x20\x7f(){%*"\\\]]+'
FLAG = r'(?:\\[A-Za-z]+|%s)' % ATOM
FLAG_LIST_RE = re.compile(r'^\((?:%s(?: %s)*)?\)$' % (FLAG, FLAG))
# flag-perm = flag / "\*"
FLAG_PERM = r'(?:%s|\\\*)' % FLAG
PERM_LIST_RE = re.compile(r'^\((?:%s(?: %s)*)?\)$' % (FLAG_PERM, FLAG_PERM))
FETCH_FLAGS_RE = re.compile(r'^\* (\d+) FETCH \((?:UID (\d+) )?FLAGS (\([^)]*\))\)$')
FLAGS_RE = re.compile(r'^\* FLAGS (\([^)]*\))$')
PERM_RE = re.compile(r'^\* OK \[PERMANENTFLAGS (\([^)]*\))\] Flags permitted\.$')


def flag_list(s, perm=False):
    """The flags of a flag-list string, checked against the grammar (perm:
    PERMANENTFLAGS' flag-perm), in order; no flag twice
    (case-insensitively)."""
    assert (PERM_LIST_RE if perm else FLAG_LIST_RE).match(s), s
    flags = s[1:-1].split(" ") if s != "()" else []
    assert len({f.lower() for f in flags}) == len(flags), s
    return flags


@pytest.fixture(params=sorted(LOCATIONS))
def srv(request):
    kind = request.param
    s = Server(users={"demo": "demo"}, messages=3 if kind == "maildir" else 0,
               mail_location=LOCATIONS[kind])
    s.start()
    if kind == "mbox":
        prepare_mbox_home(s)
        with open(os.path.join(s.home("demo"), "mail", "inbox"), "wb") as f:
            for i in range(3):
                f.write(b"From a@example.org Mon Nov 23 10:00:0%d 2026\n"
                        b"From: a@example.org\nSubject: m%d\n\nbody %d\n\n" % (i, i, i))
    else:
        prepare_maildir_folder(s, "demo", "Archive")
    s.kind = kind
    # start from no flags and nothing \Recent: one session takes \Recent
    # and clears the flags the generated messages have
    c = login(s)
    raw_select(c, "INBOX")
    untagged, tagged = c.command("STORE 1:* FLAGS.SILENT ()")
    assert tagged == ok_reply("STORE") and untagged == [], (untagged, tagged)
    c.command("LOGOUT")
    yield s
    s.stop()


def select_flags(c, box="INBOX", examine=False):
    """SELECT/EXAMINE: (FLAGS list, PERMANENTFLAGS list or None)."""
    verb = "EXAMINE" if examine else "SELECT"
    untagged, tagged = c.command("%s %s" % (verb, box))
    assert tagged == ok_reply(verb), (untagged, tagged)
    flags = [FLAGS_RE.match(l) for l in untagged]
    flags = [m.group(1) for m in flags if m]
    assert len(flags) == 1, untagged
    perm = [PERM_RE.match(l) for l in untagged]
    perm = [m.group(1) for m in perm if m]
    if examine:
        assert perm == [] and "* OK [PERMANENTFLAGS ()] Read-only mailbox." in untagged
        return flag_list(flags[0]), None
    assert len(perm) == 1, untagged
    return flag_list(flags[0]), flag_list(perm[0], perm=True)


def fetch_flags(c):
    """{seq: [flags]} of every message."""
    untagged, tagged = c.command("FETCH 1:* FLAGS")
    assert tagged == ok_reply("FETCH"), tagged
    out = {}
    for line in untagged:
        m = FETCH_FLAGS_RE.match(line)
        assert m and m.group(2) is None, line
        out[int(m.group(1))] = flag_list(m.group(3))
    return out


def split_announce(untagged):
    """(FLAGS list, PERMANENTFLAGS list, the other lines) of a reply that
    announced a new keyword: FLAGS, then PERMANENTFLAGS, before the rest."""
    assert len(untagged) >= 2, untagged
    f, p = FLAGS_RE.match(untagged[0]), PERM_RE.match(untagged[1])
    assert f and p, untagged
    return flag_list(f.group(1)), flag_list(p.group(1), perm=True), untagged[2:]


def fetch_line(seq, flags):
    return "* %d FETCH (FLAGS (%s))" % (seq, " ".join(flags))


def test_select_announces_system_flags_and_star(srv):
    c = login(srv)
    flags, perm = select_flags(c)
    assert flags == SYSTEM
    assert perm == SYSTEM + ["\\*"]
    flags, perm = select_flags(c, examine=True)
    assert flags == SYSTEM and perm is None


def test_store_add_remove_replace(srv):
    c = login(srv)
    select_flags(c)
    before = fetch_flags(c)
    assert set(before) == {1, 2, 3}
    assert all(f == [] for f in before.values()), before

    untagged, tagged = c.command("STORE 1 +FLAGS ($Junk \\Seen)")
    assert tagged == ok_reply("STORE"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + ["$Junk"]
    assert perm == SYSTEM + ["$Junk", "\\*"]
    assert rest == [fetch_line(1, ["\\Seen", "$Junk"])]

    # case-insensitive: no second keyword, spelling kept
    untagged, tagged = c.command("STORE 1:2 +FLAGS ($JUNK work)")
    assert tagged == ok_reply("STORE"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + ["$Junk", "work"]
    assert rest == [fetch_line(1, ["\\Seen", "$Junk", "work"]),
                    fetch_line(2, ["$Junk", "work"])]

    untagged, tagged = c.command("STORE 1 -FLAGS (work unknownkw)")
    assert tagged == ok_reply("STORE") and untagged == [fetch_line(1, ["\\Seen", "$Junk"])], untagged
    untagged, tagged = c.command("STORE 2 FLAGS (\\Flagged)")
    assert tagged == ok_reply("STORE") and untagged == [fetch_line(2, ["\\Flagged"])], untagged
    untagged, tagged = c.command("UID STORE 1:* FLAGS.SILENT ($Junk)")
    assert tagged == ok_reply("STORE") and untagged == [], untagged
    assert fetch_flags(c) == {1: ["$Junk"], 2: ["$Junk"], 3: ["$Junk"]}
    # the list only grows while selected: unknownkw was never created
    flags, _ = select_flags(c)
    assert flags == SYSTEM + ["$Junk", "work"]


def test_second_session_and_new_session_see_keywords(srv):
    a, b = login(srv), login(srv)
    select_flags(a)
    select_flags(b)
    untagged, tagged = a.command("STORE 2 +FLAGS.SILENT (NonJunk $label1)")
    assert tagged == ok_reply("STORE"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + ["NonJunk", "$label1"] and rest == []
    if srv.kind == "mbox":
        # mbox_lazy_writes (the default): the file changes at a's next sync
        # point (no mbox index yet to share it earlier)
        assert a.command("NOOP") == ([], ok_reply("NOOP"))
    untagged, tagged = b.command("NOOP")
    assert tagged == ok_reply("NOOP"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + ["NonJunk", "$label1"]
    assert perm == SYSTEM + ["NonJunk", "$label1", "\\*"]
    m = FETCH_FLAGS_RE.match(rest[0]) if len(rest) == 1 else None
    assert m and m.group(1) == "2" and flag_list(m.group(3)) == ["NonJunk", "$label1"], rest
    # b removes one; a sees it, with no new FLAGS
    untagged, tagged = b.command("STORE 2 -FLAGS.SILENT ($label1)")
    assert tagged == ok_reply("STORE") and untagged == [], untagged
    if srv.kind == "mbox":
        assert b.command("NOOP") == ([], ok_reply("NOOP"))
    untagged, tagged = a.command("NOOP")
    assert tagged == ok_reply("NOOP"), tagged
    assert len(untagged) == 1 and FETCH_FLAGS_RE.match(untagged[0]), untagged
    assert flag_list(FETCH_FLAGS_RE.match(untagged[0]).group(3)) == ["NonJunk"]
    a.command("LOGOUT")
    b.command("LOGOUT")
    # a new session (Maildir: built from the index) sees the same
    c = login(srv)
    flags, _ = select_flags(c)
    assert flags == SYSTEM + ["NonJunk", "$label1"]
    assert fetch_flags(c) == {1: [], 2: ["NonJunk"], 3: []}


def test_append_and_copy_keep_keywords(srv):
    c = login(srv)
    select_flags(c, "Archive")
    data = b"From: k@example.org\r\nSubject: kw\r\n\r\nkeywords\r\n"
    c.n += 1
    tag = "t%d" % c.n
    c.send(("%s APPEND INBOX (\\Seen $Forwarded Work) {%d+}\r\n" % (tag, len(data))).encode())
    c.send(data + b"\r\n")
    untagged, tagged = c.read_response(tag)
    assert untagged == [] and re.match(r"^OK \[APPENDUID \d+ 4\] Append completed\.$", tagged), \
        (untagged, tagged)
    select_flags(c)
    # the first SELECT after the APPEND takes \Recent (RFC 3501 2.3.2)
    assert fetch_flags(c)[4] == ["\\Seen", "\\Recent", "$Forwarded", "Work"]
    untagged, tagged = c.command("COPY 4 Archive")
    assert re.match(r"^OK \[COPYUID \d+ 4 1\] Copy completed\.$", tagged), (untagged, tagged)
    flags, _ = select_flags(c, "Archive")
    assert flags == SYSTEM + ["$Forwarded", "Work"]
    assert fetch_flags(c) == {1: ["\\Seen", "\\Recent", "$Forwarded", "Work"]}
    untagged, tagged = c.command("UID FETCH 1 BODY.PEEK[]")
    assert tagged == ok_reply("FETCH") and untagged[0][1] == data, untagged


def test_bad_keywords(srv):
    c = login(srv)
    select_flags(c)
    untagged, tagged = c.command("STORE 1 +FLAGS (\\Junk)")
    assert tagged == "BAD Error in IMAP command STORE: Invalid system flag \\Junk", tagged
    untagged, tagged = c.command("STORE 1 +FLAGS (%s)" % ("k" * 51))
    assert tagged == "BAD Error in IMAP command STORE: Keyword length too long", tagged
    untagged, tagged = c.command("STORE 1 +FLAGS (%s)" % ("k" * 50))
    assert tagged == ok_reply("STORE"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + ["k" * 50]
    assert perm == SYSTEM + ["k" * 50, "\\*"]
    assert rest == [fetch_line(1, ["k" * 50])]
    untagged, tagged = c.command("STORE 1 +FLAGS (\\Recent)")
    assert tagged == "BAD Error in IMAP command STORE: Invalid system flag \\Recent", tagged
    untagged, tagged = c.command('STORE 1 +FLAGS ("quoted")')
    assert tagged == "BAD Error in IMAP command STORE: Flags list contains non-atoms.", tagged
    untagged, tagged = c.command("EXAMINE INBOX")
    assert tagged == ok_reply("EXAMINE")
    untagged, tagged = c.command("STORE 1 +FLAGS (newkw)")
    assert (untagged, tagged) == ([], "NO Mailbox is read-only."), untagged


def test_maildir_26_letters_then_limit(srv):
    if srv.kind != "maildir":
        pytest.skip("the 26-letter limit is Maildir's")
    c = login(srv)
    select_flags(c)
    names = ["kw%02d" % i for i in range(26)]
    untagged, tagged = c.command("STORE 1 +FLAGS.SILENT (%s)" % " ".join(names))
    assert tagged == ok_reply("STORE"), tagged
    flags, perm, rest = split_announce(untagged)
    assert flags == SYSTEM + names and perm == SYSTEM + names and rest == []
    untagged, tagged = c.command("STORE 2 +FLAGS (kw26)")
    assert tagged == "NO [LIMIT] Too many keywords in the mailbox", tagged
    assert untagged == []
    # on disk as Dovecot keeps them
    md = srv.maildir("demo")
    with open(os.path.join(md, "dovecot-keywords")) as f:
        lines = f.read().splitlines()
    assert lines == ["%d %s" % (i, n) for i, n in enumerate(names)]
    cur = [n for n in os.listdir(os.path.join(md, "cur")) if ":2," in n]
    first = [n for n in cur if n.endswith(":2,abcdefghijklmnopqrstuvwxyz")]
    assert len(first) == 1, cur


def test_keywords_on_disk(srv):
    c = login(srv)
    select_flags(c)
    untagged, tagged = c.command("STORE 2 +FLAGS.SILENT ($Junk \\Flagged)")
    assert tagged == ok_reply("STORE"), tagged
    untagged, tagged = c.command("STORE 3 +FLAGS.SILENT (Later $Junk)")
    assert tagged == ok_reply("STORE"), tagged
    c.command("LOGOUT")
    home = srv.home("demo")
    if srv.kind == "maildir":
        md = srv.maildir("demo")
        with open(os.path.join(md, "dovecot-keywords")) as f:
            assert f.read() == "0 $Junk\n1 Later\n"
        names = sorted(os.listdir(os.path.join(md, "cur")) + os.listdir(os.path.join(md, "new")))
        infos = sorted(n.partition(":2,")[2] for n in names)
        assert infos == ["", "Fa", "ab"], names
    else:
        with open(os.path.join(home, "mail", "inbox"), "rb") as f:
            text = f.read().decode()
        assert re.search(r"^X-IMAPbase: \d+ \d+ \$Junk Later$", text, re.M), text
        kws = re.findall(r"^X-Keywords:(.*)$", text, re.M)
        assert [k.strip() for k in kws] == ["", "$Junk", "$Junk Later"], kws
