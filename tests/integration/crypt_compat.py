"""Password hashes for test passwd-files: SHA512-CRYPT via openssl(1) (Python's
crypt module is deprecated), ARGON2ID via libsodium (PyNaCl), PLAIN."""
import subprocess


def sha512_crypt(password):
    out = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(),
                         capture_output=True, check=True).stdout.decode().strip()
    assert out.startswith("$6$"), out
    return "{SHA512-CRYPT}" + out


def argon2id(password):
    import nacl.pwhash
    # interactive limits: fast enough for tests, the format Dovecot writes
    out = nacl.pwhash.argon2id.str(password.encode()).decode()
    assert out.startswith("$argon2id$"), out
    return "{ARGON2ID}" + out


def plain(password):
    return "{PLAIN}" + password


SCHEMES = {"SHA512-CRYPT": sha512_crypt, "ARGON2ID": argon2id, "PLAIN": plain}
