// API keys → tenants. With no keys configured Quire runs open and everything is tenant "default".
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config/config.ts';
import { QuireError } from '../domain/errors.ts';

export const OPEN_TENANT = 'default';

export class Tenants {
  private readonly byDigest: Map<string, string>;
  readonly open: boolean;

  constructor(keys: ApiKey[]) {
    this.byDigest = new Map(keys.map((k) => [digest(k.key), k.tenant]));
    this.open = keys.length === 0;
  }

  /** The tenant a presented key belongs to; throws `unauthorized` when keys are required and it is wrong. */
  resolve(presented: string | undefined): string {
    if (this.open) return OPEN_TENANT;
    if (!presented) throw new QuireError('unauthorized', 'MissingApiKey', 'This request needs an API key (header Acs-Api-Key or query apikey)');
    // Comparing fixed-size digests keeps the check's time independent of how much of a key matched.
    const d = digest(presented);
    for (const [known, tenant] of this.byDigest) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(d, 'hex'))) return tenant;
    }
    throw new QuireError('unauthorized', 'InvalidApiKey', 'The API key is not valid');
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
