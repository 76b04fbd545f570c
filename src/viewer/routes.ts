// The browser viewer's routes: /viewer/{viewingSessionId} and its static assets.
import type { FastifyInstance } from 'fastify';
import type { ViewingSessions } from '../domain/viewing-sessions.ts';

export interface ViewerDeps {
  sessions: ViewingSessions;
}

export async function viewerRoutes(_app: FastifyInstance, _deps: ViewerDeps): Promise<void> {}
