import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChargePointsSchema,
  SessionEnvelopeSchema,
  toSession,
} from '../../lambdas/adapters/ampeco/schemas.ts';
import type { Session } from '../../lambdas/core/session.ts';
import { DEFAULT_SESSION_PRICE_FORMULA } from '../../lambdas/core/session-price.ts';
import { toSnapshot } from '../../lambdas/core/snapshot.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'ampeco');
const OBSERVED = new Date('2025-03-30T14:36:22Z');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** The open session of the captured personal charge-points response. */
function chargePointSession(): Session {
  const parsed = ChargePointsSchema.parse(fixture('personal-charge-points-response.json'));
  const session = parsed.data[0]?.evses[0]?.session;
  if (!session) throw new Error('fixture has no session');
  return toSession(session);
}

function envelopeSession(name: string): Session {
  return toSession(SessionEnvelopeSchema.parse(fixture(name)).session);
}

describe('toSnapshot', () => {
  it('converts the captured charge-points session with the default price formula', () => {
    // Prepare
    const session = chargePointSession();

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(s).toMatchObject({
      sessionId: '100001',
      status: 'active',
      chargingState: 'suspendedEV',
      observedAt: OBSERVED,
      startedAt: new Date('2025-03-30T14:33:51Z'),
      energyKwh: 0,
      powerKw: 0,
      cost: 0,
      currency: 'DKK',
    });
    // charging@price|0.0544&markup|1: 0.0544 * 1.25 + 1.
    expect(s.sessionPricePerKwh).toBeCloseTo(1.068, 10);
  });

  it('converts Wh to kWh and W to kW (captured end response: 489 Wh at 3481 W)', () => {
    // Prepare
    const session = envelopeSession('session-end-response.json');

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(s.energyKwh).toBeCloseTo(0.489, 12);
    expect(s.powerKw).toBeCloseTo(3.481, 12);
    expect(s.status).toBe('stopping');
    expect(s.cost).toBe(2.5);
    expect(s.sessionPricePerKwh).toBeCloseTo(0.41486 * 1.25 + 1, 10);
  });

  it('reads a finished session: 10873 Wh and the idle period price', () => {
    // Prepare
    const session = envelopeSession('session-detail-finished-response.json');

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(s.energyKwh).toBeCloseTo(10.873, 12);
    expect(s.status).toBe('finished');
    expect(s.cost).toBe(19.6);
    expect(s.sessionPricePerKwh).toBeCloseTo(0.90338 * 1.25 + 1.18, 10);
  });

  it('has no price right after start, when lastPeriod is missing', () => {
    // Prepare
    const session = envelopeSession('session-start-response.json');

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(session.lastPeriod).toBeNull();
    expect(s.status).toBe('starting');
    expect(s.sessionPricePerKwh).toBeNull();
  });

  it('has no price when lastPeriod.state cannot be read', () => {
    // Prepare
    const base = chargePointSession();
    const session: Session = {
      ...base,
      lastPeriod: { state: 'charging@tariff|x', amount: 0, startedAt: null },
    };

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(s.sessionPricePerKwh).toBeNull();
  });

  it('keeps unknown power as null rather than 0', () => {
    // Prepare
    const session: Session = { ...chargePointSession(), powerW: null };

    // Act
    const s = toSnapshot(session, OBSERVED, DEFAULT_SESSION_PRICE_FORMULA);

    // Assess
    expect(s.powerKw).toBeNull();
  });

  it('applies a configured price formula', () => {
    // Prepare
    const formula = { spotFactor: 1, markupFactor: 0, fixedPerKwh: 0.5 };

    // Act
    const s = toSnapshot(chargePointSession(), OBSERVED, formula);

    // Assess
    expect(s.sessionPricePerKwh).toBeCloseTo(0.0544 + 0.5, 10);
  });
});
