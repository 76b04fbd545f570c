// A pool of long-lived worker processes ("members") with a supervision policy modelled on Gotenberg's:
// a bounded queue that fails fast when full, a per-task timeout that kills and restarts the member,
// restart after a crash with the lost task retried on a healthy member, and recycling after N tasks
// (or when the member says it is unfit, e.g. too much memory) once its current task has finished.
// Members run one task at a time and are started lazily, one per waiting task, up to `size`.

/** Thrown by Member.run when the member died under the task (the task itself may be fine). */
export class MemberDied extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MemberDied';
  }
}

export interface Member<Task, Result> {
  /** Runs one task. Rejects with MemberDied if the member died meanwhile; other errors are the task's. */
  run(task: Task): Promise<Result>;
  /** Settles once the member's processes are gone, whether it died or was killed or stopped. */
  readonly exited: Promise<void>;
  /** Kills the member's whole process tree now. */
  kill(): void;
  /** Stops gracefully, killing after a short grace period. */
  stop(): Promise<void>;
  /** Asked after each task: false recycles the member (e.g. it uses too much memory). */
  fit?(): Promise<boolean>;
}

export interface PoolErrors {
  busy(queued: number): Error;
  timedOut(ms: number): Error;
  crashed(cause: unknown): Error;
  closed(): Error;
  /** Members keep failing to start. */
  unavailable(cause: unknown): Error;
}

export interface SupervisedPoolOptions<Task, Result> {
  size: number;
  /** Tasks waiting for a member beyond this are refused at once with errors.busy. */
  queueLimit: number;
  /**
   * A task still waiting for a member after this long fails with errors.busy, so a caller's wait is
   * bounded (queue wait + taskTimeoutMs) however far behind the pool is. Unset: no limit.
   */
  maxQueueWaitMs?: number;
  /** Per task, counted from the moment a member takes it. */
  taskTimeoutMs: number;
  /** Recycle a member after this many tasks. */
  maxTasksPerMember: number;
  /** Runs of a task lost to a dying member before it fails with errors.crashed (1 = one retry). */
  retriesAfterCrash: number;
  /** Consecutive failed starts after which waiting tasks fail with errors.unavailable. */
  maxStartFailures: number;
  start(slot: number, signal: AbortSignal): Promise<Member<Task, Result>>;
  errors: PoolErrors;
  /** Told about restarts and start failures, for the log. */
  onEvent?(event: PoolEvent): void;
}

export type PoolEvent =
  | { type: 'started'; slot: number; ms: number }
  | { type: 'startFailed'; slot: number; error: unknown }
  | { type: 'restarting'; slot: number; reason: 'timeout' | 'crash' | 'died' | 'recycle' };

export interface SlotStats {
  slot: number;
  state: SlotState;
  tasks: number;
  starts: number;
}

export interface PoolStats {
  size: number;
  queued: number;
  running: number;
  completed: number;
  failed: number;
  timeouts: number;
  crashes: number;
  retries: number;
  recycles: number;
  starts: number;
  slots: SlotStats[];
}

export interface RunOptions {
  timeoutMs?: number;
  /** Aborting drops the task if it is still waiting (rejecting with the signal's reason); a running task runs on. */
  signal?: AbortSignal;
  /** Overrides the pool's maxQueueWaitMs for this task. */
  maxQueueWaitMs?: number;
}

type SlotState = 'empty' | 'starting' | 'idle' | 'busy' | 'stopping';

interface Job<Task, Result> {
  task: Task;
  timeoutMs: number;
  runs: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
  /** Ends the task's waiting-time watch (limit timer, abort listener); called when it leaves the queue. */
  unwatch(): void;
}

interface Slot<Task, Result> {
  index: number;
  state: SlotState;
  member: Member<Task, Result> | undefined;
  tasks: number;
  starts: number;
}

export interface SupervisedPool<Task, Result> {
  run(task: Task, opts?: RunOptions): Promise<Result>;
  /** Starts every member now instead of on demand. */
  warmUp(): Promise<void>;
  /** Fails waiting and running tasks with errors.closed and kills every member. */
  close(): Promise<void>;
  stats(): PoolStats;
  /** The members now alive (for tests and diagnostics). */
  members(): Member<Task, Result>[];
}

export function createSupervisedPool<Task, Result>(opts: SupervisedPoolOptions<Task, Result>): SupervisedPool<Task, Result> {
  const slots: Slot<Task, Result>[] = Array.from({ length: Math.max(1, opts.size) }, (_, index) => ({
    index,
    state: 'empty' as SlotState,
    member: undefined,
    tasks: 0,
    starts: 0,
  }));
  const queue: Job<Task, Result>[] = [];
  const running = new Map<Slot<Task, Result>, Job<Task, Result>>();
  const starting = new Set<Promise<void>>();
  const retiring = new Set<Member<Task, Result>>();
  const shutdown = new AbortController();
  const counts = { completed: 0, failed: 0, timeouts: 0, crashes: 0, retries: 0, recycles: 0, starts: 0 };
  let startFailures = 0;
  let closed = false;

  function emit(event: PoolEvent): void {
    try {
      opts.onEvent?.(event);
    } catch {
      // a logging hook must not break supervision
    }
  }

  function dispatch(): void {
    if (closed) return;
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.state === 'idle') {
        const job = queue.shift()!;
        job.unwatch();
        runOn(slot, job);
      }
    }
    // Start members for the tasks still waiting, one each, counting those already starting.
    let wanted = queue.length - slots.filter((s) => s.state === 'starting').length;
    for (const slot of slots) {
      if (wanted <= 0) break;
      if (slot.state === 'empty') {
        startSlot(slot);
        wanted--;
      }
    }
  }

  function startSlot(slot: Slot<Task, Result>, delayMs = 0): Promise<void> {
    slot.state = 'starting';
    const began = performance.now();
    const p = (async () => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      let member: Member<Task, Result>;
      try {
        if (closed) throw opts.errors.closed();
        member = await opts.start(slot.index, shutdown.signal);
      } catch (error) {
        slot.state = 'empty';
        if (closed) return;
        startFailures++;
        emit({ type: 'startFailed', slot: slot.index, error });
        if (startFailures >= opts.maxStartFailures) {
          startFailures = 0;
          for (const job of queue.splice(0)) {
            job.unwatch();
            fail(job, opts.errors.unavailable(error));
          }
          return;
        }
        // Try again for whoever is waiting, backing off a little.
        if (queue.length > 0) startSlot(slot, 200 * startFailures);
        return;
      }
      if (closed) {
        member.kill();
        await member.exited;
        return;
      }
      startFailures = 0;
      counts.starts++;
      slot.starts++;
      slot.member = member;
      slot.tasks = 0;
      slot.state = 'idle';
      emit({ type: 'started', slot: slot.index, ms: Math.round(performance.now() - began) });
      void member.exited.then(() => onExited(slot, member));
      dispatch();
    })();
    starting.add(p);
    void p.finally(() => starting.delete(p));
    return p;
  }

  // A member that dies while idle is replaced at once; one that dies under a task is handled by runOn.
  function onExited(slot: Slot<Task, Result>, member: Member<Task, Result>): void {
    if (closed || slot.member !== member || slot.state !== 'idle') return;
    slot.member = undefined;
    emit({ type: 'restarting', slot: slot.index, reason: 'died' });
    startSlot(slot);
  }

  // Replaces a slot's member once its processes are gone (they may share a profile directory).
  function replace(slot: Slot<Task, Result>, member: Member<Task, Result>, reason: 'timeout' | 'crash' | 'recycle'): void {
    slot.state = 'stopping';
    slot.member = undefined;
    emit({ type: 'restarting', slot: slot.index, reason });
    retiring.add(member);
    const gone = reason === 'recycle' ? member.stop() : (member.kill(), member.exited);
    void gone
      .catch(() => {})
      .then(() => {
        retiring.delete(member);
        if (closed) return;
        // Warm capacity is the point of the pool: restart now rather than on the next task.
        startSlot(slot);
      });
  }

  function fail(job: Job<Task, Result>, error: unknown): void {
    counts.failed++;
    job.reject(error);
  }

  function runOn(slot: Slot<Task, Result>, job: Job<Task, Result>): void {
    const member = slot.member!;
    slot.state = 'busy';
    running.set(slot, job);
    job.runs++;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      running.delete(slot);
      counts.timeouts++;
      fail(job, opts.errors.timedOut(job.timeoutMs));
      replace(slot, member, 'timeout');
      dispatch();
    }, job.timeoutMs);

    member.run(job.task).then(
      async (result) => {
        if (timedOut) return;
        clearTimeout(timer);
        running.delete(slot);
        // Settle the member before the caller hears back, so a caller that submits its next task at
        // once finds this member idle instead of starting another one.
        await afterTask(slot, member);
        counts.completed++;
        job.resolve(result);
      },
      async (error: unknown) => {
        if (timedOut) return;
        clearTimeout(timer);
        running.delete(slot);
        if (closed) {
          fail(job, opts.errors.closed());
        } else if (!(error instanceof MemberDied)) {
          // The task failed; the member is fine.
          await afterTask(slot, member);
          fail(job, error);
        } else {
          counts.crashes++;
          if (job.runs <= opts.retriesAfterCrash) {
            counts.retries++;
            queue.unshift(job); // ahead of the queue: it has waited already
          } else {
            fail(job, opts.errors.crashed(error));
          }
          replace(slot, member, 'crash');
          dispatch();
        }
      },
    );
  }

  async function afterTask(slot: Slot<Task, Result>, member: Member<Task, Result>): Promise<void> {
    slot.tasks++;
    let recycle = slot.tasks >= opts.maxTasksPerMember;
    if (!recycle && member.fit) recycle = !(await member.fit().catch(() => true));
    if (closed || slot.member !== member) return;
    if (recycle) {
      counts.recycles++;
      replace(slot, member, 'recycle');
    } else {
      slot.state = 'idle';
    }
    dispatch();
  }

  return {
    run(task, runOpts = {}) {
      if (closed) return Promise.reject(opts.errors.closed());
      const idle = slots.some((s) => s.state === 'idle');
      if (!idle && queue.length >= opts.queueLimit) {
        counts.failed++;
        return Promise.reject(opts.errors.busy(queue.length));
      }
      if (runOpts.signal?.aborted) return Promise.reject(runOpts.signal.reason);
      return new Promise<Result>((resolve, reject) => {
        const job: Job<Task, Result> = { task, timeoutMs: runOpts.timeoutMs ?? opts.taskTimeoutMs, runs: 0, resolve, reject, unwatch: () => {} };
        const leave = (error: unknown) => {
          const at = queue.indexOf(job);
          if (at < 0) return;
          queue.splice(at, 1);
          job.unwatch();
          fail(job, error);
        };
        const waitMs = runOpts.maxQueueWaitMs ?? opts.maxQueueWaitMs;
        const timer = waitMs === undefined ? undefined : setTimeout(() => leave(opts.errors.busy(queue.length)), waitMs);
        const onAbort = () => leave(runOpts.signal!.reason);
        runOpts.signal?.addEventListener('abort', onAbort, { once: true });
        job.unwatch = () => {
          clearTimeout(timer);
          runOpts.signal?.removeEventListener('abort', onAbort);
          job.unwatch = () => {};
        };
        queue.push(job);
        dispatch();
      });
    },

    async warmUp() {
      await Promise.all(slots.filter((s) => s.state === 'empty').map((s) => startSlot(s)));
      await Promise.all([...starting]);
    },

    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort();
      for (const job of queue.splice(0)) {
        job.unwatch();
        fail(job, opts.errors.closed());
      }
      const members = [...slots.flatMap((s) => (s.member ? [s.member] : [])), ...retiring];
      for (const m of members) m.kill();
      await Promise.all([...members.map((m) => m.exited), ...starting]);
      for (const s of slots) {
        s.member = undefined;
        s.state = 'empty';
      }
    },

    stats() {
      return {
        size: slots.length,
        queued: queue.length,
        running: running.size,
        ...counts,
        slots: slots.map((s) => ({ slot: s.index, state: s.state, tasks: s.tasks, starts: s.starts })),
      };
    },

    members() {
      return slots.flatMap((s) => (s.member ? [s.member] : []));
    },
  };
}
