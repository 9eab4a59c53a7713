"""QRESYNC (RFC 7162 section 3.2) against a running server, Maildir and
mbox: ENABLE QRESYNC (with CONDSTORE, in the client's order), expunges
reported as "* VANISHED uids" with "OK [HIGHESTMODSEQ n]" on EXPUNGE and
MOVE, every unsolicited FETCH with its UID, UID FETCH (CHANGEDSINCE n
VANISHED) with "* VANISHED (EARLIER)" limited to the asked UIDs and below
UIDNEXT, SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids]
[seq-match-data])) with the resync after the usual responses (nothing on a
UIDVALIDITY mismatch), another session's expunge and flag change, the BAD
texts of malformed parameters. The same script runs on Debian's Dovecot
2.3: its replies, with the modseq numbers and UIDVALIDITY masked, FETCH
items compared as sets and RECENT lines left out (both may send them at
other points), equal ours.

Every reply is matched exactly."""
import re
import pytest
from dlserver import Server
from filled_inbox import append_all, dovecot_session, without_timing
from rawclient import Imap, LOGGED_IN_RE, login, ok_reply, select as raw_select, \
    mailbox_id, create_ok, strip_objectid
from test_append_copy import LOCATIONS, prepare_mbox_home

CONF = ""       # QRESYNC and CONDSTORE are advertised by default
MSGS = [b"Subject: m%d\r\n\r\nbody %d\r\n" % (i, i) for i in range(1, 11)]
FETCH_RE = re.compile(r"^\* (\d+) FETCH \((.*)\)$")
ITEM_RE = re.compile(r"(UID) (\d+)|(FLAGS) \(([^)]*)\)|(MODSEQ) \((\d+)\)")
HMS_RE = re.compile(r"\[HIGHESTMODSEQ (\d+)\]")


def fetch_items(line):
    """'* n FETCH (UID u FLAGS (..) MODSEQ (m))' as (n, {item: value}),
    the items in any order, nothing else allowed (None if not a FETCH)."""
    m = FETCH_RE.match(line)
    if m is None:
        return None
    items, rest = {}, m.group(2)
    while rest:
        im = ITEM_RE.match(rest)
        assert im is not None, line
        g = [x for x in im.groups() if x is not None]
        assert g[0] not in items, line
        items[g[0]] = tuple(sorted(g[1].split())) if g[0] == "FLAGS" else int(g[1])
        rest = rest[im.end():]
        assert rest == "" or rest.startswith(" "), line
        rest = rest[1:]
    return int(m.group(1)), items


def masked(lines):
    """Replies comparable between servers: RECENT left out, FETCH items
    as a set with MODSEQ masked and \\Recent dropped, modseqs and
    UIDVALIDITY masked, Dovecot's timing removed."""
    out = []
    for line in lines:
        if re.match(r"^\* \d+ RECENT$", line):
            continue
        f = fetch_items(line)
        if f is not None:
            items = dict(f[1])
            if "MODSEQ" in items:
                items["MODSEQ"] = "m"
            if "FLAGS" in items:
                items["FLAGS"] = tuple(x for x in items["FLAGS"] if x != "\\Recent")
            out.append(("FETCH", f[0], tuple(sorted(items.items()))))
            continue
        line = without_timing(line)
        line = re.sub(r"HIGHESTMODSEQ \d+", "HIGHESTMODSEQ m", line)
        line = re.sub(r"UIDVALIDITY \d+", "UIDVALIDITY v", line)
        line = re.sub(r"COPYUID \d+", "COPYUID v", line)
        out.append(line.rstrip("."))
    return out


def uidvalidity(c):
    untagged, tagged = c.command("STATUS INBOX (UIDVALIDITY)")
    m = re.match(r"^\* STATUS INBOX \(UIDVALIDITY (\d+)\)$", untagged[0])
    assert m, untagged
    return int(m.group(1))


def highestmodseq(c):
    """HIGHESTMODSEQ by STATUS (which enables CONDSTORE: the first time,
    with INBOX selected, its HIGHESTMODSEQ comes first)."""
    untagged, _ = c.command("STATUS INBOX (HIGHESTMODSEQ)")
    m = re.match(r"^\* STATUS INBOX \(HIGHESTMODSEQ (\d+)\)$", untagged[-1])
    assert m, untagged
    return int(m.group(1))


def modseqs(c):
    """uid -> modseq of every message."""
    untagged, tagged = c.command("UID FETCH 1:* (MODSEQ)")
    got = {}
    for line in untagged:
        n, items = fetch_items(line)
        got[items["UID"]] = items["MODSEQ"]
    return got


# (command, expected untagged with {uv} for the UIDVALIDITY, expected
# tagged) of the script's malformed SELECTs: Dovecot 2.3's exact texts
BAD_SELECTS = [
    ("SELECT INBOX (QRESYNC)", "QRESYNC parameters missing"),
    ("SELECT INBOX (QRESYNC ({uv}))", "Invalid QRESYNC parameters"),
    ("SELECT INBOX (QRESYNC (x 1))", "Invalid QRESYNC parameters"),
    ("SELECT INBOX (QRESYNC ({uv} x))", "Invalid QRESYNC parameters"),
    ("SELECT INBOX (QRESYNC (4294967296 1))", "Invalid QRESYNC parameters"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 (1:3 1:3) x))",
     "Invalid QRESYNC parameters"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:*))", "Invalid QRESYNC known-uids"),
    ("SELECT INBOX (QRESYNC ({uv} 1 0))", "Invalid QRESYNC known-uids"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 ()))",
     "Invalid QRESYNC known-sequence-set"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 (* 1)))",
     "Invalid QRESYNC known-sequence-set"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 (1:3)))",
     "Invalid QRESYNC known-uid-set"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 (1 2 3)))",
     "Too many parameters to QRESYNC known set"),
    ("SELECT INBOX (QRESYNC ({uv} 1 1:3 (1:3 1:2)))", "Invalid QRESYNC sets"),
]


def script(c):
    """The commands both servers run, with INBOX holding MSGS (UIDs
    1..10) selected: returns [(command, untagged, tagged)]."""
    uv = uidvalidity(c)
    out = []

    def run(cmd):
        untagged, tagged = c.command(cmd.format(uv=uv))
        out.append((cmd, untagged, tagged))
        return untagged, tagged

    run("ENABLE QRESYNC CONDSTORE")
    run("ENABLE CONDSTORE QRESYNC")
    run("STORE 2,5 +FLAGS.SILENT (\\Deleted)")
    run("EXPUNGE")
    run("STORE 3 +FLAGS (\\Flagged)")
    run("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    run("UID FETCH 1:4 (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    run("UID FETCH 20:30 (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    run("UID FETCH 1:100 (FLAGS) (VANISHED CHANGEDSINCE 1)")
    run("UID FETCH 1:* (FLAGS) (VANISHED)")
    run("SELECT INBOX (QRESYNC ({uv} 1))")
    run("SELECT INBOX (QRESYNC ({uv} 1 1:3))")
    run("EXAMINE INBOX (QRESYNC ({uv} 1 1:20 (1:3 1,3,4)))")
    run("SELECT INBOX (QRESYNC (1 1))")
    for cmd, _ in BAD_SELECTS:
        run(cmd)
    run("SELECT INBOX (CONDSTORE QRESYNC ({uv} 1 3:1))")
    run("STORE 1 +FLAGS.SILENT (\\Deleted)")
    run("CREATE Other")
    run("MOVE 2 Other")
    run("UID EXPUNGE 20:30")
    run("EXPUNGE")
    return out


@pytest.fixture(params=["maildir", "mbox"])
def server(request):
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[request.param], extra_conf=CONF)
    s.start()
    if request.param == "mbox":
        prepare_mbox_home(s)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def conn(server):
    c = login(server)
    append_all(c, MSGS)
    assert raw_select(c)["EXISTS"] == len(MSGS)
    try:
        yield c
    finally:
        c.close()


def test_qresync_script_exact(conn):
    """Our replies to the script, exactly, with the modseqs they must
    have."""
    c = conn
    uv = uidvalidity(c)
    hms0 = highestmodseq(c)
    initial = modseqs(c)
    # every SELECT's MAILBOXID: one id, STATUS's
    seen_ids = set()
    assert all(0 < m <= hms0 for m in initial.values()), initial
    res = script(c)

    def get(cmd):
        """The reply to cmd's next run in the script."""
        for i, (name, u, t) in enumerate(res):
            if name == cmd:
                del res[i]
                return u, t
        raise KeyError(cmd)

    # CONDSTORE is on already (STATUS above): no HIGHESTMODSEQ again
    assert get("ENABLE QRESYNC CONDSTORE") == (
        ["* ENABLED QRESYNC CONDSTORE"], "OK Enabled.")
    assert get("ENABLE CONDSTORE QRESYNC") == (
        ["* ENABLED CONDSTORE QRESYNC"], "OK Enabled.")
    # .SILENT: UID and MODSEQ only, one modseq per message
    untagged, tagged = get("STORE 2,5 +FLAGS.SILENT (\\Deleted)")
    assert tagged == ok_reply("STORE")
    assert [fetch_items(l) for l in untagged] == [
        (2, {"UID": 2, "MODSEQ": hms0 + 1}), (5, {"UID": 5, "MODSEQ": hms0 + 2})]
    untagged, tagged = get("EXPUNGE")
    # the messages are \Recent to this session (it SELECTed first after
    # the APPENDs): the count drops with them, as Dovecot sends it
    assert untagged == ["* VANISHED 2,5", "* 8 RECENT"], untagged
    m = HMS_RE.search(tagged)
    assert tagged == "OK [HIGHESTMODSEQ %s] Expunge completed." % m.group(1)
    hms_exp = int(m.group(1))
    assert hms_exp > hms0 + 2
    untagged, tagged = get("STORE 3 +FLAGS (\\Flagged)")
    n, items = fetch_items(untagged[0])
    flag_modseq = items["MODSEQ"]
    assert len(untagged) == 1 and n == 3 and flag_modseq == hms_exp + 1
    assert items == {"UID": 4, "FLAGS": items["FLAGS"], "MODSEQ": flag_modseq}
    assert set(items["FLAGS"]) - {"\\Recent"} == {"\\Flagged"}, items

    def fetch_lines(uids, since):
        """What FETCH (FLAGS) (CHANGEDSINCE since) answers for uids."""
        seq_of = {u: i + 1 for i, u in enumerate([1, 3, 4, 6, 7, 8, 9, 10])}
        lines = []
        for u in uids:
            mod = flag_modseq if u == 4 else initial[u]
            if mod > since:
                lines.append((seq_of[u], {"UID": u, "MODSEQ": mod}))
        return lines

    def check_fetch(cmd, vanished, uids, since=1):
        untagged, tagged = get(cmd)
        assert tagged == ok_reply("FETCH"), (cmd, tagged)
        got = [fetch_items(l) for l in untagged if not l.startswith("* VANISHED")]
        for _, items in got:
            del items["FLAGS"]
        expect = ([] if vanished is None else
                  ["* VANISHED (EARLIER) " + vanished])
        assert [l for l in untagged if l.startswith("* VANISHED")] == expect, \
            (cmd, untagged)
        if vanished is not None:
            assert untagged[0] == expect[0], untagged   # before the FETCHes
        assert got == fetch_lines(uids, since), (cmd, untagged)

    everything = [1, 3, 4, 6, 7, 8, 9, 10]
    check_fetch("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", "2,5", everything)
    check_fetch("UID FETCH 1:4 (FLAGS) (CHANGEDSINCE 1 VANISHED)", "2", [1, 3, 4])
    check_fetch("UID FETCH 20:30 (FLAGS) (CHANGEDSINCE 1 VANISHED)", None, [])
    # only below UIDNEXT (11)
    check_fetch("UID FETCH 1:100 (FLAGS) (VANISHED CHANGEDSINCE 1)", "2,5",
                everything)
    assert get("UID FETCH 1:* (FLAGS) (VANISHED)") == (
        [], "BAD Error in IMAP command UID FETCH: VANISHED used without "
        "CHANGEDSINCE")

    def head(examine):
        return ["* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                "* OK [PERMANENTFLAGS ()] Read-only mailbox." if examine else
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                "\\Draft \\*)] Flags permitted.",
                "* 8 EXISTS"]

    def check_select(cmd, vanished, uids, examine=False, closed=True):
        untagged, tagged = get(cmd)
        assert tagged == ("OK [READ-ONLY] Examine completed." if examine else
                          "OK [READ-WRITE] Select completed."), (cmd, tagged)
        lines = [l for l in untagged if not re.match(r"^\* \d+ RECENT$", l)]
        expect = (["* OK [CLOSED] Previous mailbox closed."] if closed else []) + \
            head(examine)
        assert lines[:len(expect)] == expect, (cmd, untagged)
        rest = lines[len(expect):]
        # [UNSEEN n] is optional (no message may be unseen)
        rest = [l for l in rest if not l.startswith("* OK [UNSEEN ")]
        assert rest[:3] == [
            "* OK [UIDVALIDITY %d] UIDs valid" % uv,
            "* OK [UIDNEXT 11] Predicted next UID",
            "* OK [HIGHESTMODSEQ %d] Highest" % (flag_modseq)], (cmd, untagged)
        m = re.match(r"^\* OK \[MAILBOXID \((F[0-9a-f]{32})\)\] Ok$", rest[3])
        assert m, (cmd, untagged)
        seen_ids.add(m.group(1))
        rest = rest[4:]
        if vanished is not None:
            assert rest[0] == "* VANISHED (EARLIER) " + vanished, (cmd, untagged)
            rest = rest[1:]
        got = [fetch_items(l) for l in rest]
        for _, items in got:
            assert set(items["FLAGS"]) - {"\\Recent"} == (
                {"\\Flagged"} if items["UID"] == 4 else set()), (cmd, items)
            del items["FLAGS"]
        assert got == fetch_lines(uids, 1), (cmd, untagged)

    check_select("SELECT INBOX (QRESYNC ({uv} 1))", "2,5", everything)
    check_select("SELECT INBOX (QRESYNC ({uv} 1 1:3))", "2", [1, 3])
    check_select("EXAMINE INBOX (QRESYNC ({uv} 1 1:20 (1:3 1,3,4)))", "2,5",
                 everything, examine=True)
    # another UIDVALIDITY: no resync
    untagged, tagged = get("SELECT INBOX (QRESYNC (1 1))")
    assert tagged == "OK [READ-WRITE] Select completed."
    assert not any("VANISHED" in l or "FETCH" in l for l in untagged), untagged
    m = re.match(r"^\* OK \[MAILBOXID \((F[0-9a-f]{32})\)\] Ok$", untagged[-1])
    assert m, untagged
    seen_ids.add(m.group(1))
    closed = True
    for cmd, text in BAD_SELECTS:
        untagged, tagged = get(cmd)
        assert (untagged, tagged) == (
            ["* OK [CLOSED] Previous mailbox closed."] if closed else [],
            "BAD Error in IMAP command SELECT: " + text), cmd
        closed = False      # a BAD SELECT leaves nothing selected
    check_select("SELECT INBOX (CONDSTORE QRESYNC ({uv} 1 3:1))", "2", [1, 3],
                 closed=False)
    untagged, tagged = get("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert [fetch_items(l) for l in untagged] == [
        (1, {"UID": 1, "MODSEQ": flag_modseq + 1})]
    untagged, tagged = get("MOVE 2 Other")
    m = re.match(r"^\* OK \[COPYUID (\d+) 3 1\] Moved UIDs\.$", untagged[0])
    assert m and untagged == [untagged[0], "* VANISHED 3"], untagged
    m = HMS_RE.search(tagged)
    assert m and tagged == "OK [HIGHESTMODSEQ %s] Move completed." % m.group(1)
    hms_move = int(HMS_RE.search(tagged).group(1))
    # nothing to expunge: no HIGHESTMODSEQ
    assert get("UID EXPUNGE 20:30") == ([], "OK Expunge completed.")
    untagged, tagged = get("EXPUNGE")
    assert untagged == ["* VANISHED 1"], untagged
    m = HMS_RE.search(tagged)
    assert tagged == "OK [HIGHESTMODSEQ %s] Expunge completed." % m.group(1)
    # the expunge's own modseq: what STATUS says now
    assert int(m.group(1)) > hms_move
    assert int(m.group(1)) == highestmodseq(c)
    assert seen_ids == {mailbox_id(c, "INBOX")}, seen_ids
    untagged, tagged = get("CREATE Other")
    assert untagged == []
    create_ok(c, "Other", tagged)


def test_qresync_not_enabled(server):
    """QRESYNC parameters and VANISHED need ENABLE QRESYNC first."""
    c = login(server)
    append_all(c, MSGS[:2])
    assert c.command("SELECT INBOX (QRESYNC (1 1))") == (
        [], "BAD Error in IMAP command SELECT: QRESYNC not enabled")
    raw_select(c)
    assert c.command("ENABLE CONDSTORE") == (
        ["* OK [HIGHESTMODSEQ %d] Highest" % highestmodseq(c),
         "* ENABLED CONDSTORE"], "OK Enabled.")
    assert c.command("SELECT INBOX (QRESYNC (1 1))") == (
        ["* OK [CLOSED] Previous mailbox closed."],
        "BAD Error in IMAP command SELECT: QRESYNC not enabled")
    raw_select(c)
    assert c.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)") == (
        [], "BAD Error in IMAP command UID FETCH: Invalid FETCH modifiers.")
    # expunges stay EXPUNGE without QRESYNC
    c.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert c.command("EXPUNGE") == (["* 1 EXPUNGE"], "OK Expunge completed.")
    c.close()


def test_qresync_other_session(server):
    """A's QRESYNC session sees B's expunge as VANISHED and B's flag
    change as a FETCH with UID and MODSEQ at its next NOOP."""
    a = login(server)
    append_all(a, MSGS[:4])
    raw_select(a)
    assert a.command("ENABLE QRESYNC")[1] == "OK Enabled."
    hms_before = highestmodseq(a)
    b = login(server)
    raw_select(b)
    b.command("STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert b.command("EXPUNGE")[0] == ["* 2 EXPUNGE"]
    untagged, tagged = b.command("STORE 3 FLAGS (\\Answered)")
    assert tagged == ok_reply("STORE")
    untagged, tagged = a.command("NOOP")
    assert tagged == ok_reply("NOOP")
    assert untagged[0] == "* VANISHED 2", untagged
    rest = [l for l in untagged[1:] if not re.match(r"^\* \d+ RECENT$", l)]
    assert len(rest) == 1, untagged
    n, items = fetch_items(rest[0])
    assert n == 3 and items["UID"] == 4, untagged
    assert set(items["FLAGS"]) - {"\\Recent"} == {"\\Answered"}
    # the change's modseq: above what A knew, the message's own now
    assert hms_before < items["MODSEQ"] <= highestmodseq(a)
    assert modseqs(a)[4] == items["MODSEQ"]
    a.close()
    b.close()


def test_qresync_like_dovecot(server):
    """The script's replies, masked, equal Debian's Dovecot's."""
    c = login(server)
    append_all(c, MSGS)
    raw_select(c)
    ours = [(cmd,) + strip_objectid(cmd, u, t, c) for cmd, u, t in script(c)]
    c.close()
    with dovecot_session(MSGS) as dc:
        theirs = script(dc)
    assert len(ours) == len(theirs)
    for (cmd, u1, t1), (_, u2, t2) in zip(ours, theirs):
        assert (cmd, masked(u1), masked([t1])) == (cmd, masked(u2), masked([t2]))
