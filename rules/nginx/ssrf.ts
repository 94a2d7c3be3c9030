import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { varModelOf, canContain, isInternal, parseScript } from '../../src/analysis/security.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/ssrf',
    aliases: ['ssrf'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'proxy_pass host or scheme built from client-controlled data (server-side request forgery)',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Every proxy_pass outside stream/mail (by name instead of every directive).
    const proxy_pass = (d: Directive, _context: unknown, inStreamOrMail: boolean): void => {
      if (inStreamOrMail) return;
      const target = d.argValue(0);
      if (target === undefined || isInternal(d)) return;
      const vars = varModelOf(config);
      const parts = vars.expand(parseScript(target), d);
      // Walk the URL: before "://" a variable may be the scheme or the host, after it the host,
      // and from the first "/" on it is only the path.
      let state: 'start' | 'host' | 'path' = 'start';
      for (const p of parts) {
        if (state === 'path') break;
        if ('lit' in p) {
          let text = p.lit;
          if (state === 'start' && text.includes('://')) {
            text = text.slice(text.indexOf('://') + 3);
            state = 'host';
          }
          if (/[/?#]/.test(text)) state = 'path';
          continue;
        }
        const info = vars.varInfo(p.v, p.at);
        if (info.slashStart) {
          state = 'path';
          continue;
        }
        if (info.user && canContain(info, '.')) {
          ctx.report({
            node: d.args[0]!,
            file: d.file,
            message: `proxy_pass takes its ${state === 'host' ? 'host' : 'scheme or host'} from "$${p.v}", which the client controls: requests can be sent to any server (SSRF)`,
          });
          break;
        }
      }
    };
    return { named: { proxy_pass } };
  },
};
