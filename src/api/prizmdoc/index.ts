// The PrizmDoc Server dialect: /PCCIS/V1/... and /v2/... routes with their own error shape.
import type { FastifyInstance } from 'fastify';
import type { PrizmdocDeps } from './deps.ts';
import { sendPrizmdocError } from './errors.ts';
import { comparisonRoutes } from './comparison-routes.ts';
import { contentConverterRoutes } from './content-converter-routes.ts';
import { pageRoutes } from './page-routes.ts';
import { searchRoutes } from './search-routes.ts';
import { viewingSessionRoutes } from './viewing-session-routes.ts';
import { workFileRoutes } from './work-file-routes.ts';

export type { PrizmdocDeps } from './deps.ts';

export async function prizmdocApi(app: FastifyInstance, deps: PrizmdocDeps): Promise<void> {
  app.setErrorHandler((err, req, reply) => sendPrizmdocError(err, req, reply));
  app.get('/PCCIS/V1/Service/Current/Health', async () => ({ status: 'ready' }));
  viewingSessionRoutes(app, deps);
  workFileRoutes(app, deps);
  pageRoutes(app, deps);
  searchRoutes(app, deps);
  comparisonRoutes(app, deps);
  contentConverterRoutes(app, deps);
}
