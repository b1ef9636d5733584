import { redact } from '../../errors.ts';
import { LaravelErrorSchema } from './schemas.ts';

export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short one-line excerpt of a body for an error message, secrets removed. */
export function snippet(text: string, secrets: readonly string[]): string {
  const flat = redact(text.replace(/\s+/g, ' ').trim(), secrets);
  if (flat.length === 0) return 'empty body';
  return flat.length > 60 ? `${flat.slice(0, 60)}...` : flat;
}

/** What an error body says: the Laravel `message`, an HTML page's title, or an excerpt. */
export function errorBodyText(text: string, secrets: readonly string[]): string {
  const parsed = LaravelErrorSchema.safeParse(tryJson(text));
  if (parsed.success) return redact(parsed.data.message, secrets);
  if (/<html|<!doctype/i.test(text)) return `(HTML error page${redact(titleOf(text), secrets)})`;
  return `(${snippet(text, secrets)})`;
}

function titleOf(html: string): string {
  const m = /<title>([^<]{1,80})<\/title>/i.exec(html);
  return m?.[1] ? `: ${m[1].trim()}` : '';
}
