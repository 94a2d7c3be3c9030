import type { Rule } from '../../src/lint/rule.js';
import type { Arg, Directive } from '../../src/nginx/tree.js';
import { walk } from '../../src/nginx/tree.js';
import { VarModel, canContain, parseScript } from '../../src/nginx/security.js';

/** The argument whose value ends up in a response or upstream request header. */
function headerValue(d: Directive): Arg | undefined {
  switch (d.name) {
    case 'proxy_pass': return d.args[0];
    case 'return': return d.args.length === 2 ? d.args[1] : undefined;
    case 'rewrite': return d.args[1];
    case 'add_header':
    case 'proxy_set_header': return d.args[1];
    default: return undefined;
  }
}

export const rule: Rule = {
  meta: {
    id: 'nginx/http-splitting',
    aliases: ['http_splitting'],
    category: 'security',
    severity: 'error',
    fix: 'none',
    summary: 'a variable that may hold CR/LF ($uri, loose regex captures) is written into a header (response splitting)',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const vars = new VarModel(config);
    walk(config.root, (d) => {
      if (d.name === 'stream' || d.name === 'mail') return false;
      const arg = headerValue(d);
      if (!arg) return undefined;
      const serverSide = d.name.startsWith('proxy_');
      let ownNames: Set<string> | null = null;
      if (d.name === 'rewrite' && d.args[0]) ownNames = new Set(vars.regex(d.args[0].value, false).names.keys());
      for (const p of vars.expand(parseScript(arg.value), d)) {
        if ('lit' in p) continue;
        // nginx escapes a rewrite's own captures in its replacement when the URI was percent-encoded.
        if (d.name === 'rewrite' && p.at === d && (/^[0-9]$/.test(p.v) || ownNames?.has(p.v))) continue;
        const info = vars.varInfo(p.v, p.at);
        const lf = canContain(info, '\n');
        const cr = !serverSide && canContain(info, '\r');
        if (!lf && !cr) continue;
        ctx.report({
          node: arg,
          file: d.file,
          message: `"$${p.v}" may contain ${lf ? 'a line feed' : 'a carriage return'} (decoded from %${lf ? '0A' : '0D'}): ${d.name} lets a client inject headers${serverSide ? ' into the upstream request' : ' or split the response'}`,
        });
        break;
      }
      return undefined;
    });
  },
};
