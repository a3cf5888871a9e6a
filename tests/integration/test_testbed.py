"""The testbed's shared set-up (test user, /run/sshd) is claimed by each
running testbed and removed only by the last one that stops."""
import os
import shutil
import subprocess
import tempfile

from conftest import Testbed as TB


def test_second_testbed_releases_its_claim_and_keeps_shared_user(testbed):
    claims = "/run/sysman-testbed/claims/user-" + testbed.user
    d = tempfile.mkdtemp(prefix="sysman-tb2-", dir="/tmp")
    os.chmod(d, 0o755)
    tb2 = TB(d, hosts=1, bmcs=0, chassis_blades=0, base="127.23", quiet=True)
    try:
        tb2.start()
        mine = [c for c in os.listdir(claims) if open(os.path.join(claims, c)).read().strip() == d]
        assert len(mine) == 1
        r = subprocess.run(tb2.ssh_argv(tb2.host_addrs[0], user="root") + ["id -un"], capture_output=True,
                           text=True, timeout=30)
        assert r.stdout.strip() == "root"
    finally:
        tb2.stop()
        shutil.rmtree(d, ignore_errors=True)
    # the session testbed still holds its claim: the user and /run/sshd stay
    assert not any(open(os.path.join(claims, c)).read().strip() == d for c in os.listdir(claims))
    assert os.path.isdir("/run/sshd")
    r = subprocess.run(testbed.ssh_argv(testbed.host_addrs[0], user=testbed.user) + ["id -un"],
                       capture_output=True, text=True, timeout=30)
    assert r.stdout.strip() == testbed.user
