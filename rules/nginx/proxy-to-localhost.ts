import type { Rule, Edit } from '../../src/lint/rule.js';
import type { Arg, Directive } from '../../src/nginx/tree.js';
import { enclosing, findAll } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/edit/edits.js';
import { PASS_DIRECTIVES } from './_perf.js';

/** `localhost` as the host of an address or URL (`localhost:8000`, `http://localhost/x`). */
const LOCALHOST = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)localhost(?=[:/]|$)/i;

function localhostEdit(d: Directive, arg: Arg): Edit {
  return replaceArg(d.file, arg, arg.value.replace(LOCALHOST, '$1127.0.0.1'));
}

export const rule: Rule = {
  meta: {
    id: 'nginx/proxy-to-localhost',
    category: 'performance',
    severity: 'warning',
    fix: 'safe',
    summary: 'backend addressed as localhost (nginx also tries [::1])',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    // Asked only for a bare `localhost` target, then kept: through the name index, not a walk.
    let upstreamLocalhost: boolean | undefined;
    const hasUpstreamLocalhost = (): boolean => (upstreamLocalhost ??= findAll(config, 'upstream').some((u) => u.args[0]?.value === 'localhost'));
    const target = (d: Directive): void => {
      const inUpstream = d.name === 'server' && d.parent?.name === 'upstream';
      if (!inUpstream && !PASS_DIRECTIVES.includes(d.name)) return;
      const arg = d.args[0];
      if (!arg || !LOCALHOST.test(arg.value)) return;
      // An `upstream localhost { … }` block is a name, not a DNS lookup.
      if (!inUpstream && !/:\d/.test(arg.value) && config.root.length > 0 && hasUpstreamLocalhost()) return;
      // The linked gunicorn listens on [::] (dual-stack): 127.0.0.1 and ::1 both reach it.
      const links = ctx.model.links.filter((l) => l.target.node === d);
      if (links.length > 0 && links.every((l) => l.bind.kind === 'tcp' && /^\[?::\]?$/.test(l.bind.host))) return;
      const where = inUpstream ? `upstream "${d.parent!.args[0]?.value ?? ''}"` : d.name;
      const stream = enclosing(d, 'stream') ? ' (stream)' : '';
      ctx.report({
        node: d,
        message: `${where}${stream} targets "localhost", which resolves to both 127.0.0.1 and ::1: nginx treats them as two servers and sends requests to [::1] too, where a backend bound to 127.0.0.1 refuses them (errors, retries and "connect() failed" in the log); use the literal address 127.0.0.1`,
        fix: { description: 'replace localhost with 127.0.0.1', edits: [localhostEdit(d, arg)] },
      });
    };
    // `server` lines count only inside an upstream block (checked above).
    return { named: Object.fromEntries(['server', ...PASS_DIRECTIVES].map((name) => [name, target])) };
  },
};
