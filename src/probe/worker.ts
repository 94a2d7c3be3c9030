/** Worker-thread entry: runs one LoadEngine with the config it is given and posts its report. */
import { parentPort, workerData } from 'node:worker_threads';
import { LoadEngine, type EngineConfig } from './client.js';
import type { WorkerMessage } from './workers.js';

const port = parentPort;
if (port !== null) {
  const engine = new LoadEngine(workerData as EngineConfig, {
    onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage),
  });
  port.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') engine.stop();
  });
  // The port must not keep the thread alive: once the engine's sockets and timers are gone it exits.
  port.unref();
  void engine.run().then((report) => {
    port.postMessage({ type: 'result', report } satisfies WorkerMessage, [report.histogram.counts.buffer as ArrayBuffer]);
  });
}
