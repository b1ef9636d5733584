/**
 * KMS Decrypts and SSM GetParameter calls of one account in a month, counted by driving the
 * stores' own ParameterCache, with the policy the composition root gives it, over a virtual month:
 * every schedule tick reads its stores as `accessTokens` and the rules read do, and each cold
 * start (as many as the cost model assumes) begins with empty caches.
 */
import {
  ParameterCache,
  type ParameterCachePolicy,
  type ParameterSource,
} from '../lambdas/adapters/ssm/parameter-cache.ts';
import { parameterCachePolicy, type SsmStoreOptions } from '../lambdas/adapters/ssm/parameters.ts';
import { PARAMETER_CACHE } from '../lambdas/composition/aws-stores.ts';

export interface MonthProfile {
  readonly ticksPerMonth: number;
  readonly tickMs: number;
  readonly coldStartsPerDay: number;
  /** Each session's first tick also lands on a new instance, as in the cost model. */
  readonly sessionsPerMonth: number;
  /** `stopwatt token set` runs (a new token version) in the month. */
  readonly tokenSetsPerMonth: number;
}

export interface ParameterReadsRow {
  readonly label: string;
  /** SecureString values read with decryption: one KMS Decrypt each. */
  readonly decrypts: number;
  /** Reads of the token's version only, without decryption. */
  readonly tokenVersionChecks: number;
  /** Every GetParameter call (token, credentials, rules), found or not. */
  readonly getParameterCalls: number;
}

export interface ParameterReadsReport {
  readonly ticks: number;
  readonly coldStarts: number;
  readonly tokenSets: number;
  readonly before: ParameterReadsRow;
  readonly tokenMode: ParameterReadsRow;
  readonly loginMode: ParameterReadsRow;
}

/** One parameter in memory, counting the calls AWS would see. */
class CountedParameter {
  version: number | null;
  decrypts = 0;
  plainReads = 0;
  calls = 0;

  constructor(
    private readonly secure: boolean,
    exists: boolean,
  ) {
    this.version = exists ? 1 : null;
  }

  readonly source: ParameterSource = {
    read: async () => {
      this.calls += 1;
      if (this.version !== null && this.secure) this.decrypts += 1;
      else if (this.version !== null) this.plainReads += 1;
      return { value: this.version === null ? null : `value-${this.version}`, version: this.version };
    },
    version: async () => {
      this.calls += 1;
      if (this.version !== null) this.plainReads += 1;
      return this.version;
    },
  };

  set(): void {
    this.version = (this.version ?? 0) + 1;
  }
}

type Mode = 'token' | 'login';

/** The reads of one tick: how the check reads its stores (credentials looked for or read, token, rules). */
interface TickReads {
  readonly lookForCredentials: boolean;
}

async function month(
  profile: MonthProfile,
  storeOptions: Pick<SsmStoreOptions, 'cacheTtlMs' | 'decryptedMaxAgeMs'>,
  mode: Mode,
  tick: TickReads,
  label: string,
): Promise<{ row: ParameterReadsRow; coldStarts: number; tokenSets: number }> {
  const token = new CountedParameter(true, true);
  const credentials = new CountedParameter(true, mode === 'login');
  const rules = new CountedParameter(false, true);
  const secure = parameterCachePolicy(storeOptions, 'SecureString');
  const plain = parameterCachePolicy(storeOptions, 'String');
  const coldStarts = coldStartTicks(profile);
  const tokenSets = new Set(
    Array.from(
      { length: profile.tokenSetsPerMonth },
      (_, i) => Math.floor(((i + 0.5) * profile.ticksPerMonth) / profile.tokenSetsPerMonth) + 13,
    ),
  );
  let now = 0;
  const clock = () => now;
  let caches: ReturnType<typeof instance> | null = null;
  const instance = (policies: { secure: ParameterCachePolicy; plain: ParameterCachePolicy }) => ({
    token: new ParameterCache(token.source, policies.secure, clock),
    credentials: new ParameterCache(credentials.source, policies.secure, clock),
    rules: new ParameterCache(rules.source, policies.plain, clock),
  });
  for (let i = 0; i < profile.ticksPerMonth; i += 1) {
    now = i * profile.tickMs;
    if (tokenSets.has(i)) token.set();
    if (!caches || coldStarts.has(i)) caches = instance({ secure, plain });
    if (tick.lookForCredentials) await caches.credentials.present();
    else await caches.credentials.get();
    await caches.token.get();
    await caches.rules.get();
  }
  const parameters = [token, credentials, rules];
  return {
    row: {
      label,
      decrypts: token.decrypts + credentials.decrypts,
      tokenVersionChecks: token.plainReads,
      getParameterCalls: parameters.reduce((sum, p) => sum + p.calls, 0),
    },
    coldStarts: coldStarts.size,
    tokenSets: tokenSets.size,
  };
}

/** Tick indices that start a new instance: evenly through each day, and at each session's start. */
function coldStartTicks(profile: MonthProfile): Set<number> {
  const ticksPerDay = Math.round(86_400_000 / profile.tickMs);
  const every = Math.max(1, Math.round(ticksPerDay / profile.coldStartsPerDay));
  const ticks = new Set<number>();
  for (let i = 0; i < profile.ticksPerMonth; i += every) ticks.add(i);
  for (let s = 0; s < profile.sessionsPerMonth; s += 1) {
    // Off the even grid, so a session's cold start is one of its own.
    ticks.add(Math.floor(((s + 0.5) * profile.ticksPerMonth) / profile.sessionsPerMonth) + 37);
  }
  return ticks;
}

export async function measureParameterReads(profile: MonthProfile): Promise<ParameterReadsReport> {
  // Before: the stores' 60 s cache for every parameter; each refresh of a SecureString decrypted it.
  const before = await month(
    profile,
    { cacheTtlMs: 60_000 },
    'token',
    { lookForCredentials: false },
    'before: 60 s cache, token mode',
  );
  const tokenMode = await month(
    profile,
    PARAMETER_CACHE,
    'token',
    { lookForCredentials: true },
    'after: token mode',
  );
  const loginMode = await month(
    profile,
    PARAMETER_CACHE,
    'login',
    { lookForCredentials: true },
    'after: login mode',
  );
  return {
    ticks: profile.ticksPerMonth,
    coldStarts: tokenMode.coldStarts,
    tokenSets: tokenMode.tokenSets,
    before: before.row,
    tokenMode: tokenMode.row,
    loginMode: loginMode.row,
  };
}
