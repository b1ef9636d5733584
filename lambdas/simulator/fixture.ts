// Imported, not read from disk: the built CLI (dist/) carries the fixture inside its bundle.
import chargePoints from './fixtures/personal-charge-points.json' with { type: 'json' };
import { asArray, asRecord } from './http-util.ts';
import type { SimSession } from './session-model.ts';

/** The real `GET /personal/charge-points` body, parsed once. */
export const CHARGE_POINTS_FIXTURE: Readonly<Record<string, unknown>> = asRecord(
  chargePoints as unknown,
  'charge-points fixture',
);

/** `data[0]` of the fixture: the template of every simulated charge point. */
export const CHARGE_POINT_TEMPLATE: Readonly<Record<string, unknown>> = asRecord(
  asArray(CHARGE_POINTS_FIXTURE.data, 'fixture data')[0],
  'fixture data[0]',
);

function firstEvse(chargePoint: Record<string, unknown>): Record<string, unknown> {
  return asRecord(asArray(chargePoint.evses, 'charge point evses')[0], 'evses[0]');
}

/** `data[0].evses[0].session` of the fixture: the template of every simulated session. */
export const SESSION_TEMPLATE: Readonly<Record<string, unknown>> = asRecord(
  firstEvse(CHARGE_POINT_TEMPLATE).session,
  'fixture session',
);

/** A charge point cloned from the fixture, with ids derived from index and the given open session (or none). */
export function chargePointJson(
  index: number,
  session: SimSession | null,
  atMs: number,
): Record<string, unknown> {
  const chargePoint = structuredClone(CHARGE_POINT_TEMPLATE) as Record<string, unknown>;
  chargePoint.id = `CP${String(index).padStart(7, '0')}`;
  const evse = firstEvse(chargePoint);
  evse.id = String(90000 + index);
  evse.identifier = String(2000 + index);
  const json = session?.toJson(atMs) ?? null;
  evse.session = json;
  evse.status = json === null ? 'available' : json.evseStatus;
  return chargePoint;
}
