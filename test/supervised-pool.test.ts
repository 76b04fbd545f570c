// Queue policy of the supervised pool (src/process/supervised-pool.ts) with fake members: how long a
// task may wait for a member, and dropping a waiting task. Fakes are right here: this is scheduling
// policy; the real LibreOffice pool built on it is tested in libreoffice-pool.test.ts and faults.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSupervisedPool, type Member } from '../src/process/supervised-pool.ts';
import { until } from './helpers/wait.ts';

class Busy extends Error {}

/** A member whose tasks finish when the test says so. */
function fakeMember(): Member<string, string> & { finish(): void } {
  let release: (() => void) | undefined;
  let exit!: () => void;
  const exited = new Promise<void>((res) => (exit = res));
  return {
    run: (task) => new Promise((res) => (release = () => res(task))),
    finish: () => release?.(),
    exited,
    kill: () => exit(),
    stop: async () => exit(),
  };
}

function pool(opts: { maxQueueWaitMs?: number } = {}) {
  const members: ReturnType<typeof fakeMember>[] = [];
  const p = createSupervisedPool<string, string>({
    size: 1,
    queueLimit: 10,
    taskTimeoutMs: 60_000,
    maxTasksPerMember: 100,
    retriesAfterCrash: 1,
    maxStartFailures: 3,
    ...opts,
    async start() {
      const m = fakeMember();
      members.push(m);
      return m;
    },
    errors: {
      busy: (queued) => new Busy(`busy (${queued} waiting)`),
      timedOut: (ms) => new Error(`timed out after ${ms} ms`),
      crashed: () => new Error('crashed'),
      closed: () => new Error('closed'),
      unavailable: () => new Error('unavailable'),
    },
  });
  return { p, members };
}

describe('supervised pool: waiting for a member', () => {
  test('a task still waiting after maxQueueWaitMs fails as busy; the running one and later ones are unaffected', async () => {
    const { p, members } = pool({ maxQueueWaitMs: 100 });
    const running = p.run('a');
    await until('the member to start', () => members.length === 1 && p.stats().running === 1);
    const started = performance.now();
    await assert.rejects(p.run('b'), Busy);
    const waited = performance.now() - started;
    assert.ok(waited >= 90 && waited < 2000, `failed after ${waited} ms`);
    assert.equal(p.stats().queued, 0);
    members[0]!.finish();
    assert.equal(await running, 'a');
    // A task taken by a member before its limit is not failed by it later.
    const next = p.run('c');
    await until('c to run', () => p.stats().running === 1);
    await new Promise((r) => setTimeout(r, 150));
    members[0]!.finish();
    assert.equal(await next, 'c');
    await p.close();
  });

  test('aborting drops a waiting task with the signal reason; a running task runs on', async () => {
    const { p, members } = pool();
    const first = new AbortController();
    const running = p.run('a', { signal: first.signal });
    await until('a to run', () => p.stats().running === 1);
    const second = new AbortController();
    const waiting = p.run('b', { signal: second.signal });
    const reason = new Error('the first pages failed');
    second.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
    assert.equal(p.stats().queued, 0);
    first.abort(new Error('too late'));
    members[0]!.finish();
    assert.equal(await running, 'a');
    // Already aborted: refused without queueing.
    await assert.rejects(p.run('c', { signal: second.signal }), (e) => e === reason);
    await p.close();
  });
});
