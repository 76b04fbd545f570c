// Ties the renderer to the session lifecycle: conversion starts when a session is started (the
// SessionStarted notification, or `startConverting` at creation) and the first pages are drawn ahead
// of the viewer (`countOfInitialPages` of them, at least one; every page for `allPages`), the first
// ones from their own short export when the renderer makes one; a session's private renditions go when it ends.
import type { FastifyBaseLogger } from 'fastify';
import { QuireError } from '../domain/errors.ts';
import type { ViewingSessions } from '../domain/viewing-sessions.ts';
import type { SessionRecord } from '../storage/ports.ts';
import type { PageRequest } from './page-request.ts';
import type { Renderer } from './renderer.ts';
import { privateKey, renderTargetOf } from './rendition-key.ts';

export function renderOnSessionEvents(sessions: ViewingSessions, renderer: Renderer, log: FastifyBaseLogger): void {
  const begin = (s: SessionRecord) => {
    let target;
    try {
      target = renderTargetOf(s);
    } catch {
      return; // no document yet: documentReady comes later
    }
    void (async () => {
      const { contentType, countOfInitialPages, startConverting } = s.properties;
      const t = { ...target, firstPages: countOfInitialPages };
      const whole = renderer.prepare(t);
      whole.catch(() => {}); // reported below, or by the page drawn from it
      const want: PageRequest = contentType === 'png' ? { kind: 'raster', format: 'png', scale: 1, quality: 85 } : { kind: 'svg' };
      // The first pages are drawn as soon as they exist (from their own export when there is one).
      const initial = Math.max(1, countOfInitialPages);
      for (let n = 0; n < initial; n++) {
        if (!(await drawn(renderer.page(t, n, want)))) break;
      }
      if (startConverting === 'allPages') {
        const p = await whole;
        for (let n = initial; n < p.pageCount; n++) await renderer.page(t, n, want);
      }
    })().catch((err: unknown) => log.debug({ err, session: s.id.slice(0, 8) }, 'conversion ahead of the viewer failed; the viewer will get the error'));
  };
  sessions.events.on('started', begin);
  sessions.events.on('documentReady', (s) => {
    if (s.properties.startConverting === 'initialPages' || s.properties.startConverting === 'allPages') begin(s);
  });
  sessions.events.on('ended', (id) => {
    renderer.drop(privateKey(id)).catch((err: unknown) => log.warn({ err }, 'could not remove the renditions of an ended session'));
  });
}

/** False when the page does not exist (fewer pages than `countOfInitialPages`); other failures are thrown. */
async function drawn(page: Promise<unknown>): Promise<boolean> {
  try {
    await page;
    return true;
  } catch (err) {
    if (err instanceof QuireError && err.code === 'InvalidInput') return false;
    throw err;
  }
}
