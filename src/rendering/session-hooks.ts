// Ties the renderer to the session lifecycle: conversion starts when a session is started (the
// SessionStarted notification, or `startConverting` at creation) and the first pages are drawn ahead
// of the viewer; a session's private renditions go when it ends.
import type { FastifyBaseLogger } from 'fastify';
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
      const p = await renderer.prepare(target);
      const { contentType, countOfInitialPages, startConverting } = s.properties;
      const ahead = startConverting === 'allPages' ? p.pageCount : Math.min(p.pageCount, Math.max(1, countOfInitialPages));
      const want: PageRequest = contentType === 'png' ? { kind: 'raster', format: 'png', scale: 1, quality: 85 } : { kind: 'svg' };
      for (let n = 0; n < ahead; n++) await renderer.page(target, n, want);
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
