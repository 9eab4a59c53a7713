"""FETCH ENVELOPE, BODY, BODYSTRUCTURE and the FULL macro end to end: MIME
messages are put in the Maildir and the replies must equal, byte for byte,
what Dovecot 2.3 sends for the same messages (fetch_structure_cases.py)."""
import re
import pytest
from dlserver import Server
from rawclient import login_select
from fetch_structure_cases import CASES

NAMES = sorted(CASES)


@pytest.fixture(scope="module")
def structure_server():
    srv = Server(messages=[CASES[name][0] for name in NAMES]).start()
    yield srv
    srv.stop()


def connect(server):
    return login_select(server, len(NAMES))


@pytest.mark.parametrize("idx", range(len(NAMES)), ids=NAMES)
def test_fetch_structure_matches_dovecot(structure_server, idx):
    c = connect(structure_server)
    untagged, tagged = c.command_bytes("FETCH %d (ENVELOPE BODY BODYSTRUCTURE)" % (idx + 1))
    assert tagged == "OK Fetch completed.", tagged
    expected = CASES[NAMES[idx]][1].replace(b"* 1 FETCH", b"* %d FETCH" % (idx + 1), 1)
    assert untagged == expected


def test_fetch_full_macro(structure_server):
    c = connect(structure_server)
    idx = NAMES.index("m1")
    untagged, tagged = c.command_bytes("FETCH %d (FLAGS INTERNALDATE)" % (idx + 1))
    assert tagged == "OK Fetch completed.", tagged
    m = re.match(rb'^\* %d FETCH \(FLAGS \(([^)]*)\) INTERNALDATE "([^"]+)"\)\r\n$'
                 % (idx + 1), untagged)
    assert m, untagged
    flags, date = m.groups()
    untagged, tagged = c.command_bytes("FETCH %d FULL" % (idx + 1))
    assert tagged == "OK Fetch completed.", tagged
    # RFC 3501 6.4.5: FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY),
    # in our order; ENVELOPE and BODY exactly Dovecot's
    exp = CASES["m1"][1]
    env = exp[exp.index(b"ENVELOPE "):exp.index(b" BODY (")]
    body = exp[exp.index(b"BODY ("):exp.index(b" BODYSTRUCTURE ")]
    assert untagged == b'* %d FETCH (FLAGS (%s) RFC822.SIZE %d INTERNALDATE "%s" %s %s)\r\n' % (
        idx + 1, flags, len(CASES["m1"][0]), date, env, body), untagged


def test_fetch_body_errors(structure_server):
    c = connect(structure_server)
    untagged, tagged = c.command_bytes("FETCH 1 (BODYSTRUCTURE.PEEK)")
    assert (untagged, tagged) == (
        b"", "BAD Error in IMAP command FETCH: Unknown parameter BODYSTRUCTURE.PEEK"), tagged
    # BODY without a section does not set \Seen
    _, tagged = c.command_bytes("STORE 1 -FLAGS.SILENT (\\Seen)")
    assert tagged == "OK Store completed."
    untagged, tagged = c.command_bytes("FETCH 1 (BODY)")
    assert tagged == "OK Fetch completed." and b"FLAGS" not in untagged, untagged
    untagged, tagged = c.command_bytes("FETCH 1 (FLAGS)")
    assert re.match(rb"^\* 1 FETCH \(FLAGS \([^)]*\)\)\r\n$", untagged), untagged
    assert b"\\Seen" not in untagged
