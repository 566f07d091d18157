import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type Retell from 'retell-sdk';
import { Keyset } from '../common/pagination/keyset.js';
import type { Page } from '../common/pagination/page.dto.js';
import { retellConfig } from '../config/retell.config.js';
import { RetellGateway } from '../retell/retell.gateway.js';

interface Catalogue {
  voices: Retell.VoiceResponse[];
  ids: ReadonlySet<string>;
  fetchedAt: number;
}

/** Ordered by id (the catalogue is sorted once, when fetched); the cursor is `{ voiceId }`. */
const VOICE_PAGES = new Keyset('asc', { voiceId: { type: 'string', property: 'voice_id' } });

/** An unknown voice_id triggers a fresh look at most this often (a voice cloned a minute ago must be usable). */
const MIN_REFRESH_INTERVAL_MS = 30_000;

/**
 * Retell's voice catalogue (`GET /list-voices`, a bare array), cached for RETELL_VOICES_CACHE_TTL_SECONDS. It changes
 * rarely, and every agent create or voice change consults it, so one fetch serves many requests; concurrent misses
 * share one fetch, and a failed refresh keeps serving the previous catalogue rather than failing every request.
 */
@Injectable()
export class VoicesService {
  private readonly logger = new Logger('Voices');
  private cache?: Catalogue;
  private inflight?: Promise<Catalogue>;

  constructor(
    private readonly gateway: RetellGateway,
    @Inject(retellConfig.KEY) private readonly config: ConfigType<typeof retellConfig>,
  ) {}

  async page(limit: number, cursor?: string): Promise<Page<Retell.VoiceResponse>> {
    const page = VOICE_PAGES.request(limit, cursor);
    const { voices } = await this.catalogue();
    const rest = voices.filter((voice) => VOICE_PAGES.follows(voice, page));
    return VOICE_PAGES.page(rest.slice(0, VOICE_PAGES.fetchSize(page)), page);
  }

  /** What is wrong with a voice id, or undefined when Retell offers it. */
  async voiceProblem(voiceId: string): Promise<string | undefined> {
    let catalogue = await this.catalogue();
    if (catalogue.ids.has(voiceId)) return undefined;
    if (Date.now() - catalogue.fetchedAt >= MIN_REFRESH_INTERVAL_MS) {
      catalogue = await this.refresh();
      if (catalogue.ids.has(voiceId)) return undefined;
    }
    return 'is not a voice Retell offers (see GET /voices)';
  }

  private async catalogue(): Promise<Catalogue> {
    const ttlMs = this.config.voicesCacheTtlSeconds * 1000;
    if (this.cache && Date.now() - this.cache.fetchedAt < ttlMs) return this.cache;
    return this.refresh();
  }

  private refresh(): Promise<Catalogue> {
    this.inflight ??= this.gateway
      .listVoices()
      .then((list) => {
        const voices = [...list].sort((a, b) => (a.voice_id < b.voice_id ? -1 : a.voice_id > b.voice_id ? 1 : 0));
        this.cache = { voices, ids: new Set(voices.map((voice) => voice.voice_id)), fetchedAt: Date.now() };
        return this.cache;
      })
      .catch((error: unknown) => {
        if (!this.cache) throw error;
        this.logger.warn({ msg: 'voice catalogue refresh failed; serving the previous one', err: error instanceof Error ? error.message : String(error) });
        return this.cache;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
