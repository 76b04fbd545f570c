// Search tasks: POST /v2/viewingSessions/{id}/searchTasks, GET /v2/searchTasks/{processId}[/results],
// DELETE /v2/searchTasks/{processId}. Authorized by the session id (a viewer route) and then by the
// unguessable processId.
import type { FastifyInstance } from 'fastify';
import { jsonBodies } from '../../http/body-parsers.ts';
import { compile } from '../../domain/validate.ts';
import { inputError } from '../../domain/errors.ts';
import type { ViewingSessions } from '../../domain/viewing-sessions.ts';
import { renderTargetOf } from '../../rendering/rendition-key.ts';
import type { SearchTask, SearchTasks } from '../../search/search-tasks.ts';
import type { SearchTerm } from '../../search/matching.ts';
import { boundedIntParam, queryParam } from './request.ts';

interface SearchBody {
  input: { searchTerms: { type: 'simple'; pattern: string; caseSensitive?: boolean; wholeWord?: boolean; termId?: string; contextPadding?: number }[] };
}

const parseSearch = compile<SearchBody>({
  type: 'object',
  required: ['input'],
  properties: {
    input: {
      type: 'object',
      required: ['searchTerms'],
      properties: {
        searchTerms: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: {
            type: 'object',
            required: ['type', 'pattern'],
            properties: {
              type: { type: 'string', enum: ['simple'] },
              pattern: { type: 'string', minLength: 1, maxLength: 1000 },
              caseSensitive: { type: 'boolean' },
              wholeWord: { type: 'boolean' },
              termId: { type: 'string', maxLength: 100 },
              contextPadding: { type: 'integer', minimum: 0, maximum: 1000 },
            },
          },
        },
      },
    },
  },
});

export function searchRoutes(app: FastifyInstance, deps: { sessions: ViewingSessions; searches: SearchTasks }): void {
  app.register(async (r) => {
    jsonBodies(r);
    r.post<{ Params: { id: string } }>('/v2/viewingSessions/:id/searchTasks', async (req) => {
      const body = parseSearch(req.body);
      const session = await deps.sessions.use(null, req.params.id);
      const terms: SearchTerm[] = body.input.searchTerms.map((t, i) => ({
        termId: t.termId ?? String(i),
        type: 'simple',
        pattern: t.pattern,
        caseSensitive: t.caseSensitive ?? false,
        wholeWord: t.wholeWord ?? false,
        contextPadding: t.contextPadding ?? 25,
      }));
      const task = deps.searches.start(session.id, renderTargetOf(session), terms);
      return status(task, body);
    });

    r.get<{ Params: { pid: string } }>('/v2/searchTasks/:pid', async (req) => status(deps.searches.get(req.params.pid)));

    r.get<{ Params: { pid: string } }>('/v2/searchTasks/:pid/results', async (req) => {
      const task = deps.searches.get(req.params.pid);
      const limit = boundedIntParam(req, 'limit', 1, 10_000, 1000);
      const start = boundedIntParam(req, 'continueToken', 0, Number.MAX_SAFE_INTEGER, 0);
      const results = task.results.slice(start, start + limit);
      const next = start + results.length;
      const more = next < task.results.length || task.state === 'processing';
      return {
        state: task.state,
        percentComplete: task.percentComplete,
        results,
        pagesWithoutText: task.pagesWithoutText,
        ...(more ? { continueToken: String(next) } : {}),
      };
    });

    r.delete<{ Params: { pid: string } }>('/v2/searchTasks/:pid', async (req, reply) => {
      deps.searches.delete(req.params.pid);
      return reply.code(204).send();
    });
  });
}

function status(task: SearchTask, body?: SearchBody) {
  return {
    processId: task.processId,
    state: task.state,
    percentComplete: task.percentComplete,
    expirationDateTime: new Date(task.expiresAt).toISOString(),
    ...(body ? { input: body.input } : {}),
    ...(task.errorCode ? { errorCode: task.errorCode } : {}),
  };
}
