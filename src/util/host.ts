// Facts about the machine conftune runs on: its cores and the nginx/gunicorn on its PATH. Used only
// when asked (`--host`, or when the checked nginx config is this machine's live /etc/nginx), so a
// repository linted in CI, in pre-commit and on a laptop gives the same findings.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface HostFacts {
  cpus: number;
  nginxVersion?: string;
  gunicornVersion?: string;
}

/** The executable `name` would run, from PATH; undefined when none. */
export function whichSync(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'conftune', 'versions.json');
}

type VersionCache = Record<string, { mtimeMs: number; size: number; version: string | null }>;

function readCache(): VersionCache {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as VersionCache;
  } catch {
    return {};
  }
}

function writeCache(cache: VersionCache): void {
  try {
    const file = cacheFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(cache));
    fs.renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs a re-run next time */
  }
}

/**
 * The version a binary reports, cached per resolved path, mtime and size: a start-up of Python
 * (gunicorn --version) costs ~0.2 s, so it runs once per installed binary, not once per check.
 */
export function binaryVersion(name: string, args: string[], parse: (out: string) => string | undefined): string | undefined {
  const bin = whichSync(name);
  if (!bin) return undefined;
  let real = bin;
  let st: fs.Stats;
  try {
    real = fs.realpathSync(bin);
    st = fs.statSync(real);
  } catch {
    return undefined;
  }
  const key = `${name}\0${real}`;
  const cache = readCache();
  const hit = cache[key];
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.version ?? undefined;
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  const version = parse(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  cache[key] = { mtimeMs: st.mtimeMs, size: st.size, version: version ?? null };
  writeCache(cache);
  return version;
}

export function detectHostNginxVersion(): string | undefined {
  return binaryVersion('nginx', ['-v'], (out) => /nginx\/(\d+\.\d+\.\d+)/.exec(out)?.[1]);
}

export function detectHostGunicornVersion(): string | undefined {
  return binaryVersion('gunicorn', ['--version'], (out) => (/version\s+(\d+(?:\.\d+){0,2})/i.exec(out) ?? /\b(\d+\.\d+(?:\.\d+)?)\b/.exec(out))?.[1]);
}

export function hostCpus(): number {
  return os.availableParallelism();
}
