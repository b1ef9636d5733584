import { FileRulesStore } from '../../lambdas/adapters/local/file-rules-store.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import { ConfigError } from '../../lambdas/errors.ts';
import type { RulesStore } from '../../lambdas/ports.ts';
import { awsRegion, parameterStores } from '../cli/aws-deps.ts';
import { type CliIo, EXIT_BAD_INPUT, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { DEFAULT_ACCOUNT, storeDir } from '../cli/local-deps.ts';
import {
  flagOptions,
  helpLine,
  ONCE_ONLY_FLAGS_HELP,
  ONCE_ONLY_RULE_FLAGS,
  onceShadowWarnings,
  RULE_FLAG_OPTIONS,
  RULE_FLAGS_HELP,
  type RuleFlagValues,
  rulesFromFlags,
  STANDING_RULE_FLAGS,
  settingsFromFlags,
} from '../cli/rule-flags.ts';
import { parseCommandArgs } from './check.ts';

export const RULES_HELP = `Usage: stopwatt rules get|set|reset [options]

  get      print the stored rules as JSON
  set      change the stored rules: the flags given replace those rules, the rest stay
           --once: apply the rule flags to the current (or next) session only; cleared
           automatically when that session ends
  reset    remove every rule (nothing will be ended)

Rules are stored locally (./.stopwatt or STOPWATT_STORE) or, with --region, in the SSM
parameter /stopwatt/<account>/rules that the deployed function reads on every tick (no redeploy).

${RULE_FLAGS_HELP}

One session only (with --once):
${ONCE_ONLY_FLAGS_HELP}
${helpLine('--leave-alone', 'no rule ends the session')}
${helpLine('--no-once', 'remove the one-session override (with set, without --once)')}

Options:
  --account NAME   account (default: ${DEFAULT_ACCOUNT} locally; required with --region)
  --region R       use SSM Parameter Store in this AWS region
  --prefix P       SSM parameter prefix (default /stopwatt)
  --store DIR      local store directory`;

const OPTIONS = {
  ...RULE_FLAG_OPTIONS,
  account: { type: 'string' },
  region: { type: 'string' },
  prefix: { type: 'string' },
  store: { type: 'string' },
  ...flagOptions(ONCE_ONLY_RULE_FLAGS),
  once: { type: 'boolean' },
  'no-once': { type: 'boolean' },
  'leave-alone': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function rulesCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(`${RULES_HELP}\n`);
      return sub === undefined ? EXIT_BAD_INPUT : EXIT_OK;
    }
    if (sub !== 'get' && sub !== 'set' && sub !== 'reset') {
      throw new UsageError(`unknown rules command "${sub}" (expected get, set or reset)`);
    }
    const { values } = parseCommandArgs(rest, OPTIONS);
    if (values.help) {
      io.stdout.write(`${RULES_HELP}\n`);
      return EXIT_OK;
    }
    const store = rulesStoreFor(io, values);
    if (sub === 'get') {
      const rules = (await store.get()) ?? parseRules({});
      io.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
      return EXIT_OK;
    }
    let rules: Rules;
    if (sub === 'reset') {
      // Not read first: reset is the way out of stored rules that no longer validate.
      rules = parseRules({});
    } else {
      rules = await updated(values, await storedForUpdate(store));
      // With --once the flags are the override itself; without, a standing rule it beats is named.
      const shadowed = values.once ? [] : onceShadowWarnings(values, rules);
      for (const warning of shadowed) io.stderr.write(`stopwatt: warning: ${warning}\n`);
    }
    await store.put(rules);
    io.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
    io.stderr.write(`stopwatt: rules saved (${store instanceof FileRulesStore ? store.path : 'SSM'})\n`);
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io);
  }
}

/** The stored rules to change; invalid ones cannot be merged into, so name the way out. */
async function storedForUpdate(store: RulesStore): Promise<Rules | null> {
  try {
    return await store.get();
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(`${error.message} (run 'stopwatt rules reset' first, then set them again)`);
    throw error;
  }
}

function rulesStoreFor(
  io: CliIo,
  values: {
    account?: string | undefined;
    region?: string | undefined;
    prefix?: string | undefined;
    store?: string | undefined;
  },
): RulesStore {
  if (values.region !== undefined) {
    if (!values.account) throw new UsageError('--account is required with --region');
    return parameterStores({
      region: awsRegion(io, values.region),
      account: values.account,
      prefix: values.prefix,
    }).rules;
  }
  return new FileRulesStore({ dir: storeDir(io, values.store), account: values.account ?? DEFAULT_ACCOUNT });
}

type SetValues = RuleFlagValues & {
  once?: boolean | undefined;
  'no-once'?: boolean | undefined;
  'leave-alone'?: boolean | undefined;
} & Record<string, string | boolean | undefined>;

/** The rules `rules set` stores. */
async function updated(values: SetValues, stored: Rules | null): Promise<Rules> {
  if (values.once) return onceFromFlags(values, stored);
  const onceOnly = [...ONCE_ONLY_RULE_FLAGS.map((f) => f.name), 'leave-alone'].find(
    (name) => values[name] !== undefined,
  );
  if (onceOnly) throw new UsageError(`--${onceOnly} applies to one session only: add --once`);
  const rules = await rulesFromFlags(values, stored);
  if (!values['no-once']) return rules;
  const { once: _removed, ...rest } = rules;
  return rest;
}

const ONCE_FLAGS = [...STANDING_RULE_FLAGS, ...ONCE_ONLY_RULE_FLAGS].map((f) => f.name).concat('leave-alone');

/** `rules set --once`: the rule flags become a one-session override on top of the stored rules. */
async function onceFromFlags(values: SetValues, stored: Rules | null): Promise<Rules> {
  const extra = Object.keys(values).filter(
    (k) => values[k] !== undefined && !ONCE_FLAGS.includes(k) && (k in RULE_FLAG_OPTIONS || k === 'no-once'),
  );
  if (extra.length > 0)
    throw new UsageError(
      `--once applies only to ${ONCE_FLAGS.map((a) => `--${a}`).join(', ')} (not --${extra[0]})`,
    );
  const once: Record<string, unknown> = settingsFromFlags(
    [...STANDING_RULE_FLAGS, ...ONCE_ONLY_RULE_FLAGS],
    values,
  );
  if (values['leave-alone']) {
    if (Object.keys(once).length > 0)
      throw new UsageError('--leave-alone cannot be combined with a rule flag');
    once.leaveAlone = true;
  }
  if (Object.keys(once).length === 0)
    throw new UsageError(
      '--once needs at least one rule flag, e.g. --energy-kwh 20, --stop-now or --leave-alone',
    );
  return parseRules({ ...(stored ?? {}), once });
}
