/**
 * Sampling threads: chunks of a table's output drawn on worker threads (node:worker_threads), one
 * per core by default. Each thread gets a copy of what sampling reads of the model (encoders, the
 * copy filter, mock pools, the network's weights as arrays), starts the same TensorFlow.js backend
 * as this thread (WASM or the pure-JS CPU backend; WASM has no threads of its own under Node) and
 * draws the chunks it is given with the same code as this thread. A chunk's rows depend only on
 * the seed and the chunk's index, so the output is the same whatever the number of threads.
 *
 * Native TensorFlow backends sample in this thread on the device (they use every core already).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, appErrorShapeSchema } from '../../shared/errors';
import type { CellValue } from '../../shared/values';
import { currentBackend, tf, type BackendName } from './backend';
import type { Params } from './model/network';
import { CopyFilter } from './privacy-filter';
import type { ChunkJob, ChunkRunner, SamplingModel } from './table-sample';

/**
 * Fewest chunks per thread before threads are started unasked (starting them costs seconds, as
 * long as drawing ~100k rows in one thread; they are then kept for the process's later calls).
 */
const MIN_CHUNKS_PER_THREAD = 32;

/** What a sampling thread receives: the model without tensors or training tokens, and the backend to start. */
export interface ModelSnapshot {
  backend: 'wasm' | 'cpu';
  model: Omit<SamplingModel, 'net'>;
  net: { arch: NonNullable<SamplingModel['net']>['arch']; params: Partial<Record<keyof Params, { shape: number[]; data: Float32Array }>> } | null;
}

/** The default number of sampling threads: one per core. */
export function defaultSamplingThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Threads to draw `chunks` chunks with: as many as asked (`threads`, at most one per chunk), else
 * one per core when the output is large enough to pay for starting them; 1 on a backend they
 * cannot share.
 */
export function threadsFor(chunks: number, threads: number | undefined, backend: BackendName | null = currentBackend()): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  if (threads !== undefined) return Math.max(1, Math.min(threads, chunks));
  return Math.max(1, Math.min(defaultSamplingThreads(), Math.floor(chunks / MIN_CHUNKS_PER_THREAD)));
}

export function snapshotModel(model: SamplingModel, backend: 'wasm' | 'cpu'): ModelSnapshot {
  const { prepared, copula, marginals, selection, filter, net } = model;
  let params: NonNullable<ModelSnapshot['net']>['params'] = {};
  if (net) {
    params = {};
    for (const [k, t] of Object.entries(net.params) as [keyof Params, tf.Tensor | null][])
      if (t) params[k] = { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
  }
  return {
    backend,
    // Training tokens and the DP plan are not read by sampling.
    model: { prepared: { ...prepared, tokens: [], dp: undefined }, copula, marginals: marginals ?? null, selection, filter },
    net: net ? { arch: net.arch, params } : null,
  };
}

/** The model of a snapshot (on a sampling thread, after its backend started). */
export function restoreModel(s: ModelSnapshot): SamplingModel {
  // The copy filter arrives as its fields (a structured clone keeps data, not classes).
  const filter = Object.setPrototypeOf(s.model.filter, CopyFilter.prototype) as CopyFilter;
  const prepared = { ...s.model.prepared, copyFilter: filter };
  const tensor = (k: keyof Params): tf.Tensor | null => {
    const p = s.net?.params[k];
    return p ? tf.tensor(p.data, p.shape, 'float32') : null;
  };
  const net = s.net
    ? {
        arch: s.net.arch,
        params: {
          W1: tensor('W1') as tf.Tensor2D,
          b1: tensor('b1') as tf.Tensor1D,
          W2: tensor('W2') as tf.Tensor2D,
          b2: tensor('b2') as tf.Tensor1D,
          V1: tensor('V1') as tf.Tensor2D | null,
          Ws: tensor('Ws') as tf.Tensor2D | null,
        },
      }
    : null;
  return { ...s.model, prepared, filter, net };
}

/**
 * The thread's code: the built file next to this bundle, else the TypeScript source loaded
 * through tsx's loader (registered inside the thread: `--import` does not reach worker threads).
 */
function threadEntry(): { code: string; eval: boolean } | null {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(
      createRequire(import.meta.url)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const file = pathToFileURL(path.join(dir, 'sample-thread.ts')).href;
    return { code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`, eval: true };
  }
  for (const file of [path.join(dir, 'sample-thread.js'), path.join(dir, '..', 'worker', 'sample-thread.js')])
    if (existsSync(file)) return { code: file, eval: false };
  return null;
}

/** A sampling thread's heap, measured inside it (bytes): now, the highest seen after a chunk, and its collections so far. */
export interface ThreadHeap {
  used: number;
  highest: number;
  collections: number;
}

type Reply = { id: number; cols: CellValue[][] } | { id: number; heap: ThreadHeap } | { id: number; error: unknown };

/** Messages to a sampling thread: a model to sample (by key), a chunk of it to draw, a model to forget, its heap figures. */
export type ThreadMessage =
  | { type: 'model'; key: number; snapshot: ModelSnapshot }
  | { type: 'chunk'; key: number; id: number; job: ChunkJob }
  | { type: 'drop'; key: number }
  | { type: 'heap'; id: number };

interface Thread {
  worker: Worker;
  waiting: Map<number, { resolve: (reply: Reply) => void; reject: (e: unknown) => void }>;
  alive: boolean;
}

/** Idle threads end after this long (they are kept between calls: starting one costs seconds under load). */
const IDLE_MS = 60_000;

const pool: Thread[] = [];
let inUse = 0;
let idleTimer: NodeJS.Timeout | null = null;
let nextKey = 0;
let nextId = 0;

function threadFailure(e: unknown): AppError {
  const shape = appErrorShapeSchema.safeParse(e);
  if (shape.success) return AppError.fromShape(shape.data);
  const text = e instanceof Error ? e.message : String(e);
  return new AppError('INTERNAL', `A sampling thread failed: ${text}`, { fix: 'Set "Sampling threads" to 1 to sample in one thread, and report the problem.' });
}

function startThread(entry: { code: string; eval: boolean }): Thread {
  const worker = new Worker(entry.code, { eval: entry.eval });
  const t: Thread = { worker, waiting: new Map(), alive: true };
  const fail = (e: AppError): void => {
    t.alive = false;
    const i = pool.indexOf(t);
    if (i >= 0) pool.splice(i, 1);
    for (const w of t.waiting.values()) w.reject(e);
    t.waiting.clear();
  };
  worker.on('message', (m: Reply) => {
    const w = t.waiting.get(m.id);
    if (!w) return;
    t.waiting.delete(m.id);
    if ('error' in m) w.reject(threadFailure(m.error));
    else w.resolve(m);
  });
  worker.on('error', (e) => fail(threadFailure(e)));
  worker.on('exit', (code) => fail(threadFailure(new Error(`the thread stopped (exit code ${code})`))));
  pool.push(t);
  return t;
}

/** Sampling threads running in this process. */
export function runningSamplingThreads(): number {
  return pool.filter((t) => t.alive).length;
}

/** The heap figures of every running sampling thread, measured inside each once the chunks it was sent are drawn. */
export function samplingThreadHeaps(): Promise<ThreadHeap[]> {
  return Promise.all(
    pool
      .filter((t) => t.alive)
      .map((t) => ask(t, (id) => ({ type: 'heap', id })).then((r) => ('heap' in r ? r.heap : Promise.reject(new Error('no heap figures'))))),
  );
}

/** Sends a thread a message carrying a reply id; resolves with its reply. */
function ask(t: Thread, message: (id: number) => ThreadMessage): Promise<Reply> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    t.waiting.set(id, { resolve, reject });
    t.worker.postMessage(message(id));
  });
}

/** Ends every sampling thread (they also end by themselves after a minute unused). */
export async function closeSamplingThreads(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  await Promise.all(pool.splice(0).map((t) => t.worker.terminate()));
}

/**
 * `threads` sampling threads drawing chunks of the model, or null when they cannot run here (no
 * thread entry in this build, or a backend they cannot share). Threads are kept between calls.
 */
export function threadRunner(model: SamplingModel, threads: number): ChunkRunner | null {
  const backend = currentBackend();
  const entry = threadEntry();
  if (!entry || (backend !== 'wasm' && backend !== 'cpu')) return null;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  while (pool.length < threads) startThread(entry);
  const mine = pool.slice(0, threads);
  inUse++;
  for (const t of mine) t.worker.ref();
  const key = nextKey++;
  const snapshot = snapshotModel(model, backend);
  for (const t of mine) t.worker.postMessage({ type: 'model', key, snapshot } satisfies ThreadMessage);
  return {
    window: 2 * threads,
    run(job: ChunkJob): Promise<CellValue[][]> {
      const live = mine.filter((t) => t.alive);
      if (live.length === 0) return Promise.reject(threadFailure(new Error('no sampling thread is running')));
      // The least busy thread takes the chunk.
      const t = live.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
      return ask(t, (id) => ({ type: 'chunk', key, id, job })).then((r) =>
        'cols' in r ? r.cols : Promise.reject(threadFailure(new Error('no rows in the reply'))),
      );
    },
    async close() {
      for (const t of mine) if (t.alive) t.worker.postMessage({ type: 'drop', key } satisfies ThreadMessage);
      inUse--;
      if (inUse > 0) return;
      for (const t of pool) t.worker.unref();
      idleTimer = setTimeout(() => void closeSamplingThreads(), IDLE_MS);
      idleTimer.unref();
    },
  };
}
