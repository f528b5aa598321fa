import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const TICK_MICROS = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

interface ProcCpu {
  own: number;
  reapedChildren: number;
}

function readStat(pid: number): { ppid: number; cpu: ProcCpu } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields are counted after its end.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => Number(fields[i - 3]);
    return { ppid: ticks(4), cpu: { own: (ticks(14) + ticks(15)) * TICK_MICROS, reapedChildren: (ticks(16) + ticks(17)) * TICK_MICROS } };
  } catch {
    return null;
  }
}

/**
 * CPU of a postmaster and its children, as a counter that only grows. Backends come and go (the pools
 * close idle connections): an exited backend's time moves into the postmaster's reaped-children total,
 * so that total replaces what was last seen of the backend instead of adding to it.
 */
export function postgresCpuCounter(postmasterPid: number): () => number {
  const lastSeen = new Map<number, number>();
  let total = 0;
  let lastOwn = 0;
  let lastReaped = 0;
  const sample = () => {
    const master = readStat(postmasterPid);
    if (!master) return total;
    const children = new Map<number, number>();
    for (const entry of fs.readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === postmasterPid) continue;
      const stat = readStat(pid);
      if (stat?.ppid === postmasterPid) children.set(pid, stat.cpu.own);
    }
    let delta = master.cpu.own - lastOwn + (master.cpu.reapedChildren - lastReaped);
    for (const [pid, cpu] of children) delta += cpu - (lastSeen.get(pid) ?? 0);
    for (const [pid, cpu] of lastSeen) if (!children.has(pid)) delta -= cpu;
    lastOwn = master.cpu.own;
    lastReaped = master.cpu.reapedChildren;
    lastSeen.clear();
    for (const [pid, cpu] of children) lastSeen.set(pid, cpu);
    total += delta;
    return total;
  };
  sample();
  return sample;
}

/**
 * Busy and total CPU time of the whole machine (all cores), in microseconds. Steal (time the hypervisor
 * gave to other guests) counts as neither; guest time is already inside user time.
 */
export function machineCpu(): { busy: number; total: number } {
  const [line] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, idle, iowait, irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy: busy * TICK_MICROS, total: (busy + idle + iowait) * TICK_MICROS };
}
