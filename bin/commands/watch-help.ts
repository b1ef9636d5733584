import { RULE_FLAGS_HELP } from '../cli/rule-flags.ts';
import { simulatorClockHelp } from '../cli/simulator-clock.ts';

export const WATCH_HELP = `Usage: stopwatt watch [options]

Runs check every --interval seconds with a live progress line (energy vs target, power, price)
until the session ends, then prints a summary. Ctrl-C stops watching (the session keeps charging).
Between polls, a stop predicted before the next poll is waited for and sent on time. While no
session is open it reads only every --idle-interval minutes (default: the rules', else 5), with
one request a read; the first read looks everywhere.

${RULE_FLAGS_HELP}

Options:
  --interval SECONDS    time between checks (default 60)
  --api-url URL         tenant root (default: STOPWATT_API_URL)
  --account NAME        account name in the store (default: local)
  --store DIR           local store directory (default: STOPWATT_STORE or ./.stopwatt)
  --table NAME          use the deployed table and SSM parameters, as check --table does
  --region R            AWS region for --table (default: AWS_REGION)
  --horizon SECONDS     wait in-process up to this long for a predicted stop (default: --interval)
${simulatorClockHelp('times, --interval and --horizon')}
  -h, --help            show this help`;
