import type { SignInLinks } from '../ports.ts';
import { newNonce, nonceHash, SIGN_IN_LINK_TTL_MS } from './tokens.ts';

/** The path that consumes a sign-in link (`?t=<nonce>`). */
export const SIGN_IN_PATH = '/sign-in';

/**
 * Creates a one-time sign-in URL under `baseUrl` (the app's origin, e.g. `http://127.0.0.1:8080`
 * or the Function URL), valid for 10 minutes. Used by `stopwatt serve` and `stopwatt web-link`.
 */
export async function createSignInLink(
  links: SignInLinks,
  baseUrl: string,
  now: Date,
): Promise<{ url: string; expiresAt: Date }> {
  const nonce = newNonce();
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
  await links.create(nonceHash(nonce), expiresAt);
  const url = new URL(SIGN_IN_PATH, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('t', nonce);
  return { url: url.toString(), expiresAt };
}
