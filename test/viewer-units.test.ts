// The viewer's pure parts, in Node: how server answers become reader-facing states, zoom steps and
// fits, the asset build's versioning and encoding choice. The browser behaviour is in viewer.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../src/viewer/client/api.ts';
import { problemOf, isNotYetProvided } from '../src/viewer/client/problems.ts';
import { fitZoom, rasterScale, stepZoom } from '../src/viewer/client/zoom.ts';
import { pickEncoding } from '../src/viewer/assets.ts';
import { buildViewer, sourceVersion } from '../src/viewer/build.ts';

const err = (status: number, o: { code?: string; statusMessage?: string; statusNumber?: string; bodyMessage?: string } = {}) =>
  new ApiError(status, { ...o, message: o.bodyMessage ?? o.statusMessage ?? 'x' });

test('server answers become the states a reader sees, with the server’s own message', () => {
  const stopped = problemOf(err(410, { code: 'SessionStopped', statusMessage: 'Access ended at 17:00 ? ask Ann', bodyMessage: 'Access ended at 17:00 — ask Ann' }));
  assert.deepEqual([stopped.kind, stopped.status, stopped.message], ['stopped', 410, 'Access ended at 17:00 — ask Ann']);
  const expired = problemOf(err(403, { code: 'SessionExpired', statusMessage: 'The session is invalid or has expired', bodyMessage: 'The session is invalid or has expired' }));
  assert.deepEqual([expired.kind, expired.title], ['expired', 'This viewing session has expired']);
  // The header alone (no JSON body) is enough.
  assert.equal(problemOf(err(403, { statusMessage: 'Gone for good' })).message, 'Gone for good');
  const password = problemOf(err(480, { code: 'DocumentRequiresPassword', statusNumber: '4001', statusMessage: 'Document requires a password' }));
  assert.equal(password.kind, 'password');
  assert.match(password.message, /^Document requires a password\. /);
  assert.equal(problemOf(err(480, { statusNumber: '4001' })).kind, 'password');
  assert.deepEqual([problemOf(err(580, { code: 'UnrecognizedFileFormat', statusMessage: 'Unrecognized File Format' })).kind], ['unreadable']);
  assert.equal(problemOf(err(404, { code: 'NotFound' })).kind, 'notFound');
  assert.equal(problemOf(err(0)).kind, 'network');
  assert.equal(problemOf(new Error('boom')).kind, 'failed');
  assert.ok(isNotYetProvided(err(480, { code: 'DocumentNotProvidedYet' })));
  assert.ok(!isNotYetProvided(err(480, { code: 'InvalidInput' })));
});

test('zoom steps, fits and raster scales', () => {
  assert.equal(stepZoom(1, 1), 1.1);
  assert.equal(stepZoom(1, -1), 0.9);
  assert.equal(stepZoom(1.01, 1), 1.1, 'a zoom just off a step goes to the next one');
  assert.equal(stepZoom(8, 1), 8);
  assert.equal(stepZoom(0.1, -1), 0.1);
  assert.equal(fitZoom('fit-width', 848, 600, 816, 1056), 1);
  assert.equal(fitZoom('auto', 2000, 600, 816, 1056), 1.25, 'auto never blows a page up past 125%');
  assert.equal(fitZoom('fit-page', 2000, 1088, 816, 1056), 1);
  assert.equal(rasterScale(1, 1), 1);
  assert.equal(rasterScale(1.01, 2), 2.25, 'quarter steps, rounded up: never blurrier than the screen');
  assert.equal(rasterScale(20, 2), 8);
});

test('asset encoding follows Accept-Encoding', () => {
  assert.equal(pickEncoding('gzip, deflate, br, zstd'), 'br');
  assert.equal(pickEncoding('gzip'), 'gzip');
  assert.equal(pickEncoding(undefined), 'identity');
  assert.equal(pickEncoding('identity'), 'identity');
});

test('the build is versioned by its sources and small', async () => {
  assert.equal(sourceVersion(), sourceVersion());
  const built = await buildViewer();
  assert.equal(built.version, sourceVersion());
  const js = built.files['quire-viewer.js'].toString('utf8');
  assert.ok(js.includes(built.version), 'the module knows the version of its stylesheet');
  assert.match(js, /export\s*\{[^}]*\bmount\b/);
  assert.ok(!/\beval\(|new Function\(/.test(js), 'nothing the CSP would refuse');
});
