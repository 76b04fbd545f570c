// GET /api/v1/plan: a self-hosted server has no plan and no limits, and says so.
import type { FastifyInstance } from 'fastify';
import { planAnswer } from './answers.ts';
import { caller } from './caller.ts';
import type { OfficeApiDeps } from './deps.ts';

export function planRoutes(app: FastifyInstance, deps: OfficeApiDeps): void {
  app.get('/api/v1/plan', async (req) => {
    const tenant = caller(req, deps);
    return planAnswer(tenant, await deps.documents.usage(tenant), Date.now());
  });
}
