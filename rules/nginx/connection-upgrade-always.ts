import type { Edit, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing, findAll } from '../../src/nginx/tree.js';
import { findMap } from '../../src/nginx/keepalive.js';
import { indentUnit, insertIntoBlock, replaceArg } from '../../src/fix/edits.js';

/** Locations whose path says they exist for websockets / streams (the literal form is then harmless). */
const SOCKET_PATH = /(^|[/_.-])(ws|wss|websockets?|sockets?|socket\.io|cable|sockjs|streaming|stream|live|realtime|hub|signalr)([/_.-]|$)/i;

/** A map from $http_upgrade already in the configuration (its variable name), if any. */
function upgradeMap(config: Parameters<typeof findMap>[0]): string | null {
  for (const m of findAll(config, 'map')) {
    if (enclosing(m, 'map') || m.argValue(0)?.toLowerCase() !== '$http_upgrade') continue;
    const v = m.argValue(1);
    if (v?.startsWith('$')) return v.slice(1);
  }
  return null;
}

function locationPath(d: Directive): string {
  const loc = enclosing(d, 'location');
  if (!loc) return '';
  return loc.args.map((a) => a.value).join(' ');
}

export const rule: Rule = {
  meta: {
    id: 'nginx/connection-upgrade-always',
    category: 'performance',
    severity: 'warning',
    fix: 'suggest',
    summary: '`proxy_set_header Connection "upgrade"` on every request: plain requests ask for an upgrade and never keep the connection alive',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const existing = upgradeMap(config);
    const name = existing ?? 'connection_upgrade';
    const hits = findAll(config, 'proxy_set_header').filter(
      (d) => d.argValue(0)?.toLowerCase() === 'connection' && (d.argValue(1) ?? '').toLowerCase() === 'upgrade' && d.args[1] !== undefined,
    );
    if (hits.length === 0) return;
    // One finding per configuration (a setup writes the same block in every location), at the
    // first place; its fix switches every one of them to the map.
    const edits: Edit[] = hits.map((d) => replaceArg(d.file, d.args[1]!, `$${name}`));
    let fixable = true;
    if (!existing) {
      const http = enclosing(hits[0]!, 'http');
      const e = http && findMap(config, name) === undefined ? insertIntoBlock(http, `map $http_upgrade $${name} {\n${indentUnit(http.file)}default upgrade;\n${indentUnit(http.file)}''      "";\n}`) : null;
      if (e && hits.every((d) => enclosing(d, 'http') === http)) edits.push(e);
      else fixable = false;
    }
    const plain = hits.filter((d) => !SOCKET_PATH.test(locationPath(d)));
    const first = plain[0] ?? hits[0]!;
    const others = hits.filter((d) => d !== first).map((d) => d.line);
    ctx.report({
      node: first,
      severity: plain.length === 0 ? 'info' : undefined,
      message: `"Connection: upgrade" is sent with every request proxied from here${others.length > 0 ? ` (and ${others.length} more place${others.length > 1 ? 's' : ''}, line${others.length > 1 ? 's' : ''} ${others.join(', ')})` : ''}, also with plain requests that carry no Upgrade header${plain.length === 0 ? ' (websocket-only locations, where that is harmless but needless)' : ''}: the backend sees a bogus upgrade request and the connection is never reused (take it from "map $http_upgrade $${name} { default upgrade; '' \\"\\"; }")`,
      fix: fixable ? { description: `send Connection from $${name} (a map of $http_upgrade)`, edits } : undefined,
    });
  },
};
