import type { Rule } from '../../src/lint/rule.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { childrenNamed } from '../../src/nginx/tree.js';
import { effectiveValue } from '../../src/nginx/effective.js';
import { removeDirective } from '../../src/edit/edits.js';
import { locationsUnder, outerLevelsUnknown, serverLevelReachable, setsBelow } from './_perf.js';

/** A location whose responses all come from proxy_pass with buffering off (never sent with sendfile). */
function unbufferedProxyOnly(config: NginxConfig, loc: Directive): boolean {
  const kids = loc.block ?? [];
  if (childrenNamed(kids, 'return').length > 0 && childrenNamed(kids, 'proxy_pass').length === 0) return true;
  const pass = childrenNamed(kids, 'proxy_pass')[0];
  if (!pass) return false;
  return effectiveValue(config, pass, 'proxy_buffering').args?.[0] === 'off';
}

/** Whether everything under a server or location block is proxied unbuffered. */
function onlyUnbufferedProxying(config: NginxConfig, block: Directive): boolean {
  if (block.name === 'location') return unbufferedProxyOnly(config, block) && locationsUnder(block.block ?? []).every((l) => unbufferedProxyOnly(config, l));
  if (block.name !== 'server' || serverLevelReachable(block)) return false;
  const locs = locationsUnder(block.block ?? []);
  return locs.some((l) => childrenNamed(l.block, 'proxy_pass').length > 0) && locs.every((l) => unbufferedProxyOnly(config, l));
}

export const rule: Rule = {
  meta: {
    id: 'nginx/tcp-nopush-ineffective',
    category: 'performance',
    severity: 'info',
    fix: 'suggest',
    summary: 'tcp_nopush on where sendfile is off or only unbuffered proxied traffic flows',
    needs: ['nginx'],
  },
  create(ctx) {
    const config = ctx.nginx!;
    const tcp_nopush = (d: Directive): void => {
      if (d.args[0]?.value !== 'on') return;
      const level = d.parent;
      const fix = { description: 'remove tcp_nopush', edits: [removeDirective(d)] };
      const sendfile = effectiveValue(config, level, 'sendfile', ctx.options.versions.nginx);
      if (sendfile.args?.[0] === 'off' && !setsBelow(level, config, 'sendfile', 'on')) {
        // sendfile may be switched on in a file we cannot see.
        if (sendfile.isDefault && outerLevelsUnknown(config, level)) return;
        ctx.report({
          node: d,
          message: `tcp_nopush on has no effect: it only applies to responses sent with sendfile, and sendfile is ${sendfile.isDefault ? 'off (the default)' : `off (line ${sendfile.node!.line})`} here (remove it, or turn sendfile on for static files)`,
          fix,
        });
        return;
      }
      if (level && onlyUnbufferedProxying(config, level)) {
        ctx.report({
          node: d,
          message: `tcp_nopush on has no effect in this ${level.name}: every response is proxied with proxy_buffering off, which never goes through sendfile (remove it)`,
          fix,
        });
      }
    };
    return { named: { tcp_nopush } };
  },
};
