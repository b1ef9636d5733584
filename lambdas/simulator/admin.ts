import { jsonResponse, messageResponse, methodNotAllowed, type SimResponse } from './http-util.ts';
import { parseMeterCadence } from './meter.ts';
import type { SimSessionOptions, SimSessionState } from './session-model.ts';

/** What the control endpoints under `/__sim/` may see and do. */
export interface AdminTarget {
  states(): SimSessionState[];
  requestCount(): number;
  hasSession(id: string): boolean;
  addSession(options: SimSessionOptions): SimSessionState;
  /** The simulated time now (epoch ms) and how fast it runs. */
  clock(): { nowMs: number; speed: number };
}

const ENUMS: Readonly<Record<string, readonly string[]>> = {
  where: ['personal', 'public'],
  status: ['starting', 'active', 'stopping', 'finished'],
  chargingState: ['eVConnected', 'charging', 'suspendedEV', 'suspendedEVSE'],
};

const NUMBERS = new Set([
  'powerKw',
  'energyWh',
  'capacityKwh',
  'spotPrice',
  'markup',
  'minPrice',
  'powerNoisePct',
  'stopDelayMs',
]);

/** Parses an admin `POST /__sim/sessions` body (numbers, strings and booleans only). */
export function parseSessionOptions(body: string): SimSessionOptions | string {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return 'Body is not valid JSON.';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'Body must be a JSON object.';
  const options: SimSessionOptions = {};
  for (const [key, value] of Object.entries(parsed)) {
    const allowed = ENUMS[key];
    if (key === 'id' && typeof value === 'string' && value !== '') {
      options.id = value;
    } else if (allowed !== undefined && typeof value === 'string' && allowed.includes(value)) {
      Object.assign(options, { [key]: value });
    } else if (NUMBERS.has(key) && typeof value === 'number' && Number.isFinite(value)) {
      Object.assign(options, { [key]: value });
    } else if (key === 'startedAt' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
      options.startedAt = new Date(value);
    } else if (key === 'meter' && typeof value === 'string' && parseMeterCadence(value) !== null) {
      options.meter = parseMeterCadence(value) ?? undefined;
    } else if (key === 'withLastPeriod' && typeof value === 'boolean') {
      options.withLastPeriod = value;
    } else {
      return `Invalid value for ${key}.`;
    }
  }
  return options;
}

/** `GET /__sim/state`, `GET /__sim/clock` and `POST /__sim/sessions`. */
export function adminResponse(target: AdminTarget, method: string, path: string, body: string): SimResponse {
  if (path === '/__sim/clock') {
    // Lets `watch --simulator-clock` run on simulated time (the real API has no such endpoint).
    if (method !== 'GET') return methodNotAllowed(method, path, 'GET');
    const { nowMs, speed } = target.clock();
    return jsonResponse(200, { now: new Date(nowMs).toISOString(), speed });
  }
  if (path === '/__sim/state') {
    if (method !== 'GET') return methodNotAllowed(method, path, 'GET');
    return jsonResponse(200, { sessions: target.states(), requests: target.requestCount() });
  }
  if (path === '/__sim/sessions') {
    if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
    const options = parseSessionOptions(body);
    if (typeof options === 'string') return messageResponse(422, options);
    if (options.id !== undefined && target.hasSession(options.id)) {
      return messageResponse(422, `Session ${options.id} already exists.`);
    }
    return jsonResponse(201, target.addSession(options));
  }
  return messageResponse(404, 'Not found.');
}
