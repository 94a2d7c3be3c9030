import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';

/** The only directives the nginx wiki calls 100% safe inside `if` in a location. */
function isSafe(d: Directive): boolean {
  if (d.name === 'return') return true;
  if (d.name === 'rewrite') {
    const flag = d.args[2]?.value;
    return flag === 'last' || flag === 'redirect' || flag === 'permanent';
  }
  return false;
}

/** The `if` ends the request itself: a return, or a rewrite that redirects or restarts location search. */
function endsRequest(block: Directive[]): boolean {
  const last = block[block.length - 1];
  return last !== undefined && isSafe(last);
}

/** Directives that only set variables or response headers: fine in an `if` that then returns. */
const BEFORE_RETURN = new Set(['set', 'add_header', 'more_set_headers', 'more_clear_headers', 'expires', 'access_log', 'limit_rate']);
/**
 * Output filters documented for "location if" (echo-nginx-module): they only wrap the body the
 * location's handler makes, so they work as written inside an if.
 */
const IF_FILTERS = new Set(['echo_before_body', 'echo_after_body']);
/** ngx_http_rewrite_module: runs in the rewrite phase, like the if itself. */
const REWRITE_MODULE = new Set(['set', 'break', 'rewrite', 'return']);

export const rule: Rule = {
  meta: {
    id: 'nginx/if-is-evil',
    aliases: ['if_is_evil'],
    category: 'security',
    severity: 'warning',
    fix: 'none',
    summary: '`if` in a location holds directives other than return / rewrite … last (If Is Evil)',
    needs: ['nginx'],
  },
  create(ctx) {
    // Only `if` blocks matter: subscribed by name, not to every directive.
    const onIf = (d: Directive): void => {
      if (!d.block) return;
      let location: Directive | null = null;
      for (let p = d.parent; p; p = p.parent) {
        if (p.name === 'location') {
          location = p;
          break;
        }
        if (p.name === 'server' || p.name === 'http') break;
      }
      const fragment = d.parent === null && ctx.nginx!.rootContext === 'location';
      if (!location && !fragment) return;
      const own = d.block.filter((k) => k.parent === d);
      const unsafe = own.filter((k) => !isSafe(k));
      if (unsafe.length === 0) return;
      // `if (…) { add_header …; return 204; }` (CORS preflight): the response is made inside the if,
      // with the if's own headers. It works as written.
      if (endsRequest(own) && unsafe.every((k) => BEFORE_RETURN.has(k.name))) return;
      const names = [...new Set(unsafe.map((k) => k.name))];
      const siblings = location ? location.block ?? ctx.nginx!.root : ctx.nginx!.root;
      const tryFiles = siblings.find((k) => k.name === 'try_files' && k.parent === (location ?? null));
      if (!tryFiles && unsafe.every((k) => IF_FILTERS.has(k.name))) return;
      const rewriteOnly = unsafe.every((k) => REWRITE_MODULE.has(k.name));
      // When the condition holds, the request is served by the if's implicit location, which does
      // not inherit try_files: the location's try_files (and its fallback) is skipped — a break.
      const severity = tryFiles && !endsRequest(own) ? 'error' : rewriteOnly ? 'info' : undefined;
      ctx.report({
        node: d,
        severity,
        message: tryFiles && !endsRequest(own)
          ? `"if" in a location holds ${names.map((n) => `"${n}"`).join(', ')}: when the condition holds, the request is handled inside the if, which does not inherit "try_files" (line ${tryFiles.line}), so that try_files and its fallback are skipped (move the logic to a map, or end the if with return)`
          : rewriteOnly
            ? `"if" in a location holds ${names.map((n) => `"${n}"`).join(', ')}: rewrite-module directives run as expected, but the request is then handled by the if's implicit location (only return and rewrite … last are fully safe; a map is cleaner)`
            : `"if" in a location holds ${names.map((n) => `"${n}"`).join(', ')}: inside a location, if creates a nested location whose content handlers and inheritance misbehave (two ifs don't combine; headers and handlers of the location are replaced); only return and rewrite … last are safe`,
      });
    };
    return { named: { if: onIf } };
  },
};
