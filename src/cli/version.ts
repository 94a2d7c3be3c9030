import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package version, read from package.json next to dist/ or src/. */
export function toolVersion(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const p = JSON.parse(fs.readFileSync(path.resolve(here, up), 'utf8'));
      if (p.name === 'conftune') return p.version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}
