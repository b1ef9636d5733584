import type { Decision } from '../core/decide.ts';
import { formatLocalTime } from '../core/local-time.ts';
import type { StopReason } from '../core/rules.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { StopResult } from '../ports.ts';

export type CheckAction = 'end' | 'continue' | 'none' | 'dry-run' | 'already-stopping';

export interface CheckOutcome {
  readonly action: CheckAction;
  readonly reason: StopReason | null;
  readonly sessionId: string | null;
  readonly energyKwh: number | null;
  readonly powerKw: number | null;
  readonly pricePerKwh: number | null;
  /** One human-readable line: what was decided and why, with numbers. */
  readonly detail: string;
  readonly decision: Decision;
  readonly snapshot: Snapshot | null;
  readonly stop: StopResult | null;
  /** Time spent waiting in-tick for a predicted stop, ms. */
  readonly waitedMs: number;
  /**
   * One outcome per open session, each judged on its own (the fields above are the primary one,
   * see `primaryOutcome`). Absent or empty when the account had no session.
   */
  readonly sessions?: readonly CheckOutcome[] | undefined;
}

/**
 * The public fields of an outcome, in this order: the CLI's `--json` object (exactly these keys)
 * and the check function's result.
 */
export function outcomeFields(outcome: CheckOutcome) {
  return {
    action: outcome.action,
    reason: outcome.reason,
    sessionId: outcome.sessionId,
    energyKwh: outcome.energyKwh,
    powerKw: outcome.powerKw,
    pricePerKwh: outcome.pricePerKwh,
  };
}

/**
 * The outcome that speaks for the tick (the `--json` object): the session acted on (ended, or a
 * dry run), else the first active one, else the first.
 */
export function primaryOutcome(outcomes: readonly CheckOutcome[]): CheckOutcome | undefined {
  return (
    outcomes.find((o) => o.action === 'end' || o.action === 'dry-run') ??
    outcomes.find((o) => o.snapshot?.status === 'active') ??
    outcomes[0]
  );
}

export interface OutcomeParts {
  readonly decision: Decision;
  readonly snapshot: Snapshot | null;
  readonly detail: string;
  readonly pricePerKwh?: number | null | undefined;
  readonly waitedMs?: number | undefined;
  /** What was done when it differs from what was decided (a dry run, a stop already in flight). */
  readonly action?: CheckAction | undefined;
  readonly stop?: StopResult | null | undefined;
}

/** The one way an outcome is built: the reason is the decision's whenever it decided to end. */
export function buildOutcome(parts: OutcomeParts): CheckOutcome {
  const { decision, snapshot } = parts;
  return {
    action: parts.action ?? decision.action,
    reason: decision.action === 'end' ? decision.reason : null,
    sessionId: snapshot?.sessionId ?? null,
    energyKwh: snapshot?.energyKwh ?? null,
    powerKw: snapshot?.powerKw ?? null,
    pricePerKwh: parts.pricePerKwh ?? null,
    detail: parts.detail,
    decision,
    snapshot,
    stop: parts.stop ?? null,
    waitedMs: parts.waitedMs ?? 0,
  };
}

/** `timeZone` (the rules' zone) labels the wake time: `next: deadline at 07:00:00 Europe/Copenhagen`. */
export function describeContinue(decision: Decision, timeZone: string): string {
  if (decision.action === 'none') return 'no active session';
  if (decision.action !== 'continue') return decision.action;
  const at = decision.wake ? formatLocalTime(decision.wake.at, timeZone, { seconds: true }) : '';
  const wake = decision.wake ? `; next: ${decision.wake.reason} at ${at}` : '';
  return `continue: ${decision.notes.join('; ') || 'no rule set'}${wake}`;
}
