import type { Rule } from '../../src/lint/rule.js';
import { effectiveProxyHeaders } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { enclosing, type Directive } from '../../src/nginx/tree.js';
import { appLabel, describeOrigin, list } from '../../src/model/gunicorn-query.js';
import { gunicornSide, passesFor, schemeHeaders, trustsNginx } from './_shared.js';

/** Whether the server around a proxy_pass takes TLS (a `listen … ssl`/`quic`, or `ssl on`). */
function servesTls(pass: Directive): boolean {
  const server = enclosing(pass, 'server');
  if (!server) return true; // a fragment: its listeners are elsewhere, assume they may
  return (server.block ?? []).some((d) =>
    (d.name === 'listen' && d.args.slice(1).some((a) => a.value === 'ssl' || a.value === 'quic')) || (d.name === 'ssl' && d.args[0]?.value === 'on'));
}

/** A header whose value is nginx's own `$scheme`: behind a plain-http server it always says http. */
const SCHEME_ONLY = /^(\$scheme|\$\{scheme\}|http)$/;

export const rule: Rule = {
  meta: {
    id: 'cross/forwarded-ips-untrusted',
    category: 'correctness',
    severity: 'warning',
    fix: 'suggest',
    summary: "nginx sends X-Forwarded-* over non-loopback TCP but gunicorn doesn't trust nginx's address",
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const seen = new Set<unknown>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const addr = link.target.address;
          if (addr.kind !== 'tcp') continue; // unix-socket peers are always trusted
          // Only a definite "no": a list naming other (maybe nginx's) addresses is not second-guessed.
          if (trustsNginx(link.app, addr) !== false) continue;
          const secure = schemeHeaders(link.app);
          if (!secure) continue;
          for (const p of passesFor(link.target, all)) {
            // gunicorn uses the trust list only for secure_scheme_headers (wsgi.url_scheme).
            let sent = [...effectiveProxyHeaders(config, p.node).values()].filter((d) => (d.args[0]?.value.toLowerCase() ?? '') in secure);
            // Without TLS on this server the scheme header always says http: trusting it changes nothing.
            if (!servesTls(p.node)) sent = sent.filter((d) => !SCHEME_ONLY.test(d.args[1]?.value ?? ''));
            const s = link.app.settings.get('forwarded_allow_ips');
            // One finding per gunicorn line, or per proxy_pass when the trust list is gunicorn's default.
            const key = s?.origin.file ? link.app : p.node;
            if (sent.length === 0 || seen.has(key)) continue;
            seen.add(key);
            const allowed = list(link.app, 'forwarded_allow_ips') ?? [];
            ctx.report({
              ...gunicornSide(s?.origin, p.node),
              message: `nginx reaches ${appLabel(link.app)} over ${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port} and sends ${sent.map((d) => d.args[0]!.value).join(', ')}, but gunicorn only trusts forwarded_allow_ips = "${allowed.join(',')}" (${describeOrigin(s)}), not nginx's address: it ignores the header and the app sees every request as http (wrong redirects, insecure URLs) — add nginx's address to forwarded_allow_ips, or proxy over loopback or a unix socket`,
            });
          }
        }
      },
    };
  },
};
