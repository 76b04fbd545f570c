// documentSource "http": Quire downloads externalId itself, refusing loopback, private and
// link-local addresses (also behind redirects) unless QUIRE_FETCH_ALLOW names them, with limits.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { call, startQuire, type Quire } from './helpers/quire.ts';
import { DOCX, PDF, V1, assert480, bytesOf } from './helpers/prizmdoc.ts';

interface Served {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

/** A document server on `host`; `routes` maps a path to a handler. Records every request path. */
async function serve(host: string, routes: Record<string, (res: http.ServerResponse) => void>): Promise<Served> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const handler = routes[(req.url ?? '').split('?')[0]!];
    if (handler) handler(res);
    else res.writeHead(404).end();
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    hits,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

const file = (bytes: Buffer, type = 'application/octet-stream') => (res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length) }).end(bytes);

function createHttpSession(q: Quire, externalId: string, extra: Record<string, unknown> = {}) {
  return call(q, 'POST', V1, { json: { documentSource: 'http', externalId, ...extra } });
}

describe('refused targets (no allow-list)', () => {
  let q: Quire;
  let local: Served;
  before(async () => {
    q = await startQuire();
    local = await serve('127.0.0.1', { '/doc.docx': file(bytesOf(DOCX)) });
  });
  after(async () => {
    await q.dispose();
    await local.close();
  });

  const refusedTargets = (port: string) => [
    `http://127.0.0.1:${port}/doc.docx`,
    `http://localhost:${port}/doc.docx`,
    'http://10.0.0.1/doc.docx',
    'http://192.168.1.10/doc.docx',
    'http://169.254.169.254/latest/meta-data/',
    `http://[::1]:${port}/doc.docx`,
    `http://[::ffff:127.0.0.1]:${port}/doc.docx`,
    'http://0.0.0.0/doc.docx',
  ];

  test('loopback, private and link-local addresses are 480 InvalidInput at input.externalId', async () => {
    const port = new URL(local.url).port;
    for (const target of refusedTargets(port)) {
      const r = await createHttpSession(q, target);
      assert480(r, 'InvalidInput', 'input.externalId');
      assert.equal(r.body.errorDetails.in, 'body');
    }
    assert.deepEqual(local.hits, [], 'nothing reached the local server');
  });

  test('non-http schemes and URLs with credentials are refused the same way', async () => {
    for (const target of ['file:///etc/passwd', 'ftp://example.com/a.pdf', 'not a url', 'http://user:pw@example.com/a.pdf']) {
      assert480(await createHttpSession(q, target), 'InvalidInput', 'input.externalId');
    }
  });

  test('documentSource "http" without externalId is 480 MissingInput', async () => {
    assert480(await call(q, 'POST', V1, { json: { documentSource: 'http' } }), 'MissingInput', 'input.externalId');
  });
});

describe('allowed by QUIRE_FETCH_ALLOW=127.0.0.1', () => {
  let q: Quire;
  let origin: Served;
  let elsewhere: Served;
  const docx = bytesOf(DOCX);
  const pdf = bytesOf(PDF);
  const text = Buffer.from('plain text served over http\n');
  // Room for every served document but the big ones.
  const LIMIT = 256 * 1024;
  before(async () => {
    // A second loopback address that is NOT allowed; it counts what reaches it.
    elsewhere = await serve('127.0.0.2', { '/doc.docx': file(docx) });
    origin = await serve('127.0.0.1', {
      '/doc.docx': file(docx),
      '/report.pdf': file(pdf, 'application/pdf'),
      '/notes.txt': file(text, 'text/plain'),
      '/big.pdf': file(Buffer.concat([pdf, Buffer.alloc(LIMIT, 0x20)]), 'application/pdf'),
      // Chunked, no Content-Length: the limit must hold while reading.
      '/big-chunked.pdf': (res) => {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.write(pdf);
        for (let i = 0; i < LIMIT / 8192; i++) res.write(Buffer.alloc(8 * 1024, 0x20));
        res.end();
      },
      '/missing': (res) => res.writeHead(404).end('no'),
      '/to-elsewhere': (res) => res.writeHead(302, { location: `${elsewhere.url}/doc.docx` }).end(),
      '/to-metadata': (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/to-ipv6-loopback': (res) => res.writeHead(302, { location: 'http://[::1]/doc.docx' }).end(),
      '/to-self': (res) => res.writeHead(301, { location: '/doc.docx' }).end(),
      '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
      '/slow': (res) => {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.write(pdf.subarray(0, 100));
        // Never finishes: the time limit must end it.
      },
    });
    q = await startQuire({ env: { QUIRE_FETCH_ALLOW: '127.0.0.1', QUIRE_FETCH_MAX_BYTES: String(LIMIT), QUIRE_FETCH_TIMEOUT_MS: '1500' } });
  });
  after(async () => {
    await q.dispose();
    await origin.close();
    await elsewhere.close();
  });

  test('a document on an allowed address becomes the session source', async () => {
    for (const [path, bytes, ext] of [['/report.pdf', pdf, 'pdf'], ['/to-self', docx, 'docx']] as const) {
      const r = await createHttpSession(q, `${origin.url}${path}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const id = r.body.viewingSessionId;
      const got = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
      assert.equal(got.status, 200);
      assert.ok(got.bytes.equals(bytes));
      assert.match(got.headers.get('content-disposition') ?? '', new RegExp(`filename="SourceFile\\.${ext}"`));
      const props = (await call(q, 'GET', `${V1}/u${id}`)).body;
      assert.equal(props.documentSource, 'http');
      assert.equal(props.externalId, `${origin.url}${path}`);
      // Its source is a work file like any other.
      const fid = await call(q, 'GET', `${V1}/u${id}/FileId`);
      assert.ok((await call(q, 'GET', `/PCCIS/V1/WorkFile/${fid.body.fileId}`)).bytes.equals(bytes));
      // It already has its document.
      assert.equal((await call(q, 'PUT', `${V1}/u${id}/SourceFile`, { body: docx })).body.errorCode, 'CannotChangeDocument');
    }
  });

  test('a text document takes its format from documentExtension (or the URL)', async () => {
    const r = await createHttpSession(q, `${origin.url}/notes.txt`, { documentExtension: 'TXT' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call(q, 'GET', `${V1}/u${r.body.viewingSessionId}/SourceFile`);
    assert.ok(got.bytes.equals(text));
    assert.match(got.headers.get('content-type') ?? '', /^text\/plain/);
    const byUrl = await createHttpSession(q, `${origin.url}/notes.txt`);
    assert.equal(byUrl.status, 200, JSON.stringify(byUrl.body));
  });

  test('a redirect from the allowed server to a loopback, link-local or other address is refused', async () => {
    for (const path of ['/to-elsewhere', '/to-metadata', '/to-ipv6-loopback']) {
      const r = await createHttpSession(q, `${origin.url}${path}`);
      assert480(r, 'InvalidInput', 'input.externalId');
    }
    assert.deepEqual(elsewhere.hits, [], '127.0.0.2 was never contacted');
  });

  test('a document over QUIRE_FETCH_MAX_BYTES is an error and creates no session', async () => {
    for (const path of ['/big.pdf', '/big-chunked.pdf']) {
      const r = await createHttpSession(q, `${origin.url}${path}`);
      assert.equal(r.status, 580, `${path} answered ${r.status}`);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(r.body.errorCode, 'DocumentTooLarge', JSON.stringify(r.body));
      assert.equal(r.body.errorDetails?.at, 'input.externalId');
      assert.equal(r.body.viewingSessionId, undefined);
    }
  });

  test('a remote error, a redirect loop and the time limit answer 580 DocumentDownloadFailed', async () => {
    for (const path of ['/missing', '/loop', '/slow']) {
      const t0 = Date.now();
      const r = await createHttpSession(q, `${origin.url}${path}`);
      assert.equal(r.status, 580, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.errorCode, 'DocumentDownloadFailed');
      assert.ok(Date.now() - t0 < 10_000, `${path} took too long`);
    }
  });
});
