import { CHARGE_POINTS_FIXTURE, chargePointJson } from './fixture.ts';
import { jsonResponse, messageResponse, methodNotAllowed, type SimResponse } from './http-util.ts';
import type { OAuthServer } from './oauth.ts';
import type { SimSession } from './session-model.ts';

const API = '/api/v1/app';
const CHARGE_POINTS_PATH = `${API}/personal/charge-points`;
const ACTIVE_PATH = `${API}/session/active`;
export const OAUTH_PATH = `${API}/oauth/token`;
const SESSION_PATH = /^\/api\/v1\/app\/session\/([^/]+)$/;
export const END_PATH = /^\/api\/v1\/app\/session\/([^/]+)\/end$/;

/** The simulator state the AMPECO routes read and change. */
export interface ApiState {
  readonly sessions: ReadonlyMap<string, SimSession>;
  readonly oauth: OAuthServer;
  readonly activeEndpoint: boolean;
  /** False: the account has no home charger, so charge-points lists none (`data: []`). */
  readonly homeChargers: boolean;
  /** Accepted bearer token; null = any non-empty bearer. A password-grant login replaces it. */
  token: string | null;
}

function authorized(state: ApiState, headers: Record<string, string>): boolean {
  const match = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? '');
  const presented = match?.[1]?.trim();
  if (presented === undefined || presented === '') return false;
  return state.token === null || presented === state.token;
}

function chargePoints(state: ApiState, now: number): Record<string, unknown> {
  const personal = [...state.sessions.values()].filter((session) => session.where === 'personal');
  const idle = state.homeChargers ? [chargePointJson(1, null, now)] : [];
  const data = personal.length === 0 ? idle : personal.map((session) => session.chargePointJson(now));
  return { ...CHARGE_POINTS_FIXTURE, data };
}

function activeSession(state: ApiState, now: number): SimResponse {
  if (!state.activeEndpoint) return messageResponse(404, 'Not found.');
  const open = [...state.sessions.values()].find((session) => session.status(now) !== 'finished');
  if (open === undefined) return messageResponse(404, 'No active session.');
  return jsonResponse(200, { session: open.toJson(now), carBatteryPercent: '' });
}

/** Answers one AMPECO driver-app API request (no faults), at sim time `now`. */
export function routeApi(
  state: ApiState,
  request: { method: string; path: string; headers: Record<string, string>; body: string },
  now: number,
): SimResponse {
  const { method, path } = request;
  if (path === OAUTH_PATH) {
    if (method !== 'POST') return methodNotAllowed(method, path, 'POST');
    return state.oauth.handle(request.body, now, (token) => {
      state.token = token;
    });
  }
  const endMatch = END_PATH.exec(path);
  const sessionMatch = SESSION_PATH.exec(path);
  const known =
    path === CHARGE_POINTS_PATH || path === ACTIVE_PATH || endMatch !== null || sessionMatch !== null;
  if (!known) return messageResponse(404, 'Not found.');
  const expected = endMatch !== null ? 'POST' : 'GET';
  if (method !== expected && !(expected === 'GET' && method === 'HEAD')) {
    return methodNotAllowed(method, path, expected === 'GET' ? 'GET, HEAD' : 'POST');
  }
  if (!authorized(state, request.headers)) return messageResponse(401, 'Unauthenticated.');

  if (path === CHARGE_POINTS_PATH) return jsonResponse(200, chargePoints(state, now));
  if (path === ACTIVE_PATH) return activeSession(state, now);
  if (endMatch?.[1] !== undefined) {
    const session = state.sessions.get(endMatch[1]);
    if (session === undefined || !session.requestEnd(now)) return messageResponse(404, 'Session not found.');
    return jsonResponse(200, { session: session.toJson(now) });
  }
  const session = sessionMatch?.[1] === undefined ? undefined : state.sessions.get(sessionMatch[1]);
  if (session === undefined) return messageResponse(404, 'Session not found.');
  return jsonResponse(200, { session: session.toJson(now) });
}
