import { type ParseArgsConfig, parseArgs } from 'node:util';
import { systemClock } from '../../lambdas/adapters/system-clock.ts';
import {
  buildCheck,
  type CheckParts,
  type EntryChoices,
  type TickLookup,
} from '../../lambdas/composition/build-check.ts';
import { instanceId } from '../../lambdas/composition/instance-id.ts';
import { hasAnyRule } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import { errorMessage, redact } from '../../lambdas/errors.ts';
import type { Clock, SessionLog } from '../../lambdas/ports.ts';
import { type CheckOutcome, outcomeFields } from '../../lambdas/run-check.ts';
import { type CliIo, EXIT_OK, reportError, secretsFrom, UsageError } from '../cli/io.ts';
import { apiUrlFrom, DEFAULT_ACCOUNT, localCheckParts, storeDir } from '../cli/local-deps.ts';
import { onceShadowWarnings, RULE_FLAG_OPTIONS, RULE_FLAGS_HELP, rulesFromFlags } from '../cli/rule-flags.ts';
import { loopTimeFor, SIMULATOR_CLOCK_OPTION, simulatorClockHelp } from '../cli/simulator-clock.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export const CHECK_HELP = `Usage: stopwatt check [options]

Runs one tick: reads the active charging session, applies the rules, ends the session if a
rule holds, and logs what it saw and did.

${RULE_FLAGS_HELP}

Options:
  --api-url URL         tenant root (default: STOPWATT_API_URL), e.g. https://drivee.eu.charge.ampeco.tech
  --account NAME        account name in the store (default: ${DEFAULT_ACCOUNT})
  --store DIR           local store directory (default: STOPWATT_STORE or ./.stopwatt)
  --table NAME          log to this DynamoDB table and read rules (and, without STOPWATT_TOKEN,
                        the token) from SSM /stopwatt/<account>/ instead of the local store
  --region R            AWS region for --table (default: AWS_REGION)
  --horizon SECONDS     wait in-process up to this long for a predicted stop (default 60; 0 = never wait)
${simulatorClockHelp('times and --horizon')}
  --json                print exactly one JSON object on stdout
  -h, --help            show this help

Environment: STOPWATT_API_URL, STOPWATT_TOKEN (bearer token), STOPWATT_STORE, STOPWATT_EDS_URL,
STOPWATT_WEBHOOK_URL (notifications: an ntfy topic URL or any URL taking a JSON POST).
Exit codes: 0 the tick ran (whatever it decided), 1 the tick failed, 2 bad input.`;

export const CHECK_OPTIONS = {
  ...RULE_FLAG_OPTIONS,
  'api-url': { type: 'string' },
  account: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  store: { type: 'string' },
  horizon: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A duration flag in seconds (at most 900) as milliseconds; `flag` names it in errors. */
export function parseHorizon(raw: string | undefined, fallbackSeconds: number, flag = 'horizon'): number {
  if (raw === undefined) return fallbackSeconds * 1000;
  if (!/^\d+(\.\d+)?$/.test(raw.trim()))
    throw new UsageError(`--${flag} must be a number of seconds (got "${raw}")`);
  const seconds = Number(raw);
  if (seconds > 900) throw new UsageError(`--${flag} must be at most 900 seconds (got ${raw})`);
  return seconds * 1000;
}

export function parseCommandArgs<O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = errorMessage(error);
    // Node reads `--energy-kwh -1` as a missing value followed by an unknown flag.
    const ambiguous = /^Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]} needs a value (negative numbers are not allowed)`);
    // `--dry-run=false`: a switch takes no value; name the flag that turns it off, where there is one.
    const valued = /^Option '--([\w-]+)' does not take an argument/.exec(message)?.[1];
    if (valued !== undefined) {
      const off = `no-${valued}` in options ? `; use --no-${valued} to switch it off` : '';
      throw new UsageError(`--${valued} takes no value${off}`);
    }
    throw new UsageError(
      message
        .replace(/\.? To specify.*$/s, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
}

export interface PreparedCheck {
  /** One tick; `lookup`: where it looks for sessions (watch's idle cadence), else everywhere. */
  readonly run: (lookup?: TickLookup) => Promise<CheckOutcome>;
  /** The rules the ticks apply (stored rules or a rules file, overridden by the flags). */
  readonly rules: Rules;
  /** Grows as ticks read the token and credentials: scrub output with it. */
  readonly secrets: readonly string[];
  readonly warnings: string[];
  readonly hasRule: boolean;
  /** Where the ticks log (for the summary `watch` prints at the end). */
  readonly log?: SessionLog;
}

type CheckValues = ReturnType<typeof parseCommandArgs<typeof CHECK_OPTIONS>>['values'];

/** The parts of a local check or, with --table, of the deployed function's check. */
export async function checkParts(
  values: CheckValues,
  io: CliIo,
  options: { horizonMs: number; clock?: Clock | undefined; followStops?: boolean | undefined },
): Promise<CheckParts> {
  const entry: EntryChoices = {
    account: {
      name: values.account ?? DEFAULT_ACCOUNT,
      apiUrl: apiUrlFrom(io, values['api-url']),
      horizonMs: options.horizonMs,
      followStops: options.followStops,
    },
    clock: options.clock ?? systemClock,
    instanceId: instanceId('cli'),
    resolveRules: (stored) => rulesFromFlags(values, stored),
  };
  const table = values.table;
  if (table === undefined) return localCheckParts(io, storeDir(io, values.store), entry);
  // Loaded only here: local runs should not pay for the AWS SDK.
  const { tableCheckParts } = await import('../cli/aws-deps.ts');
  return tableCheckParts(io, { table, region: values.region }, entry);
}

/**
 * Builds the check for ticks from the command line (check and watch). `followStops`: the loops
 * (watch, serve) follow a stop until the session is finished; a one-shot check does not wait.
 */
export async function prepareCheck(
  values: CheckValues,
  io: CliIo,
  options: { horizonMs: number; clock?: Clock; followStops?: boolean },
): Promise<PreparedCheck> {
  const check = await buildCheck(await checkParts(values, io, options));
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const rules = await check.rules(warn);
  warnings.push(...onceShadowWarnings(values, rules));
  const secrets = secretsFrom(io.env);
  return {
    rules,
    secrets,
    warnings,
    hasRule: hasAnyRule(rules),
    log: check.parts.stores.log,
    run: (lookup) => check.tick({ secrets, warn, rules, lookup }),
  };
}

export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  let secrets: readonly string[] = secretsFrom(io.env);
  try {
    const { values } = parseCommandArgs(args, { ...CHECK_OPTIONS, ...SIMULATOR_CLOCK_OPTION });
    if (values.help) {
      io.stdout.write(`${CHECK_HELP}\n`);
      return EXIT_OK;
    }
    const horizonMs = parseHorizon(values.horizon, 60);
    // Without --simulator-clock the tick runs on the system clock, as the deployed function does.
    const clock = values['simulator-clock']
      ? (await loopTimeFor(values, io, 'times and --horizon')).clock
      : undefined;
    const prepared = await prepareCheck(values, io, { horizonMs, ...(clock ? { clock } : {}) });
    secrets = prepared.secrets;
    if (!prepared.hasRule)
      io.stderr.write('stopwatt: no rule is set, so nothing will be ended (see --help)\n');
    const outcome = await prepared.run();
    for (const warning of prepared.warnings)
      io.stderr.write(`stopwatt: warning: ${redact(warning, prepared.secrets)}\n`);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(outcomeFields(outcome))}\n`);
    } else {
      io.stdout.write(`${humanOutcome(outcome)}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io, secrets);
  }
}

export function humanOutcome(outcome: CheckOutcome): string {
  // Several open sessions: one line each, as each was judged on its own.
  const each = outcome.sessions ?? [];
  if (each.length > 1) return each.map((one) => humanOutcome(one)).join('\n');
  const id = outcome.sessionId ? `session ${outcome.sessionId}` : '';
  switch (outcome.action) {
    case 'none':
      return 'no active charging session';
    case 'end':
      return `ended ${id}: ${outcome.decision.action === 'end' ? outcome.decision.detail : outcome.detail}`;
    case 'dry-run':
    case 'already-stopping':
    case 'continue':
      return `${id}: ${outcome.detail}`;
  }
}
