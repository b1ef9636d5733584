import type { SignInAttempts } from '../ports.ts';

/** Failures within this window count. */
export const ATTEMPT_WINDOW_MS = 15 * 60_000;
/** From this many failures on, each further attempt waits longer before it is answered. */
export const SLOW_AFTER_FAILURES = 3;
/** From this many failures on, attempts are refused until the window has passed. */
export const REFUSE_AFTER_FAILURES = 10;
const MAX_DELAY_MS = 4_000;

export type ThrottleVerdict =
  | { readonly kind: 'allow'; readonly delayMs: number }
  | { readonly kind: 'refuse'; readonly retryAfterS: number };

/** Pure policy: no delay at first, then 0.5 s, 1 s, 2 s, ... capped, then refusal. */
export function throttleVerdict(failures: number): ThrottleVerdict {
  if (failures >= REFUSE_AFTER_FAILURES) return { kind: 'refuse', retryAfterS: ATTEMPT_WINDOW_MS / 1000 };
  if (failures < SLOW_AFTER_FAILURES) return { kind: 'allow', delayMs: 0 };
  return { kind: 'allow', delayMs: Math.min(MAX_DELAY_MS, 500 * 2 ** (failures - SLOW_AFTER_FAILURES)) };
}

/**
 * The verdict for `client`, counting its own failures and, with a higher bar, everyone's (a
 * guesser spreading over many addresses is still slowed).
 */
export async function throttleFor(attempts: SignInAttempts, client: string, now: Date) {
  const since = new Date(now.getTime() - ATTEMPT_WINDOW_MS);
  const [own, all] = await Promise.all([
    attempts.failures(client, since),
    attempts.failures(GLOBAL_CLIENT, since),
  ]);
  const own_ = throttleVerdict(own);
  const all_ = throttleVerdict(Math.floor(all / 5));
  if (own_.kind === 'refuse') return own_;
  if (all_.kind === 'refuse') return all_;
  return { kind: 'allow', delayMs: Math.max(own_.delayMs, all_.delayMs) } as const;
}

export async function recordFailure(attempts: SignInAttempts, client: string, at: Date): Promise<void> {
  await attempts.recordFailure(client, at);
  await attempts.recordFailure(GLOBAL_CLIENT, at);
}

/** The pseudo-client that counts every failure. */
export const GLOBAL_CLIENT = '*';
