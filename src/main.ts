// Composition root: read the configuration once, open storage, recover from any crash, serve,
// sweep expired data, and shut down cleanly on SIGINT/SIGTERM.
import { isIP } from 'node:net';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { systemClock } from './domain/clock.ts';
import { sweep } from './domain/sweeper.ts';
import { openEmbeddedStorage } from './storage/embedded/index.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`quire: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const storage = await openEmbeddedStorage(config.dataDir);
  // A previous process may have died mid-upload: drop its partial files and its upload claims.
  await storage.blobs.recover();
  await storage.metadata.releaseAllClaims();

  const app = await buildApp({ config, storage });
  const log = app.http.log;
  // Likewise conversions and page drawings cut short: their scratch files go before anything converts.
  const scraps = await app.renditions.recover();
  if (scraps > 0) log.info(`removed ${scraps} unfinished rendition file(s) left by a previous process`);
  const sweepSettings = { expiredSessionMemorySeconds: config.expiredSessionMemorySeconds, blobGraceSeconds: 3600 };
  const runSweep = async () => {
    await sweep(storage, app.sessions, sweepSettings, systemClock).catch((err) => log.error({ err }, 'sweep failed'));
    await app.renditions.sweep(systemClock.now() - config.engines.renditionIdleSeconds * 1000).catch((err) => log.error({ err }, 'rendition sweep failed'));
  };
  await runSweep();
  const timer = setInterval(runSweep, config.sweepIntervalSeconds * 1000);
  timer.unref();

  await app.http.listen({ port: config.port, host: config.host });
  if (app.tenants.open) {
    const loopback = config.host === 'localhost' || config.host.startsWith('127.') || config.host === '::1';
    log.warn(
      loopback
        ? 'QUIRE_API_KEYS is not set: Quire runs open (no API keys) and only on loopback'
        : `QUIRE_API_KEYS is not set and HOST=${config.host} (${isIP(config.host) ? 'an address' : 'a name'}) is reachable from elsewhere: anyone who can connect can use this server`,
    );
  }
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info(`Quire ready on http://${config.host}:${port} with data in ${config.dataDir}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal}: shutting down`);
    clearInterval(timer);
    // An upload that never finishes must not hold shutdown forever.
    const force = setTimeout(() => app.http.server.closeAllConnections(), 10_000);
    force.unref();
    await app.http.close();
    await storage.metadata.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`quire: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
