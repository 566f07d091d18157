import { isObject } from './validation.js';

const FAULT_KINDS = ['status', 'timeout', 'reset', 'latency'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** Any method when omitted. */
  method?: string;
  /** A path prefix such as `/create-agent` or `/v2/create-phone-call`. */
  path: string;
  /** How many matching requests fail; 1 by default. */
  times?: number;
  /**
   * `status`: answer `status` with Retell's error body (and `retry-after` when given);
   * `timeout`: never answer; `reset`: destroy the connection; `latency`: answer normally after `latencyMs`.
   */
  kind: FaultKind;
  status?: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
}

export interface ActiveFault extends FaultSpec {
  readonly id: number;
  /** Matching requests still to fail. */
  remaining: number;
}

/** A bad fault spec (from the control API or `injectFault`). */
export class FaultSpecError extends Error {}

/** Checks a fault spec coming from untrusted JSON. */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (!isObject(value)) throw new FaultSpecError('A fault must be an object.');
  const { method, path, times, kind, status, retryAfterSeconds, latencyMs } = value;
  if (typeof path !== 'string' || !path.startsWith('/')) throw new FaultSpecError('path must be a path prefix starting with "/".');
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new FaultSpecError(`kind must be one of ${FAULT_KINDS.join(', ')}.`);
  if (method !== undefined && typeof method !== 'string') throw new FaultSpecError('method must be a string.');
  const isCount = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min;
  if (times !== undefined && !isCount(times, 1)) throw new FaultSpecError('times must be a positive integer.');
  if (kind === 'status' && !(isCount(status, 400) && (status as number) <= 599)) {
    throw new FaultSpecError('status faults need a status between 400 and 599.');
  }
  if (retryAfterSeconds !== undefined && !isCount(retryAfterSeconds, 0)) throw new FaultSpecError('retryAfterSeconds must be a non-negative integer.');
  if (kind === 'latency' && !isCount(latencyMs, 0)) throw new FaultSpecError('latency faults need latencyMs (a non-negative integer).');
  return {
    path,
    kind: kind as FaultKind,
    ...(method !== undefined && { method: method.toUpperCase() }),
    ...(times !== undefined && { times: times as number }),
    ...(status !== undefined && { status: status as number }),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds: retryAfterSeconds as number }),
    ...(latencyMs !== undefined && { latencyMs: latencyMs as number }),
  };
}

/** Faults waiting for matching requests; the oldest matching fault wins. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private lastId = 0;

  get active(): readonly ActiveFault[] {
    return this.faults;
  }

  inject(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = { ...parseFaultSpec(spec), id: ++this.lastId, remaining: spec.times ?? 1 };
    this.faults.push(fault);
    return fault;
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(method: string, pathname: string): ActiveFault | undefined {
    const fault = this.faults.find((f) => (f.method === undefined || f.method === method) && pathname.startsWith(f.path));
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }
}
