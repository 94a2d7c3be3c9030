// Shared pieces of the fuzz suite: a fixed seed, a run budget scaled by FUZZ_RUNS, corpus samples,
// hostile mutations of them, and a linearity probe that compares work at sizes N and 16N.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import fc from 'fast-check';
import { CORPUS } from '../helpers/shared.js';

/** Runs per property: small in CI (`npm test`), 20,000 with `npm run fuzz`. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 150) || 150);
/** Fixed seed: a failure reproduces; FUZZ_SEED explores another part of the space. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20260917) | 0;

/** fast-check parameters for a property worth `share` of the run budget. */
export function fuzzParams<T>(share = 1): fc.Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(FUZZ_RUNS * share)), endOnFailure: true };
}

/** ../shared/corpus (see test/helpers/shared.ts); without it the fuzzers mutate a built-in sample. */
export { CORPUS };

function walkFiles(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkFiles(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** Every regular file under the corpus, sorted (empty when the corpus is absent). */
export function corpusFiles(): string[] {
  const out: string[] = [];
  walkFiles(CORPUS, out);
  return out;
}

let samples: string[] | undefined;

/** A spread of corpus files as latin1 text (nginx configs, Lua blocks, odd tests), at most 64 KiB each. */
export function corpusSamples(): string[] {
  if (samples) return samples;
  const files = corpusFiles().filter((f) => /\.(conf|t|nginx|vhost|txt)$|nginx/.test(path.basename(f)));
  const step = Math.max(1, Math.floor(files.length / 300));
  samples = [];
  for (let i = 0; i < files.length; i += step) {
    const buf = fs.readFileSync(files[i]!);
    if (buf.length > 0 && buf.length <= 65536) samples.push(buf.toString('latin1'));
  }
  if (samples.length === 0) samples.push('http {\n  server {\n    listen 80;\n    location / { proxy_pass http://app; }\n  }\n}\n');
  return samples;
}

/** Random bytes as a latin1 string (one char per byte), biased towards nginx's special characters. */
export const latin1Bytes = (maxLength = 400): fc.Arbitrary<string> =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
      { weight: 2, arbitrary: fc.constantFrom(...'{};#"\'\\$ \t\r\n()[]=-'.split('').map((c) => c.charCodeAt(0))) },
    ),
    { maxLength },
  ).map((codes) => String.fromCharCode(...codes));

type Mutation = (text: string, at: number, n: number) => string;

const INVALID_UTF8 = ['\xff', '\xc3', '\xe2\x82', '\xf0\x9f\x98', '\xc0\xaf', '\xed\xa0\x80'];

/** Hostile edits of real files (spec: byte flips, truncation, braces/quotes deleted or doubled, NUL, invalid UTF-8, CR-only newlines). */
const MUTATIONS: Record<string, Mutation> = {
  flip: (t, at, n) => t.slice(0, at) + String.fromCharCode((t.charCodeAt(at) ^ (1 << (n % 8))) & 0xff) + t.slice(at + 1),
  truncate: (t, at) => t.slice(0, at),
  deleteBrace: (t, at) => deleteNth(t, /[{}]/g, at),
  doubleBrace: (t, at) => doubleNth(t, /[{}]/g, at),
  deleteQuote: (t, at) => deleteNth(t, /["']/g, at),
  doubleQuote: (t, at) => doubleNth(t, /["']/g, at),
  deleteSemicolon: (t, at) => deleteNth(t, /;/g, at),
  nul: (t, at) => t.slice(0, at) + '\0' + t.slice(at),
  invalidUtf8: (t, at, n) => t.slice(0, at) + INVALID_UTF8[n % INVALID_UTF8.length] + t.slice(at),
  crOnly: (t) => t.replace(/\r?\n/g, '\r'),
  crlf: (t) => t.replace(/\r?\n/g, '\r\n'),
  nest: (t, at, n) => t.slice(0, at) + 'a {'.repeat(50 + n) + t.slice(at),
  backslash: (t, at) => t.slice(0, at) + '\\' + t.slice(at),
  luaBlock: (t, at) => t.slice(0, at) + 'content_by_lua_block { local s = "[[" --[=[' + t.slice(at),
  dollarBrace: (t, at) => t.slice(0, at) + '${' + t.slice(at),
};

function deleteNth(t: string, re: RegExp, n: number): string {
  const hits = [...t.matchAll(re)];
  if (hits.length === 0) return t;
  const i = hits[n % hits.length]!.index!;
  return t.slice(0, i) + t.slice(i + 1);
}

function doubleNth(t: string, re: RegExp, n: number): string {
  const hits = [...t.matchAll(re)];
  if (hits.length === 0) return t;
  const i = hits[n % hits.length]!.index!;
  return t.slice(0, i + 1) + t.slice(i);
}

/** A corpus file with 1–4 hostile mutations applied. */
export const mutatedCorpus = (): fc.Arbitrary<{ text: string; steps: string[] }> =>
  fc
    .record({
      file: fc.nat(),
      steps: fc.array(fc.record({ kind: fc.constantFrom(...Object.keys(MUTATIONS)), at: fc.nat(), n: fc.nat({ max: 1000 }) }), { minLength: 1, maxLength: 4 }),
    })
    .map(({ file, steps }) => {
      const all = corpusSamples();
      let text = all[file % all.length]!;
      for (const s of steps) text = MUTATIONS[s.kind]!(text, text.length === 0 ? 0 : s.at % (text.length + 1), s.n);
      return { text, steps: steps.map((s) => s.kind) };
    });

/** A full garbage collection, so one run does not pay for the previous run's garbage. */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  return typeof gc === 'function' ? gc : () => {};
})();

/** Milliseconds of the fastest of `reps` runs (the minimum is the least noisy estimate). */
export function fastestMs(fn: () => unknown, reps = 3): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    collectGarbage();
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

export interface Growth {
  small: number;
  large: number;
  /** large / max(small, floor): 16 for linear work, 256 for quadratic. */
  ratio: number;
}

/**
 * Time at sizes n and 16n. Not a speed assertion: callers compare the ratio with a bound halfway
 * (on a log scale) between linear (16) and quadratic (256), so only a change of complexity class
 * can fail it (garbage collection alone has been seen to double a linear ratio). A floor on the
 * small time keeps sub-millisecond noise out of the ratio.
 */
export function growth(run: (input: string) => unknown, make: (n: number) => string, n: number, floorMs = 5): Growth {
  const a = make(n);
  const b = make(n * 16);
  run(a); // warm up the JIT on the same shape
  const small = fastestMs(() => run(a), 5);
  const large = fastestMs(() => run(b), 3);
  return { small, large, ratio: large / Math.max(small, floorMs) };
}

/** The bound growth ratios are checked against: 4× above linear's 16, 4× below quadratic's 256. */
export const SUBQUADRATIC = 64;
