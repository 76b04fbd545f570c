// Watermarks through the PrizmDoc routes, against a started Quire: every page output of a watermarked
// session carries the watermark (SVG inside the page's own root, PNG/JPEG pages, tiles, thumbnails);
// sessions with other watermark text, or none, never share pages; bad watermarks are refused at creation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { assert480, bytesOf, createSession, createWorkFile, PDF, SEED_WATERMARK, uploadSource, V1 } from './helpers/prizmdoc.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';

let q: Quire;
before(async () => {
  q = await startQuire();
});
after(() => q.dispose());

const seedWatermark = (text: string) => ({ ...SEED_WATERMARK, text });

async function sessionOf(body: unknown): Promise<string> {
  const id = await createSession(q, body);
  assert.equal((await uploadSource(q, id, bytesOf(PDF), { ext: 'pdf' })).status, 200);
  return id;
}

const page = (id: string, query: string, path = '') => call(q, 'GET', `/PCCIS/V1/Page/q/0${path}?DocumentID=u${id}&${query}`);

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
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
    const r = await call(q, 'GET', `${V1}/u${marked}`);
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
  const wf = await createWorkFile(q, blue, { ext: 'png' });
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
  assert480(await call(q, 'POST', V1, { json: { watermarks: [seedWatermark('x'), { type: 'text', text: 'y', opacity: 3 }] } }), 'InvalidInput', 'input.watermarks[1].opacity');
  assert480(await call(q, 'POST', V1, { json: { watermarks: [{ type: 'text', text: 'y', color: 'notacolour' }] } }), 'InvalidInput', 'input.watermarks[0].color');
});

test('the source file download is unchanged by watermarks', async () => {
  const id = await sessionOf({ watermarks: [seedWatermark('SECRET')] });
  const r = await call(q, 'GET', `${V1}/u${id}/SourceFile`);
  assert.deepEqual(r.bytes, bytesOf(PDF));
});
