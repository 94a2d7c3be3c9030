// The deployment model: what rules see. Plain data, built once per `check`.

import type { Directive, NginxConfig } from '../nginx/tree.js';
import type { Bind, GunicornApp } from '../gunicorn/types.js';

/** A place nginx sends requests to: an upstream `server` or a literal `proxy_pass` target. */
export interface NginxTarget {
  /** The `server` line inside an upstream, or the `proxy_pass` directive for a literal address. */
  node: Directive;
  /** The upstream block, when the target is an upstream member. */
  upstream?: Directive;
  address: { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string } | { kind: 'unresolved'; raw: string };
}

export interface Link {
  target: NginxTarget;
  app: GunicornApp;
  bind: Bind;
}

export interface Deployment {
  nginx: NginxConfig | null;
  gunicorn: GunicornApp[];
  /** nginx targets that reach a gunicorn bind. */
  links: Link[];
  /** nginx targets that reach no known gunicorn bind. */
  unlinkedTargets: NginxTarget[];
}
