// Foundation bench (issue 3): a real Quire process against a bare Fastify process in the same run,
// for (1) GET /PCCIS/V1/ViewingSession/u{id}, the metadata read a viewer repeats, aim ≥ 70% of bare,
// and (2) create + upload of a ~130 KB .docx, where Quire also stores the bytes (sha256, fsync,
// rename, SQLite) and the bare server reads and discards them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, CORPUS, startQuire } from '../test/helpers/quire.ts';
import { compare, type Comparison, type Target, type Workload } from './lib/load.ts';
import { onCleanup, startBare, track, type BareServer } from './lib/processes.ts';
import type { Bench, BenchContext, BenchReport } from './lib/types.ts';

const V1 = '/PCCIS/V1/ViewingSession';
const DOCUMENT = join(CORPUS, 'docx/pydocx-having-images.docx');
// The creation body of PrizmDoc's own samples.
const CREATE_JSON = JSON.stringify({ render: { flash: { optimizationLevel: 1 }, html5: { alwaysUseRaster: false } } });
const READ_AIM = 0.7;

const bench: Bench = {
  name: 'foundation',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const doc = readFileSync(DOCUMENT);
    // As deployed for throughput: warnings only (startQuire waits on the health route, not a log line).
    const quire = await startQuire({ env: { QUIRE_LOG_LEVEL: 'warn' } });
    track(quire.process);
    const forgetQuire = onCleanup(() => quire.dispose());
    let bare: BareServer | undefined;
    try {
      // One complete session for the read bench; its GET body sizes the bare server's constant.
      const created = await call(quire, 'POST', V1, { body: CREATE_JSON, headers: { 'content-type': 'application/json' } });
      if (created.status !== 200) throw new Error(`create answered ${created.status}: ${created.bytes}`);
      const sid = String(created.body.viewingSessionId);
      const put = await call(quire, 'PUT', `${V1}/u${sid}/SourceFile?FileExtension=docx`, { body: doc, headers: { 'content-type': 'application/octet-stream' } });
      if (put.status !== 200) throw new Error(`upload answered ${put.status}: ${put.bytes}`);
      const got = await call(quire, 'GET', `${V1}/u${sid}`);
      if (got.status !== 200) throw new Error(`GET answered ${got.status}: ${got.bytes}`);

      bare = await startBare({ BARE_GET_JSON: got.bytes.toString('utf8'), BARE_CREATE_JSON: created.bytes.toString('utf8') });
      const bareGot = await call(bare, 'GET', `${V1}/u${sid}`);
      if (bareGot.status !== 200) throw new Error(`bare GET answered ${bareGot.status}`);

      const q: Target = { name: 'quire', baseUrl: quire.baseUrl, pid: quire.process.pid! };
      const b: Target = { name: 'bare', baseUrl: bare.baseUrl, pid: bare.pid };
      const s = ctx.settings;
      const logBefore = quire.output().length;

      ctx.log(`GET ${V1}/u{id}: ${s.rounds} × ${s.durationSeconds} s per side, ${s.connections} connections`);
      const read = await compare(q, b, { method: 'GET', path: `${V1}/u${sid}`, perIteration: 1 }, s, ctx.log);

      ctx.log(`create + upload of ${doc.length} bytes: ${s.rounds} × ${s.durationSeconds} s per side, ${s.connections} connections`);
      const logMid = quire.output().length;
      const write = await compare(q, b, createAndUpload(doc), s, ctx.log);

      const logged = { read: quire.output().slice(logBefore, logMid), write: quire.output().slice(logMid) };
      const sizes = { getBody: got.bytes.length, bareGetBody: bareGot.bytes.length, createBody: created.bytes.length, document: doc.length };
      return report(ctx, read, write, sizes, logged);
    } finally {
      await bare?.stop();
      forgetQuire();
      await quire.dispose();
    }
  },
};
export default bench;

/** POST a session, then PUT the document into it: one iteration, two requests. */
function createAndUpload(doc: Buffer): Workload {
  return {
    perIteration: 2,
    requests: [
      {
        method: 'POST',
        path: V1,
        headers: { 'content-type': 'application/json' },
        body: CREATE_JSON,
        onResponse: (status, body, context) => {
          context.sid = status === 200 ? (JSON.parse(body) as { viewingSessionId: string }).viewingSessionId : undefined;
        },
      },
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: doc,
        // No id means the create failed: returning nothing restarts the sequence (and the run is
        // refused anyway for its non-2xx answer).
        setupRequest: (req, context) => (context.sid ? { ...req, path: `${V1}/u${String(context.sid)}/SourceFile?FileExtension=docx` } : null),
      },
    ],
  };
}

function report(ctx: BenchContext, read: Comparison, write: Comparison, sizes: Record<string, number>, logged: { read: string; write: string }): BenchReport {
  const s = ctx.settings;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const rate = (x: number) => x.toFixed(0);
  const lat = (c: Comparison['quire']) => `${c.p50} / ${c.p99}`;
  const cpu = (c: Comparison) => `${c.quire.serverCores.toFixed(2)} / ${c.bare.serverCores.toFixed(2)}`;
  const gen = (c: Comparison) => `${c.quire.loadgenCores.toFixed(2)} / ${c.bare.loadgenCores.toFixed(2)}`;
  const row = (name: string, c: Comparison, aim: string) => [name, rate(c.quire.rate), rate(c.bare.rate), pct(c.ratio), aim, lat(c.quire), lat(c.bare), cpu(c), gen(c)];
  const readAim = `≥ ${pct(READ_AIM)}: ${read.ratio >= READ_AIM ? 'met' : '**missed**'}`;

  const notes = [
    `Spread of the rounds (req/s, Quire then bare): read ${spread(read, 'quire')} vs ${spread(read, 'bare')}; create + upload ${spread(write, 'quire')} vs ${spread(write, 'bare')}.`,
    `Data folder on ${dataFilesystem()}; every upload is written to a temporary file, fsynced and renamed, so this row depends on the disk as much as on the CPU.`,
  ];
  if (sizes.getBody !== sizes.bareGetBody) notes.push(`The bare GET body (${sizes.bareGetBody} B) differs in size from Quire's (${sizes.getBody} B).`);
  for (const [phase, text] of Object.entries(logged)) {
    if (text.trim() !== '') notes.push(`Quire logged during the ${phase} runs: ${summarizeLog(text)}.`);
  }
  const us = (c: Comparison) => `Quire ${c.quire.serverUsPerRequest.toFixed(0)} µs, bare ${c.bare.serverUsPerRequest.toFixed(0)} µs`;
  notes.push(`Server CPU per HTTP request (median): read ${us(read)}; create + upload ${us(write)}. This cost ratio moves less than the rates when the machine is busy.`);
  const others = [...read.runs, ...write.runs].map((r) => r.otherCores);
  notes.push(
    `Rest of the machine during measured runs (kernel loopback work, other jobs): ${Math.min(...others).toFixed(2)}–${Math.max(...others).toFixed(2)} cores; a round far above the others was disturbed.`,
  );

  return {
    title: 'Foundation: session reads and create + upload',
    description: `
Quire (\`node src/main.ts\`, embedded storage in a fresh temporary data folder) and a bare server
(\`bench/baseline/bare-server.ts\`: Fastify ${fastifyVersion()} with default options, answering constants on the
same routes) run as two separate node processes on 127.0.0.1, started by the same run. The load generator is
autocannon, in the runner's own process (idle otherwise, so no extra process competes for the 2 cores).
Each workload gets a ${s.warmupSeconds} s warm-up per side, then ${s.rounds} rounds of Quire, bare, Quire, bare … of
${s.durationSeconds} s each with ${s.connections} connections, no pipelining; the table gives medians over the rounds.

- **read**: \`GET ${V1}/u{id}\` on one session with a document; Quire answers its ${sizes.getBody}-byte
  JSON from SQLite, the bare server a constant object of the same JSON, serialized per request.
- **create + upload**: \`POST ${V1}\` (PrizmDoc's sample creation body) then
  \`PUT …/u{id}/SourceFile?FileExtension=docx\` with \`pydocx-having-images.docx\` (${sizes.document} bytes, from
  the shared corpus); the rate counts pairs. The bare server answers the POST with a constant of Quire's size
  (${sizes.createBody} bytes) and reads and discards the PUT body.

Columns: rates per second; ratio = Quire / bare; latency of single HTTP requests in ms (POST and PUT mixed
for create + upload); CPU = cores the server process used on average (Quire / bare), then the load
generator's cores during Quire's / bare's runs. A server near 1.00 core is the bottleneck; a load generator near
1.00 core means the rate is capped by the generator, not the server.`,
    header: ['workload', 'Quire /s', 'bare /s', 'ratio', 'aim', 'Quire p50 / p99 ms', 'bare p50 / p99 ms', 'server CPU Q / B', 'load-gen CPU Q / B'],
    rows: [row('read `GET …/u{id}`', read, readAim), row('create + upload (130 KB docx)', write, '—')],
    notes,
    raw: { read, write, sizes, settings: s },
  };
}

/** "3 × error \"aborted\"" for pino JSON lines; anything else is quoted as it is. */
function summarizeLog(text: string): string {
  const counts = new Map<string, number>();
  for (const line of text.trim().split('\n')) {
    let key = line.slice(0, 100);
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const level = ({ 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[j.level ?? 0] ?? `level ${j.level}`;
      key = `${level} "${j.err?.message ?? j.msg ?? ''}"`;
    } catch {
      // not a pino line: keep its start
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
}

function spread(c: Comparison, target: string): string {
  const rates = c.runs.filter((r) => r.target === target).map((r) => r.rate);
  return `${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}`;
}

function fastifyVersion(): string {
  return (JSON.parse(readFileSync(new URL('../node_modules/fastify/package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** e.g. "ext4 (/dev/vda)": fsync cost depends on it. */
function dataFilesystem(): string {
  try {
    const out = execFileSync('findmnt', ['-no', 'FSTYPE,SOURCE', '-T', process.env.TMPDIR ?? '/tmp'], { encoding: 'utf8', timeout: 5000 }).trim();
    const [type, source] = out.split(/\s+/);
    return `${type} (${source})`;
  } catch {
    return 'an unknown filesystem';
  }
}
