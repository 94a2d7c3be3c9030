import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { findAll } from '../../src/nginx/tree.js';
import { insertIntoBlock, replaceArg } from '../../src/fix/edits.js';

function isWithin(d: Directive, block: Directive): boolean {
  for (let p = d.parent; p; p = p.parent) if (p === block) return true;
  return false;
}

export const rule: Rule = {
  meta: {
    id: 'nginx/version-disclosure',
    aliases: ['version_disclosure'],
    category: 'security',
    // The version alone exposes nothing: it saves an attacker one probe. Not an error.
    severity: 'warning',
    fix: 'safe',
    summary: 'server_tokens on (the default) sends the nginx version in the Server header and error pages',
    needs: ['nginx'],
  },
  check(ctx) {
    const config = ctx.nginx!;
    const tokens = findAll(config, 'server_tokens');
    for (const d of tokens) {
      const v = d.args[0];
      if (!v || (v.value !== 'on' && v.value !== 'build')) continue;
      ctx.report({
        node: d,
        message: `server_tokens ${v.value} discloses the exact nginx version, which tells attackers which CVEs apply`,
        fix: { description: 'set server_tokens off', edits: [replaceArg(d.file, v, 'off')] },
      });
    }
    // A full configuration that never sets it runs with the default, on.
    if (config.rootContext !== 'main') return;
    for (const http of config.root.filter((d) => d.name === 'http' && d.block)) {
      // Any server_tokens inside this http block (one index lookup, not a walk per http block).
      if (tokens.some((t) => isWithin(t, http))) continue;
      const edit = insertIntoBlock(http, 'server_tokens off;');
      ctx.report({
        node: http,
        severity: 'info',
        message: 'server_tokens is not set and defaults to on: every response discloses the nginx version',
        fix: edit ? { description: 'add "server_tokens off;" to http', edits: [edit] } : undefined,
      });
    }
  },
};
