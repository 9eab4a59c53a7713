"""An existing Dovecot Maildir (dovecot-uidlist v3 as Dovecot 2.3 writes it)
opens with the same UIDs, UIDVALIDITY and POP3 UIDLs."""
import imaplib, os, poplib, re, shutil
import pytest
from dlserver import Server


def msg(subject, lines):
    return (f"From: a@example.com\nSubject: {subject}\n\n" +
            "".join(f"line {i}\n" for i in range(lines))).encode()


@pytest.fixture
def dovecot_maildir_server():
    srv = Server(users={"demo": "demo"}, messages=0)
    srv.prepare()
    md = srv.maildir("demo")
    shutil.rmtree(md)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    files = [  # (uid, base name stem, flags, body, uidlist extra)
        (1, "1795461150.M399264P11591.vm", "S", msg("one", 3), ""),
        (2, "1795461150.M902548P11591.vm", "FRbc", msg("two", 2), ""),
        (4, "1795461175.M618039P16282.vm", "", msg("four", 4), "P000000046b04901e "),
        (5, "1700000000.12345_0.otherhost", "", msg("five", 1), "P "),
    ]
    records = []
    for uid, stem, flags, body, extra in files:
        vsize = len(body) + body.count(b"\n")
        base = f"{stem},S={len(body)},W={vsize}"
        with open(os.path.join(md, "cur", f"{base}:2,{flags}"), "wb") as f:
            f.write(body)
        records.append(f"{uid} {extra}:{base}\n")
    with open(os.path.join(md, "dovecot-uidlist"), "w") as f:
        f.write("3 V1795461150 N6 G011de7171e90046b472d000083ecc375\n" + "".join(records))
    with open(os.path.join(md, "new", "1795461200.M1P1.vm"), "wb") as f:
        f.write(msg("six", 5))
    with open(os.path.join(md, "dovecot-keywords"), "w") as f:
        f.write("0 $Junk\n1 NonJunk\n2 $Label1\n")
    uid, gid = srv.uids["demo"]
    os.system(f"chown -R {uid}:{gid} {srv.home('demo')}")
    srv.prepare = lambda: None  # keep this layout
    srv.start()
    yield srv, files
    srv.stop()


def test_same_uids_and_uidls(dovecot_maildir_server):
    srv, files = dovecot_maildir_server
    m = imaplib.IMAP4("127.0.0.1", srv.imap_port, timeout=15)
    m.login("demo", "demo")
    m.select("INBOX")
    assert m.untagged_responses["UIDVALIDITY"] == [b"1795461150"]
    typ, data = m.fetch("1:*", "(UID FLAGS)")
    got = [re.match(rb"^\d+ \(UID (\d+) FLAGS \(([^)]*)\)", d).groups() for d in data]
    uids = [int(u) for u, _ in got]
    assert uids == [1, 2, 4, 5, 6], got
    assert b"\\Seen" in got[0][1]
    assert b"\\Flagged" in got[1][1] and b"\\Answered" in got[1][1]
    m.logout()

    p = poplib.POP3("127.0.0.1", srv.pop3_port, timeout=15)
    p.user("demo")
    p.pass_("demo")
    resp, uidls, _ = p.uidl()
    stem5 = files[3][1]
    base5 = [n for n in os.listdir(os.path.join(srv.maildir("demo"), "cur"))
             if n.startswith(stem5)][0].split(":")[0]
    assert [l.decode() for l in uidls] == [
        "1 000000016b04901e",
        "2 000000026b04901e",
        "3 000000046b04901e",          # stored P record, used as-is
        "4 " + base5,                   # empty P = the base file name
        "5 000000066b04901e",
    ]
    p.quit()
