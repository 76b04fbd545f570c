// The image engine with real sharp/bmp-ts/pdf-lib, checked through poppler's pdfinfo.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encode as encodeBmp } from 'bmp-ts';
import sharp from 'sharp';
import { QuireError } from '../src/domain/errors.ts';
import { pngClaiming } from './helpers/image-files.ts';
import { imageToPdf } from '../src/engines/image/image-to-pdf.ts';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';

let work: string;
before(() => { work = mkdtempSync(join(tmpdir(), 'quire-image-test-')); });
after(() => rmSync(work, { recursive: true, force: true }));

const pdfinfoPages = (pdf: string) => Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf]).toString())?.[1]);
const gradient = (width: number, height: number, channels: 3 | 4 = 3) => {
  const px = Buffer.alloc(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    px[i * channels] = i % 256;
    px[i * channels + 1] = (i >> 3) % 256;
    px[i * channels + 2] = 128;
    if (channels === 4) px[i * channels + 3] = i % 2 ? 255 : 64;
  }
  return sharp(px, { raw: { width, height, channels } });
};

const convert = async (name: string, bytes: Buffer, extension: string) => {
  const input = join(work, name);
  writeFileSync(input, bytes);
  const output = join(work, `${name}.pdf`);
  const r = await imageToPdf(input, output, { extension });
  return { ...r, output };
};

describe('imageToPdf', () => {
  it('PNG with alpha → 1 page of the image size (96 dpi)', async () => {
    const r = await convert('a.png', await gradient(192, 96, 4).png().toBuffer(), 'png');
    assert.equal(r.pageCount, 1);
    assert.equal(pdfinfoPages(r.output), 1);
    const info = await createPdfEngine().inspect(r.output);
    assert.deepEqual(info.pages[0], { width: 144, height: 72 });
    const png = await createPdfEngine().renderRaster(r.output, 0, { format: 'png', dpi: 96 });
    assert.deepEqual([(await sharp(png).metadata()).width, (await sharp(png).metadata()).height], [192, 96]);
  });

  it('JPEG → 1 page (bytes placed as they are)', async () => {
    const r = await convert('a.jpg', await gradient(300, 200).jpeg().toBuffer(), '.JPG');
    assert.equal(r.pageCount, 1);
    assert.equal(pdfinfoPages(r.output), 1);
  });

  it('multi-page TIFF → one page per page', async () => {
    const frames = await Promise.all([0, 1, 2].map((k) => gradient(120, 80).modulate({ brightness: 1 + k / 10 }).raw().toBuffer()));
    const tiff = await sharp(Buffer.concat(frames), { raw: { width: 120, height: 240, channels: 3, pageHeight: 80 } as never }).tiff().toBuffer();
    const r = await convert('multi.tiff', tiff, 'tiff');
    assert.equal(r.pageCount, 3);
    assert.equal(pdfinfoPages(r.output), 3);
  });

  it('animated GIF → one page per frame; WebP → 1 page', async () => {
    const frames = await Promise.all([0, 1].map((k) => gradient(64, 64).modulate({ brightness: 1 + k / 5 }).png().toBuffer()));
    const anim = await sharp(frames, { join: { animated: true } }).gif({ loop: 0 }).toBuffer();
    const r = await convert('anim.gif', anim, 'gif');
    assert.equal(r.pageCount, 2);
    assert.equal(pdfinfoPages(r.output), 2);
    const w = await convert('a.webp', await gradient(50, 40).webp().toBuffer(), 'webp');
    assert.equal(w.pageCount, 1);
  });

  it('BMP (no libvips loader: bmp-ts) → 1 page with its pixels', async () => {
    const width = 40;
    const height = 30;
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) data.writeUInt32BE(0x00ff0000, i * 4); // ABGR: blue
    const bmp = encodeBmp({ data, width, height, bitPP: 24 }).data;
    const r = await convert('a.bmp', bmp, 'bmp');
    assert.equal(r.pageCount, 1);
    const png = await createPdfEngine().renderRaster(r.output, 0, { format: 'png', dpi: 96 });
    const { data: px } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([px[0], px[1], px[2]], [0, 0, 255]);
  });

  it('a PNG whose header claims 20,000 × 20,000 → ImageTooLarge, fast', async () => {
    for (const side of [20_000, 100_000]) {
      const png = pngClaiming(side, side);
      assert.ok(png.length < 2000);
      const started = performance.now();
      await assert.rejects(convert(`huge-${side}.png`, png, 'png'), (err: unknown) => err instanceof QuireError && err.kind === 'processing' && err.code === 'ImageTooLarge');
      const ms = performance.now() - started;
      assert.ok(ms < 1000, `took ${ms} ms`);
    }
  });

  it('a BMP header claiming 30,000 × 30,000 → ImageTooLarge', async () => {
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(30_000, 18);
    bmp.writeInt32LE(30_000, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    await assert.rejects(convert('huge.bmp', bmp, 'bmp'), (err: unknown) => err instanceof QuireError && err.code === 'ImageTooLarge');
  });

  it('garbage → CouldNotConvert', async () => {
    await assert.rejects(convert('junk.png', Buffer.from('definitely not an image'.repeat(20)), 'png'), (err: unknown) => err instanceof QuireError && err.kind === 'processing' && err.code === 'CouldNotConvert');
  });
});
