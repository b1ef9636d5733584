import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { baseEnv, ROOT } from '../support/cli-runner.ts';

/** Debian's Chromium, headless, with nothing that would call out to the internet. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface Received {
  readonly url: string;
  readonly status: number;
  /** Response body plus headers as text, for the secret scan. */
  readonly text: string;
  /** Bytes on the wire (headers + body) as Chromium reports them. */
  readonly bytes: number;
}

/** A fresh context (empty profile) at phone size that records every request and response. */
export async function phoneContext(browser: Browser) {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const requests: string[] = [];
  const received: Received[] = [];
  const pending: Promise<void>[] = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('response', (response) => {
    pending.push(
      (async () => {
        const body =
          response.status() >= 300 && response.status() < 400
            ? Buffer.alloc(0)
            : await response.body().catch(() => Buffer.alloc(0));
        const sizes = await response
          .request()
          .sizes()
          .catch(() => null);
        const headers = JSON.stringify(await response.allHeaders());
        received.push({
          url: response.url(),
          status: response.status(),
          text: `${headers}\n${body.toString('utf8')}`,
          bytes: sizes ? sizes.responseHeadersSize + sizes.responseBodySize : body.length,
        });
      })(),
    );
  });
  const settle = async () => {
    await Promise.all(pending.splice(0));
  };
  return { context, requests, received, settle };
}

export interface ServeProcess {
  readonly signInUrl: string;
  readonly baseUrl: string;
  readonly store: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Spawns `stopwatt serve` on a free port and waits for its `sign in: ` line. */
export async function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  store: string,
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/stopwatt.ts', 'serve', '--port', '0', '--store', store, ...args],
    {
      cwd: ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk) => {
    out += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    out += String(chunk);
  });
  const signInUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print a sign-in link:\n${out}`)), 30_000);
    const poll = setInterval(() => {
      const match = /^sign in: (\S+)$/m.exec(out);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once('exit', () => reject(new Error(`serve exited:\n${out}`)));
  });
  return {
    signInUrl,
    baseUrl: new URL(signInUrl).origin,
    store,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function tempStore(cleanups: (() => Promise<void>)[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stopwatt-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The number shown in `#id`, as a number. */
export async function shownNumber(page: Page, selector: string): Promise<number> {
  return Number(((await page.locator(selector).textContent()) ?? '').replace(/[^\d.]/g, ''));
}
