/**
 * Names the deployed phone page shares between the stack (lib/web-app.ts), its Lambda entry and
 * `stopwatt web-link`: SSM leaves under `<prefix>/<account>/` and the table partition it owns.
 */

/** SecureString: the HMAC key that signs device cookies. Rotated by `web-link --revoke`. */
export const SIGNING_KEY_LEAF = 'web/signing-key';
/** String, written by the stack: the Function URL the sign-in links point at. */
export const URL_LEAF = 'web/url';
/** String, written by the stack: the table the sign-in links are stored in. */
export const TABLE_LEAF = 'web/table';

/** The one partition the web function may write: its sign-in links and sign-in throttle. */
export function webPk(account: string): string {
  return `WEB#${account}`;
}

/** The last tick's status, written by the check function and read by the page. */
export function tickPk(account: string): string {
  return `TICK#${account}`;
}
