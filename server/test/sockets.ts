import type { RealtimeEvent } from '../../common/realtime.ts';

/**
 * Polls `check` until it returns something truthy (or stops throwing), then returns that value. Machines
 * are noisy, so tests wait for a condition with a generous limit instead of asserting how fast it was.
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface SocketResponse {
  status: number;
  body: any;
}

/** Calls the API over a real socket as the owner of `cookie`, the way a browser does (CSRF header included). */
export async function socketRequest(baseUrl: string, cookie: string, method: string, url: string, body?: unknown): Promise<SocketResponse> {
  const response = await fetch(baseUrl + url, {
    method,
    headers: {
      cookie,
      ...(method !== 'GET' && { 'x-requested-with': 'doctors-system' }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

export interface StreamEvent {
  /** The SSE event name; plain data frames are 'message'. */
  event: string;
  id: string | null;
  data: string;
}

export interface EventStream {
  status: number;
  contentType: string | null;
  /** Every frame received so far, in order. */
  events: StreamEvent[];
  /** The data frames, parsed: what the browser's EventSource would hand to the app. */
  messages(): RealtimeEvent[];
  /** The raw text received so far. */
  text(): string;
  closed(): boolean;
  waitFor(predicate: (event: StreamEvent) => boolean, what: string, timeoutMs?: number): Promise<StreamEvent>;
  waitForMessage(predicate: (event: RealtimeEvent) => boolean, what: string, timeoutMs?: number): Promise<RealtimeEvent>;
  waitUntilClosed(timeoutMs?: number): Promise<void>;
  close(): void;
}

function parseFrame(frame: string): StreamEvent | null {
  let event = 'message';
  let id: string | null = null;
  const data: string[] = [];
  let fields = 0;
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields++;
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
    else fields--;
  }
  // A frame of only comments (keep-alives) or only `retry:` carries no event.
  if (fields === 0 || (data.length === 0 && event === 'message')) return null;
  return { event, id, data: data.join('\n') };
}

/**
 * Opens `/api/events` over a real socket and reads the text/event-stream body as it arrives. Resolves once
 * the server has answered with its status; frames keep arriving in `events` until `close()`.
 */
export async function openEventStream(baseUrl: string, cookie: string, options: { lastEventId?: string } = {}): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/events`, {
    headers: { cookie, accept: 'text/event-stream', ...(options.lastEventId && { 'last-event-id': options.lastEventId }) },
    signal: controller.signal,
  });
  const events: StreamEvent[] = [];
  let raw = '';
  let buffer = '';
  let done = false;
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const parsed = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (parsed) events.push(parsed);
        }
      }
    } catch {
      // Aborted by close() or cut by the server closing: either way the stream is over.
    } finally {
      done = true;
    }
  })();

  const stream: EventStream = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    messages: () => events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data) as RealtimeEvent),
    text: () => raw,
    closed: () => done,
    waitFor: (predicate, what, timeoutMs) => eventually(() => events.find(predicate), what, timeoutMs),
    waitForMessage: (predicate, what, timeoutMs) => eventually(() => stream.messages().find(predicate), what, timeoutMs),
    waitUntilClosed: async (timeoutMs) => {
      await eventually(() => done, 'the event stream to close', timeoutMs);
      await reading;
    },
    close: () => controller.abort(),
  };
  return stream;
}
