import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { varModelOf, canContain, parseScript } from '../../src/analysis/security.js';

/** Index of the argument whose value ends up in a response or upstream request header (-1: none). */
function headerValueIndex(d: Directive): number {
  switch (d.name) {
    case 'proxy_pass': return d.argc > 0 ? 0 : -1;
    case 'return': return d.argc === 2 ? 1 : -1;
    case 'rewrite':
    case 'add_header':
    case 'proxy_set_header': return d.argc > 1 ? 1 : -1;
    default: return -1;
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
  create(ctx) {
    const config = ctx.nginx!;
    const vars = varModelOf(config);
    // Every directive, not the name index: about half of all directives write headers, and
    // visiting them in tree order is faster than gathering them name by name.
    const directive = (d: Directive, _context: unknown, inStreamOrMail: boolean): void => {
      if (inStreamOrMail) return;
      const index = headerValueIndex(d);
      if (index < 0) return;
      // Values are read without building Arg objects (hundreds of thousands on big configs); the
      // Arg is built only to report.
      const value = d.argValue(index)!;
      if (!value.includes('$')) return;
      const serverSide = d.name.startsWith('proxy_');
      let ownNames: Set<string> | null = null;
      if (d.name === 'rewrite') ownNames = new Set(vars.regex(d.argValue(0)!, false).names.keys());
      for (const p of vars.expand(parseScript(value), d)) {
        if ('lit' in p) continue;
        // nginx escapes a rewrite's own captures in its replacement when the URI was percent-encoded.
        if (d.name === 'rewrite' && p.at === d && (/^[0-9]$/.test(p.v) || ownNames?.has(p.v))) continue;
        const info = vars.varInfo(p.v, p.at);
        const lf = canContain(info, '\n');
        const cr = !serverSide && canContain(info, '\r');
        if (!lf && !cr) continue;
        ctx.report({
          node: d.args[index]!,
          file: d.file,
          message: `"$${p.v}" may contain ${lf ? 'a line feed' : 'a carriage return'} (decoded from %${lf ? '0A' : '0D'}): ${d.name} lets a client inject headers${serverSide ? ' into the upstream request' : ' or split the response'}`,
        });
        break;
      }
    };
    return { directive };
  },
};
