// Starts the engines the renderer uses and stops them at shutdown. The LibreOffice pool is the only
// one holding processes between jobs; poppler tools are spawned per call.
import type { FastifyBaseLogger } from 'fastify';
import type { EngineConfig } from '../config/config.ts';
import { compareDocuments } from '../comparison/compare.ts';
import type { Engines } from '../rendering/engines.ts';
import { imageToPdf } from './image/image-to-pdf.ts';
import { createLibreOfficePool } from './libreoffice/pool.ts';
import { createPdfEngine } from './pdf/engine.ts';

export interface RunningEngines extends Engines {
  close(): Promise<void>;
}

export function startEngines(config: EngineConfig, log: FastifyBaseLogger): RunningEngines {
  const office = createLibreOfficePool({
    ...(config.officeInstances > 0 ? { size: config.officeInstances } : {}),
    jobTimeoutMs: config.jobTimeoutMs,
    onEvent: (event) => log.info({ event }, 'libreoffice pool'),
  });
  const pdf = createPdfEngine({ timeoutMs: config.jobTimeoutMs });
  // Warm instances in the background: the first document should not pay LibreOffice's start-up.
  office.warmUp().catch((err: unknown) => log.warn({ err }, 'LibreOffice could not be started; office documents will fail until it can'));
  return {
    office,
    pdf,
    image: { imageToPdf },
    compare: (req) => compareDocuments({ libreOffice: office }, { timeoutMs: 2 * config.jobTimeoutMs, ...req }),
    close: () => office.close(),
  };
}
