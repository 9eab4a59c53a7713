"""ESEARCH (RFC 4731), ESORT (RFC 5267 3), SEARCHRES (RFC 5182) and WITHIN
(RFC 5032) against a running server, on Maildir and mbox: messages
appended with chosen INTERNALDATEs (some seconds, hours and days old);
every RETURN combination with a match and with none, the UID forms, SORT
RETURN in sort order, the BAD texts; "$" after RETURN (SAVE) in FETCH,
STORE, COPY, UID commands and search keys, shrunk by another session's
expunge, empty before any SAVE and after UNSELECT/SELECT/CLOSE, SAVE with
MIN/MAX saving only those; OLDER/YOUNGER. Each "* ESEARCH" line is parsed
with a strict RFC 4731 parser and asserted exactly, and the same commands
on Debian's Dovecot 2.3 give the same replies."""
import itertools
import re
import time

import pytest
from dlserver import Server
from filled_inbox import append_all, dovecot_session, uid_gap, without_timing
from rawclient import login, ok_reply, create, select as raw_select
from test_append_copy import LOCATIONS, prepare_mbox_home

NOW = time.time()


def _date(age):
    """An INTERNALDATE age seconds ago, in UTC."""
    return time.strftime("%d-%b-%Y %H:%M:%S +0000", time.gmtime(NOW - age))


# (internaldate, message): ages 20 days .. 1 minute; subjects for SORT
AGES = [1728000, 864000, 172800, 18000, 3600, 60]
SUBJECTS = ["c", "a", "e", "b", "f", "a"]
MSGS = [(_date(age), b"Subject: %s\r\nFrom: x@example.org\r\n\r\nbody %d\r\n"
         % (s.encode(), i)) for i, (age, s) in enumerate(zip(AGES, SUBJECTS))]

# RFC 4731 7: the ESEARCH response
_ESEARCH_RE = re.compile(r'^\* ESEARCH(?: \(TAG "((?:[^"\\]|\\.)*)"\))?'
                         r'( UID)?((?: [A-Z]+ [^ ]+)*)$')
_NZ = r"[1-9][0-9]*"
_SEQSET_RE = re.compile(r"^(%s|%s:%s)(,(%s|%s:%s))*$" % ((_NZ,) * 6))
_RETURN_DATA = {"MIN": re.compile("^%s$" % _NZ),
                "MAX": re.compile("^%s$" % _NZ),
                "ALL": _SEQSET_RE,
                "COUNT": re.compile("^(0|%s)$" % _NZ),
                "MODSEQ": re.compile("^%s$" % _NZ)}


def parse_esearch(line):
    """(tag, uid, [(name, value)]) of an ESEARCH line; asserts the RFC 4731
    grammar (no "*", numbers without leading zeros, each item once)."""
    m = _ESEARCH_RE.match(line)
    assert m, line
    words = m.group(3).split()
    items = list(zip(words[0::2], words[1::2]))
    for name, value in items:
        assert name in _RETURN_DATA and _RETURN_DATA[name].match(value), line
    assert len(set(n for n, _ in items)) == len(items), line
    return m.group(1), m.group(2) is not None, items


def expand(seqset):
    """The numbers of an ALL sequence-set, in its order."""
    out = []
    for part in seqset.split(","):
        a, _, b = part.partition(":")
        a, b = int(a), int(b or a)
        out.extend(range(a, b + 1) if a <= b else range(a, b - 1, -1))
    return out


def compress(nums):
    """nums written as ALL: ascending runs as a:b, in the given order."""
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else "%d:%d" % (nums[i], nums[j]))
        i = j + 1
    return ",".join(out)


def want_esearch(tag, opts, nums, uid=False):
    """The exact line Dovecot sends: MIN MAX ALL COUNT in that order,
    MIN/MAX/ALL left out without matches; MIN/MAX are first/last."""
    line = '* ESEARCH (TAG "%s")' % tag + (" UID" if uid else "")
    opts = set(opts) or {"ALL"}
    if nums and "MIN" in opts:
        line += " MIN %d" % nums[0]
    if nums and "MAX" in opts:
        line += " MAX %d" % nums[-1]
    if nums and "ALL" in opts:
        line += " ALL " + compress(nums)
    if "COUNT" in opts:
        line += " COUNT %d" % len(nums)
    return line


def esearch(c, cmd, ok="OK Search completed."):
    """Runs cmd; asserts one ESEARCH line with this command's tag and the
    tagged ok; returns the line (parsed to check it)."""
    untagged, tagged = c.command(cmd)
    assert tagged == ok, (cmd, untagged, tagged)
    assert len(untagged) == 1, (cmd, untagged)
    tag, _, _ = parse_esearch(untagged[0])
    assert tag == "t%d" % c.n, untagged
    return untagged[0]


def start(kind):
    """A server with MSGS in INBOX after one expunged message (UIDs are
    one above the sequence numbers), and a connection with it selected."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[kind])
    s.start()
    if kind == "mbox":
        prepare_mbox_home(s)
    c = login(s)
    uid_gap(c)
    append_all(c, MSGS)
    assert raw_select(c)["EXISTS"] == len(MSGS)
    return s, c


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def conn(request):
    s, c = start(request.param)
    try:
        yield c
    finally:
        c.close()
        s.stop()


@pytest.fixture(params=sorted(LOCATIONS))
def fresh(request):
    """A server of its own for a test that changes the mailbox."""
    s, c = start(request.param)
    try:
        yield s, c
    finally:
        c.close()
        s.stop()


OPTS = ["MIN", "MAX", "ALL", "COUNT"]
COMBOS = [list(p) for n in range(0, 5) for p in itertools.permutations(OPTS, n)
          if n < 3 or p == tuple(OPTS) or p == tuple(reversed(OPTS))]


@pytest.mark.parametrize("opts", COMBOS, ids=lambda o: "_".join(o) or "none")
@pytest.mark.parametrize("keys,seqs", [
    ("1:3,5", [1, 2, 3, 5]), ("ALL", [1, 2, 3, 4, 5, 6]), ("4", [4]),
    ("SUBJECT nomatch", [])])
def test_search_return(conn, opts, keys, seqs):
    cmd = "SEARCH RETURN (%s) %s" % (" ".join(opts), keys)
    assert esearch(conn, cmd) == want_esearch("t%d" % conn.n, opts, seqs)
    # UID SEARCH: the same keys, answered in UIDs (one above)
    cmd = "UID SEARCH RETURN (%s) %s" % (" ".join(opts), keys)
    assert esearch(conn, cmd) == want_esearch(
        "t%d" % conn.n, opts, [s + 1 for s in seqs], uid=True)


def test_search_return_forms(conn):
    # case-insensitive options, repeats, CHARSET after RETURN, UID key
    line = esearch(conn, "SEARCH RETURN (min Count MIN) CHARSET UTF-8 "
                   "UID 3:5")
    assert line == '* ESEARCH (TAG "t%d") MIN 2 COUNT 3' % conn.n
    line = esearch(conn, "UID SEARCH RETURN () NOT 2")
    assert line == '* ESEARCH (TAG "t%d") UID ALL 2,4:7' % conn.n
    # without RETURN: the plain reply
    assert conn.command("SEARCH 2,4") == (["* SEARCH 2 4"],
                                          "OK Search completed.")


BAD = [
    ("SEARCH RETURN (FOO) ALL", "Unknown SEARCH return option"),
    ("SEARCH RETURN ((MIN)) ALL", "SEARCH return options contain non-atoms"),
    ('SEARCH RETURN ("MIN") ALL', "SEARCH return options contain non-atoms"),
    ("SORT RETURN (FOO) (ARRIVAL) UTF-8 ALL", "Unknown SEARCH return option"),
    ("SEARCH OLDER 0", "Invalid search interval parameter"),
    ("SEARCH YOUNGER -1", "Invalid search interval parameter"),
    ("SEARCH OLDER x", "Invalid search interval parameter"),
    ("SEARCH YOUNGER 4294967296", "Invalid search interval parameter"),
    ("SEARCH 1:$", "Invalid messageset"),
]
# texts of our own SEARCH (test_search.py) where Dovecot words them
# otherwise
OWN_BAD = [
    # PARTIAL without its range (RFC 5267 4.4; test_context_search.py)
    ("SEARCH RETURN (MIN PARTIAL) ALL", "PARTIAL range missing"),
    ("SEARCH RETURN MIN ALL", "Unknown search key"),
    ("SEARCH RETURN (MIN)", "Missing search key"),
    ("SEARCH $,1", "Unknown search key"),
    ("SEARCH OLDER", "Missing parameter for OLDER"),
]


@pytest.mark.parametrize("cmd,error", BAD + OWN_BAD)
def test_bad(conn, cmd, error):
    if error == "Invalid messageset":
        error = "Invalid message sequence set"
    verb = cmd.split()[0]
    assert conn.command(cmd) == (
        [], "BAD Error in IMAP command %s: %s" % (verb, error))


# sort order of SUBJECTS: a(2) a(6) b(4) c(1) e(3) f(5)
SORTED = [2, 6, 4, 1, 3, 5]


@pytest.mark.parametrize("opts", COMBOS, ids=lambda o: "_".join(o) or "none")
def test_sort_return(conn, opts):
    cmd = "SORT RETURN (%s) (SUBJECT) UTF-8 ALL" % " ".join(opts)
    assert esearch(conn, cmd, "OK Sort completed.") == want_esearch(
        "t%d" % conn.n, opts, SORTED)
    cmd = "UID SORT RETURN (%s) (REVERSE SUBJECT) UTF-8 2:6" % " ".join(opts)
    # f e b a a: ties stay in mailbox order under REVERSE (RFC 5256)
    want = [s + 1 for s in (5, 3, 4, 2, 6)]
    assert esearch(conn, cmd, "OK Sort completed.") == want_esearch(
        "t%d" % conn.n, opts, want, uid=True)
    cmd = "SORT RETURN (%s) (SUBJECT) UTF-8 SUBJECT x" % " ".join(opts)
    assert esearch(conn, cmd, "OK Sort completed.") == want_esearch(
        "t%d" % conn.n, opts, [])


def test_sort_return_all_runs(conn):
    # ALL keeps the sort order; only ascending runs are joined
    line = esearch(conn, "SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL",
                   "OK Sort completed.")
    assert line == '* ESEARCH (TAG "t%d") ALL 1:6' % conn.n
    line = esearch(conn, "SORT RETURN (ALL) (REVERSE ARRIVAL) UTF-8 ALL",
                   "OK Sort completed.")
    assert line == '* ESEARCH (TAG "t%d") ALL 6,5,4,3,2,1' % conn.n
    assert expand(line.split()[-1]) == [6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize("keys,want", [
    ("OLDER 3000", [1, 2, 3, 4, 5]), ("OLDER 7200", [1, 2, 3, 4]),
    ("OLDER 100000000", []), ("YOUNGER 7200", [5, 6]),
    ("YOUNGER 4294967295", [1, 2, 3, 4, 5, 6]),
    ("YOUNGER 900000", [2, 3, 4, 5, 6]), ("OLDER 7200 YOUNGER 900000", [2, 3, 4]),
    ("NOT OLDER 1000", [6]), ("OR OLDER 1000000 YOUNGER 600", [1, 6]),
])
def test_within(conn, keys, want):
    assert conn.command("SEARCH " + keys) == (
        ["* SEARCH" + "".join(" %d" % n for n in want)],
        "OK Search completed.")


def fetch_uid_lines(c, cmd):
    untagged, tagged = c.command(cmd)
    assert tagged == ok_reply("FETCH"), (cmd, untagged, tagged)
    return untagged


def test_searchres(fresh):
    _, c = fresh
    # nothing saved yet: "$" is empty, not an error
    assert c.command("FETCH $ (UID)") == ([], ok_reply("FETCH"))
    assert c.command("SEARCH $") == (["* SEARCH"], "OK Search completed.")
    # SAVE alone: no untagged reply
    assert c.command("SEARCH RETURN (SAVE) 2,4:5") == (
        [], "OK Search completed.")
    assert fetch_uid_lines(c, "FETCH $ (UID)") == [
        "* 2 FETCH (UID 3)", "* 4 FETCH (UID 5)", "* 5 FETCH (UID 6)"]
    assert fetch_uid_lines(c, "UID FETCH $ (UID)") == [
        "* 2 FETCH (UID 3)", "* 4 FETCH (UID 5)", "* 5 FETCH (UID 6)"]
    assert c.command("SEARCH $") == (["* SEARCH 2 4 5"],
                                     "OK Search completed.")
    assert c.command("UID SEARCH UID $") == (["* SEARCH 3 5 6"],
                                             "OK Search completed.")
    assert c.command("SEARCH NOT $") == (["* SEARCH 1 3 6"],
                                         "OK Search completed.")
    assert c.command("SEARCH OR $ 1") == (["* SEARCH 1 2 4 5"],
                                          "OK Search completed.")
    assert c.command("STORE $ +FLAGS.SILENT (\\Flagged)") == (
        [], ok_reply("STORE"))
    assert c.command("SEARCH FLAGGED") == (["* SEARCH 2 4 5"],
                                           "OK Search completed.")
    untagged, tagged = c.command("COPY $ INBOX")
    # (the new EXISTS may wait for the next command)
    more, noop = c.command("NOOP")
    assert noop == ok_reply("NOOP")
    assert "* 9 EXISTS" in untagged + more, (untagged, more)
    assert re.match(r"^OK \[COPYUID \d+ 3,5:6 8:10\] Copy completed\.$",
                    tagged), tagged
    # $ used in the SEARCH that saves: the old value
    assert c.command("SEARCH RETURN (SAVE ALL) $ 4:9") == (
        ['* ESEARCH (TAG "t%d") ALL 4:5' % c.n], "OK Search completed.")
    assert c.command("SEARCH $") == (["* SEARCH 4 5"],
                                     "OK Search completed.")
    # SAVE with MIN/MAX only (RFC 5182 2.4); with COUNT or ALL: all
    # (flagged: 2, 4, 5 and their copies 7:9)
    for opts, want, saved in [
            ("SAVE MIN", "MIN 2", [2]), ("SAVE MAX", "MAX 9", [9]),
            ("MAX SAVE MIN", "MIN 2 MAX 9", [2, 9]),
            ("SAVE MIN COUNT", "MIN 2 COUNT 6", [2, 4, 5, 7, 8, 9]),
            ("SAVE ALL MAX", "MAX 9 ALL 2,4:5,7:9", [2, 4, 5, 7, 8, 9])]:
        assert c.command("SEARCH RETURN (%s) FLAGGED" % opts) == (
            ['* ESEARCH (TAG "t%d") %s' % (c.n, want)],
            "OK Search completed.")
        assert c.command("SEARCH $") == (
            ["* SEARCH" + "".join(" %d" % n for n in saved)],
            "OK Search completed.")
    # a SORT saves too (in UID order); a BAD search keeps the old result
    assert c.command("SORT RETURN (SAVE) (REVERSE ARRIVAL) UTF-8 1:3") == (
        [], "OK Sort completed.")
    assert c.command("SEARCH RETURN (SAVE) NOSUCHKEY")[1] == \
        "BAD Error in IMAP command SEARCH: Unknown search key"
    assert c.command("SEARCH $") == (["* SEARCH 1 2 3"],
                                     "OK Search completed.")
    # an empty result empties it
    assert c.command("SEARCH RETURN (SAVE) SUBJECT nomatch") == (
        [], "OK Search completed.")
    assert c.command("FETCH $ (UID)") == ([], ok_reply("FETCH"))
    assert c.command("UID SEARCH $") == (["* SEARCH"], "OK Search completed.")


def test_searchres_expunge_reset(fresh):
    s, c = fresh
    assert c.command("SEARCH RETURN (SAVE) 2:4") == (
        [], "OK Search completed.")
    # another session expunges message 3 (UID 4)
    other = login(s)
    raw_select(other)
    assert other.command("STORE 3 +FLAGS.SILENT (\\Deleted)")[1] == \
        ok_reply("STORE")
    assert other.command("EXPUNGE") == (["* 3 EXPUNGE"],
                                        ok_reply("EXPUNGE"))
    other.close()
    untagged, tagged = c.command("NOOP")
    assert (untagged, tagged) == (["* 3 EXPUNGE"], ok_reply("NOOP"))
    # $ shrank with it: UIDs 3 and 5 are now messages 2 and 3
    assert fetch_uid_lines(c, "FETCH $ (UID)") == [
        "* 2 FETCH (UID 3)", "* 3 FETCH (UID 5)"]
    assert c.command("SEARCH $") == (["* SEARCH 2 3"],
                                     "OK Search completed.")
    # UID EXPUNGE $ (RFC 4315 with RFC 5182)
    assert c.command("STORE 2 +FLAGS.SILENT (\\Deleted)")[1] == \
        ok_reply("STORE")
    assert c.command("UID EXPUNGE $") == (["* 2 EXPUNGE"],
                                          ok_reply("EXPUNGE"))
    assert c.command("SEARCH $") == (["* SEARCH 2"], "OK Search completed.")
    # UNSELECT, SELECT and CLOSE forget it (RFC 5182 2.1)
    for reset in ("UNSELECT", "SELECT INBOX", "CLOSE"):
        if reset != "SELECT INBOX":
            assert c.command(reset)[1] == \
                "OK %s completed." % reset.capitalize()
            raw_select(c)
        else:
            raw_select(c)
        assert c.command("SEARCH $") == (["* SEARCH"],
                                         "OK Search completed."), reset
        assert c.command("SEARCH RETURN (SAVE) 1") == (
            [], "OK Search completed.")


# compared with Dovecot: commands in order on a fresh mailbox with no UID
# gap; tags replaced, timing taken off
DOVECOT_CMDS = [
    "SEARCH RETURN (MIN MAX ALL COUNT) ALL",
    "SEARCH RETURN (COUNT ALL MAX MIN) 1,2,3,5",
    "UID SEARCH RETURN (MIN MAX ALL COUNT) 1:3,5",
    "SEARCH RETURN () 2,4,5",
    "SEARCH RETURN (ALL) SUBJECT nomatch",
    "SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT nomatch",
    "UID SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT nomatch",
    "SEARCH RETURN (min count) ALL",
    "SEARCH RETURN (SAVE MIN COUNT) 2:5",
    "FETCH $ (UID)",
    "SEARCH $",
    "FETCH $ (UID)",
    "SEARCH RETURN (SAVE MIN MAX) 2:5",
    "SEARCH $",
    "SEARCH RETURN (SAVE) 1:2",
    "SEARCH NOT $",
    "UID SEARCH UID $",
    "SORT RETURN (ALL) (SUBJECT) UTF-8 ALL",
    "SORT RETURN (MIN MAX ALL COUNT) (REVERSE SUBJECT) UTF-8 ALL",
    "UID SORT RETURN (ALL COUNT) (REVERSE ARRIVAL) UTF-8 ALL",
    "SORT RETURN (SAVE) (REVERSE ARRIVAL) UTF-8 1:3",
    "SEARCH $",
    "SEARCH OLDER 3000",
    "SEARCH YOUNGER 7200",
    "SEARCH OLDER 7200 YOUNGER 900000",
    "SEARCH RETURN (SAVE) SUBJECT nomatch",
    "FETCH $ (UID)",
    # an empty "$": no messages, no error
    "COPY $ INBOX",
    "STORE $ +FLAGS (\\Seen)",
    "UID EXPUNGE $",
    "SEARCH RETURN (SAVE) 3",
    "UNSELECT",
    "SELECT INBOX",
    "SEARCH $",
] + [cmd for cmd, _ in BAD]


def _normal(c, untagged, tagged):
    """Replies comparable between the servers: the ESEARCH tag checked and
    replaced, Dovecot's timing and our final "." taken off, SELECT's
    changing lines dropped."""
    out = []
    for line in untagged:
        if line.startswith("* ESEARCH"):
            tag, _, _ = parse_esearch(line)
            assert tag == "t%d" % c.n, line
            line = line.replace('(TAG "%s")' % tag, '(TAG "x")')
        if line.startswith("* OK [") and "UIDVALIDITY" in line:
            continue
        out.append(line)
    tagged = without_timing(tagged).rstrip(".")
    tagged = tagged.replace("Invalid message sequence set",
                            "Invalid messageset")
    return out, tagged


def _run_all(c):
    return [(cmd,) + _normal(c, *c.command(cmd)) for cmd in DOVECOT_CMDS]


def test_as_dovecot():
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS["maildir"])
    s.start()
    try:
        c = login(s)
        append_all(c, MSGS)
        raw_select(c)
        ours = _run_all(c)
        c.close()
    finally:
        s.stop()
    with dovecot_session(MSGS) as dc:
        theirs = _run_all(dc)
    # SELECT's untagged lines differ (Dovecot's UNSEEN, PERMANENTFLAGS)
    ours = [r if r[0] != "SELECT INBOX" else (r[0], [], r[2]) for r in ours]
    theirs = [r if r[0] != "SELECT INBOX" else (r[0], [], r[2])
              for r in theirs]
    assert ours == theirs


def test_searchres_move(fresh):
    """MOVE and UID MOVE take "$" (RFC 6851 with RFC 5182)."""
    _, c = fresh
    create(c, "Other")
    assert c.command("SEARCH RETURN (SAVE) 2,5") == (
        [], "OK Search completed.")
    untagged, tagged = c.command("MOVE $ Other")
    assert tagged == "OK Move completed.", tagged
    # messages 2 and 5: either order of the EXPUNGEs is valid
    assert [l for l in untagged if "EXPUNGE" in l] in (
        ["* 2 EXPUNGE", "* 4 EXPUNGE"], ["* 5 EXPUNGE", "* 2 EXPUNGE"]), \
        untagged
    assert re.match(r"^\* OK \[COPYUID \d+ 3,6 1:2\] ", untagged[0]), \
        untagged
    # the moved UIDs are gone: "$" is empty now
    assert c.command("SEARCH $") == (["* SEARCH"], "OK Search completed.")
    assert c.command("SEARCH RETURN (SAVE) 1") == ([], "OK Search completed.")
    untagged, tagged = c.command("UID MOVE $ Other")
    assert tagged == "OK Move completed.", tagged
    assert [l for l in untagged if "EXPUNGE" in l] == ["* 1 EXPUNGE"], \
        untagged
    assert c.command("STATUS Other (MESSAGES)") == (
        ["* STATUS Other (MESSAGES 3)"], ok_reply("STATUS"))


def test_esearch_modseq(fresh):
    """With a MODSEQ key (RFC 7162 3.1.5) ESEARCH ends with the highest
    modseq of what it returns: MIN/MAX alone only theirs; also for SAVE
    alone, even when nothing matched (as Dovecot)."""
    _, c = fresh
    untagged, tagged = c.command("SEARCH RETURN (SAVE) MODSEQ 99999999")
    assert tagged == "OK Search completed.", tagged
    assert len(untagged) == 2 and \
        re.match(r"^\* OK \[HIGHESTMODSEQ \d+\] Highest$", untagged[0]) and \
        untagged[1] == '* ESEARCH (TAG "t%d")' % c.n, untagged
    for cmd in ("STORE 2 +FLAGS.SILENT (\\Flagged)",
                "STORE 4 +FLAGS.SILENT (\\Seen)"):
        assert c.command(cmd)[1] == ok_reply("STORE")
    untagged, tagged = c.command("FETCH 1:* (MODSEQ)")
    assert tagged == ok_reply("FETCH")
    mods = {}
    for line in untagged:
        m = re.match(r"^\* (\d+) FETCH \(MODSEQ \((\d+)\)\)$", line)
        assert m, line
        mods[int(m.group(1))] = int(m.group(2))
    assert sorted(mods) == [1, 2, 3, 4, 5, 6], mods
    assert mods[4] > mods[2] > mods[1], mods
    top = max(mods.values())
    for opts, keys, want in [
            ("MIN", "MODSEQ 1", "MIN 1 MODSEQ %d" % mods[1]),
            ("MAX", "MODSEQ 1", "MAX 6 MODSEQ %d" % mods[6]),
            ("MIN MAX", "MODSEQ 1",
             "MIN 1 MAX 6 MODSEQ %d" % max(mods[1], mods[6])),
            ("MIN", "2:3 MODSEQ 1", "MIN 2 MODSEQ %d" % mods[2]),
            ("COUNT", "MODSEQ 1", "COUNT 6 MODSEQ %d" % top),
            ("ALL", "MODSEQ 1", "ALL 1:6 MODSEQ %d" % top),
            ("SAVE", "MODSEQ 1", "MODSEQ %d" % top),
            ("COUNT", "MODSEQ %d" % (top + 1), "COUNT 0")]:
        line = esearch(c, "SEARCH RETURN (%s) %s" % (opts, keys))
        assert line == ('* ESEARCH (TAG "t%d") ' % c.n + want).rstrip(), \
            (opts, keys, line)
    line = esearch(c, "SORT RETURN (MIN) (REVERSE ARRIVAL) UTF-8 MODSEQ 1",
                   "OK Sort completed.")
    assert line == '* ESEARCH (TAG "t%d") MIN 6 MODSEQ %d' % (c.n, mods[6])


def test_capability(conn):
    """Advertised in Dovecot's order (test_condstore.CAPS)."""
    from test_condstore import CAPS
    untagged, tagged = conn.command("CAPABILITY")
    assert (untagged, tagged) == (["* CAPABILITY " + CAPS],
                                  "OK Capability completed.")
