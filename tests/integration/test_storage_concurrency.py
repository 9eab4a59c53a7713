"""Several sessions of one user on one Maildir, and a test "MTA" delivering
into it: every session sees the others' flag changes and expunges as
untagged responses at its own sync points (NOOP, IDLE; never EXPUNGE during
FETCH or STORE, RFC 3501 7.4.1; EXPUNGEs numbered in order), the UIDs stay
the same everywhere, and a message dropped into new/ appears as
EXISTS/RECENT and is fetchable byte-exactly. Also with the changes racing
the syncs (threads: renames and deliveries while another session NOOPs in
a loop), and a session acting on a stale view (renamed/expunged files).

Waiting is always on a condition with a deadline (IDLE: until the expected
untagged lines arrive), never a sleep; nothing here is timed."""
import re, socket, threading, time
import pytest
from dlserver import Server
from rawclient import ok_reply, login, select as raw_select

MESSAGES = 6
IDLE_DEADLINE = 20      # seconds to wait for an IDLE notification
KEEPALIVE = "* OK Still here"
FLAGS_FETCH_RE = re.compile(r"^\* (\d+) FETCH \((?:UID (\d+) )?FLAGS \(([^)]*)\)\)$")
UID_FETCH_RE = re.compile(r"^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\)\)$")


@pytest.fixture
def srv():
    # IDLE rechecks the mailbox every second (Dovecot's default is 30 s)
    s = Server(users={"demo": "demo"}, messages=MESSAGES,
               extra_conf="mailbox_idle_check_interval = 1 secs\n").start()
    yield s
    s.stop()


def session(srv):
    return login(srv, timeout=IDLE_DEADLINE)


def select(c):
    """SELECT INBOX; returns (EXISTS, RECENT, UIDVALIDITY)."""
    got = raw_select(c, "INBOX")
    return got["EXISTS"], got["RECENT"], got["UIDVALIDITY"]


def uid_flags(c):
    """[(uid, set of flags)] in sequence order, from FETCH 1:* (UID FLAGS)."""
    untagged, tagged = c.command("FETCH 1:* (UID FLAGS)")
    assert tagged == ok_reply("FETCH 1:* (UID FLAGS)"), tagged
    out = []
    for i, line in enumerate(untagged):
        m = UID_FETCH_RE.match(line)
        assert m and int(m.group(1)) == i + 1, untagged
        out.append((int(m.group(2)), frozenset(m.group(3).split())))
    return out


def noop(c):
    untagged, tagged = c.command("NOOP")
    assert tagged == ok_reply("NOOP"), tagged
    return untagged


def apply_expunges(uids, lines):
    """Apply `* n EXPUNGE` lines one by one (RFC 3501 7.4.1: each number is
    relative to the state after the previous ones). Every line must be one."""
    uids = list(uids)
    for line in lines:
        m = re.match(r"^\* (\d+) EXPUNGE$", line)
        assert m, "not an EXPUNGE line: %r (in %r)" % (line, lines)
        n = int(m.group(1))
        assert 1 <= n <= len(uids), "EXPUNGE %d out of range 1..%d (%r)" % (n, len(uids), lines)
        del uids[n - 1]
    return uids


def own_expunge_lines(lines):
    """The untagged lines of a session's own EXPUNGE: EXPUNGEs, then a
    RECENT if they took \\Recent messages away (as Dovecot). The
    EXPUNGE lines."""
    if lines and re.match(r"^\* \d+ RECENT$", lines[-1]):
        return lines[:-1]
    return lines


def check_flag_fetch(line, seq, uid, flags):
    """`* seq FETCH ([UID uid ]FLAGS (flags))` exactly, flags as a set."""
    m = FLAGS_FETCH_RE.match(line)
    assert m, line
    assert int(m.group(1)) == seq, line
    assert m.group(2) is None or int(m.group(2)) == uid, line
    assert frozenset(m.group(3).split()) == frozenset(flags), line


def idle_start(c):
    c.n += 1
    tag = "t%d" % c.n
    c.send(f"{tag} IDLE\r\n")
    assert c.readline() == "+ idling"
    return tag


def idle_collect(c, count):
    """Read untagged lines during IDLE until `count` that are not keepalives
    arrived (deadline IDLE_DEADLINE seconds)."""
    got = []
    deadline = time.monotonic() + IDLE_DEADLINE
    while len(got) < count:
        left = deadline - time.monotonic()
        assert left > 0, "IDLE: only %r within %ds" % (got, IDLE_DEADLINE)
        c.sock.settimeout(left)
        try:
            line = c.readline()
        except socket.timeout:
            raise AssertionError("IDLE: only %r within %ds" % (got, IDLE_DEADLINE))
        if line != KEEPALIVE:
            got.append(line)
    c.sock.settimeout(IDLE_DEADLINE)
    return got


def idle_done(c, tag):
    """DONE; nothing but keepalives may come before the tagged OK (the
    notifications the test waited for were all it expected)."""
    c.send("DONE\r\n")
    extra = []
    while True:
        line = c.readline()
        if line.startswith(tag + " "):
            assert line == tag + " OK Idle completed.", line
            return extra
        if line != KEEPALIVE:
            extra.append(line)


def deliver(srv, body, name):
    srv.deliver("demo", body, name)


def test_store_seen_at_noop_and_in_idle(srv):
    a, b = session(srv), session(srv)
    exists_a, recent_a, uidv_a = select(a)
    exists_b, recent_b, uidv_b = select(b)
    assert exists_a == exists_b == MESSAGES and uidv_a == uidv_b
    # a took \Recent for the messages in new/; b gets none of them
    assert recent_a == MESSAGES - 1 and recent_b == 0
    view_a, view_b = uid_flags(a), uid_flags(b)
    assert [u for u, _ in view_a] == [u for u, _ in view_b]
    uids = [u for u, _ in view_b]
    assert noop(b) == []

    untagged, tagged = a.command("STORE 2 +FLAGS (\\Flagged)")
    assert tagged == ok_reply("STORE 2 +FLAGS (\\Flagged)"), tagged
    assert len(untagged) == 1
    check_flag_fetch(untagged[0], 2, uids[1], {"\\Flagged", "\\Recent"})

    lines = noop(b)
    assert len(lines) == 1, lines
    check_flag_fetch(lines[0], 2, uids[1], {"\\Flagged"})
    assert noop(b) == [], "a change reported twice"

    # the same while b idles: two changes, one untagged FETCH each
    tag = idle_start(b)
    untagged, tagged = a.command("STORE 3:4 +FLAGS.SILENT (\\Answered \\Seen)")
    assert tagged == ok_reply("STORE 3:4 +FLAGS.SILENT (\\Answered \\Seen)") and untagged == [], (untagged, tagged)
    lines = sorted(idle_collect(b, 2))
    check_flag_fetch(lines[0], 3, uids[2], {"\\Answered", "\\Seen"})
    check_flag_fetch(lines[1], 4, uids[3], {"\\Answered", "\\Seen"})
    assert idle_done(b, tag) == []

    # and back: b removes a flag, a sees it (with its own \Recent)
    untagged, tagged = b.command("STORE 2 -FLAGS.SILENT (\\Flagged)")
    assert tagged == ok_reply("STORE 2 -FLAGS.SILENT (\\Flagged)") and untagged == [], (untagged, tagged)
    lines = noop(a)
    assert len(lines) == 1, lines
    check_flag_fetch(lines[0], 2, uids[1], {"\\Recent"})

    final_a, final_b = uid_flags(a), uid_flags(b)
    strip = lambda v: [(u, f - {"\\Recent"}) for u, f in v]
    assert strip(final_a) == strip(final_b)
    c = session(srv)
    assert select(c)[0] == MESSAGES
    assert strip(uid_flags(c)) == strip(final_b)
    for s in (a, b, c):
        s.command("LOGOUT")


def test_expunges_reported_in_order_at_sync_points(srv):
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    assert len(uids) == MESSAGES

    untagged, tagged = a.command("STORE 2,3,5 +FLAGS.SILENT (\\Deleted)")
    assert tagged == ok_reply("STORE 2,3,5 +FLAGS.SILENT (\\Deleted)"), tagged
    untagged, tagged = a.command("EXPUNGE")
    assert tagged == ok_reply("EXPUNGE"), tagged
    # a's \Recent count fell with it (5 -> 2): RECENT follows (as Dovecot,
    # RFC 3501 7.3.2)
    assert untagged[-1] == "* 2 RECENT", untagged
    left_a = apply_expunges(uids, untagged[:-1])
    assert left_a == [uids[0], uids[3], uids[5]]

    # b's FETCH must not report the expunges (RFC 3501 7.4.1): its sequence
    # numbers only change at a sync point
    # (UIDs come from b's own view, so every message is still there)
    untagged, tagged = b.command("FETCH 1:* (UID)")
    assert untagged == ["* %d FETCH (UID %d)" % (n + 1, u) for n, u in enumerate(uids)], \
        (untagged, uids)
    assert tagged == ok_reply("FETCH 1:* (UID)"), tagged
    # (old seq 4 = uids[3], which a kept)
    untagged, tagged = b.command("STORE 4 +FLAGS.SILENT (\\Flagged)")
    assert tagged == ok_reply("STORE 4 +FLAGS.SILENT (\\Flagged)"), tagged
    assert not any("EXPUNGE" in l for l in untagged), untagged

    lines = noop(b)
    # the other session's expunges; its own \Flagged needs no report
    assert apply_expunges(uids, lines) == left_a, lines
    assert len(lines) == 3
    assert noop(b) == []
    assert [u for u, _ in uid_flags(b)] == left_a

    # a sees b's \Flagged at its next NOOP
    lines = noop(a)
    assert len(lines) == 1, lines
    check_flag_fetch(lines[0], 2, uids[3], {"\\Flagged", "\\Recent"})

    # expunge while b idles: reported during IDLE, in a valid order. The
    # \Deleted flags first, seen by b before it idles (message 1 came \Seen)
    untagged, tagged = a.command("STORE 1,3 +FLAGS.SILENT (\\Deleted)")
    assert tagged == ok_reply("STORE 1,3 +FLAGS.SILENT (\\Deleted)"), tagged
    lines = sorted(noop(b))
    assert len(lines) == 2, lines
    check_flag_fetch(lines[0], 1, uids[0], {"\\Seen", "\\Deleted"})
    check_flag_fetch(lines[1], 3, uids[5], {"\\Deleted"})
    tag = idle_start(b)
    untagged, tagged = a.command("EXPUNGE")
    assert tagged == ok_reply("EXPUNGE"), tagged
    assert apply_expunges(left_a, own_expunge_lines(untagged)) == [uids[3]]
    lines = idle_collect(b, 2)
    assert apply_expunges(left_a, lines) == [uids[3]], lines
    assert idle_done(b, tag) == []

    # a third session opened afterwards sees the final state
    c = session(srv)
    exists, recent, _ = select(c)
    assert exists == 1
    view = uid_flags(c)
    assert [u for u, _ in view] == [uids[3]]
    assert view == [(u, f - {"\\Recent"}) for u, f in uid_flags(a)]
    for s in (a, b, c):
        s.command("LOGOUT")


def test_uid_fetch_may_report_expunges(srv):
    """UID FETCH is not FETCH: it may send EXPUNGE (RFC 3501 7.4.1); if it
    does, the numbers must be consistent."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    a.command("STORE 6 +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = a.command("EXPUNGE")
    assert own_expunge_lines(untagged) == ["* 6 EXPUNGE"] and \
        tagged == ok_reply("EXPUNGE"), (untagged, tagged)
    untagged, tagged = b.command("UID FETCH 1:* (FLAGS)")
    assert tagged == ok_reply("UID FETCH 1:* (FLAGS)"), tagged
    # walk the lines in order: each FETCH's seq must match the view as the
    # EXPUNGEs sent before it left it
    left = list(uids)
    for line in untagged:
        m = re.match(r"^\* (\d+) FETCH \(UID (\d+) FLAGS \([^)]*\)\)$", line)
        if m:
            assert left[int(m.group(1)) - 1] == int(m.group(2)), (line, untagged)
        else:
            left = apply_expunges(left, [line])
    lines = noop(b)
    assert apply_expunges(left, lines) == uids[:5], lines
    a.command("LOGOUT")
    b.command("LOGOUT")


def crlf_message(i, size):
    head = (f"From: MTA Test <mta@example.com>\r\nTo: demo@example.com\r\n"
            f"Subject: delivered {i}\r\nMessage-ID: <mta{i}@example.com>\r\n\r\n")
    body = "".join(f"line {n} of delivered message {i}\r\n" for n in range(size // 30))
    return (head + body).encode()


def fetch_body(c, seq):
    untagged, tagged = c.command(f"FETCH {seq} BODY.PEEK[]")
    assert tagged == ok_reply(f"FETCH {seq} BODY.PEEK[]"), tagged
    assert len(untagged) == 1 and isinstance(untagged[0], list), untagged
    head, data, rest = untagged[0]
    assert re.match(r"^\* %d FETCH \(BODY\[\] \{\d+\}$" % seq, head), head
    assert rest == ")", rest
    return data


def test_mta_delivery_appears_as_exists(srv):
    a = session(srv)
    exists, recent, _ = select(a)
    assert (exists, recent) == (MESSAGES, MESSAGES - 1)
    uids = [u for u, _ in uid_flags(a)]

    body1 = crlf_message(1, 3000)
    deliver(srv, body1, "1800000000.M1P100.mta-test,S=%d" % len(body1))
    lines = noop(a)
    assert lines == [f"* {MESSAGES + 1} EXISTS", f"* {MESSAGES} RECENT"], lines
    assert fetch_body(a, MESSAGES + 1) == body1
    view = uid_flags(a)
    assert [u for u, _ in view][:MESSAGES] == uids
    assert view[-1][0] > uids[-1] and view[-1][1] == {"\\Recent"}
    assert noop(a) == []

    # the same while idling
    tag = idle_start(a)
    body2 = crlf_message(2, 15000)
    deliver(srv, body2, "1800000001.M2P100.mta-test,S=%d" % len(body2))
    lines = idle_collect(a, 2)
    assert lines == [f"* {MESSAGES + 2} EXISTS", f"* {MESSAGES + 1} RECENT"], lines
    assert idle_done(a, tag) == []
    assert fetch_body(a, MESSAGES + 2) == body2
    uid2 = uid_flags(a)[-1][0]
    assert uid2 > view[-1][0]

    # another session sees both with the same UIDs, and no \Recent
    b = session(srv)
    exists, recent, _ = select(b)
    assert (exists, recent) == (MESSAGES + 2, 0)
    assert [u for u, _ in uid_flags(b)] == uids + [view[-1][0], uid2]
    assert fetch_body(b, MESSAGES + 1) == body1
    a.command("LOGOUT")
    b.command("LOGOUT")


def test_expunge_and_flag_change_in_one_sync(srv):
    """Both kinds of change at one sync point: the FETCH after the EXPUNGE
    uses the sequence numbers as they are after it."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    for cmd in ("STORE 2 +FLAGS.SILENT (\\Deleted)", "EXPUNGE",
                "STORE 4 +FLAGS.SILENT (\\Draft)"):     # old seq 5
        untagged, tagged = a.command(cmd)
        assert tagged == ok_reply(cmd), (cmd, tagged)
    lines = noop(b)
    assert len(lines) == 2, lines
    assert lines[0] == "* 2 EXPUNGE", lines
    check_flag_fetch(lines[1], 4, uids[4], {"\\Draft"})
    assert [u for u, _ in uid_flags(b)] == uids[:1] + uids[2:]
    a.command("LOGOUT")
    b.command("LOGOUT")



def test_stale_session_fetches_renamed_and_stores_to_expunged(srv):
    """b acts on its old view after a renamed (re-flagged) or expunged the
    files: its body FETCH finds the renamed file, and a STORE to a message
    expunged meanwhile neither fails the session nor brings it back."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    body3 = fetch_body(b, 3)
    untagged, tagged = a.command("STORE 3 +FLAGS.SILENT (\\Flagged)")
    assert tagged == ok_reply("STORE 3 +FLAGS.SILENT (\\Flagged)"), tagged
    assert fetch_body(b, 3) == body3            # the file has a new name now

    for cmd in ("STORE 5 +FLAGS.SILENT (\\Deleted)", "EXPUNGE"):
        assert a.command(cmd)[1] == ok_reply(cmd)
    untagged, tagged = b.command("STORE 5 +FLAGS.SILENT (\\Answered)")
    assert not any("EXPUNGE" in l for l in untagged), untagged
    # a's EXPUNGE completed before: the file is gone
    assert tagged == "NO [EXPUNGEISSUED] Some of the requested messages no longer exist.", \
        tagged
    lines = noop(b)
    assert apply_expunges(uids, [l for l in lines if "EXPUNGE" in l]) == \
        uids[:4] + uids[5:], lines

    c = session(srv)
    select(c)
    view = dict(uid_flags(c))
    assert sorted(view) == uids[:4] + uids[5:]
    assert view[uids[2]] == {"\\Flagged"}
    for s in (a, b, c):
        s.command("LOGOUT")


def test_concurrent_flag_changes_are_not_lost(srv):
    """b's STORE from a view older than a's change of another flag on the
    same message keeps a's flag (the file was renamed under b)."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    untagged, tagged = a.command("STORE 3 +FLAGS.SILENT (\\Flagged)")
    assert tagged == ok_reply("STORE 3 +FLAGS.SILENT (\\Flagged)"), tagged
    # b has not synced: its view of message 3 has no \Flagged
    untagged, tagged = b.command("STORE 3 +FLAGS.SILENT (\\Seen)")
    assert tagged == ok_reply("STORE 3 +FLAGS.SILENT (\\Seen)"), tagged
    c = session(srv)
    select(c)
    assert dict(uid_flags(c))[uids[2]] == {"\\Flagged", "\\Seen"}
    for s in (a, b, c):
        s.command("LOGOUT")


def test_renames_racing_with_syncs_lose_nothing(srv):
    """a renames files (flag changes) as fast as it can while b syncs in a
    loop at the same time: a rename under b's directory scan must never look
    like an expunge or a new message to b, and b ends with a's flags."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    uids = [u for u, _ in uid_flags(b)]
    errors = []

    def flipper():
        try:
            for i in range(150):
                op = "+" if i % 2 == 0 else "-"
                untagged, tagged = a.command(f"STORE 1:* {op}FLAGS.SILENT (\\Flagged)")
                assert tagged == ok_reply(f"STORE 1:* {op}FLAGS.SILENT (\\Flagged)"), tagged
        except BaseException as e:      # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=flipper)
    t.start()
    seen = []
    while t.is_alive():
        seen += noop(b)
    t.join()
    assert not errors, errors
    seen += noop(b)
    for line in seen:
        m = FLAGS_FETCH_RE.match(line)
        assert m and 1 <= int(m.group(1)) <= MESSAGES, (line, seen)
    assert uid_flags(b) == [(u, f - {"\\Recent"}) for u, f in uid_flags(a)]
    assert [u for u, _ in uid_flags(b)] == uids
    a.command("LOGOUT")
    b.command("LOGOUT")


def test_deliveries_racing_with_two_sessions(srv):
    """A test MTA delivers messages while both sessions sync in a loop:
    every message gets exactly one UID, the same in both sessions, EXISTS
    only grows, \\Recent goes to exactly one session, and every delivered
    body is fetchable byte-exactly."""
    a, b = session(srv), session(srv)
    select(a)
    select(b)
    count = 30
    bodies = [crlf_message(100 + i, 2000 + 100 * i) for i in range(count)]
    errors = []

    def mta():
        try:
            for i, body in enumerate(bodies):
                deliver(srv, body, "1800001%03d.M%dP77.race,S=%d" % (i, i, len(body)))
        except BaseException as e:      # reported by the main thread
            errors.append(e)

    def syncer(c, out):
        """NOOP until all deliveries are reported (deadline IDLE_DEADLINE)."""
        exists = MESSAGES
        deadline = time.monotonic() + IDLE_DEADLINE
        try:
            while exists < MESSAGES + count:
                assert time.monotonic() < deadline, f"only {exists} messages seen"
                for line in noop(c):
                    m = re.match(r"^\* (\d+) (EXISTS|RECENT)$", line)
                    assert m, line
                    if m.group(2) == "EXISTS":
                        assert int(m.group(1)) > exists, line
                        exists = int(m.group(1))
            out.append(exists)
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=mta)
    t.start()
    got_b = []
    tb = threading.Thread(target=lambda: syncer(b, got_b))
    tb.daemon = True
    tb.start()
    got_a = []
    syncer(a, got_a)
    t.join()
    tb.join(timeout=IDLE_DEADLINE + 10)
    assert not errors, errors
    assert got_a == got_b == [MESSAGES + count]
    view_a, view_b = uid_flags(a), uid_flags(b)
    assert [u for u, _ in view_a] == [u for u, _ in view_b]
    uids = [u for u, _ in view_a]
    assert uids == sorted(set(uids))
    recent_a = sum(1 for _, f in view_a if "\\Recent" in f)
    recent_b = sum(1 for _, f in view_b if "\\Recent" in f)
    # a took the MESSAGES - 1 from new/ at SELECT; the deliveries are split
    # between a and b, none twice and none lost
    assert recent_a + recent_b == MESSAGES - 1 + count, (recent_a, recent_b)
    fetched = sorted(fetch_body(a, MESSAGES + 1 + i) for i in range(count))
    assert fetched == sorted(bodies)
    a.command("LOGOUT")
    b.command("LOGOUT")
