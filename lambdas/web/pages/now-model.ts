import { parseRules } from '../../config.ts';
import { type Decision, decide } from '../../core/decide.ts';
import { applyOnce } from '../../core/once.ts';
import type { PriceReading, PriceSlot } from '../../core/prices.ts';
import type { Rules } from '../../core/rules.ts';
import type { Snapshot } from '../../core/snapshot.ts';
import { errorMessage } from '../../errors.ts';
import type { SessionSummary } from '../../ports.ts';
import type { TickStatus, WebDeps } from '../ports.ts';

/** Sessions seen within this long may still be open. */
const OPEN_LOOKBACK_MS = 3 * 86_400_000;
const TOKEN_WARNING_MS = 14 * 86_400_000;

export interface NowModel {
  readonly now: Date;
  readonly rules: Rules | null;
  /** The rules that apply to the open session (with its one-session override). */
  readonly effective: Rules | null;
  readonly session: SessionSummary | null;
  readonly snapshot: Snapshot | null;
  readonly price: PriceReading | null;
  readonly decision: Decision | null;
  readonly tick: TickStatus | null;
  readonly warnings: readonly string[];
}

/** The newest session the log does not show as finished. */
export async function openSession(deps: WebDeps, now: Date): Promise<SessionSummary | null> {
  const sessions = await deps.log.listSessions({ since: new Date(now.getTime() - OPEN_LOOKBACK_MS) });
  const open = sessions.filter((s) => s.status !== 'finished');
  open.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  return open[0] ?? null;
}

/** What the Now page shows: the same decision the check would make on the last reading. */
export async function nowModel(deps: WebDeps): Promise<NowModel> {
  const now = deps.now();
  const warnings: string[] = [];
  const rules = await currentRules(deps, warnings);
  const [session, tick] = await Promise.all([openSession(deps, now), deps.ticks.get()]);
  const snapshot = session ? await deps.log.lastObservation(session.sessionId) : null;
  const effective = rules ? applyOnce(rules, session?.sessionId ?? null).effective : null;
  const { price, forecast } = await priceNow(deps, effective, snapshot, now, warnings);
  const decision =
    effective && snapshot ? decide({ snapshot, rules: effective, now, price, forecast }) : null;
  warnings.push(...tickWarnings(tick, now));
  return { now, rules, effective, session, snapshot, price, decision, tick, warnings };
}

/** The rules the check applies (defaults when none are stored); null when they are invalid. */
export async function currentRules(deps: WebDeps, warnings: string[]): Promise<Rules | null> {
  try {
    const stored = await deps.rules.get({ fresh: true });
    return deps.appliedRules ? await deps.appliedRules(stored) : (stored ?? parseRules({}));
  } catch (error) {
    warnings.push(`The rules are invalid: ${errorMessage(error)}`);
    return null;
  }
}

async function priceNow(
  deps: WebDeps,
  rules: Rules | null,
  snapshot: Snapshot | null,
  now: Date,
  warnings: string[],
): Promise<{ price: PriceReading | null; forecast: PriceSlot[] | undefined }> {
  if (!rules || rules.priceSource === 'session') {
    const perKwh = snapshot?.sessionPricePerKwh ?? null;
    return { price: perKwh === null ? null : { perKwh, source: 'session' }, forecast: undefined };
  }
  const source = deps.pricesFor(rules);
  if (!source) return { price: null, forecast: undefined };
  try {
    const [price, forecast] = await Promise.all([source.current(now), source.forecast(now)]);
    if (!price) warnings.push('No spot price for now: the price rule cannot end the session.');
    return { price, forecast };
  } catch (error) {
    warnings.push(`Price feed down (${errorMessage(error)}): the price rule cannot end the session.`);
    return { price: null, forecast: undefined };
  }
}

function tickWarnings(tick: TickStatus | null, now: Date): string[] {
  if (!tick) return ['No tick has run yet: is the check running?'];
  const out: string[] = [];
  if (tick.error) out.push(`The last tick failed: ${tick.error}`);
  out.push(...tick.warnings);
  if (now.getTime() - tick.at.getTime() > 10 * 60_000) out.push('The last tick is over 10 minutes old.');
  const expires = tick.tokenExpiresAt;
  if (expires && expires.getTime() - now.getTime() < TOKEN_WARNING_MS) {
    const days = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
    out.push(
      days < 0 ? 'The access token has expired.' : `The access token expires in ${days} day(s): renew it.`,
    );
  }
  return out;
}
