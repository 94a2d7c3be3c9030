import type { Edit, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { enclosing } from '../../src/nginx/tree.js';
import { findMap } from '../../src/analysis/keepalive.js';
import { effectiveValue, parseNginxTime } from '../../src/nginx/effective.js';
import { indentUnit, insertIntoBlock, replaceArg } from '../../src/edit/edits.js';

/** Locations whose path says they exist for websockets / streams (the literal form is then harmless). */
const SOCKET_PATH = /(^|[/_.-])(ws|wss|websockets?|sockets?|socket\.io|cable|sockjs|streaming|stream|live|realtime|hub|signalr|events)([/_.-]|$)/i;

/** proxy_read_timeout of an hour or more: a location kept open for long-lived (websocket) streams. */
const LONG_LIVED = 3600;

/** The variable a map from $http_upgrade sets (the first such map is the one to reuse), if it is one. */
function upgradeMapVariable(m: Directive): string | null {
  if (enclosing(m, 'map') || m.argValue(0)?.toLowerCase() !== '$http_upgrade') return null;
  const v = m.argValue(1);
  return v?.startsWith('$') ? v.slice(1) : null;
}

function locationPath(d: Directive): string {
  const loc = enclosing(d, 'location');
  if (!loc) return '';
  return loc.args.map((a) => a.value).join(' ');
}

/**
 * The location exists for websockets: its path says so, or it waits an hour or more for data.
 * There the literal is nginx's own documented form (every request is an upgrade): not reported.
 */
function websocketOnly(config: Parameters<typeof findMap>[0], d: Directive): boolean {
  if (SOCKET_PATH.test(locationPath(d))) return true;
  const t = effectiveValue(config, d, 'proxy_read_timeout');
  return !t.isDefault && t.args?.[0] !== undefined && parseNginxTime(t.args[0]) >= LONG_LIVED;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/connection-upgrade-always',
    category: 'performance',
    // Hygiene, not a break: most backends ignore an upgrade option without an Upgrade header.
    severity: 'info',
    fix: 'suggest',
    summary: '`proxy_set_header Connection "upgrade"` on every request of a location that also serves plain requests (use a map of $http_upgrade)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    let existing: string | null = null;
    const hits: Directive[] = [];
    const map = (m: Directive): void => {
      if (existing === null) existing = upgradeMapVariable(m);
    };
    const proxySetHeader = (d: Directive): void => {
      if (d.argValue(0)?.toLowerCase() === 'connection' && (d.argValue(1) ?? '').toLowerCase() === 'upgrade' && d.args[1] !== undefined) hits.push(d);
    };
    // Reported once the whole configuration is seen: the map may come after the hits.
    const done = (): void => {
      const name = existing ?? 'connection_upgrade';
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
      const plain = hits.filter((d) => !websocketOnly(config, d));
      if (plain.length === 0) return;
      const first = plain[0]!;
      const others = hits.filter((d) => d !== first).map((d) => d.line);
      ctx.report({
        node: first,
        message: `"Connection: upgrade" is sent with every request proxied from here${others.length > 0 ? ` (and ${others.length} more place${others.length > 1 ? 's' : ''}, line${others.length > 1 ? 's' : ''} ${others.join(', ')})` : ''}, also with plain requests that carry no Upgrade header: the backend is asked to switch protocols with nothing to switch to, and these requests cannot use the documented upstream keep-alive setup (an empty Connection header) (take it from "map $http_upgrade $${name} { default upgrade; '' \\"\\"; }")`,
        fix: fixable ? { description: `send Connection from $${name} (a map of $http_upgrade)`, edits } : undefined,
      });
    };
    return { named: { map, proxy_set_header: proxySetHeader }, done };
  },
};
