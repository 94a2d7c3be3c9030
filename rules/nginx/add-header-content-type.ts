import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

const HIDE = ['proxy_hide_header', 'fastcgi_hide_header', 'uwsgi_hide_header', 'scgi_hide_header', 'grpc_hide_header'];

/** A `*_hide_header Content-Type` in scope means the upstream's type is removed first: no duplicate. */
function hidesContentType(d: Directive, root: Directive[]): boolean {
  for (let p: Directive | null = d.parent; ; p = p.parent) {
    const kids = p ? p.block ?? [] : root;
    if (kids.some((k) => HIDE.includes(k.name) && k.args[0]?.value.toLowerCase() === 'content-type')) return true;
    if (!p) return false;
  }
}

/**
 * The block answers `return 204` itself: for a 204 nginx clears its own Content-Type (the header
 * filter drops it with the body), so the added one is the only Content-Type sent.
 */
function answers204(d: Directive, root: Directive[]): boolean {
  const kids = d.parent ? d.parent.block ?? [] : root;
  return kids.some((k) => k.name === 'return' && k.args[0]?.value === '204');
}

export const rule: Rule = {
  meta: {
    id: 'nginx/add-header-content-type',
    aliases: ['add_header_content_type'],
    category: 'security',
    severity: 'info',
    fix: 'none',
    summary: 'add_header Content-Type adds a second Content-Type header; use default_type or types',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const header = (d: Directive): void => {
      const isAdd = d.name === 'add_header' && d.args[0]?.value.toLowerCase() === 'content-type';
      const isMore = d.name === 'more_set_headers' && d.args.some((a) => /^content-type\s*:/i.test(a.value));
      if ((isAdd || isMore) && !hidesContentType(d, config.root) && !answers204(d, config.root)) {
        ctx.report({
          node: d,
          message: `${d.name} sets Content-Type on top of the one nginx already sends: clients see two Content-Type headers (use "default_type …;" instead)`,
        });
      }
    };
    return { named: { add_header: header, more_set_headers: header } };
  },
};
