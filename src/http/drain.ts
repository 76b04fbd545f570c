// After refusing an upload (too large, wrong session, bad key) part of its body may still be on the
// way. Closing the connection on a client that is still sending makes it see a reset (EPIPE) instead
// of our JSON answer, so the rest is read and thrown away first — within limits, so a client cannot
// keep the server reading forever.
import type { IncomingMessage } from 'node:http';

/** At most this much more is read and discarded before answering. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/** Reads and discards what is left of the request body. True when the body ended within the limits. */
export function discardBody(req: IncomingMessage, maxBytes = DRAIN_MAX_BYTES, maxMs = DRAIN_MAX_MS): Promise<boolean> {
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onFail).off('close', onClose);
      // Stop reading; the connection is closed after the answer (errors.ts sees the body incomplete).
      if (!ok) req.pause();
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done(false);
    };
    const onEnd = () => done(true);
    const onFail = () => done(false);
    const onClose = () => done(req.complete);
    const timer = setTimeout(() => done(false), maxMs);
    req.on('data', onData).once('end', onEnd).once('error', onFail).once('close', onClose);
    req.resume();
  });
}
