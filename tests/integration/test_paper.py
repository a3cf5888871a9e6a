"""Every shell example of the Sysman paper (Figures 1, 4, 6, 7, 9), run
verbatim against the testbed with the mount at /sysman.  Only addresses
differ: the testbed's stand in for the paper's 10.10.x.y."""
import os
import tempfile

from conftest import TB_BASE, TB_BLADES, TB_BMCS, TB_HOSTS, in_sysman, mm_addr, wait_for


def all_power_files(s):
    out = in_sysman(s, "find /sysman/systems -name power").stdout.split()
    return sorted(p for p in out if "/bmcs/" in p or "/blades/" in p)


def test_figure1_find_servers_that_are_on(cluster):
    s = cluster()
    files = all_power_files(s)
    assert len(files) == TB_BMCS + TB_BLADES
    in_sysman(s, " ; ".join(f"echo on > {f}" for f in files))
    off = [f for f in files if "/blades/" in f][:2]
    in_sysman(s, " ; ".join(f"echo off > {f}" for f in off))
    r = in_sysman(s, "find /sysman/systems -name power | xargs grep -l on")
    assert sorted(r.stdout.split()) == sorted(set(files) - set(off))


def test_figure1_hot_chassis(cluster, testbed):
    s = cluster()
    mm = mm_addr(TB_BASE)
    # The paper's lab had eight chassis; `xargs grep ""` prefixes file names
    # only when it gets several files, so the testbed's one management module
    # is also discovered under a second name.
    in_sysman(s, f'echo "chassis {mm} mm-alias" > /sysman/discover_master')
    testbed.set_temperature(mm, 41)
    fig = ("find . -name 'temperature_mp' | xargs grep \"\" | sed s/:/\" \"/g | "
           "awk '{ if ($2 >= 35.0) print $1 \"temperature is: \" $2}'")
    r = in_sysman(s, fig, cwd="/sysman")
    assert sorted(r.stdout.splitlines()) == [
        f"./systems/chassis/{mm}/temperature_mptemperature is: 41",
        "./systems/chassis/mm-alias/temperature_mptemperature is: 41"]
    testbed.set_temperature(mm, 30)
    assert in_sysman(s, fig, cwd="/sysman").stdout == ""


def test_figure1_and_9_vmstat_in_background(cluster):
    s = cluster()
    script = """
        LIST=`find /sysman/systems -name command`
        for i in $LIST; do
        echo "vmstat " > $i &
        done
        wait
    """
    in_sysman(s, script)
    files = in_sysman(s, "find /sysman/systems -name command").stdout.split()
    assert len(files) == TB_HOSTS
    for f in files:
        out = in_sysman(s, f"cat {f}; cat {f}.status").stdout
        assert "procs" in out and "swpd" in out and out.endswith("\n0\n"), out


def test_figure4_bootorder(cluster):
    s = cluster()
    mm = mm_addr(TB_BASE)
    blade = f"/sysman/system/chassis/{mm}/blades/3"
    r = in_sysman(s, f"cat {blade}/bootorder")
    assert r.stdout.rstrip().split(", ")[0] in ("network", "floppy", "cdrom", "harddisk")
    in_sysman(s, 'echo "cdrom, harddisk" > bootorder', cwd=blade)
    assert in_sysman(s, f"cat {blade}/bootorder").stdout.startswith("cdrom, ")
    in_sysman(s, 'echo "network, floppy, cdrom, harddisk" > bootorder', cwd=blade)
    assert in_sysman(s, f"cat {blade}/bootorder").stdout == "network, floppy, cdrom, harddisk\n"
    assert in_sysman(s, f"cat {blade}/bootorder.status").stdout == "0\n"


def test_figure6_discovery(cluster):
    s = cluster(discover=False)
    assert os.listdir(s.p("systems/servers")) == []
    in_sysman(s, 'echo "1" > /sysman/discover_master')
    servers = sorted(os.listdir(s.p("systems/servers")))
    assert servers == sorted(f"{TB_BASE}.0.{i}" for i in range(1, TB_HOSTS + 1))
    assert sorted(os.listdir(s.p("systems/bmcs"))) == sorted(f"{TB_BASE}.1.{i}" for i in range(1, TB_BMCS + 1))
    assert sorted(os.listdir(s.p(f"systems/chassis/{mm_addr(TB_BASE)}/blades"))) == \
        sorted(str(i) for i in range(1, TB_BLADES + 1))
    # manual: a server by address, as printed
    s2_host = f"{TB_BASE}.0.1"
    os.rename(s.p(f"systems/servers/{s2_host}"), s.p("systems/servers/renamed"))
    in_sysman(s, f'echo "server {s2_host}" > /sysman/discover_master')
    assert os.path.isdir(s.p(f"systems/servers/{s2_host}"))
    assert in_sysman(s, f"cat /sysman/systems/servers/{s2_host}/hostname").stdout == "node1\n"


def test_figure7_commands_to_all_servers(cluster):
    s = cluster()
    with tempfile.TemporaryDirectory() as d:
        script = """
            echo "ps -ax" > run_this
            find /sysman/systems/servers -name command -exec cp run_this {} \\;
            find /sysman/systems/servers -name command -exec cat {} \\;
        """
        r = in_sysman(s, script, cwd=d)
    assert r.stdout.count("PID TTY") == TB_HOSTS
    assert "sshd" in r.stdout
