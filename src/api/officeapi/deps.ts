// What the Office Integrator dialect needs from the rest of the server, passed in by app.ts.
import type { Tenants } from '../../auth/tenants.ts';
import type { OfficeConversions } from '../../domain/office-conversions.ts';
import type { OfficeDocuments } from '../../domain/office-documents.ts';
import type { BlobStore, MetadataStore } from '../../storage/ports.ts';

export interface OfficeApiDeps {
  documents: OfficeDocuments;
  conversions: OfficeConversions;
  tenants: Tenants;
  /** Uploaded file parts are streamed here before the form is complete. */
  storage: { blobs: BlobStore; metadata: Pick<MetadataStore, 'recordBlob'> };
  maxUploadBytes: number;
  /** Largest text part (JSON settings and the like). */
  maxFieldBytes: number;
  /** Where clients reach Quire; null: from the request. */
  publicUrl: string | null;
  trustForwardedHeaders: boolean;
  /** How often expired sessions are ended (their viewing sessions stopped). */
  sweepIntervalMs: number;
}
