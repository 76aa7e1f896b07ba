"""A CPU-quota cgroup for the bench: runs a process at the CPU share Lambda gives a memory size,
and counts the CPU time the process and every thread it ever had used, in nanoseconds.

Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU ("Lambda
allocates CPU power in proportion to the amount of memory configured ... At 1,769 MB, a
function has the equivalent of one vCPU", AWS Lambda Developer Guide, "Configure Lambda function
memory"). At 128 MB that is 128 / 1769 = 0.072 of one vCPU: a quota of 7.24 ms per 100 ms period.

cgroup v2 (`cpu.max`, `cpu.stat` usage_usec) where the machine has it, else cgroup v1
(`cpu.cfs_quota_us` in the cpu hierarchy, `cpuacct.usage` in the cpuacct one). Creating a
cgroup needs root; where none can be made, `CpuQuota.open` returns None with the reason, and the
bench skips the rows that need it rather than print a figure it did not measure.
"""
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
# Lambda's CPU per MB: one vCPU at 1,769 MB.
MB_PER_VCPU = 1769
PERIOD_US = 100_000
# The shell of `CpuQuota.wrap`: its arguments are the cgroup.procs files, `--`, the command.
ENTER = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"'


def share(memory_mb):
    """The fraction of one vCPU Lambda gives `memory_mb` (1.0 at 1,769 MB and above that more,
    up to six vCPUs at 10,240 MB)."""
    return memory_mb / MB_PER_VCPU


class CpuQuota:
    """One cgroup named `name`: at `memory_mb`'s share of a vCPU, or unlimited when None (for
    counting CPU at full speed). `wrap` starts a command inside it, so the init phase is measured
    and throttled too."""

    def __init__(self, dirs, usage, memory_mb):
        self.dirs = dirs
        self.usage_file = usage
        self.memory_mb = memory_mb

    @classmethod
    def open(cls, name, memory_mb):
        """(the cgroup, None) or (None, why it cannot be made)."""
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():
                return cls._v2(name, memory_mb), None
            return cls._v1(name, memory_mb), None
        except OSError as error:
            return None, "cannot make a CPU-quota cgroup (%s: %s); run the bench as root on a " \
                         "machine with the cgroup cpu controller" % (error.filename or name, error.strerror)

    @classmethod
    def _v2(cls, name, memory_mb):
        controllers = (CGROUP_ROOT / "cgroup.controllers").read_text().split()
        if "cpu" not in controllers:
            raise OSError(0, "the cgroup v2 cpu controller is not enabled", str(CGROUP_ROOT))
        subtree = CGROUP_ROOT / "cgroup.subtree_control"
        if "cpu" not in subtree.read_text().split():
            subtree.write_text("+cpu")
        path = CGROUP_ROOT / name
        path.mkdir(exist_ok=True)
        quota = "max" if memory_mb is None else str(round(share(memory_mb) * PERIOD_US))
        (path / "cpu.max").write_text("%s %d" % (quota, PERIOD_US))
        return cls([path], ("v2", path / "cpu.stat"), memory_mb)

    @classmethod
    def _v1(cls, name, memory_mb):
        cpu, cpuacct = CGROUP_ROOT / "cpu" / name, CGROUP_ROOT / "cpuacct" / name
        for path in (cpu, cpuacct):
            path.mkdir(exist_ok=True)
        (cpu / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        quota = -1 if memory_mb is None else round(share(memory_mb) * PERIOD_US)
        (cpu / "cpu.cfs_quota_us").write_text(str(quota))
        return cls([cpu, cpuacct], ("v1", cpuacct / "cpuacct.usage"), memory_mb)

    def wrap(self, command):
        """`command` started in the cgroup: a shell writes its own pid into the cgroup, then
        becomes `command` (exec keeps the pid). Spawning a shell is cheap (vfork); a Python
        `preexec_fn` would fork this whole interpreter, and the child's exec of that copy would
        be charged to the cgroup, at 128 MB's share several milliseconds of its quota."""
        procs = [str(path / "cgroup.procs") for path in self.dirs]
        return ["/bin/sh", "-c", ENTER, "sh"] + procs + ["--"] + [str(part) for part in command]

    def fresh(self):
        """Waits until the quota is whole again: CFS refills it once a period, and what the
        last process in the cgroup used counts against the period it ran in. A Lambda sandbox
        starts with its whole share; without the wait, a process started right after another
        would start throttled."""
        if self.memory_mb is not None:
            time.sleep(1.2 * PERIOD_US / 1e6)

    def usage_ns(self):
        """CPU time used by every process that was ever in the cgroup, in nanoseconds."""
        version, path = self.usage_file
        if version == "v1":
            return int(path.read_text())
        for line in path.read_text().splitlines():
            key, value = line.split()
            if key == "usage_usec":
                return int(value) * 1000
        raise OSError(0, "no usage_usec in", str(path))

    def close(self):
        """Removes the cgroup; its processes must have exited."""
        for path in self.dirs:
            try:
                path.rmdir()
            except OSError:
                pass
