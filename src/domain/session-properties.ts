// The properties a viewing session is created with: the schema that validates them, and the
// defaults GET /ViewingSession/u{id} echoes back (shape of the PrizmDoc seed page's example).
import { inputError } from './errors.ts';
import { compile } from './validate.ts';
import { parseWatermarks } from '../watermarks/spec.ts';

export interface Watermark {
  type: string;
  [key: string]: unknown;
}

export interface SessionProperties {
  origin: Record<string, unknown>;
  render: {
    flash: { optimizationLevel: number };
    html5: { alwaysUseRaster: boolean; rasterResolution: number };
  };
  password: string | null;
  watermarkText: string | null;
  externalId: string | null;
  attachmentIndex: number;
  attachmentDisplayName: string | null;
  tenantId: string | null;
  countOfInitialPages: number;
  documentSource: string | null;
  documentExtension: string | null;
  serverCaching: 'full' | 'none';
  startConverting: string | null;
  contentType: string | null;
  pageContentEncryption: boolean | null;
  watermarks: Watermark[];
  minSecondsAvailable?: number;
}

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength });

const creationSchema = {
  type: 'object',
  properties: {
    tenantId: nullableString(256),
    externalId: nullableString(8192),
    documentSource: { type: ['string', 'null'], enum: [null, '', 'api', 'http'] },
    documentExtension: { type: ['string', 'null'], pattern: '^[A-Za-z0-9]{1,16}$' },
    render: {
      type: 'object',
      properties: {
        flash: { type: 'object', properties: { optimizationLevel: { type: 'integer', minimum: 0, maximum: 10 } } },
        html5: {
          type: 'object',
          properties: {
            alwaysUseRaster: { type: 'boolean' },
            rasterResolution: { type: 'integer', minimum: 10, maximum: 1200 },
          },
        },
      },
    },
    password: nullableString(1024),
    watermarkText: nullableString(4096),
    // Each watermark's own properties are validated by the watermark module.
    watermarks: { type: 'array', maxItems: 32, items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
    countOfInitialPages: { type: 'integer', minimum: 0, maximum: 100000 },
    serverCaching: { type: 'string', enum: ['full', 'none'] },
    startConverting: { type: ['string', 'null'], enum: [null, 'none', 'initialPages', 'allPages'] },
    contentType: { type: ['string', 'null'], enum: [null, 'png', 'svg', 'svgb', 'jpeg'] },
    pageContentEncryption: { type: ['boolean', 'null'] },
    attachmentIndex: { type: 'integer', minimum: 0, maximum: 10000 },
    attachmentDisplayName: nullableString(1024),
    origin: { type: 'object', maxProperties: 100 },
    minSecondsAvailable: { type: 'integer', minimum: 1, maximum: 10 * 365 * 86400 },
  },
} as const;

type CreationInput = Partial<Omit<SessionProperties, 'render'>> & {
  render?: { flash?: { optimizationLevel?: number }; html5?: { alwaysUseRaster?: boolean; rasterResolution?: number } };
};

const validateCreation = compile<CreationInput>(creationSchema);

/** Validates a creation body and fills in the defaults. */
export function parseSessionProperties(body: unknown): SessionProperties {
  const input = validateCreation(body ?? {});
  // Validated here so a bad watermark is refused at creation, naming the property; stored as sent (GET echoes it).
  parseWatermarks(input.watermarks);
  const props: SessionProperties = {
    origin: input.origin ?? {},
    render: {
      flash: { optimizationLevel: input.render?.flash?.optimizationLevel ?? 1 },
      html5: {
        alwaysUseRaster: input.render?.html5?.alwaysUseRaster ?? false,
        rasterResolution: input.render?.html5?.rasterResolution ?? 150,
      },
    },
    password: input.password ?? null,
    watermarkText: input.watermarkText ?? null,
    externalId: input.externalId ?? null,
    attachmentIndex: input.attachmentIndex ?? 0,
    attachmentDisplayName: input.attachmentDisplayName ?? null,
    tenantId: input.tenantId ?? null,
    countOfInitialPages: input.countOfInitialPages ?? 0,
    documentSource: input.documentSource ?? null,
    documentExtension: input.documentExtension ?? null,
    serverCaching: input.serverCaching ?? 'full',
    startConverting: input.startConverting ?? null,
    contentType: input.contentType ?? null,
    pageContentEncryption: input.pageContentEncryption ?? null,
    watermarks: input.watermarks ?? [],
  };
  if (input.minSecondsAvailable !== undefined) {
    // The seed page: a lifetime wish conflicts with reusing cached output. Watermarks already
    // disable reuse, so the seed's own example (minSecondsAvailable + watermarks) is accepted.
    if (reusesCachedOutput(props)) {
      throw inputError('InputNotSupportedWithServerCachineEnabled', 'minSecondsAvailable requires serverCaching "none" (or watermarks, which disable reuse)', {
        in: 'body',
        at: 'input.minSecondsAvailable',
        message: 'minSecondsAvailable can only be used when serverCaching is "none"',
      });
    }
    props.minSecondsAvailable = input.minSecondsAvailable;
  }
  if (props.documentSource === 'http' && !props.externalId) {
    throw inputError('MissingInput', 'documentSource "http" needs externalId, the address to download', { in: 'body', at: 'input.externalId' });
  }
  return props;
}

/** Whether renditions of this session may be shared with other sessions of the same bytes. */
export function reusesCachedOutput(p: SessionProperties): boolean {
  return p.serverCaching === 'full' && p.watermarks.length === 0 && !p.watermarkText;
}

const replaceable = new Set(['password']);

/** Validates a Replacement body: only the password may change. */
export function parseReplacement(body: unknown): { password: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw inputError('InvalidInput', 'The body must be a JSON object', { in: 'body', at: 'input', expected: { type: 'object' } });
  }
  for (const key of Object.keys(body)) {
    if (!replaceable.has(key)) {
      throw inputError('PropertyNotReplaceable', `Property "${key}" cannot be replaced; only password can`, { in: 'body', at: `input.${key}`, expected: { replaceable: [...replaceable] } });
    }
  }
  const password = (body as { password?: unknown }).password;
  if (password === undefined) throw inputError('MissingInput', 'password is required', { in: 'body', at: 'input.password' });
  if (password !== null && typeof password !== 'string') {
    throw inputError('InvalidInput', 'password must be a string or null', { in: 'body', at: 'input.password', expected: { type: ['string', 'null'] } });
  }
  return { password };
}
