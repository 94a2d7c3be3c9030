// Where a repository's include targets are: nginx reads `include /etc/nginx/snippets/x.conf` on the
// deployment's host, while the repository holds that file beside the config. Resolution order for
// an include target:
//   1. a path map (`--prefix`, conftune.json `includePaths`): `/etc/nginx/…` → `deploy/nginx/…`;
//   2. inside the checked tree: as written;
//   3. an absolute path outside it: the deployment's copy, found by the path's tail relative to the
//      including file's folder, then the tree's roots (said in a note);
//   4. nginx's stock files (mime.types, fastcgi_params, proxy_params…), supplied by conftune;
//   5. otherwise a host path is not read (a note): the linting machine's own /etc/nginx must never
//      leak into a repository's findings. `allowHost` (the config is this host's, or
//      --allow-host-includes) reads absolute paths as nginx would.

import * as path from 'node:path';
import type { FileSystem, IncludeContext, IncludeResolver, IncludeTarget } from './load.js';
import { stockFile } from './stock-files.js';

export interface IncludePathOptions {
  fs: FileSystem;
  /** Folders of the checked tree (the repository root, the cwd, the given files' folders). */
  roots: string[];
  /** Absolute prefix as nginx sees it → folder in the tree, longest prefix first wins. */
  includePaths?: Record<string, string>;
  /** Read absolute paths outside the tree as written. */
  allowHost?: boolean;
  /** nginx's prefix is known (--prefix, or this host's live config): a missing relative include is then certain. */
  prefixKnown?: boolean;
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

export function includeResolver(o: IncludePathOptions): IncludeResolver {
  const maps = Object.entries(o.includePaths ?? {})
    .map(([from, to]) => [path.resolve('/', from), path.resolve(to)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const roots = [...new Set(o.roots.map((r) => path.resolve(r)))];
  const exists = (p: string): boolean => (o.fs.isFile ? o.fs.isFile(p) : !('error' in o.fs.read(p)));
  const dirExists = (p: string): boolean => o.fs.list(p) !== null;
  /** A glob's folder part (the segments before the first wildcard) must exist for the copy to count. */
  const present = (p: string, glob: boolean): boolean => {
    if (!glob) return exists(p);
    const segs = p.split('/');
    const i = segs.findIndex((s) => /[*?[]/.test(s));
    return dirExists(segs.slice(0, i).join('/') || '/');
  };

  return {
    resolve(target: string, ctx: IncludeContext): IncludeTarget {
      for (const [from, to] of maps) {
        if (within(target, from)) return { kind: 'read', path: path.join(to, path.relative(from, target)) };
      }
      const absolute = path.isAbsolute(ctx.pattern);
      const inTree = roots.some((r) => within(target, r));
      if (!absolute || inTree || o.allowHost) {
        if (ctx.glob || exists(target)) return { kind: 'read', path: target };
        const stock = stockFile(target);
        if (stock) return { kind: 'stock', path: target, text: stock.text };
        // nginx resolves a relative include against its prefix (/etc/nginx on the deployment host),
        // which a repository's folder need not be: a file missing here may be made there at start
        // (a generated resolv.conf). Certain only when the prefix is known.
        if (!absolute && !o.prefixKnown) return { kind: 'missing', note: `not in the checked tree (nginx reads it from its prefix on the deployment host; give --prefix to check it)` };
        return { kind: 'missing' };
      }
      // A host path: look for the deployment's copy by the path's tail, nearest folder first.
      const segs = target.split('/').filter(Boolean);
      const bases = [path.dirname(ctx.from.path), ...roots];
      for (const base of bases) {
        // A glob keeps at least its folder (`conf.d/*.conf`): a bare `*.conf` would match the tree itself.
        const last = ctx.glob ? segs.length - 2 : segs.length - 1;
        for (let i = 0; i <= last; i++) {
          const candidate = path.join(base, ...segs.slice(i));
          if (candidate === ctx.from.path) continue;
          if (!roots.some((r) => within(candidate, r)) && !within(candidate, path.dirname(ctx.from.path))) continue;
          if (present(candidate, ctx.glob)) {
            const rel = path.relative(path.dirname(ctx.from.path), candidate);
            return { kind: 'read', path: candidate, note: `${target} read from the deployment's copy ${rel.startsWith('.') ? rel : `./${rel}`}` };
          }
        }
      }
      const stock = ctx.glob ? undefined : stockFile(target);
      if (stock) return { kind: 'stock', path: target, text: stock.text };
      return {
        kind: 'skip',
        note: `${target} is outside the checked tree and was not read (map it with --prefix or conftune.json "includePaths", or allow it with --allow-host-includes)`,
      };
    },
  };
}
