import type { Rule } from '../../src/lint/rule.js';
import type { Directive } from '../../src/nginx/tree.js';
import { replaceArg } from '../../src/edit/edits.js';

export const rule: Rule = {
  meta: {
    id: 'nginx/version-disclosure',
    aliases: ['version_disclosure'],
    category: 'security',
    // The version alone exposes nothing: it saves an attacker one probe. Not an error.
    severity: 'warning',
    fix: 'safe',
    summary: 'server_tokens on|build set explicitly: the nginx version is sent in the Server header and error pages',
    needs: ['nginx'],
  },
  create(ctx) {
    const server_tokens = (d: Directive): void => {
      const v = d.args[0];
      if (!v || (v.value !== 'on' && v.value !== 'build')) return;
      ctx.report({
        node: d,
        message: `server_tokens ${v.value} discloses the exact nginx version, which tells attackers which CVEs apply`,
        fix: { description: 'set server_tokens off', edits: [replaceArg(d.file, v, 'off')] },
      });
    };
    // A configuration that leaves the default (on) is not reported: the version alone exposes
    // nothing, so asking every config for "server_tokens off" is hardening taste, not a finding.
    return { named: { server_tokens } };
  },
};
