import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/edit/edits.js';

/** Post-quantum hybrid groups that only OpenSSL ≥ 3.5 (or oqs builds) know. */
const PQ = /mlkem|kyber/i;

export const rule: Rule = {
  meta: {
    id: 'nginx/ssl-ecdh-curve',
    aliases: ['ssl_ecdh_curve'],
    category: 'security',
    severity: 'error',
    fix: 'suggest',
    summary: 'post-quantum group in ssl_ecdh_curve without the `?` prefix: nginx fails to start on an OpenSSL that lacks it',
    needs: ['nginx'],
  },
  create(ctx) {
    const ssl_ecdh_curve = (d: Directive): void => {
      const v = d.args[0];
      if (!v) return;
      const groups = v.value.split(':');
      const bad = groups.filter((g) => PQ.test(g) && !g.startsWith('?'));
      if (bad.length === 0) return;
      ctx.report({
        node: v,
        file: d.file,
        message: `ssl_ecdh_curve names ${bad.join(', ')}: an OpenSSL without ${bad.length > 1 ? 'these groups' : 'this group'} rejects the whole list and nginx does not start; prefix optional groups with "?"`,
        fix: { description: 'mark post-quantum groups optional with "?"', edits: [replaceArg(d.file, v, groups.map((g) => (PQ.test(g) && !g.startsWith('?') ? '?' + g : g)).join(':'))] },
      });
    };
    return { named: { ssl_ecdh_curve } };
  },
};
