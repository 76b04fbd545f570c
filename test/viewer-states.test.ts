// The viewer's loading behaviour and states end to end, in Debian's Chromium against real Quire
// processes: pages load only near the viewport (each a placeholder of the page's size until its image
// arrives), "Page 1 of about N" while an office document converts, the ES module's `error` event for a
// file Quire cannot read, and the expired state of a session that outlived its lifetime.
// Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Route } from 'playwright-core';
import { docxBytes, type Block } from './helpers/comparison-docs.ts';
import { until } from './helpers/wait.ts';
import { launchChromium, screenshot, watchConsole } from './helpers/browser.ts';
import { createSession, uploadSource, V1 } from './helpers/prizmdoc.ts';
import { call, startQuire, type Quire } from './helpers/quire.ts';

const WAIT = { timeout: 60_000 };
/** Sessions of `short` expire this long after their last use. */
const SHORT_LIFETIME_S = 3;

let q: Quire;
let short: Quire;
let browser: Browser;
before(async () => {
  [q, short, browser] = await Promise.all([
    startQuire(),
    startQuire({ env: { QUIRE_SESSION_LIFETIME_SECONDS: String(SHORT_LIFETIME_S), QUIRE_OFFICE_INSTANCES: '1' } }),
    launchChromium(),
  ]);
});
after(async () => {
  await browser?.close();
  await Promise.all([q?.dispose(), short?.dispose()]);
});

/** A PDF of `count` pages of `width` × `height` pt, each saying its number. */
function pdfOfPages(count: number, width: number, height: number): Buffer {
  const objs: string[] = [];
  objs[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objs[2] = `<< /Type /Pages /Kids [${Array.from({ length: count }, (_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${count} >>`;
  objs[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  for (let i = 0; i < count; i++) {
    const s = `BT /F1 36 Tf 50 ${height - 100} Td (Page ${i + 1} of ${count}) Tj ET BT /F1 12 Tf 50 ${height - 140} Td (Far pages load only when the reader comes near them.) Tj ET`;
    objs[4 + 2 * i] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`;
    objs[5 + 2 * i] = `<< /Length ${s.length} >>\nstream\n${s}\nendstream`;
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let n = 1; n < objs.length; n++) {
    offsets.push(out.length);
    out += `${n} 0 obj\n${objs[n]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objs.length}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const WORDS = 'document page render viewer session quire server office convert engine layout paragraph section table figure chapter review version record letter report summary contract annex invoice number river mountain yellow quiet rapid gentle window garden'.split(' ');

/** A DOCX of about `pages` pages of flowing body text (no page breaks: LibreOffice lays every line out), varied words. */
function flowingDocx(pages: number, nonce: string): Uint8Array {
  let seed = 0x2545f491;
  for (const c of nonce) seed = Math.imul(seed ^ c.charCodeAt(0), 0x01000193) >>> 0 || 1;
  const word = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return WORDS[(seed >>> 0) % WORDS.length]!;
  };
  const blocks: Block[] = [{ p: [`Annual report ${nonce}`], heading: true }];
  for (let i = 0; i < pages * 7; i++) blocks.push({ p: [`${Array.from({ length: 70 }, word).join(' ')}.`] });
  return docxBytes(blocks, { header: `Report ${nonce}` });
}

async function sessionOf(target: Quire, bytes: Uint8Array, ext: string): Promise<string> {
  const id = await createSession(target, {});
  const put = await uploadSource(target, id, bytes, { ext });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  return id;
}

const painted = (page: Page, index: number) => page.waitForSelector(`.qv-page[data-page="${index}"].qv-painted`, WAIT);
/** A page's content (not its attributes, text or thumbnail). */
const CONTENT = /\/PCCIS\/V1\/Page\/q\/(\d+)\?/;

/** Records every state the status overlay shows ("title · detail"), and the toolbar's page total, in order. */
async function recordStatus(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = ((window as any).statusSeen = []);
    new MutationObserver(() => {
      const s = document.querySelector('.qv-status:not([hidden])');
      const t = s ? `${s.querySelector('.qv-status-title')?.textContent} · ${s.querySelector('.qv-status-detail')?.textContent}` : '';
      if (t && seen.at(-1) !== t) seen.push(t);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

describe('pages load near the viewport', () => {
  test('each page is a placeholder of its size first; only near pages are fetched; far pages load when scrolled to', async () => {
    const COUNT = 40;
    const id = await sessionOf(q, pdfOfPages(COUNT, 500, 700), 'pdf');
    const attrs = await Promise.all([0, 20, COUNT - 1].map(async (n) => (await call(q, 'GET', `/PCCIS/V1/Page/q/${n}/Attributes?DocumentID=u${id}`)).body));
    for (const a of attrs) assert.deepEqual([a.imageWidth, a.imageHeight, a.pageCount], [667, 933, COUNT]);

    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const log = watchConsole(page);
    // Every page content request, in order (by page index).
    const requested: number[] = [];
    page.on('request', (r) => {
      const m = CONTENT.exec(r.url());
      if (m) requested.push(Number(m[1]));
    });
    // Page content answers are held until released: the real answers, only late.
    let release = false;
    const held: Route[] = [];
    await page.route(
      (u) => /^\/PCCIS\/V1\/Page\/q\/\d+$/.test(u.pathname),
      (route) => (release ? route.continue() : void held.push(route)),
    );
    await page.goto(`${q.baseUrl}/viewer/${id}?zoom=50`);
    await until('page 1 asked for', () => held.length > 0);
    await sleep(500);

    // Every page has its box, of the page's size at 50%, and none has content yet.
    const boxes = await page.$$eval('.qv-page', (els) => els.map((e) => ({ page: Number((e as HTMLElement).dataset.page), w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height, painted: e.classList.contains('qv-painted') })));
    assert.equal(boxes.length, COUNT);
    for (const b of boxes) {
      assert.ok(Math.abs(b.w - 667 * 0.5) < 1 && Math.abs(b.h - 933 * 0.5) < 1, `page ${b.page + 1} placeholder is ${b.w} × ${b.h}`);
      assert.equal(b.painted, false);
    }
    assert.equal(await page.$$eval('.qv-page img', (imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length), 0);
    // The first page is loaded alone, before anything else.
    assert.deepEqual(requested, [0]);
    await screenshot(page, 'viewer-placeholders');

    release = true;
    for (const r of held.splice(0)) await r.continue();
    await painted(page, 0);
    await painted(page, 1);
    const quiet = async () => {
      let n = -1;
      while (n !== requested.length) {
        n = requested.length;
        await sleep(800);
      }
    };
    /** The pages within a viewport's height above and below the visible area (what the viewer calls near). */
    const nearPages = () =>
      page.$eval('.qv-scroll', (s) => {
        const view = s.getBoundingClientRect();
        return Array.from(s.querySelectorAll<HTMLElement>('.qv-page'))
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.bottom > view.top - view.height && r.top < view.bottom + view.height;
          })
          .map((e) => Number(e.dataset.page));
      });
    await quiet();
    const near0 = await nearPages();
    assert.ok(near0.length >= 2 && near0.length < 8, `near the top: ${near0}`);
    assert.deepEqual([...new Set(requested)].sort((a, b) => a - b), near0, `asked for ${requested}`);

    // Jump to page 30: the pages in between are never fetched.
    await page.fill('.qv-page-input', '30');
    await page.press('.qv-page-input', 'Enter');
    await painted(page, 29);
    await quiet();
    const near29 = await nearPages();
    assert.ok(near29.includes(29), `near page 30: ${near29}`);
    const later = requested.slice(near0.length);
    assert.deepEqual([...new Set(later)].sort((a, b) => a - b), near29, `after the jump: ${later}`);
    await screenshot(page, 'viewer-lazy-page-30');

    // Scrolled to the end: the last page loads and becomes current.
    await page.$eval('.qv-scroll', (s) => s.scrollTo(0, s.scrollHeight));
    await painted(page, COUNT - 1);
    await page.waitForFunction((n) => (document.querySelector('.qv-page-input') as HTMLInputElement).value === String(n), COUNT, WAIT);
    await quiet();
    const asked = new Set(requested);
    assert.equal(requested.length, asked.size, `no page was fetched twice: ${requested}`);
    for (let i = Math.max(...near0) + 1; i < Math.min(...near29); i++) assert.ok(!asked.has(i), `page ${i + 1} was skipped over but fetched: ${requested}`);
    assert.ok(asked.size < COUNT / 2, `${asked.size} of ${COUNT} pages fetched`);
    assert.doesNotMatch(log(), /pageerror/, log());
    await page.close();
  });
});

/**
 * Opens the viewer on a session that is still converting and waits for its first page: the page count
 * answers the viewer received (Document Attributes) and every progress text its overlay showed.
 */
async function openWatchingProgress(id: string) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const answers: { pageCount: number; pageCountConfidence: number }[] = [];
  page.on('response', async (r) => {
    if (/\/Document\/q\/Attributes\?/.test(r.url()) && r.status() === 200) answers.push(await r.json());
  });
  await recordStatus(page);
  await recordFirstPaint(page);
  await page.goto(`${q.baseUrl}/viewer/${id}`);
  await painted(page, 0);
  const seen = await page.evaluate(() => (window as any).statusSeen as string[]);
  return { page, answers, seen };
}

/**
 * In the page's own clock: when the viewer received its first exact page count (`exactAt`, set before
 * the viewer reads the answer), what it showed when page 1 was painted (`atPaint`), and when each
 * page, thumbnail or page-attributes request started (`pageRequests`).
 */
async function recordFirstPaint(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as any;
    performance.setResourceTimingBufferSize(5000);
    const fetch0 = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const r = await fetch0(input, init);
      if (/\/Document\/q\/Attributes\?/.test(String(input)) && r.ok) {
        const b = await r.clone().json();
        if (b.pageCountConfidence >= 100 && w.exactAt === undefined) w.exactAt = performance.now();
      }
      return r;
    };
    new MutationObserver(() => {
      if (w.atPaint || !document.querySelector('.qv-page[data-page="0"].qv-painted')) return;
      w.atPaint = {
        total: document.querySelector('.qv-page-total')?.textContent,
        label: document.querySelector('.qv-page[data-page="0"]')?.getAttribute('aria-label'),
        pages: document.querySelectorAll('.qv-page').length,
        exactBefore: w.exactAt !== undefined,
      };
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'] });
    w.pageRequests = () =>
      performance
        .getEntriesByType('resource')
        .map((e) => ({ page: /\/Page\/q\/(\d+)[/?]/.exec(e.name)?.[1], start: e.startTime }))
        .filter((e) => e.page !== undefined)
        .map((e) => ({ page: Number(e.page), start: e.start }));
  });
}

describe('progress while converting', () => {
  test('a long DOCX paints page 1 while it converts ("1 of about N", the server\'s estimate), then lists its exact page count', async () => {
    const id = await sessionOf(q, flowingDocx(220, `e${Date.now()}`), 'docx');
    const { page, answers, seen } = await openWatchingProgress(id);
    const estimate = answers.find((a) => a.pageCountConfidence < 100);
    assert.ok(estimate, `the viewer asked while the document converted: ${JSON.stringify(answers)}`);
    assert.ok(estimate.pageCount > 100, JSON.stringify(estimate));
    // Page 1 was painted before the viewer had the exact count, from the first pages' export: its
    // toolbar and label said "about", and only page 1 was listed.
    const atPaint = await page.evaluate(() => (window as any).atPaint);
    assert.equal(atPaint.exactBefore, false, `page 1 painted only after the exact count: ${JSON.stringify(atPaint)}`);
    assert.equal(atPaint.total, `of about ${estimate.pageCount}`, JSON.stringify(atPaint));
    assert.equal(atPaint.label, `Page 1 of about ${estimate.pageCount}`, JSON.stringify(atPaint));
    assert.equal(atPaint.pages, 1, JSON.stringify(atPaint));
    assert.equal(await page.isVisible('.qv-status'), false);
    // Progress before page 1, if the overlay came up at all, spoke of the same estimate.
    assert.ok(seen.every((s) => !/about/.test(s) || s.includes(`about ${estimate.pageCount}`)), JSON.stringify(seen));

    // Converted: the exact count everywhere, once the viewer's poll has it.
    const exact = (await call(q, 'GET', `/PCCIS/V1/Document/q/Attributes?DocumentID=u${id}`)).body;
    assert.equal(exact.pageCountConfidence, 100);
    await page.waitForFunction((n) => document.querySelector('.qv-page-total')?.textContent === `of ${n}`, exact.pageCount, WAIT);
    await until('the viewer\'s exact Document Attributes answer', () => answers.some((a) => a.pageCountConfidence === 100));
    await painted(page, 1);
    // No page but page 1 was asked for before the count was final (the server would have made it wait).
    const { exactAt, requests } = await page.evaluate(() => ({ exactAt: (window as any).exactAt as number, requests: (window as any).pageRequests() as { page: number; start: number }[] }));
    const early = requests.filter((r) => r.page > 0 && r.start < exactAt);
    assert.deepEqual(early, [], `requests before the exact count (at ${exactAt}): ${JSON.stringify(requests)}`);
    assert.ok(requests.some((r) => r.page > 0), `pages after the first were loaded once listed: ${JSON.stringify(requests)}`);
    assert.equal(await page.getAttribute('.qv-page[data-page="0"]', 'aria-label'), `Page 1 of ${exact.pageCount}`);
    assert.equal(await page.$$eval('.qv-page', (p) => p.length), exact.pageCount);
    await screenshot(page, 'viewer-converted');
    await page.close();
  });

  test('a long document the server cannot estimate (plain text) still shows that it is being prepared', async () => {
    const lines = Array.from({ length: 7000 }, (_, i) => `Line ${i + 1} of a plain text log, ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i * 7919}.`);
    const id = await sessionOf(q, Buffer.from(lines.join('\n')), 'txt');
    const { page, answers, seen } = await openWatchingProgress(id);
    // No estimate for text: the server says so at once (confidence 0) instead of after the conversion.
    assert.ok(answers.some((a) => a.pageCountConfidence === 0), JSON.stringify(answers));
    assert.ok(seen.some((s) => s.startsWith('Preparing the document…')), `the overlay showed ${JSON.stringify(seen)}`);
    assert.ok(seen.every((s) => !/about/.test(s)), `no made-up count: ${JSON.stringify(seen)}`);
    await page.close();
  });
});

describe('the ES module\'s error event', () => {
  test('fires with the server\'s error for a file Quire cannot read, and the viewer shows that state', async () => {
    // A PDF by its header, nothing readable after it.
    const id = await sessionOf(q, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x41)]), 'pdf');
    const direct = await call(q, 'GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${id}`);
    assert.equal(direct.status, 580, JSON.stringify(direct.body));
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const log = watchConsole(page);
    await page.route(`${q.baseUrl}/app.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><body><div id="box"></div>
<script type="module">
  import { mount } from '/viewer/assets/quire-viewer.js';
  const box = document.getElementById('box');
  box.style.height = '600px';
  window.events = [];
  window.domErrors = [];
  box.addEventListener('quire:error', (e) => window.domErrors.push(e.detail));
  const viewer = mount(box, { sessionId: ${JSON.stringify(id)}, baseUrl: location.origin });
  for (const n of ['ready', 'pagerender', 'error']) viewer.on(n, (d) => window.events.push([n, d]));
</script></body></html>`,
      }),
    );
    await page.goto(`${q.baseUrl}/app.html`);
    await page.waitForFunction(() => (window as any).events?.some((e: any) => e[0] === 'error'), null, WAIT);
    await sleep(300);
    const events = await page.evaluate(() => (window as any).events);
    const expected = {
      kind: 'unreadable',
      status: 580,
      code: direct.body.errorCode,
      title: 'This file cannot be displayed',
      message: direct.body.message ?? direct.headers.get('accusoft-status-message'),
    };
    assert.deepEqual(events, [['error', expected]], 'one error event and nothing else');
    assert.equal(expected.code, 'CouldNotRender');
    assert.deepEqual(await page.evaluate(() => (window as any).domErrors), [expected]);
    await page.waitForSelector('.qv-status[role="alert"][data-state="unreadable"]', WAIT);
    assert.equal(await page.textContent('.qv-status-title'), 'This file cannot be displayed');
    assert.equal(await page.textContent('.qv-status-detail'), expected.message);
    assert.equal(await page.isDisabled('.qv-next-page'), true);
    await screenshot(page, 'viewer-module-error');
    assert.doesNotMatch(log(), /pageerror/, log());
    await page.close();
  });
});

describe('a session that ended', () => {
  test('shows "expired" with the server\'s message while read and after a reload', async () => {
    const id = await sessionOf(short, pdfOfPages(12, 500, 700), 'pdf');
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    let last = Date.now();
    page.on('request', () => (last = Date.now()));
    page.on('requestfinished', () => (last = Date.now()));
    await page.goto(`${short.baseUrl}/viewer/${id}`);
    await painted(page, 0);
    await page.waitForSelector('.qv-text[data-page="0"] span', WAIT);
    // Every request uses the session; once the viewer is idle it lapses after its lifetime.
    await until('the session to outlive its lifetime', () => Date.now() - last > SHORT_LIFETIME_S * 1000 + 1500, 30_000);

    // Read on: the next page fails, and its attributes say why.
    await page.$eval('.qv-scroll', (s) => s.scrollTo(0, s.scrollHeight));
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    const direct = await call(short, 'GET', `/PCCIS/V1/Page/q/0/Attributes?DocumentID=u${id}`);
    assert.equal(direct.status, 403, JSON.stringify(direct.body));
    const message = direct.body.message ?? direct.headers.get('accusoft-status-message');
    const state = async () => ({
      state: await page.getAttribute('.qv-status', 'data-state'),
      title: await page.textContent('.qv-status-title'),
      detail: await page.textContent('.qv-status-detail'),
    });
    const expected = { state: 'expired', title: 'This viewing session has expired', detail: message };
    assert.deepEqual(await state(), expected);
    await screenshot(page, 'viewer-expired');

    // Opened again: the browser holds page 1's attributes and images (cacheable for a day, and the
    // page preloads those attributes), yet the server is asked whether the session is still usable.
    await page.reload();
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.deepEqual(await state(), expected);
    assert.equal(await page.isDisabled('.qv-next-page'), true);
    await screenshot(page, 'viewer-expired-reloaded');
    await page.close();
  });

  test('a session stopped after it was read shows its owner\'s message on a reload, not the cached pages', async () => {
    const id = await sessionOf(q, pdfOfPages(3, 500, 700), 'pdf');
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await page.goto(`${q.baseUrl}/viewer/${id}`);
    await painted(page, 0);
    const stop = await call(q, 'POST', `${V1}/u${id}/Notification/SessionStopped`, { json: { endUserMessage: 'The review has closed', httpStatus: 410 } });
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    await page.reload();
    await page.waitForSelector('.qv-status[role="alert"]', WAIT);
    assert.equal(await page.getAttribute('.qv-status', 'data-state'), 'stopped');
    assert.equal(await page.textContent('.qv-status-detail'), 'The review has closed');
    await page.close();
  });
});
