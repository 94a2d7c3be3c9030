// Output formats by name. Each reporter is loaded only when asked for.

import type { Reporter } from './types.js';

export const FORMATS = ['stylish', 'json', 'sarif', 'github', 'checkstyle'] as const;
export type FormatName = (typeof FORMATS)[number];

export async function loadReporter(name: FormatName): Promise<Reporter> {
  switch (name) {
    case 'stylish':
      return (await import('./stylish.js')).stylish;
    case 'json':
      return (await import('./json.js')).json;
    case 'sarif':
      return (await import('./sarif.js')).sarif;
    case 'github':
      return (await import('./github.js')).github;
    case 'checkstyle':
      return (await import('./checkstyle.js')).checkstyle;
  }
}
