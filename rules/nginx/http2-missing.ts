import type { Rule, Edit } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { childrenNamed } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { insertAfter } from '../../src/edit/edits.js';
import { atLeast } from '../../src/util/version.js';
import { httpServers, outerLevelsUnknown } from './_perf.js';

/** From this version HTTP/2 is switched on by the `http2` directive; `listen … http2` is deprecated. */
const HTTP2_DIRECTIVE_SINCE = '1.25.1';

/** The socket a listen opens: HTTP/2 on `listen … http2` applies to every server sharing it. */
function socketKey(listen: Directive): string {
  const addr = listen.args[0]?.value ?? '';
  if (/^\d+$/.test(addr)) return `*:${addr}`;
  return addr.replace(/^0\.0\.0\.0:/, '*:').replace(/^\*:/, '*:');
}

function hasParam(listen: Directive, name: string): boolean {
  return listen.args.slice(1).some((a) => a.value === name);
}

export const rule: Rule = {
  meta: {
    id: 'nginx/http2-missing',
    category: 'performance',
    severity: 'info',
    fix: 'safe',
    summary: 'TLS listener without HTTP/2',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const version = ctx.options.versions.nginx;
    const directive = atLeast(version, HTTP2_DIRECTIVE_SINCE);
    const servers = httpServers(config);
    const h2Sockets = new Set<string>();
    for (const s of servers) for (const l of childrenNamed(s.block, 'listen')) if (hasParam(l, 'http2')) h2Sockets.add(socketKey(l));
    for (const server of servers) {
      const tls = childrenNamed(server.block, 'listen').filter((l) => hasParam(l, 'ssl'));
      if (tls.length === 0) continue;
      if (tls.some((l) => h2Sockets.has(socketKey(l)))) continue;
      // Another server on the same socket (in a file we were not given) may switch HTTP/2 on for it.
      if (outerLevelsUnknown(config, server)) continue;
      if (directive) {
        const v = effectiveValue(config, server, 'http2', version);
        if (v.args?.[0] === 'on') continue;
      }
      const listens = childrenNamed(server.block, 'listen').filter((l) => l.file === server.file || l.includedBy === null);
      const lastListen = listens[listens.length - 1] ?? tls[tls.length - 1]!;
      const edits: Edit[] = directive
        ? [insertAfter(lastListen, 'http2 on;')]
        : tls.map((l) => ({ file: l.file.path, start: l.args[l.args.length - 1]!.end, end: l.args[l.args.length - 1]!.end, text: ' http2' }));
      const spelling = directive ? '"http2 on;" in the server' : '"http2" to its listen lines';
      ctx.report({
        node: tls[0]!,
        message: `TLS listener ${tls[0]!.args[0]?.value ?? ''} serves HTTP/1.1 only: browsers then open up to six connections per origin and pay a TLS handshake for each, where HTTP/2 multiplexes every request over one (add ${spelling}${directive ? '' : `; nginx ${version} predates the http2 directive`})`,
        fix: { description: directive ? 'add "http2 on;"' : 'add http2 to the TLS listen lines', edits },
      });
    }
  },
};
