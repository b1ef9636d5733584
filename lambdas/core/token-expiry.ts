/** Token lifetime checks from the JWT `exp` claim (read, never verified: the API verifies it). */

export const EXPIRY_THRESHOLDS_DAYS = [14, 1] as const;

export interface TokenExpiry {
  readonly expiresAt: Date;
  /** Whole days left, rounded down (negative once expired). */
  readonly daysLeft: number;
  /** The smallest threshold already crossed (14 or 1 days), 0 when expired, null when none. */
  readonly threshold: 14 | 1 | 0 | null;
}

/** The `exp` claim of a JWT as a Date, or null when the token is not a JWT or has no numeric exp. */
export function jwtExpiry(token: string): Date | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (typeof payload !== 'object' || payload === null) return null;
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : null;
  } catch {
    return null;
  }
}

export function tokenExpiry(token: string, now: Date): TokenExpiry | null {
  const expiresAt = jwtExpiry(token);
  if (!expiresAt) return null;
  const msLeft = expiresAt.getTime() - now.getTime();
  const daysLeft = Math.floor(msLeft / 86_400_000);
  let threshold: TokenExpiry['threshold'] = null;
  if (msLeft <= 0) threshold = 0;
  else if (msLeft <= 86_400_000) threshold = 1;
  else if (msLeft <= 14 * 86_400_000) threshold = 14;
  return { expiresAt, daysLeft, threshold };
}
