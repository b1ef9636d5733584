import { SESSION_TEMPLATE } from './fixture.ts';
import { isoSeconds } from './http-util.ts';
import { lastPeriodJson, round } from './pricing.ts';

/** Everything a session object shows: status fields now, meter fields at the last sample. */
export interface SessionReading {
  id: string;
  index: number;
  where: 'personal' | 'public';
  status: string;
  stopReason: 'remote' | 'local' | null;
  chargingState: string;
  evseStatus: string;
  startedAtMs: number;
  /** Last meter sample; once finished, the final one (stoppedAt). */
  sampleMs: number;
  /** True energy at the sample, Wh. */
  energyWh: number;
  powerW: number;
  /** Exact cost at the sample. */
  cost: number;
  minPrice: number;
  /** null = no lastPeriod (as right after start). */
  lastPeriod: { spotPrice: number; markup: number } | null;
}

/** The AMPECO session object, built from the captured fixture session. */
export function sessionJson(reading: SessionReading): Record<string, unknown> {
  const session = structuredClone(SESSION_TEMPLATE) as Record<string, unknown>;
  const finished = reading.status === 'finished';
  const duration = Math.max(0, Math.floor((reading.sampleMs - reading.startedAtMs) / 1000));
  const amount = reading.cost > 0 ? Math.max(reading.minPrice, round(reading.cost, 2)) : 0;
  Object.assign(session, {
    id: reading.id,
    startedAt: isoSeconds(reading.startedAtMs),
    duration,
    totalDuration: duration,
    energy: Math.floor(reading.energyWh),
    power: reading.powerW,
    evseId: String(2000 + reading.index),
    evseStatus: reading.evseStatus,
    amount,
    totalAmount: amount,
    amountDue: amount,
    status: reading.status,
    stopReason: reading.stopReason,
    chargingState: reading.chargingState,
    stoppedAt: finished ? isoSeconds(reading.startedAtMs + duration * 1000) : null,
    isPersonal: reading.where === 'personal',
    powerAvg: duration > 0 ? reading.energyWh / (duration / 3600) : 0,
  });
  if (reading.lastPeriod === null) {
    delete session.lastPeriod;
  } else {
    session.lastPeriod = lastPeriodJson({
      startedAtMs: reading.startedAtMs,
      charging: reading.powerW > 0,
      ...reading.lastPeriod,
      cost: reading.cost,
    });
  }
  return session;
}
