// Load generation with autocannon, run in the runner's own process: the runner is idle while a
// measurement runs, so this costs no extra process, and on a 2-core machine the load generator's
// core is then the runner's. Each run also records the CPU the server and the generator used, so a
// reader can tell a server-bound figure (server near 1 core) from a generator-bound one.
import autocannon, { type Options, type Result, type SequenceRequest } from 'autocannon';
import { cpuSeconds, machineBusySeconds } from './processes.ts';

/** What to send. `perIteration` requests make one unit of the reported rate (e.g. create + upload = 2). */
export interface Workload {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  requests?: SequenceRequest[];
  perIteration: number;
}

export interface Target {
  name: string;
  baseUrl: string;
  pid: number;
}

export interface LoadRun {
  target: string;
  /** Iterations per second (requests / perIteration). */
  rate: number;
  /** Latency of single HTTP requests, ms. */
  p50: number;
  p99: number;
  requests: number;
  /** CPU cores used on average during the run. */
  serverCores: number;
  loadgenCores: number;
  /** Server CPU per request, µs: steadier than rates when the machine is busy with other work. */
  serverUsPerRequest: number;
  /** Everything else the machine did meanwhile: kernel network work, and other people's jobs (noise). */
  otherCores: number;
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
}

export async function runLoad(target: Target, work: Workload, s: LoadSettings): Promise<LoadRun> {
  const opts: Options = {
    // autocannon takes a single request's path from the URL (its `path` option is for sequences).
    url: target.baseUrl + (work.path ?? ''),
    connections: s.connections,
    pipelining: 1,
    duration: s.durationSeconds,
    timeout: 10,
    ...(work.method ? { method: work.method } : {}),
    ...(work.headers ? { headers: work.headers } : {}),
    ...(work.body !== undefined ? { body: work.body } : {}),
    ...(work.requests ? { requests: work.requests } : {}),
  };
  const server0 = cpuSeconds(target.pid);
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const wall0 = performance.now();
  const result = await new Promise<Result>((res, rej) => {
    autocannon(opts, (err, r) => (err ? rej(err) : res(r)));
  });
  const wall = (performance.now() - wall0) / 1000;
  const self = process.cpuUsage(self0);
  const server = cpuSeconds(target.pid) - server0;
  const machine = machineBusySeconds() - machine0;
  const loadgen = (self.user + self.system) / 1e6;
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${target.name}: ${result.errors} connection errors, ${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}) — the figures would be meaningless`,
    );
  }
  return {
    target: target.name,
    rate: result.requests.total / result.duration / work.perIteration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    serverCores: server / wall,
    loadgenCores: loadgen / wall,
    otherCores: Math.max(0, machine - server - loadgen) / wall,
    serverUsPerRequest: (server / result.requests.total) * 1e6,
  };
}

export interface Comparison {
  quire: Summary;
  bare: Summary;
  /** median Quire rate / median bare rate */
  ratio: number;
  runs: LoadRun[];
}

export interface Summary {
  rate: number;
  p50: number;
  p99: number;
  serverCores: number;
  loadgenCores: number;
  serverUsPerRequest: number;
}

export interface CompareSettings extends LoadSettings {
  rounds: number;
  warmupSeconds: number;
}

/**
 * Warm both servers up (JIT, caches, connection pools), then run Quire, bare, Quire, bare, … for
 * `rounds` rounds and take medians: interleaving spreads the machine's drift over both sides.
 */
export async function compare(
  quire: Target,
  bare: Target,
  work: Workload,
  s: CompareSettings,
  log: (line: string) => void,
): Promise<Comparison> {
  for (const t of [quire, bare]) {
    log(`  warm-up ${t.name} ${s.warmupSeconds} s`);
    await runLoad(t, work, { ...s, durationSeconds: s.warmupSeconds });
  }
  const runs: LoadRun[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    for (const t of [quire, bare]) {
      const r = await runLoad(t, work, s);
      log(`  round ${round}/${s.rounds} ${t.name.padEnd(5)} ${r.rate.toFixed(0).padStart(7)}/s  p50 ${r.p50} ms  p99 ${r.p99} ms  server ${r.serverCores.toFixed(2)} cores ${r.serverUsPerRequest.toFixed(0)} µs/req  load ${r.loadgenCores.toFixed(2)}  other ${r.otherCores.toFixed(2)} cores`);
      runs.push(r);
    }
  }
  const q = summarize(runs.filter((r) => r.target === quire.name));
  const b = summarize(runs.filter((r) => r.target === bare.name));
  return { quire: q, bare: b, ratio: q.rate / b.rate, runs };
}

function summarize(runs: LoadRun[]): Summary {
  return {
    rate: median(runs.map((r) => r.rate)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    serverCores: median(runs.map((r) => r.serverCores)),
    loadgenCores: median(runs.map((r) => r.loadgenCores)),
    serverUsPerRequest: median(runs.map((r) => r.serverUsPerRequest)),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
