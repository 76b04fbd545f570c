// Talks to Quire's public viewer routes: page images, attributes, text, search tasks and revision
// data. Every failure becomes an ApiError carrying what the server said (status, errorCode, the
// Accusoft-Status-* headers and the body's message), so the viewer can show it.
import type { DocumentAttributes, PageAttributes, PageText, RevisionDataAnswer, SearchResultsAnswer } from './api-types.ts';

export class ApiError extends Error {
  /** 0 when the server could not be reached. */
  readonly status: number;
  readonly code: string | undefined;
  /** The Accusoft-Status-Message header (ASCII only; the body's message is exact). */
  readonly statusMessage: string | undefined;
  readonly statusNumber: string | undefined;
  readonly bodyMessage: string | undefined;

  constructor(status: number, info: { code?: string; statusMessage?: string; statusNumber?: string; bodyMessage?: string; message: string }) {
    super(info.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = info.code;
    this.statusMessage = info.statusMessage;
    this.statusNumber = info.statusNumber;
    this.bodyMessage = info.bodyMessage;
  }
}

export interface RasterRequest {
  scale: number;
}

export class QuireClient {
  readonly baseUrl: string;
  readonly sessionId: string;

  constructor(baseUrl: string, sessionId: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.sessionId = sessionId;
  }

  private get doc(): string {
    return `DocumentID=u${encodeURIComponent(this.sessionId)}`;
  }

  /** SVG by default: crisp at any zoom. Raster when the session asks for it. */
  pageUrl(index: number, raster?: RasterRequest): string {
    const kind = raster ? `ContentType=png&Scale=${raster.scale}` : 'ContentType=svgb';
    return `${this.baseUrl}/PCCIS/V1/Page/q/${index}?${this.doc}&${kind}`;
  }

  thumbnailUrl(index: number, width: number, height: number): string {
    return `${this.baseUrl}/PCCIS/V1/Page/q/${index}/${width}x${height}?${this.doc}`;
  }

  /** `revalidate`: ask the server even when the browser holds a fresh copy (is the session still usable?). */
  pageAttributes(index: number, signal?: AbortSignal, revalidate = false): Promise<PageAttributes> {
    return this.json(`/PCCIS/V1/Page/q/${index}/Attributes?${this.doc}`, { signal, ...(revalidate ? { cache: 'no-cache' as const } : {}) });
  }

  /**
   * Page Attributes and whether its `pageCount` is final: while the document converts, a first page
   * is answered at once with an estimated count, marked `no-store` (an exact answer is cacheable).
   */
  async pageAttributesWithCount(index: number, signal?: AbortSignal): Promise<{ attrs: PageAttributes; final: boolean }> {
    const res = await this.fetchOk(`/PCCIS/V1/Page/q/${index}/Attributes?${this.doc}`, { signal });
    const attrs = (await res.json()) as PageAttributes;
    return { attrs, final: !/no-store/i.test(res.headers.get('Cache-Control') ?? '') };
  }

  documentAttributes(confidence: number, signal?: AbortSignal): Promise<DocumentAttributes> {
    return this.json(`/PCCIS/V1/Document/q/Attributes?${this.doc}&DesiredPageCountConfidence=${confidence}`, { signal });
  }

  /** Pages first..last (inclusive); pages not ready yet are missing from the answer. */
  async text(first: number, last: number, signal?: AbortSignal): Promise<PageText[]> {
    const r = await this.json<{ pages: PageText[] }>(`/PCCIS/V1/Document/q/${first}-${last}/Text?${this.doc}`, { signal });
    return r.pages;
  }

  async startSearch(pattern: string, signal?: AbortSignal): Promise<string> {
    const body = { input: { searchTerms: [{ type: 'simple', pattern, caseSensitive: false, termId: '0', contextPadding: 25 }] } };
    const r = await this.json<{ processId: string }>(`/v2/viewingSessions/${encodeURIComponent(this.sessionId)}/searchTasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    return r.processId;
  }

  searchResults(processId: string, continueToken: string | undefined, signal?: AbortSignal): Promise<SearchResultsAnswer> {
    const token = continueToken ? `&continueToken=${encodeURIComponent(continueToken)}` : '';
    return this.json(`/v2/searchTasks/${encodeURIComponent(processId)}/results?limit=1000${token}`, { signal });
  }

  deleteSearch(processId: string): void {
    // Best effort: an abandoned task expires on its own.
    fetch(`${this.baseUrl}/v2/searchTasks/${encodeURIComponent(processId)}`, { method: 'DELETE' }).catch(() => undefined);
  }

  revisionData(continueToken: string | undefined, signal?: AbortSignal): Promise<RevisionDataAnswer> {
    const token = continueToken ? `&continueToken=${encodeURIComponent(continueToken)}` : '';
    return this.json(`/v2/viewingSessions/${encodeURIComponent(this.sessionId)}/revisionData?limit=1000${token}`, { signal });
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await (await this.fetchOk(path, init)).json()) as T;
  }

  private async fetchOk(path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, init);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new ApiError(0, { message: 'The document server could not be reached' });
    }
    if (res.ok) return res;
    throw await errorOf(res);
  }
}

/** Reads an error answer: JSON body {errorCode, message} plus the Accusoft-Status-* headers. */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: { errorCode?: unknown; message?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: the headers and status still say enough
  }
  const statusMessage = res.headers.get('Accusoft-Status-Message') ?? undefined;
  const bodyMessage = typeof body.message === 'string' ? body.message : undefined;
  return new ApiError(res.status, {
    code: typeof body.errorCode === 'string' ? body.errorCode : undefined,
    statusMessage,
    statusNumber: res.headers.get('Accusoft-Status-Number') ?? undefined,
    bodyMessage,
    message: bodyMessage ?? statusMessage ?? (res.statusText || `HTTP ${res.status}`),
  });
}
