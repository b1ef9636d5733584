import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from '../ports.ts';

/** How long a device stays signed in after opening a link. */
export const DEVICE_COOKIE_MAX_AGE_S = 30 * 86_400;
/** How long a sign-in link can be used. */
export const SIGN_IN_LINK_TTL_MS = 10 * 60_000;
export const DEVICE_COOKIE = 'stopwatt_device';

export interface Device {
  readonly id: string;
  readonly generation: number;
  readonly expiresAt: Date;
}

function mac(key: SigningKey, purpose: string, parts: readonly (string | number)[]): string {
  return createHmac('sha256', key.secret)
    .update([purpose, ...parts].join('|'))
    .digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A new random sign-in nonce (256 bits, URL-safe). */
export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** What the link store keeps instead of the nonce. */
export function nonceHash(nonce: string): string {
  return createHash('sha256').update(nonce).digest('hex');
}

/** The cookie value for a newly signed-in device: `v1.<generation>.<exp>.<id>.<mac>`. */
export function deviceCookie(key: SigningKey, now: Date): { value: string; device: Device } {
  const id = randomBytes(12).toString('base64url');
  const exp = Math.floor(now.getTime() / 1000) + DEVICE_COOKIE_MAX_AGE_S;
  const value = ['v1', key.generation, exp, id, mac(key, 'device', [key.generation, exp, id])].join('.');
  return { value, device: { id, generation: key.generation, expiresAt: new Date(exp * 1000) } };
}

/** The device a cookie names, or null when it is malformed, forged, expired or of a revoked key. */
export function verifyDeviceCookie(key: SigningKey, value: string | undefined, now: Date): Device | null {
  if (!value) return null;
  const [version, generationText, expText, id, signature, ...extra] = value.split('.');
  if (version !== 'v1' || !generationText || !expText || !id || !signature || extra.length > 0) return null;
  if (!/^\d+$/.test(generationText) || !/^\d+$/.test(expText)) return null;
  const generation = Number(generationText);
  const exp = Number(expText);
  if (generation !== key.generation) return null;
  if (!sameText(signature, mac(key, 'device', [generation, exp, id]))) return null;
  if (exp * 1000 <= now.getTime()) return null;
  return { id, generation, expiresAt: new Date(exp * 1000) };
}

/** The CSRF token of a signed-in device: derived, so nothing is stored per device. */
export function csrfToken(key: SigningKey, device: Device): string {
  return mac(key, 'csrf', [device.generation, device.id]);
}

export function verifyCsrf(key: SigningKey, device: Device, token: string | undefined): boolean {
  return token !== undefined && sameText(token, csrfToken(key, device));
}
