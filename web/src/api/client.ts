// One fetch wrapper for every page: JSON in and out, and RFC 9457 problems as ApiError.
import type { Entry, Session } from "./types";

/** A problem+json answer, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem's `type` without its prefix (`urn:video-visits:problem:visit-closed` is `visit-closed`), or "network". */
    readonly kind: string,
    readonly title: string,
    readonly detail: string,
    readonly body: Record<string, unknown>,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${title}`);
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  bearer?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The API's base URL: the page's own origin unless /config.json names another. */
let apiBase = "";

export function setApiBase(base: string): void {
  apiBase = base.replace(/\/$/, "");
}

export async function call<T>(path: string, options: CallOptions = {}): Promise<{ status: number; body: T; retryAfter?: number }> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(apiBase + path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Nothing of the page's address (it may hold a code) goes to the API.
      referrerPolicy: "no-referrer",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "network", "No connection", "The request did not reach the server.", {});
  }
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  const text = await response.text();
  let body: Record<string, unknown> = {};
  if (text) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = {};
    }
  }
  if (!response.ok) {
    const type = typeof body.type === "string" ? body.type : "";
    throw new ApiError(
      response.status,
      type.split(/[/:]/).pop() ?? "",
      typeof body.title === "string" ? body.title : response.statusText,
      typeof body.detail === "string" ? body.detail : "",
      body,
      retryAfter,
    );
  }
  return { status: response.status, body: body as T, retryAfter };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** `POST /join/session` or `POST /visits/{id}/session`: 200 is the session, 202 means wait. */
export async function enter(path: string, bearer: string): Promise<Entry> {
  const { status, body, retryAfter } = await call<Session & { retryAfterSeconds?: number }>(path, { method: "POST", bearer });
  if (status === 202) {
    const seconds = retryAfter ?? body.retryAfterSeconds ?? 5;
    return { kind: "waiting", retryAfterSeconds: Math.min(Math.max(seconds, 1), 30) };
  }
  return { kind: "session", session: body };
}
