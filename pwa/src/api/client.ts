// JSON over HTTP to the Hallpass API: the session cookie, the CSRF header, one error shape.
import { learnServerTime } from "../live/clock";

/** An answer from the server in the error shape of DESIGN.md section 4. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
    /** The error's `details` (a 422 names its bad fields in `details.fields`). */
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The request never reached the server (offline, DNS, connection reset). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("No connection to the school's server.");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

let csrfToken: string | null = null;

/** Remember the session's CSRF token (from sign-in or GET /api/me). */
export function setCsrf(token: string | null): void {
  csrfToken = token;
}

/** Return the CSRF token cookie requests send. */
export function csrf(): string | null {
  return csrfToken;
}

export interface CallOptions {
  body?: unknown;
  /** A file sent as it is (a roster upload) instead of a JSON body, with its Content-Type. */
  raw?: { body: Blob; type: string };
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** Call the API and return its JSON; throw ApiError for 4xx/5xx and NetworkError offline. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.raw) headers["Content-Type"] = options.raw.type;
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: options.raw ? options.raw.body : options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new NetworkError(error);
  }
  learnServerTime(response.headers.get("date"));
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) throw toApiError(response, data);
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(response: Response, data: unknown): ApiError {
  const error = (data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const retry = Number(response.headers.get("retry-after"));
  return new ApiError(
    response.status,
    typeof error?.code === "string" ? error.code : "http_" + response.status,
    typeof error?.message === "string"
      ? error.message
      : `The server answered ${response.status}. Try again in a moment.`,
    Number.isFinite(retry) && retry > 0 ? retry : null,
    error?.details && typeof error.details === "object" ? (error.details as Record<string, unknown>) : null,
  );
}

/** Return a new random idempotency key (a UUID). */
export function newKey(): string {
  return crypto.randomUUID();
}
