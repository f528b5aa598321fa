import autocannon, { type RequestStep } from 'autocannon';
import type { ServerProcess } from './child.ts';
import { machineCpu } from './cpu.ts';

export interface LoadSpec {
  path: string;
  method: 'GET' | 'POST';
  connections: number;
  /** Session cookies: each connection sends its requests as each of them in turn. */
  sessions: string[];
  headers?: Record<string, string>;
  /** Called once per request sent: the path of a GET, or the body of a POST. */
  next(): string;
}

export interface Measured {
  connections: number;
  seconds: number;
  completed: number;
  sent: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  bytesPerResponse: number;
  serverCpuMicrosPerReq: number;
  pgCpuMicrosPerReq: number | null;
  /** Shares of the whole machine's CPU time (all cores) over the measured window and its drain. */
  share: { busy: number; server: number; postgres: number | null; loadGenerator: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until requests still running in the server after the load ended have finished (it goes idle). */
async function drained(server: ServerProcess): Promise<void> {
  let last = await server.cpu();
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    const now = await server.cpu();
    const used = now.userMicros + now.systemMicros - last.userMicros - last.systemMicros;
    last = now;
    // The application's outbox tailer polls every 250 ms: idle is "a few ms of CPU in 200 ms".
    if (used < 5_000) return;
  }
}

function steps(spec: LoadSpec): RequestStep[] {
  return spec.sessions.map((cookie) => ({
    method: spec.method,
    headers: { ...spec.headers, cookie },
    setupRequest(request) {
      if (spec.method === 'GET') return { ...request, path: spec.next() };
      return { ...request, path: spec.path, body: spec.next() };
    },
  }));
}

/**
 * A warm-up, then a measured run of fixed duration against one server. The server's CPU is read from
 * the server itself before and after (after it has finished the requests still in flight when the
 * load stopped), and divided by the requests it was sent, so unfinished requests are not free.
 */
export interface IdleRates {
  /** CPU each server uses with no requests (the application's outbox tailer polls every 250 ms), µs/s. */
  server: Map<ServerProcess, number>;
  postgres: number | null;
  /** Share of the machine busy with none of this benchmark's load: other work on the machine. */
  machineBusy: number;
}

/** What everything costs at rest, so that per-request CPU is what the requests themselves add. */
export async function measureIdle(servers: ServerProcess[], pgCpuMicros: (() => number) | null, ms: number): Promise<IdleRates> {
  const before = { at: performance.now(), cpu: await Promise.all(servers.map((s) => s.cpu())), pg: pgCpuMicros?.() ?? 0, machine: machineCpu() };
  await sleep(ms);
  const after = { at: performance.now(), cpu: await Promise.all(servers.map((s) => s.cpu())), pg: pgCpuMicros?.() ?? 0, machine: machineCpu() };
  const seconds = (after.at - before.at) / 1000;
  const used = (i: number) => after.cpu[i].userMicros + after.cpu[i].systemMicros - before.cpu[i].userMicros - before.cpu[i].systemMicros;
  return {
    server: new Map(servers.map((s, i) => [s, used(i) / seconds])),
    postgres: pgCpuMicros ? (after.pg - before.pg) / seconds : null,
    machineBusy: (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total),
  };
}

export async function measure(
  server: ServerProcess,
  spec: LoadSpec,
  options: { warmupSeconds: number; seconds: number; pgCpuMicros: (() => number) | null; idle: IdleRates },
): Promise<Measured> {
  const common = {
    url: server.baseUrl,
    connections: spec.connections,
    // Slow endpoints under 50 connections queue for seconds; a request is counted, not dropped.
    timeout: 60,
    requests: steps(spec),
  };
  await autocannon({ ...common, duration: options.warmupSeconds });
  await drained(server);

  const sample = async () => ({
    at: performance.now(),
    server: await server.cpu(),
    pg: options.pgCpuMicros?.() ?? 0,
    machine: machineCpu(),
    self: process.cpuUsage(),
  });
  const before = await sample();
  const result = await autocannon({ ...common, duration: options.seconds });
  await drained(server);
  const after = await sample();

  const sent = Math.max(result.requests.sent, result.requests.total);
  const windowSeconds = (after.at - before.at) / 1000;
  const serverMicros = after.server.userMicros + after.server.systemMicros - before.server.userMicros - before.server.systemMicros;
  const pgMicros = after.pg - before.pg;
  // Per request: net of what the server and PostgreSQL spend at rest over the same window.
  const serverNet = serverMicros - (options.idle.server.get(server) ?? 0) * windowSeconds;
  const pgNet = pgMicros - (options.idle.postgres ?? 0) * windowSeconds;
  const machineMicros = after.machine.total - before.machine.total;
  const selfMicros = after.self.user + after.self.system - before.self.user - before.self.system;
  return {
    connections: spec.connections,
    seconds: result.duration,
    completed: result.requests.total,
    sent,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytesPerResponse: result.requests.total ? result.throughput.total / result.requests.total : 0,
    serverCpuMicrosPerReq: serverNet / sent,
    pgCpuMicrosPerReq: options.pgCpuMicros ? pgNet / sent : null,
    share: {
      busy: (after.machine.busy - before.machine.busy) / machineMicros,
      server: serverMicros / machineMicros,
      postgres: options.pgCpuMicros ? pgMicros / machineMicros : null,
      loadGenerator: selfMicros / machineMicros,
    },
  };
}
