/**
 * Runs one engine per generator thread and collects their reports. Threads need the compiled
 * worker (dist/…/worker.js); when it is absent (sources run directly, e.g. under vitest) the
 * engines run on the calling thread instead, with the same results apart from CPU sharing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LoadEngine, type EngineConfig, type EngineProgress, type EngineReport } from './client.js';

export type WorkerMessage =
  | { type: 'progress'; progress: EngineProgress }
  | { type: 'result'; report: EngineReport };

export interface RunControl {
  signal?: AbortSignal;
  /** Latest progress of every engine, called whenever one of them reports. */
  onProgress?: (progress: EngineProgress[]) => void;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** True when the compiled worker entry exists next to this module. */
export function workerAvailable(): boolean {
  try {
    return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
  } catch {
    return false;
  }
}

interface Runner {
  done: Promise<EngineReport>;
  /** Ends the run early; the report still comes. */
  stop(): void;
  /** Tears down without waiting for a report (after another runner failed). */
  kill(): void;
}

function startInline(config: EngineConfig, onProgress: (p: EngineProgress) => void): Runner {
  const engine = new LoadEngine(config, { onProgress });
  return { done: engine.run(), stop: () => engine.stop(), kill: () => engine.stop() };
}

function startWorker(config: EngineConfig, onProgress: (p: EngineProgress) => void): Runner {
  // A worker inherits execArgv; --input-type (from `node -e`) would make loading a file fail.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  const worker = new Worker(WORKER_URL, { workerData: config, execArgv });
  let settled = false;
  const done = new Promise<EngineReport>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'result') {
        settled = true;
        resolve(message.report);
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`probe worker exited with code ${code} before reporting`));
    });
  });
  return {
    done,
    stop: () => {
      if (!settled) worker.postMessage({ type: 'stop' });
    },
    kill: () => {
      void worker.terminate();
    },
  };
}

export async function runEngines(
  configs: EngineConfig[],
  useWorkers: boolean,
  control: RunControl = {},
): Promise<EngineReport[]> {
  const latest: EngineProgress[] = configs.map(() => ({ measuredMs: 0, warmingUp: true, completed: 0, errors: 0 }));
  const start = useWorkers ? startWorker : startInline;
  const runners = configs.map((config, i) =>
    start(config, (progress) => {
      latest[i] = progress;
      control.onProgress?.(latest);
    }),
  );
  // Once one runner fails the others are killed; their own rejections are expected then.
  runners.forEach((r) => r.done.catch(() => undefined));
  const stopAll = (): void => runners.forEach((r) => r.stop());
  control.signal?.addEventListener('abort', stopAll, { once: true });
  if (control.signal?.aborted) stopAll();
  try {
    return await Promise.all(runners.map((r) => r.done));
  } catch (error) {
    runners.forEach((r) => r.kill());
    throw error;
  } finally {
    control.signal?.removeEventListener('abort', stopAll);
  }
}
