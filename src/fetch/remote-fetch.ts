// Downloads a caller-named URL (documentSource "http", Office Integrator `url`) without letting it
// reach the server's own network: every address a name resolves to — at every redirect — must be
// public unicast unless the allow-list names it, and the connection goes to the address that was
// checked (no second DNS lookup a rebinding attacker could answer differently).
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import type { FetchConfig } from '../config/config.ts';
import { QuireError } from '../domain/errors.ts';

export interface RemoteDocument {
  body: Readable;
  /** Extension suggested by the final URL's path or Content-Type, for text formats. */
  suggestedExtension: string | undefined;
}

const refused = (url: string, why: string) =>
  new QuireError('input', 'InvalidInput', `Quire will not download ${safeUrl(url)}: ${why}`, {
    details: { in: 'body', at: 'input.externalId', message: why },
  });

const failed = (url: string, why: string, cause?: unknown) =>
  new QuireError('processing', 'DocumentDownloadFailed', `Downloading ${safeUrl(url)} failed: ${why}`, { cause });

/**
 * The remote document is over the size limit. Not 413: the caller's own request was small, and a
 * 413 would tell it to send less. It is the download that failed, hence a processing failure.
 */
export const remoteTooLarge = (url: string, maxBytes: number) =>
  new QuireError('processing', 'DocumentTooLarge', `The document at ${safeUrl(url)} is larger than the download limit of ${maxBytes} bytes`, {
    details: { in: 'body', at: 'input.externalId', maxBytes },
  });

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the given address';
  }
}

export class RemoteFetcher {
  private readonly cfg: FetchConfig;
  private readonly allowHosts: Set<string>;
  private readonly allowRanges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(cfg: FetchConfig) {
    this.cfg = cfg;
    this.allowHosts = new Set();
    this.allowRanges = [];
    for (const entry of cfg.allow) {
      if (entry.includes('/')) this.allowRanges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) this.allowRanges.push([ipaddr.parse(entry), ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128]);
      else this.allowHosts.add(entry.toLowerCase());
    }
  }

  /** Opens the document at `url`; the caller reads the body (with its own size limit). */
  async open(url: string): Promise<RemoteDocument> {
    const deadline = AbortSignal.timeout(this.cfg.timeoutMs);
    let current = url;
    for (let hop = 0; hop <= this.cfg.maxRedirects; hop++) {
      const res = await this.request(current, deadline);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        current = new URL(res.headers.location, current).toString();
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw failed(current, `the server answered ${status}`);
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > this.cfg.maxBytes) {
        res.destroy();
        throw remoteTooLarge(current, this.cfg.maxBytes);
      }
      deadline.addEventListener('abort', () => res.destroy(failed(current, 'time limit reached')), { once: true });
      return { body: res, suggestedExtension: extensionOf(current) };
    }
    throw failed(url, `more than ${this.cfg.maxRedirects} redirects`);
  }

  private async request(url: string, signal: AbortSignal): Promise<http.IncomingMessage> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw refused(url, 'it is not an absolute URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw refused(url, 'only http and https are allowed');
    if (u.username || u.password) throw refused(url, 'credentials in the URL are not allowed');
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const address = await this.vet(url, host);
    // Connect to the vetted address only; TLS still verifies the certificate against the host name.
    const pinned: LookupFunction = (_h, opts, cb) => {
      const family = isIP(address);
      if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else cb(null, address, family);
    };
    const mod = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.get(u, { lookup: pinned, signal, headers: { 'user-agent': 'Quire document fetcher', accept: '*/*' } }, resolve);
      req.on('error', (e) => reject(e instanceof QuireError ? e : failed(url, signal.aborted ? 'time limit reached' : 'connection failed', e)));
    });
  }

  private async vet(url: string, host: string): Promise<string> {
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch (e) {
        throw failed(url, 'the host name could not be resolved', e);
      }
    }
    if (addresses.length === 0) throw failed(url, 'the host name has no address');
    const hostAllowed = this.allowHosts.has(host.toLowerCase());
    for (const a of addresses) {
      if (!hostAllowed && !this.isPublic(a)) throw refused(url, 'it points at a loopback, private, link-local or reserved address');
    }
    return addresses[0]!;
  }

  private isPublic(address: string): boolean {
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    for (const [range, bits] of this.allowRanges) {
      if (range.kind() === ip.kind() && ip.match(range, bits)) return true;
    }
    return ip.range() === 'unicast';
  }
}

function extensionOf(url: string): string | undefined {
  const m = /\.([A-Za-z0-9]{1,16})$/.exec(new URL(url).pathname);
  return m?.[1]?.toLowerCase();
}
