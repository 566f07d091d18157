import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SavedState } from './state.js';

/** Bumped when the saved shape changes incompatibly; an older file is refused rather than misread. */
const FORMAT_VERSION = 1;

/** Changes within this window are written together, so a burst of requests costs one write. */
const DEFAULT_COALESCE_MS = 200;

interface StateFileContents extends SavedState {
  format: number;
  savedAt: number;
}

export class EmulatorStateError extends Error {
  constructor(
    message: string,
    /** `in_use`: another emulator holds the folder; `unreadable`: the saved file cannot be loaded. */
    readonly reason: 'in_use' | 'unreadable',
  ) {
    super(message);
    this.name = 'EmulatorStateError';
  }
}

/** Folders locked by this process: a second emulator in the same process must be refused too. */
const lockedHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The emulator's workspace on disk: `state.json` in a folder of its own, replaced atomically (written to a temporary
 * file, then renamed over it), so a crash leaves the previous or the next version, never half of one. A `lock` file
 * holding the owner's pid keeps two emulators from writing the same folder.
 */
export class StateFile {
  readonly file: string;
  private readonly lockFile: string;
  private timer: NodeJS.Timeout | undefined;
  private snapshot: (() => SavedState) | undefined;
  private locked = false;

  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void = () => undefined,
    private readonly coalesceMs = DEFAULT_COALESCE_MS,
  ) {
    // Absolute, so the same folder named two ways is still one lock.
    this.file = resolve(dir, 'state.json');
    this.lockFile = resolve(dir, 'lock');
  }

  /** Takes the folder for this process; a lock left by a process that no longer runs is taken over. */
  lock(): void {
    if (lockedHere.has(this.lockFile)) throw new EmulatorStateError(`Retell emulator state folder ${this.dir} is in use by process ${process.pid}`, 'in_use');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(this.lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
        this.locked = true;
        lockedHere.add(this.lockFile);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let owner: number;
      try {
        owner = Number(readFileSync(this.lockFile, 'utf8').trim());
      } catch (error) {
        // Its owner just let go of it: try again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      // Our own pid in the file is a previous life's (a restarted container reuses pids): not ours, so stale.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new EmulatorStateError(`Retell emulator state folder ${this.dir} is in use by process ${owner}`, 'in_use');
      }
      rmSync(this.lockFile, { force: true });
    }
    throw new EmulatorStateError(`Retell emulator state folder ${this.dir}: could not take its lock file`, 'in_use');
  }

  /** The saved workspace, or undefined when none was saved yet. Unreadable content is an error, never "empty". */
  load(): SavedState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let contents: StateFileContents;
    try {
      contents = JSON.parse(text) as StateFileContents;
    } catch (error) {
      throw new EmulatorStateError(`Retell emulator state file ${this.file} is not valid JSON (${(error as Error).message}); move it away to start empty`, 'unreadable');
    }
    if (contents?.format !== FORMAT_VERSION) {
      throw new EmulatorStateError(`Retell emulator state file ${this.file} has format ${String(contents?.format)}, expected ${FORMAT_VERSION}; move it away to start empty`, 'unreadable');
    }
    const { format: _format, savedAt: _savedAt, ...saved } = contents;
    return saved;
  }

  /** Asks for a write of `snapshot()` soon; calls until then are folded into that one write. */
  changed(snapshot: () => SavedState): void {
    // Not (or no longer) ours: a change seen after close() must not write over another owner's folder.
    if (!this.locked) return;
    this.snapshot = snapshot;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // Kept pending: the next change (or close) tries again; the emulator itself keeps working from memory.
        this.log(`could not write ${this.file}: ${(error as Error).message}`);
      }
    }, this.coalesceMs);
    // A pending write must not keep a process alive; `close()` writes whatever is pending.
    this.timer.unref();
  }

  /** Writes a pending change now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.snapshot;
    if (!snapshot) return;
    this.write(snapshot());
    this.snapshot = undefined;
  }

  write(saved: SavedState): void {
    const contents: StateFileContents = { format: FORMAT_VERSION, savedAt: Date.now(), ...saved };
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(contents), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  /** Writes what is pending and gives the folder up. */
  close(): void {
    try {
      this.flush();
    } finally {
      if (this.locked) rmSync(this.lockFile, { force: true });
      lockedHere.delete(this.lockFile);
      this.locked = false;
    }
  }
}
