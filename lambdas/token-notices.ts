// The notice texts live in notices.ts; this path stays importable for existing callers.
export { expiryNotice } from './notices.ts';
