import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One SQL round trip as a server under test saw it. */
export interface SqlEvent {
  sql: string;
  ms: number;
}

type Request = { id: number; type: 'cpu' } | { id: number; type: 'record'; on: boolean } | { id: number; type: 'stop' };
type Reply = { id: number; result: unknown };
type Ready = { ready: true; port: number };

export interface CpuSample {
  userMicros: number;
  systemMicros: number;
}

/** What a server process under test offers its parent over IPC. */
export interface ChildHandlers {
  /** Starts (on) or ends (off) recording SQL; ending returns what was recorded. */
  record(on: boolean): SqlEvent[];
  stop(): Promise<void>;
}

/**
 * Runs inside a server process: tells the parent its port, then answers CPU and SQL-recording requests.
 * CPU is read here because only the process itself can see its own usage without sampling.
 */
export function serveParent(port: number, handlers: ChildHandlers): void {
  if (!process.send) throw new Error('this server runs only as a child of bench/run.ts');
  const send = (message: Reply | Ready) => process.send!(message);
  process.on('message', (message: Request) => {
    void (async () => {
      if (message.type === 'cpu') {
        const usage = process.cpuUsage();
        send({ id: message.id, result: { userMicros: usage.user, systemMicros: usage.system } satisfies CpuSample });
      } else if (message.type === 'record') {
        send({ id: message.id, result: handlers.record(message.on) });
      } else if (message.type === 'stop') {
        await handlers.stop().catch(() => {});
        send({ id: message.id, result: null });
        process.disconnect();
        process.exit(0);
      }
    })();
  });
  // The parent going away (a crash, Ctrl-C) must not leave this server running.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, port });
}

export interface ServerProcess {
  name: string;
  baseUrl: string;
  cpu(): Promise<CpuSample>;
  record(on: boolean): Promise<SqlEvent[]>;
  stop(): Promise<void>;
}

/** Starts one of bench/*-server.ts in its own Node process, so its CPU is its own and measurable apart. */
export async function startServer(name: string, script: string, env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} server did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${name} server exited with code ${code} before it was ready`)));
    child.on('message', (message: Reply | Ready) => {
      if ('ready' in message) {
        clearTimeout(timer);
        resolve(message.port);
      } else {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      }
    });
  });
  const call = <T>(request: Omit<Request, 'id'>) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (result: unknown) => void);
      child.send({ ...request, id });
    });
  return {
    name,
    baseUrl: `http://127.0.0.1:${port}`,
    cpu: () => call<CpuSample>({ type: 'cpu' }),
    record: (on) => call<SqlEvent[]>({ type: 'record', on } as Omit<Request, 'id'>),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await Promise.race([call({ type: 'stop' }), exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
