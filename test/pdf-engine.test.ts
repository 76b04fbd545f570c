// The PDF engine against real poppler tools over the shared corpus (referenced by path, never copied).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { QuireError } from '../src/domain/errors.ts';
import { createPdfEngine } from '../src/engines/pdf/engine.ts';
import { isSafeSvg } from '../src/engines/pdf/svg-safety.ts';

const CORPUS = new URL('../../shared/corpus/pdf/', import.meta.url).pathname;
const corpus = (name: string) => join(CORPUS, name);
const engine = createPdfEngine({ timeoutMs: 20_000 });

const rejectsWith = async (p: Promise<unknown>, kind: string, code: string) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof QuireError, `expected QuireError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.equal(err.code, code);
    return true;
  });
};

let work: string;
before(() => { work = mkdtempSync(join(tmpdir(), 'quire-pdf-test-')); });
after(() => rmSync(work, { recursive: true, force: true }));

describe('inspect', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.pdf') && !f.startsWith('encryption-'));
  for (const f of files) {
    it(`page count of ${f} equals pdfinfo's`, async () => {
      const out = execFileSync('pdfinfo', [corpus(f)], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      const expected = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]);
      const info = await engine.inspect(corpus(f));
      assert.equal(info.pageCount, expected);
      assert.equal(info.pages.length, expected);
      for (const p of info.pages) assert.ok(p.width > 0 && p.height > 0);
    });
  }

  it('respects /Rotate: jo.pdf is landscape', async () => {
    const info = await engine.inspect(corpus('jo.pdf'));
    assert.deepEqual(info.pages[0], { width: 792, height: 612 });
  });

  it('random bytes → CouldNotRender', async () => {
    const p = join(work, 'random.pdf');
    writeFileSync(p, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    await rejectsWith(engine.inspect(p), 'processing', 'CouldNotRender');
    await rejectsWith(engine.renderRaster(p, 0, { format: 'png' }), 'processing', 'CouldNotRender');
    await rejectsWith(engine.renderSvg(p, 0), 'processing', 'CouldNotRender');
    await rejectsWith(engine.pageText(p, 0), 'processing', 'CouldNotRender');
  });
});

describe('pageText', () => {
  const cases: [string, string[]][] = [
    ['simple1.pdf', ['Hello', 'World']],
    ['simple4.pdf', ['Text1', 'Text2', 'Text3']],
    ['jo.pdf', ['わたくしといふ現象は']], // needs Debian's poppler-data for the Adobe-Japan1 mapping
  ];
  for (const [file, words] of cases) {
    it(`${file}: known words, one rectangle per character, '\\n' has w == 0`, async () => {
      const t = await engine.pageText(corpus(file), 0);
      for (const w of words) assert.ok(t.text.includes(w), `${file} text lacks ${w}: ${JSON.stringify(t.text.slice(0, 200))}`);
      assert.equal(t.rectangles.length, t.text.length);
      for (let i = 0; i < t.text.length; i++) {
        const [x, y, w, h] = t.rectangles[i]!;
        assert.ok(x >= 0 && y >= 0 && w >= 0 && h >= 0, `rect ${i}`);
        assert.ok(x + w <= t.width + 1 && y + h <= t.height + 1, `rect ${i} inside the page`);
        if (t.text[i] === '\n') assert.equal(w, 0);
      }
    });
  }

  it('out of range → PageOutOfRange', async () => {
    await rejectsWith(engine.pageText(corpus('simple1.pdf'), 1), 'input', 'PageOutOfRange');
    await rejectsWith(engine.renderRaster(corpus('simple1.pdf'), 1, { format: 'png' }), 'input', 'PageOutOfRange');
    await rejectsWith(engine.renderSvg(corpus('simple1.pdf'), 5), 'input', 'PageOutOfRange');
  });

  it('documentText gives every page in one pass', async () => {
    const all = await engine.documentText(corpus('contrib-pagelabels.pdf'));
    assert.equal(all.length, 5);
    for (let i = 0; i < all.length; i++) {
      const one = await engine.pageText(corpus('contrib-pagelabels.pdf'), i);
      assert.equal(all[i]!.text, one.text);
      assert.equal(all[i]!.rectangles.length, one.rectangles.length);
    }
  });

  it('character boxes follow glyph advances (accuracy printed)', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([612, 792]);
    const size = 20;
    const lines: { font: Awaited<ReturnType<typeof doc.embedFont>>; text: string; x: number; y: number }[] = [];
    let y = 80;
    for (const name of [StandardFonts.TimesRoman, StandardFonts.Helvetica, StandardFonts.Courier]) {
      const font = await doc.embedFont(name);
      for (const text of ['Illuminating minimal wavelengths', 'WWW.quirk.ILL/mmm?jiff=1']) {
        page.drawText(text, { x: 50, y: 792 - y, size, font });
        lines.push({ font, text, x: 50, y });
        y += 40;
      }
    }
    const p = join(work, 'metrics.pdf');
    writeFileSync(p, await doc.save());
    const t = await engine.pageText(p, 0);
    const estimated = (await engine.documentText(p))[0]!;
    assert.equal(estimated.text, t.text);
    let errTable = 0;
    let errGlyph = 0;
    let errEven = 0;
    let count = 0;
    let at = 0;
    for (const line of lines) {
      at = t.text.indexOf(line.text, at);
      assert.ok(at >= 0, `found ${line.text}`);
      let wordStart = 0;
      for (const word of line.text.split(' ')) {
        const start = line.text.indexOf(word, wordStart);
        wordStart = start + word.length;
        const first = estimated.rectangles[at + start]!;
        const last = estimated.rectangles[at + start + word.length - 1]!;
        const wx0 = first[0];
        const wx1 = last[0] + last[2];
        for (let k = 0; k < word.length; k++) {
          // Summed per character: pdf-lib's width of a string includes kerning that drawText does not apply.
          const trueOffset = [...word.slice(0, k)].reduce((sum, c) => sum + line.font.widthOfTextAtSize(c, size), 0);
          errTable += Math.abs(estimated.rectangles[at + start + k]![0] - wx0 - trueOffset);
          errGlyph += Math.abs(t.rectangles[at + start + k]![0] - wx0 - trueOffset);
          errEven += Math.abs(((wx1 - wx0) * k) / word.length - trueOffset);
          count++;
        }
      }
      at += line.text.length;
    }
    const em = (e: number) => (e / count / size).toFixed(3);
    console.log(`char boxes: mean left-edge error ${em(errGlyph)} em with SVG glyph origins (pageText), ${em(errTable)} em by width table (documentText), ${em(errEven)} em splitting evenly (${count} chars; Times, Helvetica, Courier)`);
    assert.ok(errGlyph / count / size < 0.01, `pageText mean error ${em(errGlyph)} em`);
    assert.ok(errTable <= errEven, 'the width table beats an even split');
  });
});

describe('renderRaster', () => {
  it('PNG at a scale has the expected size', async () => {
    const png = await engine.renderRaster(corpus('simple4.pdf'), 0, { format: 'png', scale: 0.5 });
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const m = await sharp(png).metadata();
    assert.equal(m.format, 'png');
    assert.equal(m.width, 480);
    assert.equal(m.height, 270);
  });

  it('150 dpi letter page is 1275 × 1650', async () => {
    const m = await sharp(await engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', dpi: 150 })).metadata();
    assert.deepEqual([m.width, m.height], [1275, 1650]);
  });

  it('JPEG quality is honoured', async () => {
    const lo = await engine.renderRaster(corpus('zen_of_python_corrupted.pdf'), 0, { format: 'jpeg', scale: 1.5, quality: 10 });
    const hi = await engine.renderRaster(corpus('zen_of_python_corrupted.pdf'), 0, { format: 'jpeg', scale: 1.5, quality: 95 });
    assert.equal((await sharp(lo).metadata()).format, 'jpeg');
    assert.ok(hi.length > lo.length * 2, `q95 ${hi.length} B vs q10 ${lo.length} B`);
    await rejectsWith(engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'jpeg', quality: 0 }), 'input', 'InvalidInput');
  });

  it('tiles are regions at the scale, clipped at the page edge', async () => {
    const tile = await engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', scale: 2, tile: { x: 1024, y: 1280, w: 256, h: 512 } });
    const m = await sharp(tile).metadata();
    assert.deepEqual([m.width, m.height], [1224 - 1024, 1584 - 1280]);
    const whole = await sharp(await engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', scale: 2 })).raw().toBuffer({ resolveWithObject: true });
    const region = await sharp(whole.data, { raw: whole.info }).extract({ left: 100, top: 100, width: 256, height: 256 }).raw().toBuffer();
    const t = await sharp(await engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', scale: 2, tile: { x: 100, y: 100, w: 256, h: 256 } })).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < t.length; i++) diff += Math.abs(t[i]! - region[i]!);
    assert.ok(diff / t.length < 2, `tile differs from the region by ${diff / t.length} per channel`);
  });

  it('thumbnails fit within W×H keeping the aspect ratio', async () => {
    const m = await sharp(await engine.renderRaster(corpus('simple4.pdf'), 0, { format: 'png', width: 200, height: 200 })).metadata();
    assert.deepEqual([m.width, m.height], [200, 113]);
  });

  it('absurd sizes are refused before rendering', async () => {
    const t = performance.now();
    await rejectsWith(engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', scale: 100 }), 'input', 'ImageTooLarge');
    assert.ok(performance.now() - t < 2000);
    await rejectsWith(engine.renderRaster(corpus('simple1.pdf'), 0, { format: 'png', scale: -1 }), 'input', 'InvalidInput');
  });
});

describe('renderSvg', () => {
  for (const file of ['simple1.pdf', 'simple4.pdf', 'contrib-issue-449-vertical.pdf', 'contrib-matplotlib.pdf']) {
    it(`${file}: size up front, invisible text layer, nothing active`, async () => {
      const svg = await engine.renderSvg(corpus(file), 0);
      const head = svg.slice(0, 1000);
      const info = await engine.inspect(corpus(file));
      assert.equal(Number(/\swidth="([\d.]+)"/.exec(head)?.[1]), info.pages[0]!.width);
      assert.equal(Number(/\sheight="([\d.]+)"/.exec(head)?.[1]), info.pages[0]!.height);
      assert.match(svg, /<g id="quire-text"[^>]*fill-opacity="0"/);
      assert.doesNotMatch(svg, /<script|<foreignObject|\son\w+=/i);
      assert.ok(isSafeSvg(svg));
      const text = await engine.pageText(corpus(file), 0);
      const firstWord = text.text.split(/\s+/).find((w) => w.length > 0);
      if (firstWord) assert.ok(svg.includes(`>${firstWord.replace(/&/g, '&amp;').replace(/</g, '&lt;')}<`), `text layer has ${firstWord}`);
      const m = await sharp(Buffer.from(svg)).metadata(); // parses as SVG
      assert.equal(m.format, 'svg');
    });
  }

  it('a hostile SVG fragment is neutralised', async () => {
    const { sanitizeSvg } = await import('../src/engines/pdf/svg-safety.ts');
    const dirty = '<g onload="alert(1)"><script>alert(2)</script><image xlink:href="http://evil/x.png"/><use xlink:href="#glyph0-1"/><foreignObject><div/></foreignObject><path style="fill:url(https://e/x)"/></g>';
    const clean = sanitizeSvg(dirty);
    assert.doesNotMatch(clean, /script|onload|evil|foreignObject|https:/);
    assert.match(clean, /#glyph0-1/);
  });
});

describe('passwords', () => {
  for (const f of ['encryption-aes-128.pdf', 'encryption-rc4-128.pdf', 'encryption-aes-256-r6.pdf']) {
    it(`${f} without a password → DocumentRequiresPassword`, async () => {
      await rejectsWith(engine.inspect(corpus(f)), 'input', 'DocumentRequiresPassword');
      await rejectsWith(engine.renderRaster(corpus(f), 0, { format: 'png' }), 'input', 'DocumentRequiresPassword');
      await rejectsWith(engine.renderSvg(corpus(f), 0), 'input', 'DocumentRequiresPassword');
      await rejectsWith(engine.pageText(corpus(f), 0), 'input', 'DocumentRequiresPassword');
      await rejectsWith(engine.pageText(corpus(f), 0, { password: 'wrong' }), 'input', 'DocumentRequiresPassword');
    });
  }
  // encryption-aes-256-r6.pdf does not open with `foo` in poppler, qpdf or pdf.js alike; the other two do.
  for (const f of ['encryption-aes-128.pdf', 'encryption-rc4-128.pdf']) {
    it(`${f} with 'foo' renders`, async () => {
      const password = 'foo';
      assert.equal((await engine.inspect(corpus(f), { password })).pageCount, 1);
      assert.equal((await sharp(await engine.renderRaster(corpus(f), 0, { format: 'png', password })).metadata()).format, 'png');
      assert.match(await engine.renderSvg(corpus(f), 0, { password }), /Secret/);
      assert.match((await engine.pageText(corpus(f), 0, { password })).text, /Secret/);
    });
  }
});

describe('damaged and hostile files', () => {
  for (const f of ['zen_of_python_corrupted.pdf', 'contrib-issue-1113-evil-xobjects.pdf']) {
    it(`${f} renders what it can or errors, within the time limit`, async () => {
      const strict = createPdfEngine({ timeoutMs: 5_000 });
      const started = performance.now();
      const outcomes = await Promise.allSettled([
        strict.inspect(corpus(f)),
        strict.renderRaster(corpus(f), 0, { format: 'png' }),
        strict.renderSvg(corpus(f), 0),
        strict.pageText(corpus(f), 0),
      ]);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof QuireError, String(o.reason));
      assert.ok(performance.now() - started < 12_000);
    });
  }

  it('a tool running past the time limit is killed → CouldNotRender', async () => {
    const tiny = createPdfEngine({ timeoutMs: 1 });
    await rejectsWith(tiny.renderRaster(corpus('contrib-pr-00530-ml-lines.pdf'), 0, { format: 'png', dpi: 300, pageSize: { width: 612, height: 792 } }), 'processing', 'CouldNotRender');
  });
});

describe('timings (printed)', () => {
  it('50-page PDF: page-0 PNG at 150 dpi and SVG vs a bare pdftocairo call', async () => {
    const fifty = join(work, 'fifty.pdf');
    execFileSync('qpdf', ['--empty', '--pages', ...Array.from({ length: 10 }, () => corpus('contrib-pagelabels.pdf')), '--', fifty]);
    assert.equal((await engine.inspect(fifty)).pageCount, 50);
    // Median of several runs: other work on the machine makes single runs noisy.
    const time = async (f: () => unknown, runs = 9) => {
      await f();
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await f();
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    };
    const bare = await time(() => execFileSync('pdftocairo', ['-png', '-f', '1', '-l', '1', '-r', '150', fifty, join(work, 'bare')]));
    const png = await time(() => engine.renderRaster(fifty, 0, { format: 'png', dpi: 150 }));
    const pngKnown = await time(() => engine.renderRaster(fifty, 0, { format: 'png', dpi: 150, pageSize: { width: 612, height: 792 } }));
    const svg = await time(() => engine.renderSvg(fifty, 0));
    const text = await time(() => engine.documentText(fifty));
    console.log(`50-page PDF, page 0: bare pdftocairo -png 150dpi ${bare.toFixed(1)} ms; engine PNG 150dpi ${png.toFixed(1)} ms (${pngKnown.toFixed(1)} ms with known page size); engine SVG+text layer ${svg.toFixed(1)} ms; all 50 pages' text ${text.toFixed(1)} ms`);
  });
});
