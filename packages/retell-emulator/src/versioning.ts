import { assetNotFound, badRequest } from './http.js';
import { isVersionReference } from './validation.js';

/**
 * Agents and Retell LLMs share Retell's versioning model (https://docs.retellai.com/agent/version): versions start at
 * 0 as drafts, publishing freezes a version, and only drafts can be edited.
 */
export interface Version<C> {
  version: number;
  is_published: boolean;
  base_version?: number;
  version_title?: string | null;
  version_description?: string | null;
  last_modification_timestamp: number;
  config: C;
}

export interface Versioned<C> {
  readonly id: string;
  /** Creation order, for list sorting. */
  readonly seq: number;
  /** Ascending by `version`. */
  versions: Version<C>[];
}

export type VersionRef = number | 'latest' | 'latest_published';

/** Reads `?version=`: a number, `latest` or `latest_published`. Tags are valid syntax but none exist here. */
export function parseVersionQuery(query: URLSearchParams): VersionRef | undefined {
  const raw = query.get('version');
  if (raw === null) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (raw === 'latest' || raw === 'latest_published') return raw;
  if (isVersionReference(raw)) throw assetNotFound();
  throw badRequest('version must be a version number, "latest", "latest_published" or a tag name.');
}

/** The same reference in a JSON body (e.g. `agent_version`, `override_agent_version`). */
export function toVersionRef(value: unknown, field: string): VersionRef | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (value === 'latest' || value === 'latest_published') return value;
  if (isVersionReference(value)) throw assetNotFound();
  throw badRequest(`${field} must be a version number, "latest", "latest_published" or a tag name.`);
}

export function initialVersions<C>(config: C, now: number): Version<C>[] {
  return [{ version: 0, is_published: false, last_modification_timestamp: now, config }];
}

export function latestVersion<C>(record: Versioned<C>): Version<C> {
  return record.versions.at(-1)!;
}

export function resolveVersion<C>(record: Versioned<C>, ref: VersionRef = 'latest'): Version<C> | undefined {
  if (ref === 'latest') return latestVersion(record);
  if (ref === 'latest_published') return record.versions.findLast((v) => v.is_published);
  return record.versions.find((v) => v.version === ref);
}

/** A new draft copied from `base`, numbered after the highest existing version. */
export function addDraft<C>(record: Versioned<C>, base: Version<C>, now: number): Version<C> {
  const draft: Version<C> = {
    version: latestVersion(record).version + 1,
    is_published: false,
    base_version: base.version,
    last_modification_timestamp: now,
    config: structuredClone(base.config),
  };
  record.versions.push(draft);
  return draft;
}

/**
 * The version whose configuration an update starts from: the one named by `?version=` (which must be a draft), or
 * else the latest version. Throws before anything changes, so a refused update leaves no stray draft behind.
 */
export function editBase<C>(record: Versioned<C>, ref: VersionRef | undefined): Version<C> {
  if (ref === undefined) return latestVersion(record);
  const target = resolveVersion(record, ref);
  if (!target) throw assetNotFound();
  if (target.is_published) {
    throw badRequest(`Version ${target.version} is published and cannot be edited; only draft versions can be updated.`);
  }
  return target;
}

/**
 * Stores an update's result. Without `?version=` it lands on the latest version if that is a draft; if the latest
 * version is published, a new draft is branched from it, so the published version stays immutable.
 */
export function commitEdit<C>(record: Versioned<C>, ref: VersionRef | undefined, config: C, now: number): Version<C> {
  const base = editBase(record, ref);
  const target = base.is_published ? addDraft(record, base, now) : base;
  target.config = config;
  target.last_modification_timestamp = now;
  return target;
}
