import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { childrenNamed, enclosing } from '../../src/nginx/tree.js';
import { effectiveProxyHeaders } from '../../src/nginx/effective.js';
import type { ProxyPass } from '../../src/nginx/query.js';
import { appLabel } from '../../src/model/gunicorn-query.js';
import { passesFor, schemeHeaders, trustsNginx } from './_shared.js';

type Scheme = 'http' | 'https';

/** The value nginx sends for a header on a request of this scheme: '' = not sent, undefined = unknown. */
function valueOn(v: string, scheme: Scheme): string | undefined {
  if (v === '$scheme') return scheme;
  if (v === '$https') return scheme === 'https' ? 'on' : '';
  if (!v.includes('$')) return v;
  return undefined;
}

/** Schemes the server holding this proxy_pass accepts requests over. */
function schemesOf(pp: ProxyPass): Scheme[] {
  const server = enclosing(pp.node, 'server');
  if (!server) return ['http', 'https'];
  const listens = childrenNamed(server.block, 'listen');
  const ssl = listens.filter((l) => l.args.slice(1).some((a) => a.value === 'ssl' || a.value === 'quic'));
  const onSsl = ssl.length > 0 || childrenNamed(server.block, 'ssl').some((d) => d.args[0]?.value === 'on');
  if (!onSsl) return ['http'];
  if (listens.length > 0 && ssl.length === listens.length) return ['https'];
  return ['http', 'https'];
}

export const rule: Rule = {
  meta: {
    id: 'cross/secure-scheme-mismatch',
    category: 'correctness',
    severity: 'error',
    fix: 'suggest',
    summary: "forwarded scheme headers contradict gunicorn's secure_scheme_headers → 400 Bad Request",
    needs: ['nginx', 'gunicorn'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // The http proxy_passes, gathered in the walk (tree order, as proxyPasses() lists them); the
    // links are checked once all are known.
    const all: ProxyPass[] = [];
    const seen = new Set<Directive>();
    return {
      proxyPass(pp) {
        all.push(pp);
      },
      done() {
        for (const link of ctx.model.links) {
          const secure = schemeHeaders(link.app);
          // Computed headers, or a peer gunicorn ignores the headers from: nothing to compare.
          if (!secure || trustsNginx(link.app, link.target.address) !== true) continue;
          for (const p of passesFor(link.target, all)) {
            const headers = effectiveProxyHeaders(config, p.node);
            const sent = Object.keys(secure).filter((h) => headers.has(h)).map((h) => ({ h, d: headers.get(h)! }));
            if (sent.length < 2) continue;
            for (const scheme of schemesOf(p)) {
              const values = sent.map(({ h, d }) => ({ h, d, v: valueOn(d.args[1]?.value ?? '', scheme) }));
              if (values.some((x) => x.v === undefined)) continue;
              // gunicorn compares each header's value exactly; every header present must agree.
              const present = values.filter((x) => x.v !== '');
              const verdicts = present.map((x) => x.v === secure[x.h]);
              if (!(verdicts.includes(true) && verdicts.includes(false))) continue;
              // Report the headers that disagree with the request's real scheme.
              const wrong = present.filter((x, i) => verdicts[i] !== (scheme === 'https'));
              const right = present.find((x, i) => verdicts[i] === (scheme === 'https'))!;
              for (const { h, d, v } of wrong) {
                if (seen.has(d)) continue;
                seen.add(d);
                const says = scheme === 'https'
                  ? `which ${appLabel(link.app)} reads as http (it wants exactly "${secure[h]}")`
                  : `which ${appLabel(link.app)} reads as https`;
                ctx.report({
                  node: d,
                  message: `on ${scheme} requests nginx sends ${d.args[0]?.value}: ${v}, ${says}, while ${right.d.args[0]?.value}: ${right.v} says ${scheme}: gunicorn rejects every such request with 400 "Contradictory scheme headers" (${scheme === 'https' ? `send "${secure[h]}"` : 'derive the value from $scheme/$https'} or drop this header)`,
                });
              }
            }
          }
        }
      },
    };
  },
};
