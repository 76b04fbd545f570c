// What the PrizmDoc dialect needs from the rest of the server, passed in by app.ts.
import type { Tenants } from '../../auth/tenants.ts';
import type { ContentConverters } from '../../conversion/content-converters.ts';
import type { ViewingSessions } from '../../domain/viewing-sessions.ts';
import type { WorkFiles } from '../../domain/work-files.ts';
import type { Renderer } from '../../rendering/renderer.ts';
import type { SearchTasks } from '../../search/search-tasks.ts';

export interface PrizmdocDeps {
  sessions: ViewingSessions;
  workFiles: WorkFiles;
  tenants: Tenants;
  renderer: Renderer;
  searches: SearchTasks;
  /** Content conversions; when absent, made from the renderer's engines. */
  converters: ContentConverters;
  /** Identifies this server to clients that route by affinity; one node, one token. */
  affinityToken: string;
  maxUploadBytes: number;
}
