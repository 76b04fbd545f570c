// The README's configuration table lists every setting config.ts reads, with the same default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { settings } from '../src/config/config.ts';
import { ROOT } from './helpers/quire.ts';

test('every setting is in the README with its default', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const s of Object.values(settings)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
    assert.ok(row, `README has a row for ${s.env}`);
    const cell = row.split('|')[2]!.trim();
    assert.equal(cell === '(unset)' ? '' : cell, s.default, `${s.env} default in README`);
  }
});
