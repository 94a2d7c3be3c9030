import type { Rule } from '../../src/lint/rule.js';
import { effectiveList, effectiveProxyHeaders } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { enclosing } from '../../src/nginx/tree.js';
import { addProxyHeaderEdit, inheritsFromOpaque, isFragment } from './_perf.js';

/**
 * Targets that are an application behind this proxy (an upstream block, an IP, localhost, a
 * socket). A DNS name is left alone: for an external service its own name is the right Host.
 */
function isAppTarget(pp: ProxyPass): boolean {
  if (pp.upstream || pp.unixPath !== null) return true;
  const h = pp.host;
  if (h === null) return false;
  return h.toLowerCase() === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':');
}

/** What nginx sends as Host by default ($proxy_host): the name and port written in proxy_pass. */
function defaultHost(pp: ProxyPass): string {
  if (pp.unixPath !== null) return 'localhost';
  const host = pp.host!.includes(':') ? `[${pp.host}]` : pp.host!;
  const defPort = pp.scheme === 'https' ? 443 : 80;
  return pp.port !== null && pp.port !== defPort ? `${host}:${pp.port}` : host;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-host-default',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'proxied without proxy_set_header Host (the backend sees the upstream\'s name)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    return {
      proxyPass(pp) {
        if ((pp.scheme !== 'http' && pp.scheme !== 'https') || !isAppTarget(pp) || enclosing(pp.node, 'stream')) return;
        const headers = effectiveProxyHeaders(config, pp.node);
        if (headers.has('host')) return;
        // The client's host sent as X-Forwarded-Host (NetBox: USE_X_FORWARDED_HOST): a deliberate
        // channel the application reads instead of Host.
        if (/\$(?:host|http_host|server_name)\b/.test(headers.get('x-forwarded-host')?.argValue(1) ?? '')) return;
        // Host may be set in a file we cannot read, or at an outer level of a fragment.
        if (inheritsFromOpaque(config, pp.node)) return;
        if (isFragment(config) && effectiveList(config, pp.node, 'proxy_set_header').level === undefined) return;
        const edit = addProxyHeaderEdit(config, pp.node, 'proxy_set_header Host $host;');
        ctx.report({
          node: pp.node,
          message: `proxy_pass ${pp.node.args[0]?.value ?? ''} sends "Host: ${defaultHost(pp)}" (nginx's default $proxy_host), not the client's host: the backend builds wrong absolute URLs and redirects, and host checks such as Django's ALLOWED_HOSTS reject or misroute requests (add "proxy_set_header Host $host;")`,
          fix: edit ? { description: 'send the client\'s Host header', edits: [edit] } : undefined,
        });
      },
    };
  },
};
