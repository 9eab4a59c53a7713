"""SHA512-CRYPT password hashes for test passwd-files, via openssl(1)
(Python's crypt module is deprecated)."""
import subprocess


def sha512_crypt(password):
    out = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(),
                         capture_output=True, check=True).stdout.decode().strip()
    assert out.startswith("$6$"), out
    return "{SHA512-CRYPT}" + out
