// Watermarks through the PrizmDoc routes, against a started Quire: every page output of a watermarked
// session carries the watermark (SVG inside the page's own root, PNG/JPEG pages, tiles, thumbnails, at
// each alignment), comparison sessions too; content converted from a watermarked session carries it
// in every format (PDF pages included); sessions with other watermark text, or none, never share pages;
// bad watermarks (image work files too) are refused at creation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { docxBytes, knownEditsPair } from './helpers/comparison-docs.ts';
import { assert480, bytesOf, createSession, createWorkFile, PDF, SEED_WATERMARK, uploadSlot, uploadSource, V1 } from './helpers/prizmdoc.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';

// Two tenants, so content conversion can be tried across them.
const K1 = { 'Acs-Api-Key': 'k1aaaaaaaa' };
const K2 = { 'Acs-Api-Key': 'k2bbbbbbbb' };
let q: Quire;
let tmp: string;
before(async () => {
  q = await startQuire({ env: { QUIRE_API_KEYS: 'k1aaaaaaaa:t1,k2bbbbbbbb:t2' } });
  tmp = mkdtempSync(join(tmpdir(), 'quire-wm-session-'));
});
after(async () => {
  await q?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const seedWatermark = (text: string) => ({ ...SEED_WATERMARK, text });

async function sessionOf(body: unknown, headers: Record<string, string> = K1): Promise<string> {
  const id = await createSession(q, body, headers);
  assert.equal((await uploadSource(q, id, bytesOf(PDF), { ext: 'pdf', headers })).status, 200);
  return id;
}

const page = (id: string, query: string, path = '', n = 0) => call(q, 'GET', `/PCCIS/V1/Page/q/${n}${path}?DocumentID=u${id}&${query}`);

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixels that are clearly red (the watermark's colour at opacity 0.6 over white or black). */
async function redPixels(img: Buffer, region?: { x0: number; y0: number; x1: number; y1: number }): Promise<number> {
  const { data, width, height } = await pixels(img);
  let n = 0;
  const r = region ?? { x0: 0, y0: 0, x1: 1, y1: 1 };
  for (let y = Math.floor(r.y0 * height); y < Math.floor(r.y1 * height); y++) {
    for (let x = Math.floor(r.x0 * width); x < Math.floor(r.x1 * width); x++) {
      const i = (y * width + x) * 3;
      if (data[i]! > 150 && data[i + 1]! < 120 && data[i + 2]! < 120) n++;
    }
  }
  return n;
}

describe('a watermarked session (the seed example)', () => {
  let marked: string;
  let plain: string;
  before(async () => {
    [marked, plain] = await Promise.all([
      sessionOf({ minSecondsAvailable: 1500, watermarks: [seedWatermark('jdoe\n67.79.169.114\nNOT FOR DISTRIBUTION')] }),
      sessionOf({}),
    ]);
  });

  test('GET echoes the watermarks as sent', async () => {
    const r = await call(q, 'GET', `${V1}/u${marked}`, { headers: K1 });
    assert.deepEqual(r.body.watermarks, [seedWatermark('jdoe\n67.79.169.114\nNOT FOR DISTRIBUTION')]);
  });

  test('the SVG page holds the watermark text inside its own root, after the page content', async () => {
    const svg = (await page(marked, 'ContentType=svgb')).bytes.toString('utf8');
    assert.equal(svg.match(/<svg[\s>]/g)?.length, 1, 'one root');
    const at = svg.indexOf('NOT FOR DISTRIBUTION');
    assert.ok(at > 0 && at < svg.lastIndexOf('</svg>'));
    assert.ok(svg.includes('jdoe') && svg.includes('67.79.169.114'));
    const unmarked = (await page(plain, 'ContentType=svgb')).bytes.toString('utf8');
    assert.equal(unmarked.includes('NOT FOR DISTRIBUTION'), false);
  });

  test('the PNG page carries red ink at the bottom right, and only the watermark differs', async () => {
    const [a, b] = await Promise.all([page(marked, 'ContentType=png'), page(plain, 'ContentType=png')]);
    assert.equal(a.status, 200);
    const bottomRight = { x0: 0.5, y0: 0.75, x1: 1, y1: 1 };
    assert.ok((await redPixels(a.bytes, bottomRight)) > 50, 'watermark colour at the bottom right');
    assert.equal(await redPixels(b.bytes), 0, 'no red in the plain page');
    const [pa, pb] = await Promise.all([pixels(a.bytes), pixels(b.bytes)]);
    assert.equal(pa.width, pb.width);
    let outside = 0;
    for (let y = 0; y < Math.floor(pa.height * 0.75); y++) {
      for (let x = 0; x < pa.width; x++) {
        const i = (y * pa.width + x) * 3;
        if (pa.data[i] !== pb.data[i] || pa.data[i + 1] !== pb.data[i + 1] || pa.data[i + 2] !== pb.data[i + 2]) outside++;
      }
    }
    assert.equal(outside, 0, 'nothing changes above the watermark');
  });

  test('JPEG pages, tiles and thumbnails carry it too', async () => {
    const jpeg = await page(marked, 'ContentType=jpeg');
    assert.ok((await redPixels(jpeg.bytes, { x0: 0.5, y0: 0.75, x1: 1, y1: 1 })) > 50);
    const thumb = await page(marked, 'ContentType=png', '/300x300');
    assert.ok((await redPixels(thumb.bytes, { x0: 0.5, y0: 0.75, x1: 1, y1: 1 })) > 5, 'thumbnail');
    const attrs = (await call(q, 'GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${marked}`)).body;
    const w = 200;
    const tile = await page(marked, 'ContentType=png', `/Tile/${attrs.imageWidth - w}/${attrs.imageHeight - w}/${w}/${w}`);
    assert.equal(tile.status, 200);
    assert.ok((await redPixels(tile.bytes)) > 20, 'bottom-right tile');
    const topLeft = await page(marked, 'ContentType=png', `/Tile/0/0/${w}/${w}`);
    assert.equal(await redPixels(topLeft.bytes), 0, 'top-left tile has none');
  });
});

test('two sessions of the same document with different watermark text each get their own', async () => {
  const [a, b] = await Promise.all([sessionOf({ watermarks: [seedWatermark('ALICE')] }), sessionOf({ watermarks: [seedWatermark('BOB')] })]);
  const [sa, sb] = await Promise.all([page(a, 'ContentType=svgb'), page(b, 'ContentType=svgb')]);
  assert.ok(sa.bytes.includes('ALICE') && !sa.bytes.includes('BOB'));
  assert.ok(sb.bytes.includes('BOB') && !sb.bytes.includes('ALICE'));
  const [pa, pb] = await Promise.all([page(a, 'ContentType=png'), page(b, 'ContentType=png')]);
  assert.notDeepEqual(pa.bytes, pb.bytes);
});

test('an image watermark given by work file id appears', async () => {
  const blue = await sharp({ create: { width: 120, height: 60, channels: 3, background: '#0000ff' } }).png().toBuffer();
  const wf = await createWorkFile(q, blue, { ext: 'png', headers: K1 });
  const id = await sessionOf({ watermarks: [{ type: 'image', imageWorkFileId: wf.fileId, verticalAlign: 'top', horizontalAlign: 'left', opacity: 1 }] });
  const png = await page(id, 'ContentType=png');
  assert.equal(png.status, 200, png.bytes.toString());
  const { data, width } = await pixels(png.bytes);
  let blueCount = 0;
  for (let y = 0; y < 100; y++) for (let x = 0; x < 160; x++) {
    const i = (y * width + x) * 3;
    if (data[i]! < 40 && data[i + 1]! < 40 && data[i + 2]! > 200) blueCount++;
  }
  assert.ok(blueCount > 1000, `blue image at the top left (${blueCount})`);
});

test('a bad watermark is refused at creation, naming the property', async () => {
  assert480(await call(q, 'POST', V1, { json: { watermarks: [seedWatermark('x'), { type: 'text', text: 'y', opacity: 3 }] }, headers: K1 }), 'InvalidInput', 'input.watermarks[1].opacity');
  assert480(await call(q, 'POST', V1, { json: { watermarks: [{ type: 'text', text: 'y', color: 'notacolour' }] }, headers: K1 }), 'InvalidInput', 'input.watermarks[0].color');
});

test('an image watermark by work file is checked at creation: unknown, not an image, another tenant\'s', async () => {
  const create = (fileId: string, headers = K1) => call(q, 'POST', V1, { json: { watermarks: [seedWatermark('x'), { type: 'image', imageWorkFileId: fileId }] }, headers });
  assert480(await create('NoSuchWorkFile123'), 'InvalidInput', 'input.watermarks[1].imageWorkFileId');
  const pdf = await createWorkFile(q, bytesOf(PDF), { ext: 'pdf', headers: K1 });
  const r = await create(pdf.fileId);
  assert480(r, 'InvalidInput', 'input.watermarks[1].imageWorkFileId');
  assert.match(r.body.errorDetails.message ?? r.body.message ?? '', /PNG or JPEG/);
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00ff00' } }).png().toBuffer();
  const theirs = await createWorkFile(q, png, { ext: 'png', headers: K2 });
  assert480(await create(theirs.fileId), 'InvalidInput', 'input.watermarks[1].imageWorkFileId');
  assert.equal((await create(theirs.fileId, K2)).status, 200, 'the owner may use it');
});

test('the source file download is unchanged by watermarks', async () => {
  const id = await sessionOf({ watermarks: [seedWatermark('SECRET')] });
  const r = await call(q, 'GET', `${V1}/u${id}/SourceFile`, { headers: K1 });
  assert.deepEqual(r.bytes, bytesOf(PDF));
});

/** Changed pixels and red pixels of a page, as boxes (x0,y0 inclusive; x1,y1 exclusive). */
function boxes(a: { data: Buffer; width: number; height: number }, b: { data: Buffer }) {
  const diff = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, count: 0 };
  const red = { ...diff };
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 3;
      const [r, g, bl] = [a.data[i]!, a.data[i + 1]!, a.data[i + 2]!];
      for (const [box, hit] of [[diff, r !== b.data[i] || g !== b.data[i + 1] || bl !== b.data[i + 2]], [red, r > 180 && g < 110 && bl < 110]] as const) {
        if (!hit) continue;
        box.count++;
        box.x0 = Math.min(box.x0, x);
        box.y0 = Math.min(box.y0, y);
        box.x1 = Math.max(box.x1, x + 1);
        box.y1 = Math.max(box.y1, y + 1);
      }
    }
  }
  return { diff, red };
}

describe('each alignment, as the server draws it (PNG pages through the pre-encode hook)', () => {
  const SCALE = 'Scale=0.5';
  let plain: Awaited<ReturnType<typeof pixels>>;
  before(async () => {
    plain = await pixels((await page(await sessionOf({}), `ContentType=png&${SCALE}`)).bytes);
  });
  const thirds = { top: 0, left: 0, center: 1, bottom: 2, right: 2 } as const;
  for (const v of ['top', 'center', 'bottom'] as const) {
    for (const h of ['left', 'center', 'right'] as const) {
      test(`${v}/${h}: the watermark colour is in the ${v} ${h} ninth, and nothing else changed`, async () => {
        const id = await sessionOf({ watermarks: [{ type: 'text', text: 'WATERMARK', color: 'red', fontSize: '24pt', verticalAlign: v, horizontalAlign: h }] });
        const r = await page(id, `ContentType=png&${SCALE}`);
        assert.equal(r.status, 200);
        const img = await pixels(r.bytes);
        assert.deepEqual([img.width, img.height], [plain.width, plain.height]);
        const { diff, red } = boxes(img, plain);
        assert.ok(red.count > 40, `${red.count} red pixels`);
        const third = (lo: number, hi: number, size: number) => Math.floor(((lo + hi) / 2 / size) * 3);
        assert.equal(third(red.x0, red.x1, img.width), thirds[h], `red x ${red.x0}–${red.x1} of ${img.width}`);
        assert.equal(third(red.y0, red.y1, img.height), thirds[v], `red y ${red.y0}–${red.y1} of ${img.height}`);
        // Every changed pixel belongs to the watermark: its red glyphs and their anti-aliased rim.
        for (const k of ['x0', 'y0'] as const) assert.ok(diff[k] >= red[k] - 2, `${k}: changed from ${diff[k]}, red from ${red[k]}`);
        for (const k of ['x1', 'y1'] as const) assert.ok(diff[k] <= red[k] + 2, `${k}: changed to ${diff[k]}, red to ${red[k]}`);
      });
    }
  }
});

describe('a watermarked comparison session', () => {
  const pair = knownEditsPair();
  let marked: string;
  let plain: string;
  before(async () => {
    const make = async (body: unknown) => {
      const id = await createSession(q, body, K1);
      assert.equal((await uploadSlot(q, id, 'original', docxBytes(pair.original), K1)).status, 200);
      assert.equal((await uploadSlot(q, id, 'revised', docxBytes(pair.revised), K1)).status, 200);
      return id;
    };
    // serverCaching "full" (the default): both draw on one shared redline.
    [marked, plain] = await Promise.all([make({ watermarks: [seedWatermark('COMPARED BY JDOE')] }), make({})]);
  });

  test('its SVG and PNG pages carry the watermark; the unwatermarked session of the same pair does not', async () => {
    const [ms, ps] = await Promise.all([page(marked, 'ContentType=svgb'), page(plain, 'ContentType=svgb')]);
    assert.equal(ms.status, 200, ms.bytes.toString());
    const svg = ms.bytes.toString('utf8');
    assert.ok(svg.indexOf('COMPARED BY JDOE') > 0 && svg.indexOf('COMPARED BY JDOE') < svg.lastIndexOf('</svg>'));
    assert.equal(svg.match(/<svg[\s>]/g)?.length, 1);
    assert.equal(ps.bytes.includes('COMPARED BY JDOE'), false);
    const [mp, pp] = await Promise.all([page(marked, 'ContentType=png'), page(plain, 'ContentType=png')]);
    assert.ok((await redPixels(mp.bytes, { x0: 0.5, y0: 0.75, x1: 1, y1: 1 })) > 50, 'red at the bottom right');
    // The redline's own red (insertions, deletions) is there in both; the watermark adds to it.
    assert.ok((await redPixels(mp.bytes)) > (await redPixels(pp.bytes)) + 50);
    const { diff } = boxes(await pixels(mp.bytes), await pixels(pp.bytes));
    const w = (await pixels(mp.bytes)).width;
    assert.ok(diff.count > 0 && diff.x0 > w / 3, 'the pages differ only towards the bottom right');
  });

  test('content converted from it is the redline with the watermark', async () => {
    const done = await convert({ input: { sources: [{ viewingSessionId: marked, pages: '1' }], dest: { format: 'png' } } });
    assert.equal(done.state, 'complete', JSON.stringify(done));
    assert.deepEqual(done.output.results[0].sources, [{ viewingSessionId: marked, pages: '1' }]);
    const png = await download(done.output.results[0].fileId);
    assert.ok((await redPixels(png, { x0: 0.5, y0: 0.75, x1: 1, y1: 1 })) > 50);
  });
});

const CC = '/v2/contentConverters';

/** POST a conversion, poll it to its end, return the final status. */
async function convert(body: unknown, headers: Record<string, string> = K1) {
  const r = await call(q, 'POST', CC, { json: body, headers });
  assert.equal(r.status, 200, `POST answered ${r.status} ${JSON.stringify(r.body)}`);
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(100)) {
    const s = await call(q, 'GET', `${CC}/${r.body.processId}`, { headers });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    if (s.body.state !== 'processing') return s.body;
  }
  throw new Error('the conversion did not finish in 2 minutes');
}

async function download(fileId: string): Promise<Buffer> {
  const r = await call(q, 'GET', `/PCCIS/V1/WorkFile/${fileId}`, { headers: K1 });
  assert.equal(r.status, 200);
  return r.bytes;
}

describe('content conversion from a viewing session (Quire: viewingSessionId sources)', () => {
  let marked: string;
  let plain: string;
  before(async () => {
    [marked, plain] = await Promise.all([sessionOf({ watermarks: [seedWatermark('CONVERTED FOR JDOE')] }), sessionOf({})]);
  });
  const corner = { x0: 0.5, y0: 0.75, x1: 1, y1: 1 };

  test('png, jpeg, tiff and svg outputs carry the watermark; an unwatermarked session\'s do not', async () => {
    for (const format of ['png', 'jpeg', 'tiff'] as const) {
      const [m, p] = await Promise.all([convert({ input: { sources: [{ viewingSessionId: marked }], dest: { format } } }), convert({ input: { sources: [{ viewingSessionId: plain }], dest: { format } } })]);
      assert.equal(m.state, 'complete', JSON.stringify(m));
      assert.deepEqual(m.input.sources, [{ viewingSessionId: marked, pages: '' }]);
      const [mb, pb] = await Promise.all([download(m.output.results[0].fileId), download(p.output.results[0].fileId)]);
      assert.ok((await redPixels(mb, corner)) > 50, `${format}: watermark at the bottom right`);
      assert.equal(await redPixels(pb), 0, `${format}: none without a watermark`);
    }
    const svg = await convert({ input: { sources: [{ viewingSessionId: marked }], dest: { format: 'svg' } } });
    const text = (await download(svg.output.results[0].fileId)).toString('utf8');
    assert.ok(text.includes('CONVERTED FOR JDOE') && text.indexOf('CONVERTED FOR JDOE') < text.lastIndexOf('</svg>'));
  });

  test('pdf output: the watermark is in every page\'s content (no annotation), the page\'s text stays', async () => {
    const done = await convert({ input: { sources: [{ viewingSessionId: marked }, { viewingSessionId: plain }], dest: { format: 'pdf' } } });
    assert.equal(done.state, 'complete', JSON.stringify(done));
    assert.equal(done.output.results[0].pageCount, 2);
    const bytes = await download(done.output.results[0].fileId);
    const path = join(tmp, 'converted.pdf');
    writeFileSync(path, bytes);
    const doc = await PDFDocument.load(bytes);
    for (const p of doc.getPages()) assert.equal(p.node.Annots()?.size() ?? 0, 0, 'no annotations');
    const drawn = (n: number) => execFileSync('pdftoppm', ['-f', String(n), '-l', String(n), '-r', '96', '-png', '-singlefile', path]);
    assert.ok((await redPixels(drawn(1), corner)) > 50, 'page 1 (the watermarked session) carries it');
    assert.equal(await redPixels(drawn(2)), 0, 'page 2 (the unwatermarked session) does not');
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', path, '-']).toString();
    assert.match(text, /Hello/, 'the page keeps its own text');
    // Drawn where the PNG page has it: same box of red pixels, give or take the anti-aliasing.
    const [viaPdf, viaPage] = [await pixels(drawn(1)), await pixels((await page(marked, 'ContentType=png')).bytes)];
    const a = boxes(viaPdf, viaPdf).red;
    const b = boxes(viaPage, viaPage).red;
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(a[k] - b[k]) <= 2, `${k}: ${a[k]} in the PDF, ${b[k]} on the PNG page`);
  });

  test('another tenant\'s session is not found; bad sources are refused naming the property', async () => {
    const r = await call(q, 'POST', CC, { json: { input: { sources: [{ viewingSessionId: marked }], dest: { format: 'png' } } }, headers: K2 });
    assert.equal(r.status, 404, JSON.stringify(r.body));
    const bad = (source: unknown, format = 'pdf') => call(q, 'POST', CC, { json: { input: { sources: [source], dest: { format } } }, headers: K1 });
    assert480(await bad({ viewingSessionId: marked, fileId: 'x' }), 'InvalidInput', 'input.sources[0].viewingSessionId');
    assert480(await bad({ viewingSessionId: marked }, 'docx'), 'InvalidInput', 'input.sources[0].viewingSessionId');
    assert480(await bad({ viewingSessionId: marked, password: 'x' }), 'InvalidInput', 'input.sources[0].password');
    assert480(await bad({ pages: '1' }), 'MissingInput', 'input.sources[0].fileId');
    const empty = await createSession(q, {}, K1);
    assert480(await bad({ viewingSessionId: empty }), 'DocumentNotProvidedYet', 'input.sources[0].viewingSessionId');
  });
});
