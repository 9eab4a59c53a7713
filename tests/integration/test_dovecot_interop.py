"""A Maildir written by Debian's real Dovecot opens in dovecot-like with the
same UIDVALIDITY, UIDNEXT, UIDs, flags, message bytes and POP3 UIDLs.

Dovecot (dovecot-imapd, dovecot-pop3d) runs from a private config (own
base_dir/state_dir, free loopback ports, the same passwd-file and home as
the dovecot-like instance that serves the Maildir afterwards). Mail goes in
through Dovecot's IMAP APPEND (with flags and keywords) and a test "MTA"
writing into new/ and dovecot-lda; Dovecot then flags and expunges some.
After Dovecot stops, dovecot-like serves that same Maildir in place. And
back: what dovecot-like changes there (flags, an expunge, a delivery it
numbers), a new Dovecot instance reads the same, keywords kept.

Skipped (with the reason) only when Dovecot is not installed and cannot be
(needs root and apt-get); scripts/install-deps.sh installs it for CI."""
import imaplib, re, shutil, subprocess
import pytest
import dovecot
from dlserver import Server
from rawclient import ok_reply, login, select, fetch_bodies, pop3_uidls


def message(i, size, multipart=False):
    """A CRLF message of about `size` bytes (byte-exact round trips)."""
    lines = [f"From: Sender {i} <s{i}@example.com>", "To: demo@example.com",
             f"Subject: interop message {i}", f"Message-ID: <interop{i}@example.com>",
             "Date: Mon, 2 Nov 2026 10:%02d:00 +0000" % i, "MIME-Version: 1.0"]
    text = "".join(f"body line {n} of message {i}\r\n" for n in range(size // 28))
    if multipart:
        lines += ['Content-Type: multipart/mixed; boundary="b%d"' % i, "",
                  "preamble", f"--b{i}", "Content-Type: text/plain", "", text,
                  f"--b{i}", "Content-Type: application/octet-stream",
                  "Content-Transfer-Encoding: base64", "", "AAECAwQFBgcICQ==",
                  f"--b{i}--", ""]
    else:
        lines += ["Content-Type: text/plain; charset=us-ascii", "", text]
    return "\r\n".join(lines).encode()


# (flags at APPEND, later STORE through Dovecot, expunged?)
PLAN = [
    ("(\\Seen)", None, False),
    ("(\\Flagged $Junk)", "+FLAGS (\\Answered)", False),
    ("()", "+FLAGS (\\Deleted)", True),
    ("(\\Answered \\Seen NonJunk)", "-FLAGS (\\Seen)", False),
    ("(\\Draft)", None, False),
    ("()", "+FLAGS (\\Seen $Label1 \\Deleted)", True),
    ("(\\Seen $Forwarded)", "+FLAGS ($Label2)", False),
]
MTA_MESSAGE = message(99, 4000)
# delivered by dovecot-lda with LF line ends (as an MTA pipes it); IMAP
# serves it with CRLF
LDA_MESSAGE = message(98, 3000, multipart=True).replace(b"\r\n", b"\n")


def lda_deliver(dc, body):
    """dovecot-lda -d demo: Dovecot's own delivery (name, ,S=, ,W=)."""
    r = subprocess.run([dovecot.LDA, "-c", dc.conf, "-d", "demo", "-f", "mta@example.com"],
                       input=body, capture_output=True, timeout=60)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr, dc.log_text()[-2000:])


def parse_fetch(data):
    """imaplib FETCH data -> {uid: (flags set, body bytes)}."""
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        m = re.search(rb"UID (\d+)", head)
        f = re.search(rb"FLAGS \(([^)]*)\)", head)
        assert m and f, head
        out[int(m.group(1))] = (frozenset(f.group(1).decode().split()) - {"\\Recent"}, body)
    return out


def dovecot_session(dc):
    """Deliver and change mail through Dovecot; return what Dovecot reports:
    (uidvalidity, uidnext, {uid: (flags, body)}, [pop3 uidl lines])."""
    lda_deliver(dc, LDA_MESSAGE)
    m = imaplib.IMAP4("127.0.0.1", dc.imap_port, timeout=30)
    m.login("demo", "demo")
    bodies = [LDA_MESSAGE.replace(b"\n", b"\r\n")]
    for i, (flags, _, _) in enumerate(PLAN):
        body = message(i, 2000 + 1500 * i, multipart=(i % 3 == 1))
        bodies.append(body)
        typ, data = m.append("INBOX", flags, None, body)
        assert typ == "OK", data
    typ, data = m.select("INBOX")
    assert typ == "OK" and int(data[0]) == len(PLAN) + 1, data
    for i, (_, store, _) in enumerate(PLAN):
        if store:     # seq 1 is the LDA's message
            typ, data = m.store(str(i + 2), store.split(" ", 1)[0], store.split(" ", 1)[1])
            assert typ == "OK", data
    typ, data = m.expunge()
    assert typ == "OK"
    assert len(data) == sum(1 for p in PLAN if p[2]), data
    # an MTA delivery Dovecot picks up (and moves to cur/, as \Recent)
    dc.srv.deliver("demo", MTA_MESSAGE, "1800000099.M99P4242.mta,S=%d" % len(MTA_MESSAGE))
    typ, data = m.noop()
    assert typ == "OK"
    typ, data = m.select("INBOX")
    assert typ == "OK"
    uidvalidity = int(m.untagged_responses["UIDVALIDITY"][0])
    uidnext = int(m.untagged_responses["UIDNEXT"][0])
    typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
    assert typ == "OK"
    msgs = parse_fetch(data)
    m.logout()
    kept = bodies[:1] + [b for b, p in zip(bodies[1:], PLAN) if not p[2]] + [MTA_MESSAGE]
    assert [b for _, b in sorted((u, v[1]) for u, v in msgs.items())] == kept

    return uidvalidity, uidnext, msgs, pop3_uidls(dc.pop3_port, ours=False)


@pytest.fixture(scope="module")
def interop():
    """Dovecot writes the Maildir, then dovecot-like serves it."""
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"}, messages=0)
    srv.prepare()
    dc = dovecot.ForServer(srv)
    try:
        dc.start_or_skip()
        ref = dovecot_session(dc)
        dc.stop()
        bad = [l for l in dc.log_text().splitlines() if "Error:" in l or "Fatal:" in l
               or "Panic:" in l]
        assert not bad, "Dovecot's log:\n" + "\n".join(bad)
    except BaseException:
        dc.cleanup()
        shutil.rmtree(srv.dir, ignore_errors=True)
        raise
    dc.cleanup()
    srv.prepare = lambda: None     # serve exactly what Dovecot left
    srv.start()
    yield srv, ref
    srv.stop()


def our_view(srv):
    """(uidvalidity, uidnext, {uid: (flags, body)}) as dovecot-like reports."""
    c = login(srv)
    sel = select(c, "INBOX")
    msgs = {uid: (frozenset(flags.split()) - {"\\Recent"}, body)
            for uid, (flags, _, body) in fetch_bodies(c).items()}
    assert len(msgs) == sel["EXISTS"], (sel, sorted(msgs))
    c.command("LOGOUT")
    return sel["UIDVALIDITY"], sel["UIDNEXT"], msgs


def system_flags(flags):
    return frozenset(f for f in flags if f.startswith("\\"))


def kw(flags):
    return flags - system_flags(flags)


def test_same_uidvalidity_uids_and_bodies(interop):
    srv, (uidvalidity, uidnext, ref, _) = interop
    got_validity, got_next, got = our_view(srv)
    assert got_validity == uidvalidity
    assert got_next == uidnext
    assert sorted(got) == sorted(ref)
    for uid in ref:
        assert got[uid][1] == ref[uid][1], f"UID {uid}: body differs"


def test_same_system_flags(interop):
    srv, (_, _, ref, _) = interop
    _, _, got = our_view(srv)
    assert {u: system_flags(v[0]) for u, v in got.items()} == \
        {u: system_flags(v[0]) for u, v in ref.items()}
    # the plan did set some: the comparison is not of empty sets
    assert any(system_flags(v[0]) for v in ref.values())


def test_same_keywords(interop):
    srv, (_, _, ref, _) = interop
    _, _, got = our_view(srv)
    assert any(v[0] - system_flags(v[0]) for v in ref.values())
    assert {u: v[0] for u, v in got.items()} == {u: v[0] for u, v in ref.items()}


def test_same_pop3_uidls(interop):
    srv, (uidvalidity, _, ref, ref_uidls) = interop
    assert len(ref_uidls) == len(ref)
    # Dovecot's own format: %08Xu%08Xv
    for n, (line, uid) in enumerate(zip(ref_uidls, sorted(ref))):
        assert line == "%d %08x%08x" % (n + 1, uid, uidvalidity) or \
            line == "%d %08X%08X" % (n + 1, uid, uidvalidity), line
    assert pop3_uidls(srv.pop3_port) == ref_uidls


def imap_view(port):
    """(uidvalidity, uidnext, {uid: (flags, body)}) through imaplib."""
    m = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    m.login("demo", "demo")
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    uidvalidity = int(m.untagged_responses["UIDVALIDITY"][0])
    uidnext = int(m.untagged_responses["UIDNEXT"][0])
    typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[])")
    assert typ == "OK", data
    msgs = parse_fetch(data)
    m.logout()
    return uidvalidity, uidnext, msgs


def test_dovecot_reads_our_changes():
    """The other way round: what dovecot-like changes in a Dovecot Maildir
    (flags, expunges, a new delivery it gives a UID) Dovecot then reads the
    same, and the keywords Dovecot set survive our flag changes."""
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"}, messages=0)
    srv.prepare()
    dcs = []
    try:
        dc = dovecot.ForServer(srv)
        dcs.append(dc)
        dc.start_or_skip()
        _, _, before, _ = dovecot_session(dc)
        dc.stop()
        srv.prepare = lambda: None
        srv.start()
        c = login(srv)
        assert select(c, "INBOX")["EXISTS"] == len(before)
        uids = sorted(before)
        # seq 1 is the LDA's message; seq 3 = $Junk \Answered \Flagged:
        # drop \Flagged; seq 4 = NonJunk \Answered: add \Seen; seq 5 goes
        assert kw(before[uids[2]][0]) == {"$Junk"} and kw(before[uids[3]][0]) == {"NonJunk"}
        for cmd in ("STORE 3 -FLAGS.SILENT (\\Flagged)", "STORE 4 +FLAGS.SILENT (\\Seen)",
                    "STORE 5 +FLAGS.SILENT (\\Deleted)", "STORE 4 -FLAGS.SILENT (nonjunk)"):
            untagged, tagged = c.command(cmd)
            assert tagged == ok_reply(cmd) and untagged == [], (cmd, untagged, tagged)
        # a new keyword: FLAGS and PERMANENTFLAGS announce it first
        untagged, tagged = c.command("STORE 4 +FLAGS.SILENT (OurKeyword)")
        assert tagged == ok_reply("STORE") and len(untagged) == 2 and \
            untagged[0].startswith("* FLAGS (") and untagged[0].endswith(" OurKeyword)") and \
            untagged[1].startswith("* OK [PERMANENTFLAGS (") and \
            untagged[1].endswith(" OurKeyword \\*)] Flags permitted."), untagged
        untagged, tagged = c.command("EXPUNGE")
        assert untagged == ["* 5 EXPUNGE"] and tagged == ok_reply("EXPUNGE"), (untagged, tagged)
        body = message(77, 5000)
        srv.deliver("demo", body, "1800000177.M177P4242.mta,S=%d" % len(body))
        untagged, tagged = c.command("NOOP")
        assert untagged[0] == "* %d EXISTS" % len(uids), untagged
        c.command("LOGOUT")
        ours = our_view(srv)
        our_uidls = pop3_uidls(srv.pop3_port)
        srv.stop(keep_dir=True)

        dc2 = dovecot.ForServer(srv)
        dcs.append(dc2)
        dc2.start_or_skip()
        theirs = imap_view(dc2.imap_port)
        their_uidls = pop3_uidls(dc2.pop3_port, ours=False)
        dc2.stop()
        assert theirs[0] == ours[0], "UIDVALIDITY"
        assert theirs[1] == ours[1], "UIDNEXT"
        assert sorted(theirs[2]) == sorted(ours[2]) == uids[:4] + uids[5:] + [ours[1] - 1]
        for uid, (flags, data) in theirs[2].items():
            assert data == ours[2][uid][1], f"UID {uid}: body differs"
            assert system_flags(flags) == system_flags(ours[2][uid][0]), uid
        assert their_uidls == our_uidls
        # the keywords Dovecot set are kept (letters + dovecot-keywords),
        # and Dovecot reads what we changed (NonJunk removed as "nonjunk")
        for uid in uids[:3] + uids[5:]:
            assert kw(theirs[2][uid][0]) == kw(before[uid][0]), uid
        assert kw(theirs[2][uids[3]][0]) == {"OurKeyword"}
        assert system_flags(theirs[2][uids[2]][0]) == {"\\Answered"}
        assert system_flags(theirs[2][uids[3]][0]) == {"\\Answered", "\\Seen"}
    finally:
        for d in dcs:
            d.cleanup()
        if srv.proc is not None:
            srv.stop(check_log=False)
        shutil.rmtree(srv.dir, ignore_errors=True)

