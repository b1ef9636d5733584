import { FileSessionLog } from '../../lambdas/adapters/local/file-session-log.ts';
import type { SessionLog } from '../../lambdas/ports.ts';
import type { CliIo } from './io.ts';
import { DEFAULT_ACCOUNT, storeDir } from './local-deps.ts';

export const HISTORY_OPTIONS = {
  account: { type: 'string' },
  store: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  csv: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The session log to read history from: DynamoDB with --table, else the local store. */
export async function historyLog(
  io: CliIo,
  values: {
    account?: string | undefined;
    store?: string | undefined;
    table?: string | undefined;
    region?: string | undefined;
  },
): Promise<SessionLog> {
  const account = values.account ?? DEFAULT_ACCOUNT;
  if (values.table !== undefined) {
    const { awsRegion, dynamoSessionLog } = await import('./aws-deps.ts');
    return dynamoSessionLog({ region: awsRegion(io, values.region), table: values.table, account });
  }
  // A damaged record is skipped and named, so one torn line never hides the rest of the history.
  const onBadRecord = (message: string) => io.stderr.write(`stopwatt: warning: ${message}\n`);
  return new FileSessionLog({ dir: storeDir(io, values.store), account, onBadRecord });
}

/** RFC 4180 field quoting. */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return fields
    .map((f) => {
      const text = f === null ? '' : String(f);
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}
