import type { Edit, Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import type { NginxConfig } from '../../src/nginx/tree.js';
import { walk } from '../../src/nginx/tree.js';
import { effectiveList, effectiveValue } from '../../src/nginx/effective.js';
import { insertBefore, sourceOf } from '../../src/edit/edits.js';

/**
 * Response headers whose loss weakens the browser's defences (a warning). Losing any other header
 * (ETag, Cache-Control on static files, X-Cached, CORS helpers…) is reported once per outer level,
 * as info: usually deliberate or harmless.
 */
const SECURITY_HEADERS = [
  'content-security-policy', 'content-security-policy-report-only', 'strict-transport-security', 'x-frame-options',
  'x-content-type-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy',
  'cross-origin-embedder-policy', 'cross-origin-resource-policy',
];

const LEVELS = new Set(['http', 'server', 'location', 'if', 'limit_except']);

function headerName(d: Directive): string {
  return (d.args[0]?.value ?? '').toLowerCase();
}

const PASS = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']);

/** The level answers 204 itself (CORS preflight): no body, so no header that guards content is lost. */
function returns204(level: Directive): boolean {
  return (level.block ?? []).some((d) => d.parent === level && d.name === 'return' && d.args[0]?.value === '204');
}

/** Requests served at `level` may reach a backend: a *_pass inside it, or a fallback to a named location. */
function mayProxy(level: Directive): boolean {
  let found = false;
  walk(level.block ?? [], (d) => {
    if (found) return false;
    if (PASS.has(d.name)) found = true;
    else if ((d.name === 'try_files' || d.name === 'error_page') && d.args.some((a) => a.value.startsWith('@'))) found = true;
    return undefined;
  });
  return found;
}

/**
 * Whether dropping the outer `add_header` changes the response at `level`. It does not when the
 * header is empty there (nginx sends no header with an empty value: `X-Cached ""`, or
 * `$upstream_cache_status` where nothing is proxied), when `ETag ""` clears an etag that
 * `etag off` already removes, when `expires` still sends Cache-Control, or for HSTS outside the
 * main `location /`: the browser takes it from any response of the host, and the documents carry it.
 */
function lost(config: NginxConfig, level: Directive, d: Directive): boolean {
  const name = headerName(d);
  const value = d.args[1]?.value ?? '';
  if (name === 'etag' && value === '') return effectiveValue(config, level, 'etag').args?.[0] !== 'off';
  if (value === '') return false;
  if (/^\$upstream_[a-z_]+$/.test(value) && !mayProxy(level)) return false;
  if (name === 'cache-control') {
    const expires = effectiveValue(config, level, 'expires');
    if (!expires.isDefault && expires.args?.[0] !== 'off') return false;
  }
  if (name === 'strict-transport-security' && level.name === 'location' && !isMainLocation(level)) return false;
  return true;
}

/** `location /` or `location = /`: where an app's pages are served. */
function isMainLocation(level: Directive): boolean {
  const a = level.args.map((x) => x.value);
  return (a.length === 1 && a[0] === '/') || (a.length === 2 && a[0] === '=' && a[1] === '/');
}

function inherits(level: Directive): boolean {
  const inherit = (level.block ?? []).find((d) => d.name === 'add_header_inherit');
  const v = inherit?.args[0]?.value;
  return v === 'on' || v === 'merge';
}

export const rule: Rule = {
  meta: {
    id: 'nginx/add-header-redefinition',
    aliases: ['add_header_redefinition'],
    category: 'security',
    severity: 'warning',
    fix: 'suggest',
    summary: "a level's own add_header silently drops every add_header set at an outer level",
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const opts = (ctx.options.ruleOptions['nginx/add-header-redefinition'] ?? {}) as { headers?: string[] };
    const secure = new Set((opts.headers?.length ? opts.headers : SECURITY_HEADERS).map((h) => h.toLowerCase()));
    // Drops of other headers, grouped by the outer list they drop from: one info finding per group.
    const minor = new Map<Directive | null, Array<{ level: Directive; own: Directive[]; dropped: Directive[]; where: string }>>();
    const visitLevel = (level: Directive): void => {
      if (!level.block) return;
      const own = level.block.filter((d) => d.name === 'add_header' && d.parent === level);
      if (own.length === 0 || inherits(level) || returns204(level)) return;
      const outer = effectiveList(config, level.parent, 'add_header');
      if (outer.nodes.length === 0) return;
      const ownNames = new Set(own.map(headerName));
      const dropped = outer.nodes.filter((d) => !ownNames.has(headerName(d)) && lost(config, level, d));
      if (dropped.length === 0) return;
      const where = outer.level ? `${outer.level.name} level (line ${outer.level.line})` : 'top level';
      if (!dropped.some((d) => secure.has(headerName(d)))) {
        const key = outer.level ?? null;
        const list = minor.get(key) ?? [];
        list.push({ level, own, dropped, where });
        minor.set(key, list);
        return;
      }
      const names = dropped.map((d) => d.args[0]?.value ?? '');
      ctx.report({
        node: own[0]!,
        message: `add_header in this ${level.name} drops ${names.map((n) => `"${n}"`).join(', ')} set at ${where}: nginx inherits add_header only when a level sets none (security headers are lost here)`,
        fix: { description: `repeat the inherited header${dropped.length > 1 ? 's' : ''} ${names.join(', ')} here`, edits: repeatEdits(level, own, dropped) },
      });
    };
    const done = (): void => {
      for (const group of minor.values()) {
        const first = group[0]!;
        const names = [...new Set(group.flatMap((g) => g.dropped.map((d) => d.args[0]?.value ?? '')))];
        const others = group.slice(1).map((g) => g.own[0]!.line);
        ctx.report({
          node: first.own[0]!,
          severity: 'info',
          message: `add_header in this ${first.level.name}${others.length > 0 ? ` (and ${others.length} more, lines ${others.join(', ')})` : ''} drops ${names.map((n) => `"${n}"`).join(', ')} set at ${first.where}: nginx inherits add_header only when a level sets none`,
          fix: {
            description: `repeat the inherited header${names.length > 1 ? 's' : ''} ${names.join(', ')} where ${group.length > 1 ? 'they are' : 'it is'} dropped`,
            edits: group.flatMap((g) => repeatEdits(g.level, g.own, g.dropped)),
          },
        });
      }
    };
    return { named: Object.fromEntries([...LEVELS].map((name) => [name, visitLevel])), done };
  },
};

function repeatEdits(level: Directive, own: Directive[], dropped: Directive[]): Edit[] {
  const anchor = own.find((d) => d.file === level.file) ?? own[0]!;
  return dropped.map((d) => insertBefore(anchor, sourceOf(d)));
}
