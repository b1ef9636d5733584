/**
 * One HTTP request whose whole response, headers and body, is bounded in time and in size, and
 * which never follows a redirect.
 *
 * Why not ky or `new Request(url, { signal })`: in Node 20 and 22 (undici), a signal that travels
 * inside a Request stops aborting the body read once that Request is garbage-collected, so a
 * server dripping one byte a second kept a tick alive for minutes. Here the signal goes to `fetch`
 * itself, its controller is held by the deadline timer, and every body read is also raced against
 * the deadline, so the bound holds even if an abort is lost.
 */
import { ApiError, ApiUnreachableError, InvalidResponseError, redact } from '../../errors.ts';

/** Decoded body limit: real AMPECO and price responses are a few kB, 4 MB is ample. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface BoundedRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Epoch ms by which the complete response must have arrived. */
  readonly deadline: number;
  /** Names the request in messages, e.g. `GET /api/v1/app/session/active`. */
  readonly label: string;
  /** Removed from messages built from low-level errors. */
  readonly secrets?: readonly string[];
  /** @default MAX_BODY_BYTES */
  readonly maxBytes?: number;
}

export interface BoundedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
}

/** Thrown into the race when the deadline passes; mapped to ApiUnreachableError. */
class Expired {}

/**
 * Sends the request and reads the whole body. Throws ApiUnreachableError (deadline passed,
 * connection or DNS failure), ApiError (a 3xx: redirects are refused, never followed) or
 * InvalidResponseError (decoded body over the limit). Any other status is returned.
 */
export async function boundedFetch(request: BoundedRequest): Promise<BoundedResponse> {
  const controller = new AbortController();
  let expire: (reason: Expired) => void = () => undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    expire = reject;
  });
  expired.catch(() => undefined);
  const timer = setTimeout(
    () => {
      controller.abort();
      expire(new Expired());
    },
    Math.max(0, request.deadline - Date.now()),
  );
  let phase: 'headers' | 'body' = 'headers';
  try {
    const response = await Promise.race([
      fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
        redirect: 'manual',
      }),
      expired,
    ]);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw redirectError(request.label, response);
    }
    phase = 'body';
    const text = await readCapped(response, request.maxBytes ?? MAX_BODY_BYTES, expired, request.label);
    return { status: response.status, statusText: response.statusText, headers: response.headers, text };
  } catch (error) {
    if (error instanceof Expired || controller.signal.aborted) throw timeoutError(request.label, phase);
    if (error instanceof ApiError || error instanceof InvalidResponseError) throw error;
    throw networkError(error, request);
  } finally {
    clearTimeout(timer);
    // Frees the socket of a body left unread (too large, expired); a no-op when complete.
    controller.abort();
  }
}

async function readCapped(
  response: Response,
  maxBytes: number,
  expired: Promise<never>,
  label: string,
): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) return text + decoder.decode();
      size += value.byteLength;
      if (size > maxBytes) {
        throw new InvalidResponseError(
          `${label}: the response is larger than ${Math.round(maxBytes / 1048576)} MB once decoded; refused`,
          label,
        );
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function redirectError(label: string, response: Response): ApiError {
  const location = response.headers.get('location');
  let target = '';
  try {
    if (location) target = ` to ${new URL(location, response.url || undefined).origin}`;
  } catch {
    target = '';
  }
  return new ApiError(
    `${label}: HTTP ${response.status} redirect${target} refused (stopwatt never follows redirects; check the API URL)`,
    response.status,
    label,
  );
}

function timeoutError(label: string, phase: 'headers' | 'body'): ApiUnreachableError {
  return new ApiUnreachableError(
    phase === 'headers'
      ? `${label}: no answer in time (the server did not respond)`
      : `${label}: no answer in time (the response body was still arriving)`,
    label,
  );
}

function networkError(error: unknown, request: BoundedRequest): ApiUnreachableError {
  const secrets = request.secrets ?? [];
  const code = causeCode(error, secrets);
  const cause = new Error(redact(error instanceof Error ? error.message : String(error), secrets));
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = new URL(request.url).hostname;
    return new ApiUnreachableError(
      `${request.label}: cannot reach ${host}: DNS lookup failed (${code})`,
      request.label,
      { cause },
    );
  }
  return new ApiUnreachableError(
    `${request.label}: connection failed${code ? ` (${code})` : ''}`,
    request.label,
    { cause },
  );
}

/** The innermost useful reason: an errno-style code (ECONNREFUSED) or the root cause's message. */
function causeCode(error: unknown, secrets: readonly string[]): string | null {
  let current: unknown = error;
  let message: string | null = null;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (depth > 0) message = redact(current.message, secrets);
    current = current.cause;
  }
  return message;
}
