import type { ErrorBody } from '../../common/errors.ts';

/** A refusal from the API (or the network), with the server's code, message and details. */
export interface ApiError extends Error {
  readonly name: 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
}

export function apiError(status: number, code: string, message: string, details?: Record<string, unknown>): ApiError {
  return Object.assign(new Error(message), { name: 'ApiError' as const, status, code, details });
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof Error && error.name === 'ApiError';
}

export interface FieldError {
  field: string;
  rule?: string;
  message?: string;
}

/** The per-field problems of a validation_failed answer, if any. */
export function fieldErrors(error: unknown): FieldError[] {
  if (!isApiError(error) || error.code !== 'validation_failed') return [];
  const fields = error.details?.fields;
  return Array.isArray(fields) ? (fields as FieldError[]) : [];
}

type UnauthorizedListener = (code: string) => void;
let unauthorizedListener: UnauthorizedListener | null = null;

/** The app registers what to do when the server says the session is gone: one place clears everything. */
export function onUnauthorized(listener: UnauthorizedListener | null): void {
  unauthorizedListener = listener;
}

const CSRF_HEADER = { 'x-requested-with': 'doctors-system' };

/**
 * Calls the JSON API. State changes carry the CSRF header the server requires; any refusal becomes an
 * ApiError; a 401 outside the sign-in calls themselves means the session ended.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(method !== 'GET' && CSRF_HEADER),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw apiError(0, 'network', 'The server cannot be reached.');
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = (parsed as ErrorBody | null)?.error;
    const failure = apiError(response.status, error?.code ?? 'internal', error?.message ?? response.statusText, error?.details);
    const signingIn = path === '/api/auth/login' || path === '/api/setup';
    if (response.status === 401 && !signingIn) unauthorizedListener?.(failure.code);
    throw failure;
  }
  return parsed as T;
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
