// Browser tests: Playwright's runner driving Debian's Chromium (never a downloaded browser).
// The console under test runs with the built-in sample inventory on its own port and a
// throw-away database; scripts/test.sh builds it first.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = process.env.E2E_PORT || '3099';
const db = join(mkdtempSync(join(tmpdir(), 'msk-console-e2e-')), 'e2e.db');
// An inventory file the history test rewrites to make real changes. Workers inherit the
// path from the main process, which creates the (empty) file once.
if (!process.env.E2E_HISTORY_FILE) {
  process.env.E2E_HISTORY_FILE = join(mkdtempSync(join(tmpdir(), 'msk-console-e2e-')), 'history-lab.toml');
  writeFileSync(process.env.E2E_HISTORY_FILE, 'source = "history-lab"\n');
}
const bin = process.env.MSK_CONSOLE_BIN || '../target/debug/msk-console';
// A second console behind a real OpenID Connect provider, for the sign-in tests.
const loginPort = process.env.E2E_LOGIN_PORT || '3097';
const oidcPort = process.env.E2E_OIDC_PORT || '3098';
const loginDir = mkdtempSync(join(tmpdir(), 'msk-console-e2e-login-'));
process.env.E2E_LOGIN_URL = `http://127.0.0.1:${loginPort}`;

// Two replicas on one PostgreSQL, when scripts/test.sh started one (MSK_TEST_PG_URL):
// tests/replicas.spec.mjs drives the follower. The database is made once, by the main
// process; workers inherit its URL.
if (process.env.MSK_TEST_PG_URL && !process.env.E2E_REPLICA_DB) {
  const name = `e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [process.env.MSK_TEST_PG_URL, '-q', '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(process.env.MSK_TEST_PG_URL);
  url.pathname = `/${name}`;
  process.env.E2E_REPLICA_DB = url.toString();
}
const replicaPorts = [process.env.E2E_REPLICA_PORT_A || '3093', process.env.E2E_REPLICA_PORT_B || '3094'];
const replicas = process.env.E2E_REPLICA_DB
  ? replicaPorts.map((p, i) => ({
      command: `${bin} --sample --inventory-file fixtures/lab.toml --no-probe --replica-name e2e-${'ab'[i]} --listen 127.0.0.1:${p} --session-key-file ${loginDir}/replica-${p}.key --database-url ${process.env.E2E_REPLICA_DB} --log warn`,
      url: `http://127.0.0.1:${p}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
    }))
  : [];
if (replicas.length) process.env.E2E_REPLICAS = replicaPorts.map((p) => `http://127.0.0.1:${p}`).join(',');

export default defineConfig({
  testDir: './tests',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    permissions: ['clipboard-read', 'clipboard-write'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      // A real node exporter standing in for the lab cluster's first broker.
      command: 'prometheus-node-exporter --web.listen-address=127.0.0.21:11002 --collector.disable-defaults --collector.time --collector.stat',
      url: 'http://127.0.0.21:11002/metrics',
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `${bin} --sample --inventory-file fixtures/lab.toml --inventory-file ${process.env.E2E_HISTORY_FILE} --probe-timeout 1s --listen 127.0.0.1:${port} --database-url sqlite://${db} --log warn`,
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `node oidc/provider.mjs ${oidcPort} http://127.0.0.1:${loginPort}`,
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `${bin} --sample --auth oidc --listen 127.0.0.1:${loginPort} --public-url http://127.0.0.1:${loginPort} --oidc-issuer http://127.0.0.1:${oidcPort} --oidc-client-id msk-console --oidc-client-secret e2e-secret --oidc-scopes openid,email,profile,groups --operators group:kafka-admins --viewers group:developers,email:ursula@example.com --session-key-file ${loginDir}/session.key --database-url sqlite://${loginDir}/login.db --no-probe --log warn`,
      url: `http://127.0.0.1:${loginPort}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    ...replicas,
  ],
});
