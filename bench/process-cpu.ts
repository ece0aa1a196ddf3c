/**
 * CPU seconds per process from /proc (Linux): the benches whose two sides are CPU-bound on a shared
 * machine print what each process spent, since the rate alone hides where the cost lies.
 */
import fs from 'node:fs';

export interface CpuProcess {
  name: string;
  pid: string;
}

/**
 * This process (named `self`), the given web processes, and the database server and Redis when /proc
 * shows them; nothing off Linux.
 */
export function cpuProcesses(self = 'bench', webPids: number[] = []): CpuProcess[] {
  const found: CpuProcess[] = [{ name: self, pid: 'self' }];
  webPids.forEach((pid, i) => found.push({ name: `web${webPids.length > 1 ? i + 1 : ''}`, pid: String(pid) }));
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const pid of entries) {
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'mariadbd' || comm === 'mysqld') found.push({ name: 'database', pid });
    if (comm === 'redis-server') found.push({ name: 'redis', pid });
  }
  return found.filter((p) => !Number.isNaN(cpuSeconds(p.pid)));
}

/** User + system CPU seconds of a process so far; NaN for one that is gone. */
export function cpuSeconds(pid: string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs work and adds the CPU seconds each process spent meanwhile to `side` (one side of a comparison). */
export function cpuAccount(processes: CpuProcess[]): <T>(side: Map<string, number>, run: () => Promise<T>) => Promise<T> {
  return async (side, run) => {
    const before = processes.map((p) => cpuSeconds(p.pid));
    const result = await run();
    processes.forEach((p, i) => {
      const used = cpuSeconds(p.pid) - before[i];
      // A process gone meanwhile (someone restarted Redis) is left out rather than counted as NaN.
      if (Number.isFinite(used)) side.set(p.name, (side.get(p.name) ?? 0) + used);
    });
    return result;
  };
}
