// Watermarks: parsing (errors name the property), the cache key, and burning into real pages drawn by
// the PDF engine (SVG, PNG, JPEG, tiles, thumbnails) with real sharp/librsvg and system fonts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { degrees, PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { QuireError } from '../src/domain/errors.ts';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { resizeSvgRoot } from '../src/rendering/svg.ts';
import { marginOf, LINE_HEIGHT, PX_PER_PT } from '../src/watermarks/layout.ts';
import { clearOverlayCache, tileRegion, watermarkPixels, watermarkRaster } from '../src/watermarks/raster.ts';
import { canonicalWatermarks, checkImage, parseWatermarks, watermarkKey, workFileIdsOf, type Watermark } from '../src/watermarks/spec.ts';
import { watermarkSvg } from '../src/watermarks/svg.ts';
import { stampPdf } from '../src/watermarks/pdf.ts';
import { SEED_WATERMARK } from './helpers/prizmdoc.ts';

const PDF = join(new URL('../../shared/corpus/pdf/', import.meta.url).pathname, 'simple1.pdf');
const engine = createPdfEngine({ timeoutMs: 20_000 });
/** simple1.pdf is US Letter: 612 × 792 pt. */
const PAGE = { width: 816, height: 1056 };

const SEED = SEED_WATERMARK;

interface Img { data: Buffer; width: number; height: number; channels: number }
async function decode(buf: Buffer | string): Promise<Img> {
  // A drawn SVG page is transparent where the PDF paints nothing: see it on white paper.
  const { data, info } = await sharp(typeof buf === 'string' ? Buffer.from(buf) : buf).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

interface Box { x0: number; y0: number; x1: number; y1: number; count: number }
function boxOf(img: Img, hit: (r: number, g: number, b: number, i: number) => boolean): Box {
  const box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, count: 0 };
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * img.channels;
      if (!hit(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, i)) continue;
      box.count++;
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x + 1);
      box.y1 = Math.max(box.y1, y + 1);
    }
  }
  return box;
}
const diffBox = (a: Img, b: Img) => boxOf(a, (r, g, bl, i) => r !== b.data[i] || g !== b.data[i + 1] || bl !== b.data[i + 2]);
const redBox = (img: Img) => boxOf(img, (r, g, b) => r > 180 && g < 110 && b < 110);

function rejects(fn: () => unknown, code: string, at: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof QuireError, `expected QuireError, got ${String(e)}`);
    assert.equal(e.kind, 'input');
    assert.equal(e.code, code);
    assert.equal(e.details?.at, at);
    return true;
  });
}

const pngOf = (w: number, h: number, rgb: [number, number, number]) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

describe('parseWatermarks', () => {
  it("normalises the seed page's example", () => {
    const [w] = parseWatermarks([SEED]);
    assert.ok(w && w.type === 'text');
    assert.deepEqual(w.lines, ['jdoe', '67.79.169.114', '11/13/2014 2:24 PM', 'NOT FOR DISTRIBUTION']);
    assert.equal(w.color, '#ff0000');
    assert.equal(w.opacity, 0.6);
    assert.deepEqual(w.fontSize, { value: 16, unit: 'pt' });
    assert.equal(w.fontWeight, 'bold');
    assert.equal(w.fontFamily, 'Consolas');
    assert.equal(w.verticalAlign, 'bottom');
    assert.equal(w.horizontalAlign, 'right');
  });

  it('accepts every documented form and ignores unknown properties', () => {
    const ws = parseWatermarks([
      { type: 'diagonalText', text: 'DRAFT', color: '#0f08', fontSize: '10%', fontWeight: 700, fontStyle: 'Italic', rotation: -30, textDecoration: 'underline', somethingNew: 1 },
      { type: 'DIAGONALTEXT', text: 'x', verticalAlign: 'middle', color: 'RebeccaPurple', fontSize: 20 },
      { type: 'text', text: 'a\r\nb\tc', fontSize: '12px', fontFamily: '"Noto Sans", serif' },
    ]);
    const [a, b, c] = ws as [Extract<Watermark, { lines: string[] }>, Extract<Watermark, { lines: string[] }>, Extract<Watermark, { lines: string[] }>];
    assert.equal(a.type, 'diagonalText');
    assert.equal(a.color, '#00ff00');
    assert.equal(a.colorAlpha, 0.533);
    assert.deepEqual(a.fontSize, { value: 10, unit: '%' });
    assert.equal(a.fontWeight, '700');
    assert.equal(a.fontStyle, 'italic');
    assert.equal(a.rotation, -30);
    assert.equal(b.type, 'diagonalText');
    assert.equal(b.verticalAlign, 'center');
    assert.equal(b.color, '#663399');
    assert.deepEqual(b.fontSize, { value: 20, unit: 'pt' });
    assert.equal(b.rotation, null);
    assert.deepEqual(c.lines, ['a', 'b c']);
    assert.deepEqual(parseWatermarks(undefined), []);
    assert.deepEqual(parseWatermarks([]), []);
  });

  const cases: [string, unknown, string, string][] = [
    ['not an array', 'red', 'InvalidInput', 'input.watermarks'],
    ['not an object', [1], 'InvalidInput', 'input.watermarks[0]'],
    ['no type', [{ text: 'x' }], 'MissingInput', 'input.watermarks[0].type'],
    ['unknown type', [{ type: 'stamp' }], 'InvalidInput', 'input.watermarks[0].type'],
    ['opacity above 1, second watermark', [SEED, { ...SEED, opacity: 1.5 }], 'InvalidInput', 'input.watermarks[1].opacity'],
    ['opacity as a string', [{ ...SEED, opacity: '0.5' }], 'InvalidInput', 'input.watermarks[0].opacity'],
    ['unknown colour', [{ ...SEED, color: 'reddish' }], 'InvalidInput', 'input.watermarks[0].color'],
    ['rgb() colour', [{ ...SEED, color: 'rgb(1,2,3)' }], 'InvalidInput', 'input.watermarks[0].color'],
    ['font size in em', [{ ...SEED, fontSize: '2em' }], 'InvalidInput', 'input.watermarks[0].fontSize'],
    ['negative font size', [{ ...SEED, fontSize: '-3pt' }], 'InvalidInput', 'input.watermarks[0].fontSize'],
    ['font size over 100%', [{ ...SEED, fontSize: '150%' }], 'InvalidInput', 'input.watermarks[0].fontSize'],
    ['font weight word', [{ ...SEED, fontWeight: 'heavy' }], 'InvalidInput', 'input.watermarks[0].fontWeight'],
    ['font weight number', [{ ...SEED, fontWeight: 1500 }], 'InvalidInput', 'input.watermarks[0].fontWeight'],
    ['font style', [{ ...SEED, fontStyle: 'slanted' }], 'InvalidInput', 'input.watermarks[0].fontStyle'],
    ['font family with markup', [{ ...SEED, fontFamily: 'Arial"/><script>' }], 'InvalidInput', 'input.watermarks[0].fontFamily'],
    ['vertical align', [{ ...SEED, verticalAlign: 'above' }], 'InvalidInput', 'input.watermarks[0].verticalAlign'],
    ['horizontal align', [{ ...SEED, horizontalAlign: 'centre' }], 'InvalidInput', 'input.watermarks[0].horizontalAlign'],
    ['rotation', [{ type: 'diagonalText', text: 'x', rotation: 'steep' }], 'InvalidInput', 'input.watermarks[0].rotation'],
    ['no text', [{ type: 'text' }], 'MissingInput', 'input.watermarks[0].text'],
    ['text not a string', [{ ...SEED, text: 5 }], 'InvalidInput', 'input.watermarks[0].text'],
    ['blank text', [{ ...SEED, text: ' \n ' }], 'InvalidInput', 'input.watermarks[0].text'],
    ['control character', [{ ...SEED, text: 'a\u0001b' }], 'InvalidInput', 'input.watermarks[0].text'],
    ['unpaired surrogate', [{ ...SEED, text: 'a\ud800b' }], 'InvalidInput', 'input.watermarks[0].text'],
    ['image without a source', [{ type: 'image' }], 'MissingInput', 'input.watermarks[0].imageData'],
    ['image with both sources', [{ type: 'image', imageData: 'AAAA', imageWorkFileId: 'abc' }], 'InvalidInput', 'input.watermarks[0].imageWorkFileId'],
    ['image data not base64', [{ type: 'image', imageData: 'not base64!' }], 'InvalidInput', 'input.watermarks[0].imageData'],
    ['image data a GIF', [{ type: 'image', imageData: Buffer.from('GIF89a\x01\x00\x01\x00').toString('base64') }], 'InvalidInput', 'input.watermarks[0].imageData'],
    ['work file id with a slash', [{ type: 'image', imageWorkFileId: 'a/b' }], 'InvalidInput', 'input.watermarks[0].imageWorkFileId'],
    ['image width', [{ type: 'image', imageWorkFileId: 'abc', width: 'wide' }], 'InvalidInput', 'input.watermarks[0].width'],
  ];
  for (const [name, input, code, at] of cases) {
    it(`${name} → ${code} at ${at}`, () => rejects(() => parseWatermarks(input), code, at));
  }

  it('names the property under the root the caller gives', () => {
    rejects(() => parseWatermarks([SEED, { ...SEED, opacity: -1 }], 'watermarks'), 'InvalidInput', 'watermarks[1].opacity');
  });

  it('refuses image bytes that are not PNG or JPEG, or too large', async () => {
    rejects(() => checkImage(Buffer.from('%PDF-1.4'), 'x'), 'InvalidInput', 'x');
    const png = await pngOf(2, 2, [0, 0, 0]);
    const huge = Buffer.from(png);
    huge.writeUInt32BE(100_000, 16); // IHDR width
    rejects(() => checkImage(huge, 'y'), 'InvalidInput', 'y');
    assert.equal(checkImage(png, 'z').mime, 'image/png');
    const jpeg = await sharp(png).jpeg().toBuffer();
    assert.deepEqual({ ...checkImage(jpeg, 'z'), data: null }, { data: null, mime: 'image/jpeg', width: 2, height: 2 });
  });
});

describe('watermarkKey', () => {
  it('is stable, ignores spelling that draws the same, and changes with what is drawn', () => {
    const k = watermarkKey(parseWatermarks([SEED]));
    assert.match(k, /^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(SEED).reverse());
    assert.equal(watermarkKey(parseWatermarks([reordered])), k);
    assert.equal(watermarkKey(parseWatermarks([{ ...SEED, color: '#F00' }])), k);
    assert.notEqual(watermarkKey(parseWatermarks([{ ...SEED, text: 'someone else' }])), k);
    assert.notEqual(watermarkKey(parseWatermarks([{ ...SEED, opacity: 0.5 }])), k);
    assert.notEqual(watermarkKey(parseWatermarks([SEED, SEED])), k);
    assert.equal(watermarkKey([]), '');
  });

  it('names images by their hash or work file id, not their bytes', async () => {
    const a = await pngOf(4, 4, [1, 2, 3]);
    const b = await pngOf(4, 4, [3, 2, 1]);
    const ka = watermarkKey(parseWatermarks([{ type: 'image', imageData: a.toString('base64') }]));
    assert.equal(watermarkKey(parseWatermarks([{ type: 'image', imageData: `data:image/png;base64,${a.toString('base64')}` }])), ka);
    assert.notEqual(watermarkKey(parseWatermarks([{ type: 'image', imageData: b.toString('base64') }])), ka);
    const byId = parseWatermarks([{ type: 'image', imageWorkFileId: 'W1' }, { type: 'image', imageWorkFileId: 'W1' }]);
    assert.deepEqual(workFileIdsOf(byId), ['W1']);
    assert.ok(!canonicalWatermarks(byId).includes(a.toString('base64').slice(0, 20)));
  });
});

describe('burning watermarks into pages', () => {
  let base: Img;
  let basePng: Buffer;
  let pageSvg: string;
  before(async () => {
    basePng = await engine.renderRaster(PDF, 0, { format: 'png', dpi: 96 });
    base = await decode(basePng);
    assert.deepEqual([base.width, base.height], [PAGE.width, PAGE.height]);
    pageSvg = resizeSvgRoot(await engine.renderSvg(PDF, 0), PAGE.width, PAGE.height);
  });

  it('SVG: the watermark is drawn last inside the page root, in page coordinates', async () => {
    const ws = parseWatermarks([{ ...SEED, text: 'jdoe <admin> & co\nNOT FOR DISTRIBUTION' }]);
    const svg = watermarkSvg(pageSvg, PAGE, ws);
    assert.equal(svg.match(/<svg\b/g)?.length, 1, 'one root element');
    assert.equal(svg.match(/<\/svg>/g)?.length, 1);
    const g = svg.indexOf('<g class="quire-watermarks"');
    assert.ok(g > pageSvg.lastIndexOf('</svg>') - 200 && g < svg.lastIndexOf('</svg>'), 'inside the root, after the page content');
    assert.ok(svg.startsWith(pageSvg.slice(0, pageSvg.lastIndexOf('</svg>'))), 'page content unchanged before it');
    assert.ok(svg.includes('>jdoe &lt;admin&gt; &amp; co</tspan>'));
    assert.ok(svg.includes('>NOT FOR DISTRIBUTION</tspan>'));
    // The root's viewBox is in points: drawn, the text must still land at the bottom right.
    const drawn = await decode(await sharp(Buffer.from(svg)).png().toBuffer());
    const red = redBox(drawn);
    const m = marginOf(PAGE);
    assert.ok(red.count > 200);
    assert.ok(Math.abs(red.x1 - (PAGE.width - m)) < 4, `right edge at ${red.x1}`);
    assert.ok(red.y1 <= PAGE.height - m + 1 && red.y1 > PAGE.height - m - 16, `bottom at ${red.y1}`);
    assert.equal(watermarkSvg(pageSvg, PAGE, []), pageSvg);
  });

  it('SVG and PNG draw the watermark at the same place, nothing clipped', async () => {
    for (const input of [
      [SEED, { type: 'diagonalText', text: 'CONFIDENTIAL', color: 'red', opacity: 0.5 }],
      [{ type: 'text', text: 'WMWMWMWM\nÅÇÉ qjgy', fontSize: '40pt', fontWeight: 'bold', fontStyle: 'italic', textDecoration: 'underline', verticalAlign: 'top', horizontalAlign: 'left', color: 'navy' }],
      [{ type: 'diagonalText', text: 'ШИРОКИЙ ТЕКСТ WWW', rotation: 10, verticalAlign: 'top', horizontalAlign: 'right', fontSize: '36pt', color: 'green' }],
      [{ type: 'text', text: 'سري للغاية', fontSize: '10%', color: 'purple', verticalAlign: 'bottom', horizontalAlign: 'center' }],
    ]) await sameInSvgAndPng(parseWatermarks(input));
  });

  async function sameInSvgAndPng(ws: Watermark[]): Promise<void> {
    const drawSvg = async (svg: string) => decode(await sharp(Buffer.from(svg)).png().toBuffer());
    // Where each output changed (the page itself is drawn differently by pdftocairo and pdftoppm).
    const fromSvg = diffBox(await drawSvg(watermarkSvg(pageSvg, PAGE, ws)), await drawSvg(pageSvg));
    const fromPng = diffBox(await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws)), base);
    assert.ok(fromPng.count > 100);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(fromSvg[k] - fromPng[k]) <= 2, `${k}: ${fromSvg[k]} vs ${fromPng[k]}`);
  }

  const f = 24 * PX_PER_PT;
  for (const v of ['top', 'center', 'bottom'] as const) {
    for (const h of ['left', 'center', 'right'] as const) {
      it(`PNG: changed only where a ${v}/${h} watermark is, in its colour`, async () => {
        const ws = parseWatermarks([{ type: 'text', text: 'WATERMARK', color: 'red', fontSize: '24pt', verticalAlign: v, horizontalAlign: h }]);
        const out = await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws));
        const diff = diffBox(out, base);
        const red = redBox(out);
        const m = marginOf(PAGE);
        assert.ok(red.count > 300, `${red.count} red pixels`);
        // Every changed pixel is the watermark's: the red text (with its anti-aliased rim).
        for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(diff[k] - red[k]) <= 2, `${k}: changed ${diff[k]}, red ${red[k]}`);
        // Horizontal placement: the edge or the centre of the line.
        if (h === 'left') assert.ok(diff.x0 >= m - 1 && diff.x0 < m + 0.2 * f, `left ${diff.x0}`);
        if (h === 'right') assert.ok(diff.x1 <= PAGE.width - m + 1 && diff.x1 > PAGE.width - m - 0.2 * f, `right ${diff.x1}`);
        if (h === 'center') assert.ok(Math.abs((diff.x0 + diff.x1) / 2 - PAGE.width / 2) < 3, `centre ${(diff.x0 + diff.x1) / 2}`);
        // Vertical placement: capitals inside the line box the block is aligned by.
        const top = v === 'top' ? m : v === 'center' ? (PAGE.height - LINE_HEIGHT * f) / 2 : PAGE.height - m - LINE_HEIGHT * f;
        assert.ok(diff.y0 >= top - 1 && diff.y1 <= top + LINE_HEIGHT * f + 1, `rows ${diff.y0}–${diff.y1} outside ${top}–${top + LINE_HEIGHT * f}`);
        assert.ok(diff.y1 - diff.y0 > 0.6 * f, 'capitals are drawn at the font size');
      });
    }
  }

  it('PNG: diagonal text crosses the page through its centre', async () => {
    const ws = parseWatermarks([{ type: 'diagonalText', text: 'CONFIDENTIAL', color: 'red' }]);
    const out = await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws));
    const red = redBox(out);
    assert.ok(red.x1 - red.x0 > 0.6 * PAGE.width && red.y1 - red.y0 > 0.6 * PAGE.height, `spans ${red.x0}–${red.x1} × ${red.y0}–${red.y1}`);
    assert.ok(Math.abs((red.x0 + red.x1) / 2 - PAGE.width / 2) < 0.05 * PAGE.width);
    assert.ok(Math.abs((red.y0 + red.y1) / 2 - PAGE.height / 2) < 0.05 * PAGE.height);
    // Rising to the right: ink near the bottom-left and top-right corners of its box, not the others.
    const inCorner = (cx: number, cy: number) => boxOf(out, (r, g, b, i) => {
      const p = i / 3;
      const x = p % out.width;
      const y = (p - x) / out.width;
      return r > 180 && g < 110 && Math.abs(x - cx) < 80 && Math.abs(y - cy) < 80;
    }).count;
    assert.ok(inCorner(red.x0 + 60, red.y1 - 60) > 0 && inCorner(red.x1 - 60, red.y0 + 60) > 0);
    assert.equal(inCorner(red.x0 + 60, red.y0 + 60) + inCorner(red.x1 - 60, red.y1 - 60), 0);
  });

  it('JPEG keeps the watermark and the quality asked for', async () => {
    const ws = parseWatermarks([{ ...SEED, opacity: 1 }]);
    const jpeg = await engine.renderRaster(PDF, 0, { format: 'jpeg', dpi: 96, quality: 90 });
    const out = await watermarkRaster(jpeg, 'jpeg', { page: PAGE, quality: 90 }, ws);
    assert.equal((await sharp(out).metadata()).format, 'jpeg');
    const red = redBox(await decode(out));
    assert.ok(red.count > 300 && red.x1 > PAGE.width * 0.9 && red.y1 > PAGE.height * 0.9);
  });

  it('tiles carry the same pixels as the same region of the whole page, also at the clipped edge', async () => {
    const scale = 2;
    const ws = parseWatermarks([SEED, { type: 'diagonalText', text: 'CONFIDENTIAL', color: 'blue', opacity: 0.3 }]);
    const whole = await decode(await watermarkRaster(await engine.renderRaster(PDF, 0, { format: 'png', dpi: 96 * scale }), 'png', { page: PAGE }, ws));
    for (const tile of [{ x: 1024, y: 1536, w: 512, h: 512 }, { x: 1536, y: 1536, w: 512, h: 1024 }, { x: 256, y: 512, w: 512, h: 512 }]) {
      const png = await engine.renderRaster(PDF, 0, { format: 'png', dpi: 96 * scale, tile });
      const region = tileRegion(tile, scale, PAGE);
      const got = await decode(await watermarkRaster(png, 'png', { page: PAGE, region }, ws));
      assert.equal(got.width, Math.round(region.w * scale));
      assert.equal(got.height, Math.round(region.h * scale));
      let sum = 0;
      let changed = 0;
      for (let y = 0; y < got.height; y++) {
        for (let x = 0; x < got.width; x++) {
          for (let c = 0; c < 3; c++) {
            const d = Math.abs(got.data[(y * got.width + x) * 3 + c]! - whole.data[((tile.y + y) * whole.width + tile.x + x) * 3 + c]!);
            sum += d;
            if (d > 0) changed++;
          }
        }
      }
      const mean = sum / (got.width * got.height * 3);
      assert.ok(mean < 0.5, `tile ${JSON.stringify(tile)} differs from the page by ${mean.toFixed(3)} on average (${changed} values)`);
    }
    const edge = await decode(await watermarkRaster(await engine.renderRaster(PDF, 0, { format: 'png', dpi: 96 * scale, tile: { x: 1536, y: 1536, w: 512, h: 1024 } }), 'png', { page: PAGE, region: tileRegion({ x: 1536, y: 1536, w: 512, h: 1024 }, scale, PAGE) }, ws));
    assert.ok(redBox(edge).count > 100, 'the bottom-right tile holds the end of the seed text');
  });

  it('thumbnails carry it at the same relative place', async () => {
    const ws = parseWatermarks([{ ...SEED, opacity: 1, fontSize: '3%' }]);
    const full = redBox(await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws)));
    const thumbPng = await engine.renderRaster(PDF, 0, { format: 'png', width: 300, height: 300 });
    const thumb = await decode(await watermarkRaster(thumbPng, 'png', { page: PAGE }, ws));
    const k = thumb.width / PAGE.width;
    const red = redBox(thumb);
    assert.ok(red.count > 50);
    for (const c of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(red[c] - full[c] * k) <= 3, `${c}: ${red[c]} vs ${(full[c] * k).toFixed(1)}`);
  });

  it('image watermarks appear, inline (PNG, JPEG data URL) or from a resolved work file', async () => {
    const logo = await pngOf(100, 50, [0, 128, 255]);
    const jpeg = await sharp(await pngOf(80, 40, [255, 0, 0])).jpeg({ quality: 95 }).toBuffer();
    const ws = parseWatermarks([
      { type: 'image', imageData: logo.toString('base64'), verticalAlign: 'top', horizontalAlign: 'left' },
      { type: 'image', imageData: `data:image/jpeg;base64,${jpeg.toString('base64')}`, verticalAlign: 'bottom', horizontalAlign: 'right', width: '160px' },
      { type: 'image', imageWorkFileId: 'LOGO1', verticalAlign: 'center', horizontalAlign: 'center', opacity: 0.5 },
    ]);
    const green = await pngOf(40, 40, [0, 255, 0]);
    const images = new Map([['LOGO1', checkImage(green, 'LOGO1')]]);
    const out = await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws, images));
    const m = marginOf(PAGE);
    const px = (x: number, y: number) => [...out.data.subarray((Math.round(y) * out.width + Math.round(x)) * 3, (Math.round(y) * out.width + Math.round(x)) * 3 + 3)];
    assert.deepEqual(px(m + 50, m + 25), [0, 128, 255]);
    const jp = px(PAGE.width - m - 80, PAGE.height - m - 40); // a 160 × 80 box
    assert.ok(jp[0]! > 240 && jp[1]! < 20 && jp[2]! < 20, `JPEG watermark pixel ${jp}`);
    const half = px(PAGE.width / 2, PAGE.height / 2); // green at 0.5 over white
    assert.ok(Math.abs(half[0]! - 128) <= 1 && half[1] === 255 && Math.abs(half[2]! - 128) <= 1, `${half}`);
    const blue = boxOf(out, (r, g, b) => r === 0 && g === 128 && b === 255);
    assert.ok(Math.abs(blue.x0 - m) <= 1 && Math.abs(blue.x1 - (m + 100)) <= 1 && Math.abs(blue.y1 - (m + 50)) <= 1);
    const svg = watermarkSvg(pageSvg, PAGE, ws, images);
    assert.ok(svg.includes(`href="data:image/png;base64,${logo.toString('base64')}"`));
    assert.ok(svg.includes('href="data:image/jpeg;base64,'));
    assert.throws(() => watermarkSvg(pageSvg, PAGE, ws), /not resolved/);
  });

  it('different text gives different pixels and keys; the same gives the same', async () => {
    const a = parseWatermarks([{ ...SEED, text: 'ALPHA' }]);
    const b = parseWatermarks([{ ...SEED, text: 'OMEGA' }]);
    const [pa, pb, pa2] = await Promise.all([
      watermarkRaster(basePng, 'png', { page: PAGE }, a),
      watermarkRaster(basePng, 'png', { page: PAGE }, b),
      watermarkRaster(basePng, 'png', { page: PAGE }, parseWatermarks([{ ...SEED, text: 'ALPHA' }])),
    ]);
    assert.notDeepEqual(pa, pb);
    assert.deepEqual(pa, pa2);
    assert.notEqual(watermarkKey(a), watermarkKey(b));
    assert.notEqual(watermarkSvg(pageSvg, PAGE, a), watermarkSvg(pageSvg, PAGE, b));
  });

  it('accented and Arabic text is drawn with real glyphs', async () => {
    for (const text of ['Ça été élu — Ünïcödé', 'سري للغاية']) {
      clearOverlayCache();
      const ws = parseWatermarks([{ type: 'text', text, color: 'red', fontSize: '30pt' }]);
      const red = redBox(await decode(await watermarkRaster(basePng, 'png', { page: PAGE }, ws)));
      assert.ok(red.count > 500, `${text}: ${red.count} red pixels`);
    }
  });

  it('CJK text is drawn with a CJK font (needs fonts-noto-cjk or similar)', async (t) => {
    const cjk = execFileSync('fc-list', [':lang=zh', 'family']).toString().trim();
    if (cjk === '') {
      t.skip('no CJK font installed (fc-list :lang=zh is empty): CJK watermarks draw as boxes');
      return;
    }
    // Distinct characters must not all come out as the same missing-glyph box.
    const draw = async (text: string) => decode(await watermarkRaster(basePng, 'png', { page: PAGE }, parseWatermarks([{ type: 'text', text, color: 'red', fontSize: '40pt' }])));
    const one = redBox(await draw('机密'));
    const two = redBox(await draw('文件'));
    assert.ok(one.count > 300 && two.count > 300 && one.count !== two.count);
  });

  it('grey pixels from the raster pipeline come back in colour', async () => {
    const grey = { width: 100, height: 80, channels: 1, pixels: Buffer.alloc(100 * 80, 200) };
    const ws = parseWatermarks([{ type: 'text', text: 'X', color: 'red', fontSize: '50%' }]);
    const out = await watermarkPixels(grey, { page: { width: 100, height: 80 } }, ws);
    assert.equal(out.channels, 3);
    const img = { data: out.pixels, width: out.width, height: out.height, channels: 3 };
    assert.ok(redBox(img).count > 50);
    assert.equal(img.data[0], 200);
  });
});

describe('stamping a PDF (content conversion of a watermarked session)', () => {
  it('lands where the page shows it, on rotated pages and off-origin MediaBoxes too, inside the page content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-wm-pdf-'));
    try {
      // Letter pages: upright; /Rotate 90; /Rotate 270 with the MediaBox away from the origin; /Rotate 180.
      const doc = await PDFDocument.create();
      const specs = [{ rotate: 0, box: [0, 0, 612, 792] }, { rotate: 90, box: [0, 0, 612, 792] }, { rotate: 270, box: [100, 50, 712, 842] }, { rotate: 180, box: [0, 0, 612, 792] }];
      for (const s of specs) {
        const p = doc.addPage([612, 792]);
        p.setMediaBox(s.box[0]!, s.box[1]!, s.box[2]! - s.box[0]!, s.box[3]! - s.box[1]!);
        p.setRotation(degrees(s.rotate));
      }
      const path = join(dir, 'in.pdf');
      writeFileSync(path, await doc.save());
      const info = await engine.inspect(path);
      const ws = parseWatermarks([{ type: 'text', text: 'STAMP', color: 'red', fontSize: '30pt', verticalAlign: 'bottom', horizontalAlign: 'right' }]);
      const sizes = info.pages.map((p) => ({ width: (p.width * 96) / 72, height: (p.height * 96) / 72 }));
      await stampPdf(path, sizes.map((page) => ({ page, ws })));
      for (const [i, size] of sizes.entries()) {
        // What the renderer would draw: the page as displayed, the watermark at its bottom right.
        const out = await decode(await engine.renderRaster(path, i, { format: 'png', dpi: 96 }));
        const want = await decode(await watermarkRaster(await engine.renderRaster(path, i, { format: 'png', dpi: 96 }), 'png', { page: size }, ws));
        const got = redBox(out);
        const expected = redBox(want);
        assert.ok(got.count > 300, `page ${i}: ${got.count} red pixels`);
        for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(got[k] - expected[k]) <= 2, `page ${i} (rotate ${specs[i]!.rotate}) ${k}: ${got[k]} stamped, ${expected[k]} drawn`);
      }
      const stamped = await PDFDocument.load(readFileSync(path));
      for (const p of stamped.getPages()) assert.equal(p.node.Annots()?.size() ?? 0, 0, 'drawn in the content, not an annotation');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
