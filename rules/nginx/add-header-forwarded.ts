import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { firstChild } from '../../src/nginx/tree.js';
import { effectiveList } from '../../src/nginx/effective.js';
import { proxiesBelow } from '../../src/nginx/query.js';

/** Request headers a proxy adds for the backend; as response headers they inform nobody. */
const REQUEST_HEADERS = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-server', 'x-forwarded-prefix', 'x-forwarded-ssl', 'x-real-ip', 'forwarded']);

export const rule: Rule = {
  meta: {
    id: 'nginx/add-header-forwarded',
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: '`add_header X-Forwarded-*` / `X-Real-IP` sets a response header: the backend never sees it (proxy_set_header was meant)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // One finding per block: these come in sets (X-Real-IP, X-Forwarded-For, -Proto, -Host).
    const byLevel = new Map<Directive | null, Directive[]>();
    const addHeader = (d: Directive): void => {
      const name = d.argValue(0);
      if (name === undefined || !REQUEST_HEADERS.has(name.toLowerCase())) return;
      const list = byLevel.get(d.parent) ?? [];
      list.push(d);
      byLevel.set(d.parent, list);
    };
    const done = (): void => {
      for (const [level, list] of byLevel) {
        const proxied = level !== null && proxiesBelow(level);
        // Converting is safe only when it does not start a new proxy_set_header list that drops inherited ones.
        const own = level ? firstChild(level.block, 'proxy_set_header') !== undefined : false;
        const inherited = level ? effectiveList(config, level.parent, 'proxy_set_header').nodes.length > 0 : false;
        const convertible = list.filter((d) => d.args.length >= 2);
        const fixable = proxied && (own || !inherited) && convertible.length === list.length;
        const names = list.map((d) => d.argValue(0)!);
        const first = list[0]!;
        ctx.report({
          node: first,
          message: `add_header ${names.join(', ')} ${names.length > 1 ? 'add headers' : 'adds a header'} to the response sent to the client; the backend never receives ${names.length > 1 ? 'them' : 'it'}${proxied ? ` (to tell the proxied backend, use "proxy_set_header ${names[0]} ${first.argValue(1) ?? '…'};"${names.length > 1 ? ' and so on' : ''})` : ''}`,
          fix: fixable
            ? {
                description: `use proxy_set_header for ${names.join(', ')}`,
                edits: list.map((d) => ({ file: d.file.path, start: d.start, end: d.end, text: `proxy_set_header ${d.file.text.slice(d.args[0]!.start, d.args[1]!.end)};` })),
              }
            : undefined,
        });
      }
    };
    return { named: { add_header: addHeader }, done };
  },
};
