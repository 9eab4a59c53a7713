"""IMAP end to end with Python's imaplib and a raw client: login, SELECT,
FETCH, STORE, EXPUNGE, CLOSE, UID stability, and the standard errors."""
import imaplib, os, re, time
import pytest
from rawclient import Imap

FETCH_RE = re.compile(rb"^(\d+) \((.*)\)$", re.S)


def login(server, user="demo"):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    typ, data = m.login(user, server.users[user])
    assert typ == "OK", data
    return m


def maildir_files(server, user="demo"):
    md = server.maildir(user)
    return sorted(os.listdir(os.path.join(md, "cur")) + os.listdir(os.path.join(md, "new")))


def test_greeting_and_capability(server):
    c = Imap(server.imap_port)
    assert re.match(r"^\* OK \[CAPABILITY [^\]]*IMAP4rev1[^\]]*\] .+$", c.greeting), c.greeting
    untagged, tagged = c.command("CAPABILITY")
    assert tagged.startswith("OK"), tagged
    caps = [u for u in untagged if u.startswith("* CAPABILITY ")]
    assert len(caps) == 1
    words = caps[0].split()[2:]
    assert "IMAP4rev1" in words and "AUTH=PLAIN" in words
    untagged, tagged = c.command("LOGOUT")
    assert untagged[0].startswith("* BYE")
    assert tagged.startswith("OK")


def test_login_select_fetch(server):
    m = login(server)
    typ, data = m.select("INBOX")
    assert typ == "OK"
    exists = int(data[0])
    assert exists == server.messages
    assert m.untagged_responses.get("UIDVALIDITY"), "no UIDVALIDITY"
    typ, data = m.fetch("1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE)")
    assert typ == "OK"
    uids = []
    for item in data:
        mm = re.match(rb'^(\d+) \(UID (\d+) FLAGS \(([^)]*)\) RFC822\.SIZE (\d+) '
                      rb'INTERNALDATE "(\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4})"\)$',
                      item)
        assert mm, item
        uids.append(int(mm.group(2)))
        assert int(mm.group(4)) > 0
    assert uids == sorted(uids) and len(set(uids)) == exists
    # message 1 was delivered to cur/ with the S flag
    typ, data = m.fetch("1", "(FLAGS)")
    assert b"\\Seen" in data[0]
    m.logout()


def test_body_fetch_matches_file_with_crlf(server):
    m = login(server)
    m.select("INBOX")
    typ, data = m.fetch("2", "(RFC822.SIZE BODY.PEEK[])")
    assert typ == "OK"
    header, body = data[0]
    size = int(re.search(rb"RFC822\.SIZE (\d+)", header).group(1))
    files = sorted(f for f in os.listdir(os.path.join(server.maildir("demo"), "cur")))
    contents = []
    for f in files:
        with open(os.path.join(server.maildir("demo"), "cur", f), "rb") as fh:
            contents.append(fh.read().replace(b"\n", b"\r\n"))
    assert body in contents, body[:200]
    assert len(body) == size
    assert b"Subject: Sample message" in body
    # PEEK left \Seen unset on message 2
    typ, data = m.fetch("2", "(FLAGS)")
    assert b"\\Seen" not in data[0]
    # BODY[] sets \Seen and reports it
    typ, data = m.fetch("2", "(BODY[])")
    typ, data = m.fetch("2", "(FLAGS)")
    assert b"\\Seen" in data[0]
    # partial fetch
    typ, data = m.fetch("2", "(BODY.PEEK[]<0.10>)")
    assert data[0][1] == body[:10]
    m.logout()


def test_uids_stable_across_sessions(server):
    m = login(server)
    m.select("INBOX")
    typ, first = m.uid("FETCH", "1:*", "(UID)")
    uidvalidity = m.untagged_responses["UIDVALIDITY"][0]
    m.logout()
    m = login(server)
    m.select("INBOX")
    typ, second = m.uid("FETCH", "1:*", "(UID)")
    assert first == second
    assert m.untagged_responses["UIDVALIDITY"][0] == uidvalidity
    m.logout()


def test_store_flags_persist_in_filename(server):
    m = login(server)
    m.select("INBOX")
    typ, data = m.store("3", "+FLAGS", "(\\Flagged \\Answered)")
    assert typ == "OK"
    assert re.search(rb"FLAGS \([^)]*\\Flagged", data[0]), data
    m.logout()
    names = os.listdir(os.path.join(server.maildir("demo"), "cur"))
    assert any(re.search(r":2,[A-Z]*F", n) and "R" in n.split(":2,")[1] for n in names), names
    m = login(server)
    m.select("INBOX")
    typ, data = m.fetch("3", "(FLAGS)")
    assert b"\\Flagged" in data[0] and b"\\Answered" in data[0]
    typ, data = m.store("3", "-FLAGS", "(\\Flagged)")
    assert b"\\Flagged" not in data[0]
    m.logout()


def test_expunge_and_close(fresh_server):
    server = fresh_server
    before = maildir_files(server)
    m = login(server)
    m.select("INBOX")
    typ, data = m.uid("FETCH", "1:*", "(UID)")
    uids = [int(re.search(rb"UID (\d+)", d).group(1)) for d in data]
    m.store("1", "+FLAGS", "(\\Deleted)")
    typ, data = m.expunge()
    assert typ == "OK" and data == [b"1"], data
    typ, data = m.uid("FETCH", "1:*", "(UID)")
    assert [int(re.search(rb"UID (\d+)", d).group(1)) for d in data] == uids[1:]
    assert len(maildir_files(server)) == len(before) - 1
    # CLOSE expunges silently
    m.store("1", "+FLAGS", "(\\Deleted)")
    typ, data = m.close()
    assert typ == "OK"
    m.logout()
    assert len(maildir_files(server)) == len(before) - 2
    m = login(server)
    typ, data = m.select("INBOX")
    assert int(data[0]) == server.messages - 2
    typ, data = m.uid("FETCH", "1:*", "(UID)")
    assert [int(re.search(rb"UID (\d+)", d).group(1)) for d in data] == uids[2:]
    m.logout()


def test_new_delivery_seen_by_noop(fresh_server):
    server = fresh_server
    m = login(server)
    m.select("INBOX")
    path = os.path.join(server.maildir("demo"), "new", "1700000000.M1P1.test,S=20")
    with open(path, "wb") as f:
        f.write(b"Subject: late\n\nhello\n")
    uid, gid = server.uids["demo"]
    os.chown(path, uid, gid)
    m.untagged_responses.clear()
    typ, data = m.noop()
    assert typ == "OK"
    assert m.untagged_responses.get("EXISTS") == [str(server.messages + 1).encode()], \
        m.untagged_responses
    m.logout()


def test_examine_is_read_only(server):
    c = Imap(server.imap_port)
    c.command(f"LOGIN demo {server.users['demo']}")
    untagged, tagged = c.command("EXAMINE INBOX")
    assert re.match(r"^OK \[READ-ONLY\]", tagged), tagged
    untagged, tagged = c.command("FETCH 3 (BODY[])")
    assert tagged.startswith("OK")
    untagged, tagged = c.command("FETCH 3 (FLAGS)")
    assert "\\Seen" not in untagged[0], untagged
    c.command("LOGOUT")


def test_wrong_password_keeps_connection(server):
    c = Imap(server.imap_port)
    start = time.monotonic()
    untagged, tagged = c.command("LOGIN demo wrongpassword")
    elapsed = time.monotonic() - start
    assert tagged == "NO [AUTHENTICATIONFAILED] Authentication failed.", tagged
    # auth_failure_delay = 1 secs in the test config: the answer waits for it
    assert elapsed >= 0.9, elapsed
    untagged, tagged = c.command(f"LOGIN demo {server.users['demo']}")
    assert tagged.startswith("OK"), tagged
    c.command("LOGOUT")


def test_unknown_user_same_answer(server):
    c = Imap(server.imap_port)
    untagged, tagged = c.command("LOGIN nosuchuser whatever")
    assert tagged == "NO [AUTHENTICATIONFAILED] Authentication failed.", tagged
    c.close()


def test_unknown_command_bad(server):
    c = Imap(server.imap_port)
    untagged, tagged = c.command("FOOBAR")
    assert tagged.startswith("BAD "), tagged
    c.command(f"LOGIN demo {server.users['demo']}")
    untagged, tagged = c.command("FOOBAR")
    assert tagged.startswith("BAD "), tagged
    untagged, tagged = c.command("NOOP")
    assert tagged.startswith("OK")
    c.command("LOGOUT")


@pytest.mark.parametrize("authenticated", [False, True])
def test_line_too_long_disconnects(server, authenticated):
    """Before login an over-long line ends the connection. After login, as
    in Dovecot 2.3, it gets BAD and the connection goes on (NOOP does not
    parse its arguments at all: OK); test_long_lines.py has the cases."""
    c = Imap(server.imap_port)
    if authenticated:
        c.command(f"LOGIN demo {server.users['demo']}")
        c.send("x NOOP " + "a" * (80 * 1024) + "\r\n")
        assert c.readline() == "x OK NOOP completed."
        c.send("x STATUS " + "a" * (80 * 1024) + " (MESSAGES)\r\n")
        assert c.readline() == \
            "x BAD Error in IMAP command STATUS: Too long argument."
        assert c.command("NOOP")[1] == "OK NOOP completed."
        return
    c.send("x NOOP " + "a" * (80 * 1024) + "\r\n")
    line = c.readline()
    assert re.match(r"^(\* |x )?BAD", line), line
    assert c.is_closed(), "server kept the connection after an over-long line"


def test_authenticate_plain(server):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    pw = server.users["alice"]
    typ, data = m.authenticate("PLAIN", lambda _: f"\0alice\0{pw}".encode())
    assert typ == "OK"
    typ, data = m.select("INBOX")
    assert int(data[0]) == server.messages
    m.logout()
