// What an Office Integrator user session may do, from the `permissions` its creator sent. A key left
// out takes the vendor's default: viewing users may print, export and edit unless told otherwise.
// Compare sessions take no permissions: their redline may be printed, and there is no one document
// to export.
import type { OfficeSessionRecord } from '../storage/ports.ts';

export interface ViewerPermissions {
  print: boolean;
  /** The download button; the viewer never receives the document itself (it emits `download`). */
  export: boolean;
}

export function viewerPermissions(s: Pick<OfficeSessionRecord, 'kind' | 'settings'>): ViewerPermissions {
  if (s.kind === 'compare') return { print: true, export: false };
  const permissions = (s.settings.permissions ?? {}) as Record<string, boolean | undefined>;
  return { print: permissions['document.print'] !== false, export: permissions['document.export'] !== false };
}
