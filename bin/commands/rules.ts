import { FileRulesStore } from '../../lambdas/adapters/local/file-rules-store.ts';
import { parseRules } from '../../lambdas/config.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import { ConfigError } from '../../lambdas/errors.ts';
import type { RulesStore } from '../../lambdas/ports.ts';
import { awsRegion, parameterStores } from '../cli/aws-deps.ts';
import { type CliIo, EXIT_BAD_INPUT, EXIT_OK, reportError, UsageError } from '../cli/io.ts';
import { DEFAULT_ACCOUNT, storeDir } from '../cli/local-deps.ts';
import {
  RULE_FLAG_OPTIONS,
  RULE_FLAGS_HELP,
  type RuleFlagValues,
  rulesFromFlags,
} from '../cli/rule-flags.ts';
import { parseCommandArgs } from './check.ts';

export const RULES_HELP = `Usage: stopwatt rules get|set|reset [options]

  get      print the stored rules as JSON
  set      change the stored rules: the flags given replace those rules, the rest stay
           --once: apply the energy/price/cost/deadline flags to the current (or next)
           session only; cleared automatically when that session ends
  reset    remove every rule (nothing will be ended)

Rules are stored locally (./.stopwatt or STOPWATT_STORE) or, with --region, in the SSM
parameter /stopwatt/<account>/rules that the deployed function reads on every tick (no redeploy).

${RULE_FLAGS_HELP}

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
  once: { type: 'boolean' },
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
      const stored = await storedForUpdate(store);
      rules = values.once ? await onceFromFlags(values, stored) : await rulesFromFlags(values, stored);
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

/** `rules set --once`: the rule flags become a one-session override on top of the stored rules. */
async function onceFromFlags(values: RuleFlagValues, stored: Rules | null): Promise<Rules> {
  const allowed = ['energy-kwh', 'max-price', 'min-energy-kwh', 'max-cost', 'stop-by'] as const;
  const extra = Object.keys(values).filter(
    (k) => !(allowed as readonly string[]).includes(k) && values[k as keyof RuleFlagValues] !== undefined,
  );
  const ruleFlags = extra.filter((k) => k in RULE_FLAG_OPTIONS);
  if (ruleFlags.length > 0)
    throw new UsageError(
      `--once applies only to ${allowed.map((a) => `--${a}`).join(', ')} (not --${ruleFlags[0]})`,
    );
  const picked: RuleFlagValues = Object.fromEntries(
    allowed.flatMap((key) => (values[key] === undefined ? [] : [[key, values[key]]])),
  );
  if (Object.keys(picked).length === 0)
    throw new UsageError('--once needs at least one rule flag, e.g. --energy-kwh 20');
  const parsed = await rulesFromFlags(picked, null);
  const once = {
    energyKwh: parsed.energyKwh,
    maxPricePerKwh: parsed.maxPricePerKwh,
    minEnergyKwh: parsed.minEnergyKwh,
    maxCost: parsed.maxCost,
    stopBy: parsed.stopBy,
  };
  return parseRules({
    ...(stored ?? {}),
    once: Object.fromEntries(Object.entries(once).filter(([, v]) => v !== undefined)),
  });
}
