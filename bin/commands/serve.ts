import { setTimeout as delay } from 'node:timers/promises';
import { renderUnicodeCompact } from 'uqr';
import type { Rules } from '../../lambdas/core/rules.ts';
import { jwtExpiry } from '../../lambdas/core/token-expiry.ts';
import { errorMessage, redact } from '../../lambdas/errors.ts';
import type { CheckOutcome } from '../../lambdas/run-check.ts';
import { createSignInLink } from '../../lambdas/web/auth/sign-in-link.ts';
import { LocalTickTrigger } from '../../lambdas/web/local/local-trigger.ts';
import { localWebDeps } from '../../lambdas/web/local/local-web-deps.ts';
import { isLoopback, startWebServer } from '../../lambdas/web/local/node-server.ts';
import type { TickStatusStore } from '../../lambdas/web/ports.ts';
import { type CliIo, EXIT_OK, reportError, secretsFrom, UsageError } from '../cli/io.ts';
import { DEFAULT_ACCOUNT, storeDir } from '../cli/local-deps.ts';
import { spotPriceSourceFor } from '../cli/price-deps.ts';
import { RULE_FLAGS_HELP, rulesFromFlags } from '../cli/rule-flags.ts';
import {
  CHECK_OPTIONS,
  humanOutcome,
  type PreparedCheck,
  parseCommandArgs,
  parseHorizon,
  prepareCheck,
} from './check.ts';
import { watchLoop } from './watch.ts';

export const SERVE_HELP = `Usage: stopwatt serve [options]

Runs the watch loop (same flags and rules as watch) and serves the phone page from the local
store. Prints a one-time sign-in link (valid 10 minutes), and its QR code when the page is
reachable from other devices. Rules changed on the page apply from the next tick.

${RULE_FLAGS_HELP}

Options:
  --port N              port to listen on (default 8080; 0 picks a free one)
  --host H              address to listen on (default 127.0.0.1; 0.0.0.0 for the local network)
  --interval SECONDS    time between checks (default 60)
  --api-url URL         tenant root (default: STOPWATT_API_URL)
  --account NAME        account name in the store (default: local)
  --store DIR           local store directory (default: STOPWATT_STORE or ./.stopwatt)
  -h, --help            show this help`;

const SERVE_OPTIONS = {
  ...CHECK_OPTIONS,
  interval: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof SERVE_OPTIONS>>['values'];

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  let secrets = secretsFrom(io.env);
  try {
    const { values } = parseCommandArgs(args, SERVE_OPTIONS);
    if (values.help) {
      io.stdout.write(`${SERVE_HELP}\n`);
      return EXIT_OK;
    }
    const intervalMs = parseHorizon((values.interval as string | undefined) ?? '60', 60, 'interval');
    if (intervalMs < 5_000) throw new UsageError('--interval must be at least 5 seconds');
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const port = parsePort(values.port as string | undefined);
    const first = await prepareCheck(values, io, { horizonMs: intervalMs });
    secrets = [...first.secrets];
    const dir = storeDir(io, values.store as string | undefined);
    const account = (values.account as string | undefined) ?? DEFAULT_ACCOUNT;
    const trigger = new LocalTickTrigger();
    const deps = localWebDeps({
      dir,
      account,
      // The local server speaks plain http; a Secure cookie would never be sent back over it.
      secureCookies: false,
      trigger,
      appliedRules: (stored) => rulesFromFlags(values, stored),
      pricesFor: (rules) =>
        rules.priceSource === 'spot'
          ? spotPriceSourceFor({
              env: io.env,
              dir,
              area: rules.priceArea,
              tariff: rules.tariff,
              timeZone: rules.timezone,
              now: () => new Date(),
            })
          : null,
    });
    const server = await startWebServer(deps, { host, port });
    try {
      await announce(
        io,
        server.baseUrl,
        host,
        await createSignInLink(deps.links, server.baseUrl, new Date()),
      );
      await serveLoop(values, io, { intervalMs, trigger, ticks: deps.ticks, secrets, rules: first.rules });
    } finally {
      await server.close();
    }
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  if (!/^\d+$/.test(raw) || Number(raw) > 65_535) throw new UsageError(`--port must be 0-65535 (got ${raw})`);
  return Number(raw);
}

async function announce(io: CliIo, baseUrl: string, host: string, link: { url: string }): Promise<void> {
  io.stdout.write(`serving the phone page at ${baseUrl}\n`);
  io.stdout.write(`sign in: ${link.url}\n`);
  if (!isLoopback(host)) {
    io.stdout.write(`${renderUnicodeCompact(link.url)}\n`);
    io.stdout.write(
      'the link works once, for 10 minutes; the page is plain http: use it on a network you trust\n',
    );
  }
}

/**
 * The watch loop, run again after each session, with the rules re-read every tick (the page
 * changes them) and each tick's outcome kept for the Now page.
 */
async function serveLoop(
  values: Values,
  io: CliIo,
  options: {
    intervalMs: number;
    trigger: LocalTickTrigger;
    ticks: TickStatusStore;
    secrets: readonly string[];
    rules: Rules;
  },
): Promise<void> {
  const warnings: string[] = [];
  // A requested tick must not cut an in-tick wait for a predicted stop short: only Ctrl-C does.
  const clock = { now: () => new Date(), sleep: (ms: number) => delay(ms, undefined, { signal: io.signal }) };
  const token = options.secrets[0];
  const record = async (action: string, detail: string, error: string | null) => {
    await options.ticks.put({
      at: new Date(),
      action,
      detail: redact(detail, options.secrets),
      error: error === null ? null : redact(error, options.secrets),
      warnings: warnings.map((w) => redact(w, options.secrets)),
      tokenExpiresAt: token ? jwtExpiry(token) : null,
    });
  };
  const prepared: PreparedCheck = {
    rules: options.rules,
    secrets: options.secrets,
    warnings,
    hasRule: true,
    run: async () => {
      let outcome: CheckOutcome;
      try {
        const tick = await prepareCheck(values, io, {
          horizonMs: options.intervalMs,
          clock,
          followStops: true,
        });
        outcome = await tick.run();
        warnings.push(...tick.warnings);
      } catch (error) {
        await record('error', 'the tick failed', errorMessage(error));
        throw error;
      }
      await record(outcome.action, humanOutcome(outcome), null);
      return outcome;
    },
  };
  const sleep = (ms: number, signal?: AbortSignal) => options.trigger.sleep(ms, signal);
  while (!io.signal?.aborted) {
    try {
      await watchLoop(prepared, io, {
        intervalMs: options.intervalMs,
        clock: { now: () => new Date(), sleep: (ms) => sleep(ms, io.signal) },
        sleep,
      });
    } catch (error) {
      // The page shows the failure; the loop goes on (a renewed token, fixed rules).
      io.stderr.write(`stopwatt: ${redact(errorMessage(error), options.secrets)}; retrying\n`);
    }
    if (!io.signal?.aborted) await sleep(options.intervalMs, io.signal);
  }
}
