// The browser viewer end to end: a real Quire with real engines, Debian's Chromium driven by
// playwright-core. Each test opens /viewer/{id} (or mounts the ES module) and reads the screen as a
// reader would: pages, scrolling, zoom, search, selection, thumbnails, comparison changes and the
// states of sessions that cannot be shown. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { docxBytes, knownEditsPair, pagedPair } from './helpers/comparison-docs.ts';
import { launchChromium, screenshot, watchConsole } from './helpers/browser.ts';
import { bytesOf, createSession, uploadSlot, uploadSource, V1, V2 } from './helpers/prizmdoc.ts';
import { CORPUS, call, startQuire, type Quire } from './helpers/quire.ts';

const DOCX_2_PAGES = `${CORPUS}/docx/pydocx-hdr-header-footer.docx`;
const PDF_5_PAGES = `${CORPUS}/pdf/contrib-pagelabels.pdf`;
const PDF_ENCRYPTED = `${CORPUS}/pdf/encryption-aes-128.pdf`;
const WAIT = { timeout: 60_000 };

let q: Quire;
let browser: Browser;
before(async () => {
  [q, browser] = await Promise.all([startQuire(), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await q?.dispose();
});

async function sessionWith(path: string, ext: string): Promise<string> {
  const id = await createSession(q, {});
  const put = await uploadSource(q, id, bytesOf(path), { ext });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  return id;
}

interface Opened {
  page: Page;
  log: () => string;
  /** Every URL the page asked for. */
  requests: string[];
}

async function open(id: string, query = '', viewport = { width: 1100, height: 800 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const log = watchConsole(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${q.baseUrl}/viewer/${id}${query}`);
  return { page, log, requests };
}

const painted = (page: Page, index: number) => page.waitForSelector(`.qv-page[data-page="${index}"].qv-painted`, WAIT);
const currentPage = (page: Page) => page.$eval('.qv-page-input', (e) => (e as HTMLInputElement).value);

/** The route table reached through the page must be Quire's public viewer routes only. */
function assertOnlyViewerRoutes(requests: string[]): void {
  for (const u of requests) {
    const path = new URL(u).pathname;
    assert.doesNotMatch(path, /sourcefile|\/FileId|WorkFile/i, `the viewer asked for the original document: ${u}`);
    assert.match(path, /^\/(viewer\/|PCCIS\/V1\/(Page|Document)\/q\/|v2\/(viewingSessions\/[^/]+\/(searchTasks|revisionData)|searchTasks\/))/, `unexpected request ${u}`);
  }
}

describe('the viewer page and its assets', () => {
  test('is served with a strict Content-Security-Policy, no inline script, and a small bundle', async () => {
    const id = await createSession(q, {});
    const r = await call(q, 'GET', `/viewer/${id}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = r.body as string;
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /\sstyle=|<style/, 'no inline style');
    // The id appears once, in the preload of page 1's attributes; ids that are not [A-Za-z0-9_-] get a 404.
    assert.equal(html.split(id).length, 2);

    let gzipped = 0;
    for (const [name, type] of [['quire-viewer.js', 'javascript'], ['viewer-page.js', 'javascript'], ['quire-viewer.css', 'css'], ['favicon.svg', 'svg']] as const) {
      const a = await call(q, 'GET', `/viewer/assets/${name}`, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(a.status, 200, name);
      assert.match(a.headers.get('content-type') ?? '', new RegExp(type));
      assert.equal(a.headers.get('access-control-allow-origin'), '*');
      if (name === 'quire-viewer.js' || name === 'quire-viewer.css') gzipped += gzipSync(a.bytes).length;
    }
    assert.ok(gzipped < 150 * 1024, `module + stylesheet are ${gzipped} bytes gzipped`);

    assert.equal((await call(q, 'GET', '/viewer/assets/nope.js')).status, 404);
    assert.equal((await call(q, 'GET', '/viewer/not%20an%20id')).status, 404);
  });
});

describe('a DOCX session in Chromium', () => {
  let o: Opened;
  before(async () => {
    o = await open(await sessionWith(DOCX_2_PAGES, 'docx'));
    await painted(o.page, 0);
  });
  after(() => o.page.close());

  test('shows the first page, its count, and no print or download buttons unless allowed', async () => {
    const { page } = o;
    assert.equal(await currentPage(page), '1');
    assert.equal(await page.textContent('.qv-page-total'), 'of 2');
    assert.equal(await page.$('.qv-print'), null);
    assert.equal(await page.$('.qv-download'), null);
    // Pages are images: nothing of the document is inlined as markup.
    assert.equal(await page.$$eval('.qv-page svg', (s) => s.length), 0);
    assert.equal(await page.getAttribute('.qv-page[data-page="0"]', 'aria-label'), 'Page 1 of 2');
    await screenshot(page, 'viewer-docx-first-page');
  });

  test('selects text through the text layer and copies it with its line break', async () => {
    const { page } = o;
    await page.waitForSelector('.qv-text[data-page="0"] span', WAIT);
    // A reader's drag over the first line.
    const boxes = await page.$$eval('.qv-text[data-page="0"] span', (spans) =>
      spans.slice(0, 3).map((s) => {
        const r = s.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height, text: s.textContent };
      }),
    );
    const a = boxes[0]!;
    const b = boxes[2]!;
    await page.mouse.move(a.x + 1, a.y + a.h / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.w - 1, b.y + b.h / 2, { steps: 8 });
    await page.mouse.up();
    const dragged = await page.evaluate(() => document.getSelection()!.toString());
    assert.match(dragged, /Header for section/);
    await screenshot(page, 'viewer-docx-selection');

    // Two whole lines, copied with Ctrl+C: the clipboard gets the page's own text.
    await page.evaluate(() => {
      const spans = Array.from(document.querySelectorAll('.qv-text[data-page="0"] span'));
      const first = spans[0]!;
      const last = spans.find((s) => s.textContent === 'header')!;
      const range = document.createRange();
      range.setStart(first.firstChild!, 0);
      range.setEnd(last.firstChild!, last.textContent!.length);
      document.getSelection()!.removeAllRanges();
      document.getSelection()!.addRange(range);
    });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: q.baseUrl });
    await page.focus('.qv-scroll');
    await page.keyboard.press('Control+C');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'Header for section-1\nsection with header');
  });

  test('zooms in and out around the page, text layer included', async () => {
    const { page } = o;
    const width = () => page.$eval('.qv-page[data-page="0"]', (e) => e.getBoundingClientRect().width);
    const spanWidth = () => page.$eval('.qv-text[data-page="0"] span', (e) => e.getBoundingClientRect().width);
    const [w0, s0] = [await width(), await spanWidth()];
    const z0 = Number(await page.getAttribute('.qv-zoom-select', 'data-zoom'));
    await page.click('.qv-zoom-in');
    const z1 = Number(await page.getAttribute('.qv-zoom-select', 'data-zoom'));
    assert.ok(z1 > z0, `zoom ${z0} → ${z1}`);
    const [w1, s1] = [await width(), await spanWidth()];
    assert.ok(Math.abs(w1 / w0 - z1 / z0) < 0.01, `page width follows the zoom: ${w0} → ${w1}`);
    assert.ok(Math.abs(s1 / s0 - z1 / z0) < 0.02, `text follows the zoom: ${s0} → ${s1}`);
    await screenshot(page, 'viewer-docx-zoomed');
    await page.click('.qv-fit-width');
    const scroller = await page.$eval('.qv-scroll', (e) => e.clientWidth);
    assert.ok(Math.abs((await width()) - (scroller - 32)) < 2, 'fit width fills the column');
    await page.click('.qv-zoom-out');
    assert.ok((await width()) < scroller - 32);
  });

  test('searches a known word: counted, highlighted on the text, next and previous', async () => {
    const { page } = o;
    await page.click('.qv-search-input');
    await page.keyboard.type('section');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /results?$/.test(document.querySelector('.qv-search-count')?.textContent ?? ''), null, WAIT);
    const count = await page.textContent('.qv-search-count');
    const m = /^(\d+) of (\d+) results$/.exec(count ?? '');
    assert.ok(m, `count reads "${count}"`);
    assert.ok(Number(m[2]) >= 3, count!);
    const hit = await page.$eval('.qv-hit-current', (e) => e.getBoundingClientRect().toJSON());
    // The highlight sits on a word "section" of the text layer.
    const words = await page.$$eval('.qv-text span', (spans) => spans.filter((s) => /section/.test(s.textContent ?? '')).map((s) => s.getBoundingClientRect().toJSON()));
    assert.ok(
      words.some((w: DOMRect) => w.x < hit.x + hit.width && hit.x < w.x + w.width && w.y < hit.y + hit.height && hit.y < w.y + w.height),
      'the current hit overlaps a "section" word',
    );
    await screenshot(page, 'viewer-docx-search');
    await page.click('.qv-search-next');
    assert.match((await page.textContent('.qv-search-count'))!, /^2 of /);
    await page.click('.qv-search-prev');
    assert.match((await page.textContent('.qv-search-count'))!, /^1 of /);
  });

  test('is accessible: labelled controls in a sensible tab order, the text readable by screen readers', async () => {
    const { page } = o;
    const snapshot = await page.locator('.qv-page[data-page="0"]').ariaSnapshot();
    assert.match(snapshot, /group "Page 1 of 2"/);
    assert.match(snapshot, /Header for section-1/);
    assert.match(snapshot, /section with header/);
    // From the first control on, Tab walks the toolbar, then the pages.
    await page.focus('.qv-thumbs-toggle');
    const order: string[] = ['Thumbnails'];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? ''));
    }
    const at = (label: string) => order.indexOf(label);
    for (const label of ['Thumbnails', 'Page number', 'Zoom in', 'Fit width', 'Search in document', 'Document pages']) assert.ok(at(label) >= 0, `${label} in ${order}`);
    assert.ok(at('Thumbnails') < at('Page number') && at('Page number') < at('Zoom in') && at('Search in document') < at('Document pages'), order.join(' → '));
  });

  test('scrolls to the last page, which loads and becomes current', async () => {
    const { page, requests } = o;
    await page.$eval('.qv-scroll', (s) => s.scrollTo(0, s.scrollHeight));
    await painted(page, 1);
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '2', null, WAIT);
    assert.equal(await page.isDisabled('.qv-next-page'), true);
    await screenshot(page, 'viewer-docx-last-page');
    assertOnlyViewerRoutes(requests);
    assert.doesNotMatch(o.log(), /pageerror|Content Security Policy/i, o.log());
  });
});

describe('a PDF session in Chromium', () => {
  let o: Opened;
  before(async () => {
    o = await open(await sessionWith(PDF_5_PAGES, 'pdf'), '', { width: 1000, height: 700 });
    await painted(o.page, 0);
  });
  after(() => o.page.close());

  test('thumbnails open, show pages and navigate', async () => {
    const { page } = o;
    await page.click('.qv-thumbs-toggle');
    assert.equal(await page.getAttribute('.qv-thumbs-toggle', 'aria-expanded'), 'true');
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.qv-thumb img')).filter((i) => i.complete && i.naturalWidth > 0).length >= 3, null, WAIT);
    await page.click('.qv-thumb[data-page="3"]');
    await painted(page, 3);
    assert.equal(await currentPage(page), '4');
    assert.equal(await page.getAttribute('.qv-thumb[data-page="3"]', 'aria-current'), 'page');
    await screenshot(page, 'viewer-pdf-thumbnails');
    // Arrow keys move between thumbnails.
    await page.focus('.qv-thumb[data-page="3"]');
    await page.keyboard.press('ArrowDown');
    await painted(page, 4);
    assert.equal(await currentPage(page), '5');
    await page.click('.qv-thumbs-toggle');
    assert.equal(await page.isVisible('.qv-thumbs'), false);
  });

  test('the page box, next/previous and keyboard shortcuts move between pages', async () => {
    const { page } = o;
    await page.fill('.qv-page-input', '2');
    await page.press('.qv-page-input', 'Enter');
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '2');
    await page.click('.qv-next-page');
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '3');
    await page.focus('.qv-scroll');
    await page.keyboard.press('p');
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '2');
    await page.keyboard.press('End');
    await painted(page, 4);
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '5');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value === '1');
    await page.keyboard.press('Control+F');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'qv-search-input');
  });

  test('fit page shows one whole page; the reading position survives zooming', async () => {
    const { page } = o;
    await page.click('.qv-fit-page');
    const { h, ch } = await page.$eval('.qv-page[data-page="0"]', (e) => ({ h: e.getBoundingClientRect().height, ch: document.querySelector('.qv-scroll')!.clientHeight }));
    assert.ok(h <= ch - 16 && h > ch - 60, `page ${h} px in ${ch} px`);
    await page.fill('.qv-page-input', '3');
    await page.press('.qv-page-input', 'Enter');
    for (let i = 0; i < 3; i++) await page.click('.qv-zoom-in');
    assert.equal(await currentPage(page), '3');
    await screenshot(page, 'viewer-pdf-zoomed');
    assertOnlyViewerRoutes(o.requests);
  });

  test('zooming in fetches the pages again at the new resolution', async () => {
    const { page } = o;
    const scaleOf = async () => Number(/Scale=([\d.]+)/.exec((await page.getAttribute('.qv-page[data-page="2"] img', 'src')) ?? '')?.[1]);
    const before = await scaleOf();
    await page.click('.qv-zoom-in');
    await page.waitForFunction((b) => Number(/Scale=([\d.]+)/.exec(document.querySelector('.qv-page[data-page="2"] img')?.getAttribute('src') ?? '')?.[1]) > b, before, WAIT);
    await painted(page, 2);
    assert.ok((await scaleOf()) > before);
  });

  test('touch: a two-finger pinch zooms in', async () => {
    const { page } = o;
    const before = Number(await page.getAttribute('.qv-zoom-select', 'data-zoom'));
    const cdp = await page.context().newCDPSession(page);
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', d: number) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints: type === 'touchEnd' ? [] : [{ x: 500 - d, y: 350, id: 1 }, { x: 500 + d, y: 350, id: 2 }],
      });
    await touch('touchStart', 50);
    for (const d of [70, 90, 110]) await touch('touchMove', d);
    await touch('touchEnd', 0);
    const after = Number(await page.getAttribute('.qv-zoom-select', 'data-zoom'));
    assert.ok(after > before * 1.8, `pinch zoom ${before} → ${after}`);
  });
});

describe('SVG pages', () => {
  test('render=svg draws pages from SVG, still as images, with the same text layer', async () => {
    const { page, requests } = await open(await sessionWith(PDF_5_PAGES, 'pdf'), '?render=svg');
    await painted(page, 0);
    assert.match((await page.getAttribute('.qv-page[data-page="0"] img', 'src'))!, /ContentType=svgb/);
    assert.equal(await page.$$eval('.qv-page svg', (x) => x.length), 0);
    await page.waitForSelector('.qv-text[data-page="0"] span', WAIT);
    assert.ok(requests.every((u) => !/ContentType=png/.test(u)));
    await screenshot(page, 'viewer-pdf-svg');
    await page.close();
  });
});

describe('on a phone', () => {
  test('the toolbar fits, pages fit the width, the raster follows the device pixels', async () => {
    const id = await sessionWith(PDF_5_PAGES, 'pdf');
    const context = await browser.newContext({ viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(`${q.baseUrl}/viewer/${id}`);
    await painted(page, 0);
    const { root, toolbar, pageWidth } = await page.evaluate(() => ({
      root: document.documentElement.scrollWidth,
      toolbar: document.querySelector('.qv-toolbar')!.scrollWidth,
      pageWidth: document.querySelector('.qv-page')!.getBoundingClientRect().width,
    }));
    assert.ok(root <= 390 && toolbar <= 390, `no sideways overflow: page ${root}, toolbar ${toolbar}`);
    assert.ok(pageWidth > 390 - 40 && pageWidth <= 390, `page is ${pageWidth} px wide`);
    // The raster follows the device pixels (2×).
    assert.ok(Number(/Scale=([\d.]+)/.exec((await page.getAttribute('.qv-page[data-page="0"] img', 'src'))!)![1]) >= 0.85);
    await screenshot(page, 'viewer-phone');
    await page.touchscreen.tap(200, 400);
    // One-finger panning is the browser's own scrolling (touch-action: pan-x pan-y); headless Chromium
    // does not pan for synthetic touch gestures, so the scroll is made directly.
    await page.$eval('.qv-scroll', (s) => s.scrollBy(0, 1500));
    await page.waitForFunction(() => (document.querySelector('.qv-page-input') as HTMLInputElement).value !== '1', null, WAIT);
    await context.close();
  });
});

describe('sessions that cannot be shown', () => {
  test('a stopped session shows the message its owner set', async () => {
    const id = await sessionWith(DOCX_2_PAGES, 'docx');
    const message = 'Access ended at 17:00 — ask Ann for a new link';
    const stop = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { endUserMessage: message, httpStatus: 410 } });
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    const { page } = await open(id);
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.equal(await page.textContent('.qv-status-title'), 'This document is no longer available');
    assert.equal(await page.textContent('.qv-status-detail'), message);
    await screenshot(page, 'viewer-stopped');
    await page.close();
  });

  test('a session stopped while it is read shows the message as soon as a page fails', async () => {
    const id = await sessionWith(PDF_5_PAGES, 'pdf');
    const { page } = await open(id, '', { width: 900, height: 500 });
    await painted(page, 0);
    await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { endUserMessage: 'Stopped by the administrator', httpStatus: 403 } });
    await page.$eval('.qv-scroll', (s) => s.scrollTo(0, s.scrollHeight));
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.equal(await page.textContent('.qv-status-detail'), 'Stopped by the administrator');
    await page.close();
  });

  test('a password-protected document says so', async () => {
    const { page } = await open(await sessionWith(PDF_ENCRYPTED, 'pdf'));
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.equal(await page.getAttribute('.qv-status', 'data-state'), 'password');
    assert.equal(await page.textContent('.qv-status-title'), 'This document is protected by a password');
    assert.match((await page.textContent('.qv-status-detail'))!, /^Document requires a password\./);
    await screenshot(page, 'viewer-password');
    await page.close();
  });

  test('a file Quire cannot read says so', async () => {
    // PDF by its header, nothing readable after it.
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x41)]);
    const id = await createSession(q, {});
    const put = await uploadSource(q, id, broken, { ext: 'pdf' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const direct = await call(q, 'GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${id}`);
    const { page } = await open(id);
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.equal(await page.getAttribute('.qv-status', 'data-state'), 'unreadable', `Quire answered ${direct.status} ${JSON.stringify(direct.body)}`);
    assert.equal(await page.textContent('.qv-status-title'), 'This file cannot be displayed');
    assert.equal(await page.textContent('.qv-status-detail'), direct.body.message ?? direct.headers.get('accusoft-status-message'));
    await screenshot(page, 'viewer-unreadable');
    await page.close();
  });

  test('a session whose document has not arrived waits for it, shows progress while converting, then the pages', async () => {
    const id = await createSession(q, {});
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    // Every state the overlay went through, in order.
    await page.addInitScript(() => {
      const seen: string[] = ((window as any).statusSeen = []);
      new MutationObserver(() => {
        const t = document.querySelector('.qv-status:not([hidden]) .qv-status-title')?.textContent;
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.goto(`${q.baseUrl}/viewer/${id}`);
    await page.waitForFunction(() => document.querySelector('.qv-status-title')?.textContent === 'Waiting for the document…', null, WAIT);
    // Long enough that converting it takes LibreOffice well over a second.
    const long = docxBytes(pagedPair(150, 1).original);
    assert.equal((await uploadSource(q, id, long, { ext: 'docx' })).status, 200);
    await painted(page, 0);
    assert.equal(await page.isVisible('.qv-status'), false);
    const seen = await page.evaluate(() => (window as any).statusSeen as string[]);
    assert.deepEqual(seen, ['Waiting for the document…', 'Preparing the document…']);
    await page.close();
  });
});

describe('the viewer as an ES module', () => {
  test('mounts into an app page, offers print and download when allowed, and reports events', async () => {
    const id = await sessionWith(DOCX_2_PAGES, 'docx');
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const log = watchConsole(page);
    // An app page on Quire's origin (a proxy setup): served by the test, without Quire's CSP.
    await page.route(`${q.baseUrl}/app.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><body><h1>My app</h1><div id="box"></div>
<script type="module">
  import { mount } from '/viewer/assets/quire-viewer.js';
  document.getElementById('box').style.height = '600px';
  window.events = [];
  window.viewer = mount(document.getElementById('box'), { sessionId: ${JSON.stringify(id)}, baseUrl: location.origin, print: true, download: 'https://example.com/report.docx', comparison: false });
  for (const n of ['ready', 'pagechange', 'pagerender', 'searchdone', 'error']) window.viewer.on(n, (d) => window.events.push([n, d]));
  document.getElementById('box').addEventListener('quire:pagerender', (e) => (window.domEvent ??= e.detail));
</script></body></html>`,
      }),
    );
    await page.goto(`${q.baseUrl}/app.html`);
    await page.waitForFunction(() => (window as any).events?.some((e: any) => e[0] === 'pagerender'), null, WAIT);
    assert.deepEqual(await page.evaluate(() => (window as any).domEvent), { page: 1 });
    assert.equal(await page.evaluate(() => document.querySelectorAll('link[data-quire-viewer]').length), 1, 'the module adds its stylesheet');
    assert.equal(await page.isVisible('.qv-print'), true);
    assert.equal(await page.getAttribute('a.qv-download', 'href'), 'https://example.com/report.docx');
    assert.equal(await page.textContent('h1'), 'My app');

    // Print puts every rendered page (never the document) in a print-only container, then prints.
    await page.evaluate(() => {
      window.print = () => {
        const imgs = Array.from(document.querySelectorAll<HTMLImageElement>('.qv-print-root img'));
        (window as any).printed = { pages: imgs.length, loaded: imgs.every((i) => i.complete && i.naturalWidth > 0), srcs: imgs.map((i) => i.src) };
      };
    });
    await page.click('.qv-print');
    await page.waitForFunction(() => (window as any).printed, null, WAIT);
    const printed = await page.evaluate(() => (window as any).printed);
    assert.equal(printed.pages, 2);
    assert.equal(printed.loaded, true);
    for (const src of printed.srcs) assert.match(src, /\/PCCIS\/V1\/Page\/q\/\d\?/);
    await page.waitForFunction(() => !document.querySelector('.qv-print-root') && !document.body.classList.contains('qv-printing'));

    const count = await page.evaluate(() => (window as any).viewer.search('section'));
    assert.ok(count >= 1, `search found ${count}`);
    await page.evaluate(() => (window as any).viewer.goToPage(2));
    await page.waitForFunction(() => (window as any).events.some((e: any) => e[0] === 'pagechange' && e[1].page === 2), null, WAIT);
    const events = await page.evaluate(() => (window as any).events.map((e: any) => e[0]));
    for (const n of ['ready', 'pagechange', 'pagerender', 'searchdone']) assert.ok(events.includes(n), `${n} in ${events}`);
    await screenshot(page, 'viewer-module-mounted');
    await page.evaluate(() => (window as any).viewer.destroy());
    assert.equal(await page.$('.qv-root'), null);
    assert.doesNotMatch(log(), /pageerror/, log());
    await page.close();
  });

  test('an unsafe download link is refused', async () => {
    const id = await createSession(q, {});
    const { page } = await open(id, `?print=1&download=${encodeURIComponent('javascript:alert(1)')}`);
    await page.waitForSelector('.qv-toolbar');
    assert.equal(await page.$('.qv-download'), null);
    assert.equal(await page.isVisible('.qv-print'), true);
    await page.close();
  });
});

describe('a comparison session', () => {
  test('lists the changes beside the pages and moves between them', async (t) => {
    // Skipped only while Quire has no revisionData route (the router's 404, not a session's).
    const probe = await call(q, 'GET', `${V2}/nope/revisionData`);
    if (probe.status === 404 && /No route/.test(String(probe.body?.message))) return t.skip('revisionData is not wired yet');
    const pair = knownEditsPair();
    const id = await createSession(q, {});
    assert.equal((await uploadSlot(q, id, 'original', docxBytes(pair.original))).status, 200);
    assert.equal((await uploadSlot(q, id, 'revised', docxBytes(pair.revised))).status, 200);
    const changes = (await call(q, 'GET', `${V2}/${id}/revisionData`)).body.changes as { pageIndex: number }[];
    const { page, requests } = await open(id, '', { width: 1200, height: 700 });
    await page.waitForSelector('.qv-change', WAIT);
    assert.equal(await page.$$eval('.qv-change', (b) => b.length), changes.length);
    assert.equal(await page.isVisible('.qv-change-group'), true);
    await page.waitForSelector('.qv-mark-inserted', WAIT);
    assert.ok((await page.$$('.qv-mark-deleted')).length > 0, 'deletions are highlighted');

    await page.click('.qv-change-next');
    assert.equal(await page.getAttribute('.qv-change[data-index="0"]', 'aria-current'), 'true');
    assert.ok((await page.$$('.qv-mark-current')).length > 0);
    await page.click('.qv-change-next');
    assert.equal(await page.getAttribute('.qv-change[data-index="1"]', 'aria-current'), 'true');
    await page.click('.qv-change-prev');
    assert.equal(await page.getAttribute('.qv-change[data-index="0"]', 'aria-current'), 'true');
    await screenshot(page, 'viewer-comparison');

    const last = changes.length - 1;
    await page.click(`.qv-change[data-index="${last}"]`);
    await painted(page, changes[last]!.pageIndex);
    await page.waitForFunction((n) => (document.querySelector('.qv-page-input') as HTMLInputElement).value === String(n), changes[last]!.pageIndex + 1, WAIT);
    await screenshot(page, 'viewer-comparison-last-change');
    assertOnlyViewerRoutes(requests);
    await page.close();
  });
});
