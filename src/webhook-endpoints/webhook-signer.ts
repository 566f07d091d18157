import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Webhook } from 'standardwebhooks';
import { authConfig } from '../config/auth.config.js';
import { webhooksConfig } from '../config/jobs.config.js';
import { SecretBox } from './webhook-secrets.js';

/** Seals and opens endpoint secrets, and signs deliveries per Standard Webhooks with the `standardwebhooks` library. */
@Injectable()
export class WebhookSigner {
  private readonly box: SecretBox;
  /**
   * Opened secrets, keyed by their ciphertext: a rotation stores a new ciphertext, so a rotated secret is never served
   * from here, and during the overlap the previous one is its own entry. Bounded; cleared when full.
   */
  private readonly opened = new Map<string, Webhook>();

  constructor(
    @Inject(webhooksConfig.KEY) config: ConfigType<typeof webhooksConfig>,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
  ) {
    this.box = new SecretBox(config.secretsKey ?? auth.jwtSecret);
  }

  seal(secret: string): string {
    return this.box.seal(secret);
  }

  /**
   * The three Standard Webhooks headers. With a previous secret still in its overlap, `webhook-signature` carries a
   * signature by each (`v1,<a> v1,<b>`), so a receiver holding either verifies.
   */
  headers(sealedSecrets: string[], messageId: string, timestamp: Date, body: string): Record<string, string> {
    const signatures = sealedSecrets.map((sealed) => this.webhook(sealed).sign(messageId, timestamp, body));
    return {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signatures.join(' '),
    };
  }

  private webhook(sealed: string): Webhook {
    let webhook = this.opened.get(sealed);
    if (!webhook) {
      if (this.opened.size >= 10_000) this.opened.clear();
      webhook = new Webhook(this.box.open(sealed));
      this.opened.set(sealed, webhook);
    }
    return webhook;
  }
}
